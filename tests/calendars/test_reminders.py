"""Reminders: due ones written to the outbox once, never again when a series changes, by text
message where configured, and never carrying the title, the notes or the person's name."""

from __future__ import annotations

import datetime
import json
import uuid
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import User
from calendars.models import (
    CalendarEvent,
    EventKind,
    ReminderChannel,
    ReminderState,
    ScheduledReminder,
)
from calendars.services.attendance import attendance_invite, attendance_respond
from calendars.services.events import event_occurrence_cancel, event_update
from calendars.services.reminders import (
    reminder_preferences_set,
    reminders_send_due,
    reminders_top_up,
)
from calendars.services.tasks import task_claim, task_create
from calendars.tasks import reminder_send_due_task
from caregraph.models import MembershipStatus, Visibility
from caregraph.services.networks import membership_end
from notifications.models import OutboxChannel, OutboxMessage, OutboxState
from notifications.sms import sms_send
from tests.calendars.conftest import LONDON, Circle, add_event
from tests.networks import viewer

pytestmark = pytest.mark.django_db

NOTES = "Check the bruise on her left arm"
TITLE = "Visit to Alex Morgan"


def _day(days_ahead: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days_ahead)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time, naive, as a form would give it."""
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def _instant(day: datetime.date, hour: int) -> datetime.datetime:
    return _at(day, hour).replace(tzinfo=LONDON)


def _visit(circle: Circle, *, rrule: str = "", days_ahead: int = 3) -> CalendarEvent:
    day = _day(days_ahead)
    return add_event(
        circle.network,
        circle.coordinator,
        title=TITLE,
        notes=NOTES,
        start=_at(day, 10),
        end=_at(day, 11),
        rrule=rrule,
    )


def _messages_to(user: User) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(user=user).order_by("pk"))


def test_a_due_reminder_is_written_once_in_plain_words(circle: Circle) -> None:
    event = _visit(circle)
    day = _day(3)

    reminders_send_due(now=_instant(day, 9) - datetime.timedelta(days=2))  # not due yet
    assert _messages_to(circle.coordinator) == []
    reminders_send_due(now=_instant(day, 10) - datetime.timedelta(hours=23))
    reminders_send_due(now=_instant(day, 10) - datetime.timedelta(hours=22))

    [message] = _messages_to(circle.coordinator)
    assert message.channel == OutboxChannel.EMAIL
    assert message.to_address == circle.coordinator.email
    assert "You have a home visit tomorrow at 10:00." in message.body
    assert message.subject == "Reminder: you have a home visit tomorrow at 10:00"
    assert f"/networks/{event.network_id}/" in message.body
    for secret in (TITLE, NOTES, "Alex", "Morgan"):
        assert secret not in message.body
        assert secret not in message.subject


def test_the_sweep_task_is_safe_to_run_twice(
    circle: Circle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    # Added at short notice: the day-before reminder is already late, so it goes at once.
    soon = timezone.now() + datetime.timedelta(hours=3)
    add_event(
        circle.network,
        circle.coordinator,
        start=soon,
        end=soon + datetime.timedelta(hours=1),
    )

    with (
        mock.patch("notifications.outbox.outbox_relay_queue") as relay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminder_send_due_task() == 1
        assert reminder_send_due_task() == 0

    [message] = _messages_to(circle.coordinator)
    relay.assert_called_once_with(message_ids=[message.pk])


def test_moving_a_series_after_its_reminder_went_does_not_send_it_again(circle: Circle) -> None:
    event = _visit(circle, rrule="FREQ=DAILY;COUNT=3")
    first_day = _day(3)
    reminders_send_due(now=_instant(first_day, 10) - datetime.timedelta(hours=23))
    assert len(_messages_to(circle.coordinator)) == 1

    # The whole series moves an hour later, after the first day's reminder went out.
    event_update(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        updated_by=circle.coordinator,
        title=event.title,
        kind=event.kind,
        start=_at(first_day, 11),
        end=_at(first_day, 12),
        all_day=False,
        timezone_name="Europe/London",
        location="",
        notes=NOTES,
        visibility=Visibility.NETWORK,
        rrule="FREQ=DAILY;COUNT=3",
    )
    reminders_send_due(now=_instant(first_day, 11) - datetime.timedelta(hours=23))
    assert len(_messages_to(circle.coordinator)) == 1

    # The second day's reminder follows the series to its new time, and goes once.
    second_day = first_day + datetime.timedelta(days=1)
    reminders_send_due(now=_instant(second_day, 10) - datetime.timedelta(days=1))  # old time
    assert len(_messages_to(circle.coordinator)) == 1
    reminders_send_due(now=_instant(second_day, 11) - datetime.timedelta(days=1))
    reminders_send_due(now=_instant(second_day, 11) - datetime.timedelta(hours=22))
    messages = _messages_to(circle.coordinator)
    assert len(messages) == 2
    assert "at 11:00" in messages[1].body


def test_a_cancelled_occurrence_sends_no_reminder(circle: Circle) -> None:
    event = _visit(circle, rrule="FREQ=DAILY;COUNT=2")
    event_occurrence_cancel(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        cancelled_by=circle.coordinator,
        occurrence=_at(_day(3), 10),
    )

    reminders_send_due(now=_instant(_day(3), 10) - datetime.timedelta(hours=1))

    assert _messages_to(circle.coordinator) == []
    assert ScheduledReminder.objects.filter(state=ReminderState.SCHEDULED).count() == 1


def test_those_invited_are_reminded_unless_they_said_no(circle: Circle) -> None:
    event = _visit(circle)
    coordinator = viewer(circle.network, circle.coordinator)
    attendance_invite(
        event=event,
        viewer=coordinator,
        invited_by=circle.coordinator,
        users=[circle.family, circle.professional],
    )
    attendance_respond(
        event=event,
        viewer=viewer(circle.network, circle.professional),
        user=circle.professional,
        response="not_going",
    )

    reminders_send_due(now=_instant(_day(3), 10) - datetime.timedelta(hours=2))

    assert len(_messages_to(circle.family)) == 1
    assert _messages_to(circle.professional) == []


def test_someone_who_left_the_network_is_not_reminded(circle: Circle) -> None:
    event = _visit(circle)
    attendance_invite(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        invited_by=circle.coordinator,
        users=[circle.family],
    )
    membership = circle.network.memberships.get(user=circle.family, status=MembershipStatus.ACTIVE)
    membership_end(
        membership=membership,
        ended_by=circle.family,
        viewer=viewer(circle.network, circle.family),
    )

    reminders_send_due(now=_instant(_day(3), 10) - datetime.timedelta(hours=2))

    assert _messages_to(circle.family) == []
    assert ScheduledReminder.objects.get(user=circle.family).state == ReminderState.SKIPPED


def test_reminders_come_as_each_user_chose(circle: Circle) -> None:
    reminder_preferences_set(
        user=circle.coordinator,
        preferences=[(ReminderChannel.EMAIL, 60), (ReminderChannel.EMAIL, 2 * 24 * 60)],
    )
    _visit(circle)
    day = _day(3)

    reminders_send_due(now=_instant(day, 10) - datetime.timedelta(days=2))
    reminders_send_due(now=_instant(day, 10) - datetime.timedelta(minutes=59))

    messages = _messages_to(circle.coordinator)
    assert len(messages) == 2
    assert "today at 10:00" in messages[1].body


def test_someone_who_chose_no_reminders_gets_none(circle: Circle) -> None:
    reminder_preferences_set(user=circle.coordinator, preferences=[])
    _visit(circle)

    reminders_send_due(now=_instant(_day(3), 10) - datetime.timedelta(minutes=30))

    assert _messages_to(circle.coordinator) == []


def test_occurrences_coming_into_range_are_scheduled_by_the_sweep(circle: Circle) -> None:
    event = _visit(circle, rrule="FREQ=WEEKLY")  # without end
    far_day = _day(3 + 7 * 4)
    assert not ScheduledReminder.objects.filter(occurrence_start=_instant(far_day, 10)).exists()

    sweep_at = _instant(far_day, 10) - datetime.timedelta(days=8)
    assert reminders_top_up(now=sweep_at) == 1
    assert reminders_top_up(now=sweep_at + datetime.timedelta(minutes=1)) == 0  # done for today
    reminders_send_due(now=_instant(far_day, 10) - datetime.timedelta(hours=23))

    assert (
        ScheduledReminder.objects.get(event=event, occurrence_start=_instant(far_day, 10)).state
        == ReminderState.SENT
    )


def test_whoever_claimed_a_task_is_reminded(circle: Circle) -> None:
    day = _day(2)
    task = task_create(
        network=circle.network,
        viewer=viewer(circle.network, circle.coordinator),
        created_by=circle.coordinator,
        title="Lift to the hospital for Alex",
        due_at=_at(day, 14),
    )
    task_claim(task=task, viewer=viewer(circle.network, circle.family), claimed_by=circle.family)

    reminders_send_due(now=_instant(day, 14) - datetime.timedelta(hours=23))

    [message] = _messages_to(circle.family)
    assert "You signed up to help with something due tomorrow at 14:00." in message.body
    assert "Alex" not in message.body
    assert "hospital" not in message.body


# --- Text messages through GOV.UK Notify ----------------------------------------------------

NOTIFY_KEY = f"caregraph_test-{uuid.uuid4()}-{uuid.uuid4()}"
TEMPLATE_ID = str(uuid.uuid4())


def _texting(user: User) -> None:
    # A number proved by a texted code (notifications.phone; tested in tests/accounts).
    user.phone = "+447700900123"  # type: ignore[assignment]
    user.phone_verified_at = timezone.now()
    user.save(update_fields=["phone", "phone_verified_at"])
    reminder_preferences_set(user=user, preferences=[(ReminderChannel.SMS, 60)])


def test_a_reminder_goes_by_text_through_notify_where_configured(
    circle: Circle,
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    settings.NOTIFY_API_KEY = NOTIFY_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = TEMPLATE_ID
    _texting(circle.coordinator)
    _visit(circle)
    answered = mock.Mock(status_code=201)
    answered.json.return_value = {"id": str(uuid.uuid4())}

    # Written to the outbox, then sent by the relay after commit: only the HTTP request to
    # GOV.UK Notify is stood in for.
    with (
        mock.patch("requests.Session.request", return_value=answered) as network,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders_send_due(now=_instant(_day(3), 10) - datetime.timedelta(minutes=50))

    [message] = _messages_to(circle.coordinator)
    assert message.channel == OutboxChannel.SMS
    assert message.to_address == "+447700900123"
    assert message.body.startswith("Caregraph: You have a home visit today at 10:00.")
    assert NOTES not in message.body
    assert message.state == OutboxState.SENT
    method, url = network.call_args.args
    sent = json.loads(network.call_args.kwargs["data"])
    assert (method, url) == (
        "POST",
        "https://api.notifications.service.gov.uk/v2/notifications/sms",
    )
    assert sent == {
        "phone_number": "+447700900123",
        "template_id": TEMPLATE_ID,
        "personalisation": {"body": message.body},
        "reference": f"outbox-{message.pk}",
    }
    assert network.call_args.kwargs["headers"]["Authorization"].startswith("Bearer ")


def test_sms_send_refuses_to_run_without_notify_settings(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ImproperlyConfigured

    settings.NOTIFY_API_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        sms_send(to="+447700900123", body="Caregraph: test", reference="outbox-1")


def test_without_notify_a_text_reminder_comes_by_email_instead(circle: Circle, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_API_KEY = ""
    _texting(circle.coordinator)
    _visit(circle)

    reminders_send_due(now=_instant(_day(3), 10) - datetime.timedelta(minutes=50))

    [message] = _messages_to(circle.coordinator)
    assert message.channel == OutboxChannel.EMAIL


def test_a_text_reminder_needs_a_mobile_number(circle: Circle) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        reminder_preferences_set(user=circle.family, preferences=[(ReminderChannel.SMS, 60)])

    assert list(refused.value.message_dict) == ["preferences"]


def test_reminders_of_a_case_conference_do_not_reach_family(circle: Circle) -> None:
    day = _day(3)
    event = add_event(
        circle.network,
        circle.coordinator,
        kind=EventKind.CASE_CONFERENCE,
        start=_at(day, 10),
        end=_at(day, 12),
        visibility=Visibility.PROFESSIONALS,
    )
    # Even if an attendance row for family existed, their reminder would not be scheduled.
    event.attendances.create(user=circle.family)
    from calendars.services.reminders import reminders_schedule_for_event

    reminders_schedule_for_event(event=event)
    reminders_send_due(now=_instant(day, 10) - datetime.timedelta(hours=2))

    assert _messages_to(circle.family) == []
    assert len(_messages_to(circle.coordinator)) == 1


def test_a_reminder_is_an_outbox_row_whose_task_is_given_only_its_id(
    circle: Circle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    _visit(circle)
    day = _day(3)

    with (
        mock.patch("notifications.tasks.outbox_send_batch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders_send_due(now=_instant(day, 10) - datetime.timedelta(hours=23))

    [message] = _messages_to(circle.coordinator)
    delay.assert_called_once_with([message.pk])
