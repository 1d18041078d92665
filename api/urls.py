"""The API's paths: /api/v1/ for the API itself, /api/schema/ and /api/docs/ to describe it."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.auth import AuthTokenApi
from api.errors import api_not_found
from api.v1 import agencies as agencies_api
from api.v1 import concerns as concerns_api
from api.v1 import events as event_api
from api.v1 import me as me_api
from api.v1 import medicines as medicine_api
from api.v1 import members as member_api
from api.v1 import messages as message_api
from api.v1 import networks as network_api
from api.v1 import people as person_api
from api.v1 import sharedfiles as file_api
from api.v1 import tasks as task_api
from api.v1 import wellbeing as wellbeing_api


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files, with no inline script or style, under our CSP."""

    template_name = "api/swagger_ui.html"


v1 = [
    path("auth/token/", AuthTokenApi.as_view(), name="auth_token"),
    path("me/", me_api.MeApi.as_view(), name="me_detail"),
    path(
        "me/phone/verification/",
        me_api.MePhoneVerificationApi.as_view(),
        name="me_phone_verification",
    ),
    path(
        "me/phone/verification/confirm/",
        me_api.MePhoneVerificationConfirmApi.as_view(),
        name="me_phone_verification_confirm",
    ),
    path("people/", person_api.PersonListApi.as_view(), name="person_list"),
    path("people/<int:person_id>/", person_api.PersonDetailApi.as_view(), name="person_detail"),
    path(
        "people/<int:person_id>/identifiers/",
        person_api.PersonIdentifierListApi.as_view(),
        name="person_identifier_list",
    ),
    path("networks/", network_api.NetworkListApi.as_view(), name="network_list"),
    path(
        "networks/<int:network_id>/",
        network_api.NetworkDetailApi.as_view(),
        name="network_detail",
    ),
    path(
        "networks/<int:network_id>/members/",
        member_api.NetworkMemberListApi.as_view(),
        name="network_member_list",
    ),
    path(
        "networks/<int:network_id>/members/<int:membership_id>/",
        member_api.NetworkMemberDetailApi.as_view(),
        name="network_member_detail",
    ),
    path(
        "networks/<int:network_id>/invitations/",
        member_api.NetworkInvitationListApi.as_view(),
        name="network_invitation_list",
    ),
    path(
        "networks/<int:network_id>/invitations/<int:invitation_id>/",
        member_api.NetworkInvitationDetailApi.as_view(),
        name="network_invitation_detail",
    ),
    path(
        "networks/<int:network_id>/join-requests/",
        member_api.NetworkJoinRequestListApi.as_view(),
        name="network_join_request_list",
    ),
    path(
        "networks/<int:network_id>/join-requests/<int:join_request_id>/approve/",
        member_api.NetworkJoinRequestApproveApi.as_view(),
        name="network_join_request_approve",
    ),
    path(
        "networks/<int:network_id>/join-requests/<int:join_request_id>/decline/",
        member_api.NetworkJoinRequestDeclineApi.as_view(),
        name="network_join_request_decline",
    ),
    path(
        "networks/<int:network_id>/threads/",
        message_api.ThreadListApi.as_view(),
        name="message_thread_list",
    ),
    path(
        "networks/<int:network_id>/threads/<int:thread_id>/",
        message_api.ThreadDetailApi.as_view(),
        name="message_thread_detail",
    ),
    path(
        "networks/<int:network_id>/threads/<int:thread_id>/messages/",
        message_api.MessageListApi.as_view(),
        name="message_list",
    ),
    path(
        "networks/<int:network_id>/threads/<int:thread_id>/read/",
        message_api.ThreadReadApi.as_view(),
        name="message_thread_read",
    ),
    path(
        "networks/<int:network_id>/messages/unread/",
        message_api.MessageUnreadApi.as_view(),
        name="message_unread",
    ),
    path(
        "networks/<int:network_id>/involvements/",
        agencies_api.NetworkInvolvementListApi.as_view(),
        name="network_involvement_list",
    ),
    path(
        "networks/<int:network_id>/involvements/<int:involvement_id>/",
        agencies_api.NetworkInvolvementDetailApi.as_view(),
        name="network_involvement_detail",
    ),
    path(
        "networks/<int:network_id>/audit/",
        network_api.NetworkAuditListApi.as_view(),
        name="network_audit_list",
    ),
    path("agencies/", agencies_api.AgencyListApi.as_view(), name="agency_list"),
    path("agencies/<int:agency_id>/", agencies_api.AgencyDetailApi.as_view(), name="agency_detail"),
    path(
        "agencies/<int:agency_id>/staff/",
        agencies_api.AgencyStaffListApi.as_view(),
        name="agency_staff_list",
    ),
    path(
        "networks/<int:network_id>/concerns/",
        concerns_api.ConcernListApi.as_view(),
        name="concern_list",
    ),
    path(
        "networks/<int:network_id>/concerns/<int:concern_id>/",
        concerns_api.ConcernDetailApi.as_view(),
        name="concern_detail",
    ),
    path(
        "networks/<int:network_id>/concerns/<int:concern_id>/acknowledge/",
        concerns_api.ConcernAcknowledgeApi.as_view(),
        name="concern_acknowledge",
    ),
    path(
        "networks/<int:network_id>/concerns/<int:concern_id>/updates/",
        concerns_api.ConcernUpdateListApi.as_view(),
        name="concern_update_list",
    ),
    path(
        "networks/<int:network_id>/concerns/<int:concern_id>/review/",
        concerns_api.ConcernReviewApi.as_view(),
        name="concern_review",
    ),
    path(
        "networks/<int:network_id>/concerns/<int:concern_id>/close/",
        concerns_api.ConcernCloseApi.as_view(),
        name="concern_close",
    ),
    path(
        "networks/<int:network_id>/concerns/<int:concern_id>/withdraw/",
        concerns_api.ConcernWithdrawApi.as_view(),
        name="concern_withdraw",
    ),
    path("alerts/", concerns_api.AlertListApi.as_view(), name="alert_list"),
    path(
        "networks/<int:network_id>/events/",
        event_api.NetworkEventListApi.as_view(),
        name="network_event_list",
    ),
    path(
        "networks/<int:network_id>/events/<int:event_id>/",
        event_api.NetworkEventDetailApi.as_view(),
        name="network_event_detail",
    ),
    path(
        "networks/<int:network_id>/events/<int:event_id>/attendance/",
        event_api.NetworkEventAttendanceApi.as_view(),
        name="network_event_attendance",
    ),
    path(
        "networks/<int:network_id>/tasks/",
        task_api.NetworkTaskListApi.as_view(),
        name="network_task_list",
    ),
    path(
        "networks/<int:network_id>/tasks/<int:task_id>/claim/",
        task_api.NetworkTaskClaimApi.as_view(),
        name="network_task_claim",
    ),
    path(
        "networks/<int:network_id>/tasks/<int:task_id>/release/",
        task_api.NetworkTaskReleaseApi.as_view(),
        name="network_task_release",
    ),
    path(
        "networks/<int:network_id>/tasks/<int:task_id>/complete/",
        task_api.NetworkTaskCompleteApi.as_view(),
        name="network_task_complete",
    ),
]

v1 += [
    path(
        "networks/<int:network_id>/files/", file_api.NetworkFileListApi.as_view(), name="file_list"
    ),
    path(
        "networks/<int:network_id>/files/<int:file_id>/",
        file_api.NetworkFileDetailApi.as_view(),
        name="file_detail",
    ),
    path(
        "networks/<int:network_id>/files/<int:file_id>/download/",
        file_api.NetworkFileDownloadApi.as_view(),
        name="file_download",
    ),
    path(
        "networks/<int:network_id>/medicines/",
        medicine_api.NetworkMedicineListApi.as_view(),
        name="medicine_list",
    ),
    path(
        "networks/<int:network_id>/medicines/history/",
        medicine_api.NetworkMedicineHistoryApi.as_view(),
        name="medicine_history",
    ),
    path(
        "networks/<int:network_id>/medicines/<int:medicine_id>/",
        medicine_api.NetworkMedicineDetailApi.as_view(),
        name="medicine_detail",
    ),
    path(
        "networks/<int:network_id>/medicines/<int:medicine_id>/history/",
        medicine_api.NetworkMedicineChangeListApi.as_view(),
        name="medicine_change_list",
    ),
]
update = "networks/<int:network_id>/updates/<int:update_id>/"
v1 += [
    path(
        "networks/<int:network_id>/updates/",
        wellbeing_api.WellbeingUpdateListApi.as_view(),
        name="wellbeing_update_list",
    ),
    path(update, wellbeing_api.WellbeingUpdateDetailApi.as_view(), name="wellbeing_update_detail"),
    path(
        f"{update}replies/",
        wellbeing_api.WellbeingReplyListApi.as_view(),
        name="wellbeing_reply_list",
    ),
    path(
        f"{update}reactions/",
        wellbeing_api.WellbeingReactionApi.as_view(),
        name="wellbeing_reaction",
    ),
    path(
        "networks/<int:network_id>/updates/photos/<int:photo_id>/<str:size>/",
        wellbeing_api.WellbeingPhotoApi.as_view(),
        name="wellbeing_photo",
    ),
    path(
        "networks/<int:network_id>/what-matters/",
        wellbeing_api.WhatMattersApi.as_view(),
        name="what_matters",
    ),
]

urlpatterns = [
    path("v1/", include((v1, "api_v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", ApiDocsView.as_view(url_name="api_schema"), name="api_docs"),
    # Anything else under /api/ answers in the API's shape, not with a web page.
    re_path(r"^.*$", api_not_found),
]
