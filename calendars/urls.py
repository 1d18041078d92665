from django.urls import path

from calendars import views_feeds

# iCalendar addresses first; the calendar pages add theirs below.
urlpatterns: list = [
    path("feeds/<str:token>.ics", views_feeds.calendar_feed, name="calendar_feed"),
    path("events/<int:event_id>.ics", views_feeds.calendar_event_ics, name="calendar_event_ics"),
]

# The user's own calendar settings: reminders, and the feed address above.
from calendars.views import settings as calendar_settings  # noqa: E402

urlpatterns += [
    path("settings/", calendar_settings.calendar_settings_page, name="calendar_settings"),
    path("settings/feed/", calendar_settings.calendar_feed_action, name="calendar_feed_action"),
]
