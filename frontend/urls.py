from django.urls import path

from frontend.urls_files import urlpatterns as files_urlpatterns
from frontend.views import (
    concerns,
    dashboard,
    details,
    home,
    invitations,
    involvement,
    matches,
    members,
    messages,
    networks,
    notifications,
    people,
    welcome,
    wellbeing,
)
from frontend.views.calendars import agenda as calendar_agenda
from frontend.views.calendars import event_forms as calendar_event_forms
from frontend.views.calendars import events as calendar_events
from frontend.views.calendars import settings as calendar_settings
from frontend.views.calendars import tasks as calendar_tasks

network = "networks/<int:network_id>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("accessibility/", home.accessibility, name="accessibility"),
    path("help/", home.help_page, name="help"),
    # Your details: name, mobile number (proved by a texted code), and e-mail (allauth's page)
    path("your-details/", details.your_details_page, name="your_details"),
    path("your-details/name/", details.your_details_name, name="your_details_name"),
    path("your-details/mobile/", details.your_details_mobile, name="your_details_mobile"),
    path(
        "your-details/mobile/confirm/",
        details.your_details_mobile_confirm,
        name="your_details_mobile_confirm",
    ),
    path(
        "your-details/mobile/remove/",
        details.your_details_mobile_remove,
        name="your_details_mobile_remove",
    ),
    path(
        "your-details/work/<int:agency_id>/",
        details.your_details_work_contact,
        name="your_details_work_contact",
    ),
    # People
    path("people/register/", people.person_register_page, name="person_register"),
    path(
        "people/register/existing/",
        people.person_register_existing,
        name="person_register_existing",
    ),
    path("people/search/", people.person_search_page, name="person_search"),
    path("people/matches/", matches.match_list, name="match_list"),
    path("people/matches/<int:candidate_id>/merge/", matches.match_merge, name="match_merge"),
    path("people/matches/<int:candidate_id>/dismiss/", matches.match_dismiss, name="match_dismiss"),
    path("people/merges/<int:merge_id>/undo/", matches.merge_undo, name="merge_undo"),
    # A person's record and network
    path(network, networks.network_overview, name="network_overview"),
    path(f"{network}map/", networks.network_map, name="network_map"),
    path(f"{network}family/", networks.network_family, name="network_family"),
    path(f"{network}audit/", networks.network_audit, name="network_audit"),
    path(f"{network}welcome/", welcome.network_welcome, name="network_welcome"),
    path(f"{network}members/", members.network_members, name="network_members"),
    path(f"{network}members/invite/", members.invitation_create_page, name="invitation_create"),
    path(
        f"{network}members/<int:membership_id>/remove/",
        members.membership_remove,
        name="membership_remove",
    ),
    path(
        f"{network}members/<int:membership_id>/coordinator/",
        members.membership_coordinator,
        name="membership_coordinator",
    ),
    path(
        f"{network}members/<int:membership_id>/visibility/",
        members.membership_visibility_page,
        name="membership_visibility",
    ),
    path(f"{network}leave/", members.membership_leave, name="membership_leave"),
    path(
        f"{network}invitations/<int:invitation_id>/withdraw/",
        members.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path(f"{network}join-requests/", members.join_request_list_page, name="join_request_list"),
    path(
        f"{network}join-requests/<int:join_request_id>/",
        members.join_request_decide_page,
        name="join_request_decide",
    ),
    path(f"{network}involvement/", involvement.involvement_list_page, name="involvement_list"),
    path(
        f"{network}involvement/add/",
        involvement.involvement_create_page,
        name="involvement_create",
    ),
    path(
        f"{network}involvement/<int:involvement_id>/edit/",
        involvement.involvement_update_page,
        name="involvement_update",
    ),
    path(
        f"{network}involvement/<int:involvement_id>/close/",
        involvement.involvement_close_page,
        name="involvement_close",
    ),
    # Messages between members (the link in a new-message e-mail is `message_thread`)
    path(f"{network}messages/", messages.message_list_page, name="message_list"),
    path(f"{network}messages/new/", messages.thread_start_page, name="message_thread_start"),
    path(
        f"{network}messages/<int:thread_id>/",
        messages.thread_page,
        name="message_thread",
    ),
    path(
        f"{network}messages/<int:thread_id>/reply/",
        messages.thread_reply,
        name="message_thread_reply",
    ),
    # The link in an invitation e-mail (notifications.invitations.invitation_email_body)
    path("invitations/<str:token>/", invitations.invitation_accept_page, name="invitation_accept"),
    # Concerns, the chronology and the safeguarding dashboard
    path(f"{network}concerns/", concerns.concern_list_page, name="concern_list"),
    path(f"{network}concerns/new/", concerns.concern_raise_page, name="concern_raise"),
    path(
        f"{network}concerns/<int:concern_id>/",
        concerns.concern_detail_page,
        name="concern_detail",
    ),
    path(
        f"{network}concerns/<int:concern_id>/acknowledge/",
        concerns.concern_acknowledge_action,
        name="concern_acknowledge",
    ),
    path(
        f"{network}concerns/<int:concern_id>/review/",
        concerns.concern_review_action,
        name="concern_review",
    ),
    path(
        f"{network}concerns/<int:concern_id>/updates/",
        concerns.concern_update_action,
        name="concern_update",
    ),
    path(
        f"{network}concerns/<int:concern_id>/close/",
        concerns.concern_close_page,
        name="concern_close",
    ),
    path(
        f"{network}concerns/<int:concern_id>/withdraw/",
        concerns.concern_withdraw_page,
        name="concern_withdraw",
    ),
    path(f"{network}chronology/", concerns.chronology_page, name="network_chronology"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
]

# The network's calendar and task board, and the user's own calendar settings
# (frontend.views.calendars); the iCalendar feeds are under /calendar/ too (calendars.urls).

calendar_event = f"{network}calendar/events/<int:event_id>/"
calendar_occurrence = f"{calendar_event}occurrences/<str:occurrence>/"
urlpatterns += [
    path(f"{network}calendar/", calendar_agenda.calendar_page, name="calendar"),
    path(
        f"{network}calendar/occurrences.json",
        calendar_agenda.calendar_occurrences_json,
        name="calendar_occurrences_json",
    ),
    path(
        f"{network}calendar/new/",
        calendar_event_forms.calendar_event_create_page,
        name="calendar_event_create",
    ),
    path(calendar_event, calendar_events.calendar_event_page, name="calendar_event"),
    path(
        f"{calendar_event}edit/",
        calendar_event_forms.calendar_event_update_page,
        name="calendar_event_update",
    ),
    path(
        f"{calendar_event}cancel/",
        calendar_event_forms.calendar_event_cancel_page,
        name="calendar_event_cancel",
    ),
    path(
        f"{calendar_event}attendance/",
        calendar_events.calendar_attendance_respond,
        name="calendar_attendance_respond",
    ),
    path(
        f"{calendar_event}invite/",
        calendar_events.calendar_attendance_invite,
        name="calendar_attendance_invite",
    ),
    path(calendar_occurrence, calendar_events.calendar_occurrence_page, name="calendar_occurrence"),
    path(
        f"{calendar_occurrence}edit/",
        calendar_event_forms.calendar_occurrence_update_page,
        name="calendar_occurrence_update",
    ),
    path(
        f"{calendar_occurrence}cancel/",
        calendar_event_forms.calendar_occurrence_cancel_page,
        name="calendar_occurrence_cancel",
    ),
    path(f"{network}tasks/", calendar_tasks.task_board_page, name="task_board"),
    path(f"{network}tasks/new/", calendar_tasks.task_create_page, name="task_create"),
    path(
        f"{network}tasks/<int:task_id>/claim/", calendar_tasks.task_claim_action, name="task_claim"
    ),
    path(
        f"{network}tasks/<int:task_id>/release/",
        calendar_tasks.task_release_action,
        name="task_release",
    ),
    path(
        f"{network}tasks/<int:task_id>/complete/",
        calendar_tasks.task_complete_action,
        name="task_complete",
    ),
    path("calendar/settings/", calendar_settings.calendar_settings_page, name="calendar_settings"),
    path(
        "calendar/settings/feed/",
        calendar_settings.calendar_feed_action,
        name="calendar_feed_action",
    ),
    # Wellbeing updates and what matters to the person (frontend.views.wellbeing)
    path(f"{network}updates/", wellbeing.wellbeing_list_page, name="wellbeing_list"),
    path(
        f"{network}updates/<int:update_id>/replies/",
        wellbeing.wellbeing_reply_action,
        name="wellbeing_reply",
    ),
    path(
        f"{network}updates/<int:update_id>/reactions/",
        wellbeing.wellbeing_react_action,
        name="wellbeing_react",
    ),
    path(
        f"{network}updates/<int:update_id>/visibility/",
        wellbeing.wellbeing_visibility_page,
        name="wellbeing_visibility",
    ),
    path(
        f"{network}updates/photos/<int:photo_id>/<str:size>/",
        wellbeing.wellbeing_photo,
        name="wellbeing_photo",
    ),
    path(f"{network}what-matters/", wellbeing.what_matters_page, name="what_matters"),
    # The user's notifications
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/read/",
        notifications.notification_mark_all_read_page,
        name="notification_mark_all_read",
    ),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/unread-count/",
        notifications.notification_unread_count_json,
        name="notification_unread_count",
    ),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification_open",
    ),
]

# Shared files and medicines.
urlpatterns += files_urlpatterns
