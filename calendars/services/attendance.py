"""Who is coming: invitations to an event and each member's answer."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendars.models import AttendanceResponse, CalendarEvent, EventAttendance
from calendars.rules import calendar_require_member, event_require_may_change
from calendars.services.events import event_change_record
from caregraph.models import AuditAction, Membership, MembershipStatus, NetworkEventKind
from caregraph.policy import Viewer, users_who_may_see

ANSWERS = (AttendanceResponse.GOING, AttendanceResponse.MAYBE, AttendanceResponse.NOT_GOING)


def _attendance_recorded(event: CalendarEvent, *, actor: User, summary: str) -> None:
    # No counts of answers: they would tell of members some may not know are here.
    event_change_record(
        event,
        actor=actor,
        action=AuditAction.UPDATE,
        summary=summary,
        kind=NetworkEventKind.EVENT_CHANGED,
        change="attendance",
    )


def attendance_invite(
    *, event: CalendarEvent, viewer: Viewer, invited_by: User, users: Sequence[User]
) -> list[EventAttendance]:
    """Invites members to an event (every occurrence of a series).

    Only those who may change the event invite, and only active members who may see the
    event can be invited, so nobody learns of an event through an invitation. Someone
    already invited keeps their answer.
    """
    event_require_may_change(event=event, viewer=viewer)
    allowed = users_who_may_see(
        network=event.network,
        visibility=event.visibility,
        author_id=event.created_by_id,
        author_agency_id=event.author_agency_id,
    )
    members = set(
        Membership.objects.filter(
            network_id=event.network_id, status=MembershipStatus.ACTIVE
        ).values_list("user_id", flat=True)
    )
    refused = [str(user) for user in users if user.pk not in allowed & members]
    if refused:
        raise ValidationError(
            {
                "user_ids": [
                    f"{', '.join(refused)} cannot see this event, so cannot be invited to it"
                ]
            }
        )
    with transaction.atomic():
        invited = [
            EventAttendance.objects.get_or_create(
                event=event, user=user, defaults={"invited_by": invited_by}
            )[0]
            for user in users
        ]
        names = ", ".join(str(user) for user in users)
        _attendance_recorded(event, actor=invited_by, summary=f"Invited {names} to '{event.title}'")
    return invited


def attendance_respond(
    *, event: CalendarEvent, viewer: Viewer, user: User, response: str
) -> EventAttendance:
    """Records a member's own answer: going, maybe or not going.

    Any member who may see the event may answer, invited or not; someone who is not going
    gets no reminders of it. The organiser sees the answers.
    """
    calendar_require_member(viewer)
    if response not in ANSWERS:
        raise ValidationError({"response": ["Answer going, maybe or not going"]})
    with transaction.atomic():
        attendance, _ = EventAttendance.objects.update_or_create(
            event=event,
            user=user,
            defaults={"response": response, "responded_at": timezone.now()},
            create_defaults={
                "response": response,
                "responded_at": timezone.now(),
                "invited_by": user,
            },
        )
        label = AttendanceResponse(response).label.lower()
        _attendance_recorded(event, actor=user, summary=f"Answered '{label}' to '{event.title}'")
    return attendance
