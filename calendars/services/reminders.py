"""Reminders before events and before the tasks people signed up for, by e-mail or text.

Reminders are rows, scheduled for the occurrences of the next few days whenever an event,
its attendance or someone's preferences change, and topped up by the periodic sweep as
days come into range. Each row's key names what it reminds of, not when: (event, the
occurrence's local date, user, channel, lead time). Rescheduling updates the row with the
same key, so a series moved by an hour after its reminder went out is not announced again,
and the outbox's own unique key makes a second copy impossible even if a row were lost.

A reminder says only what kind of thing is when ("You have an appointment tomorrow at
10:00"): never the title, the notes or the person's name. It links to Caregraph behind
sign-in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import user_sms_number
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    CareTask,
    EventKind,
    EventStatus,
    ReminderChannel,
    ReminderPreference,
    ReminderState,
    ScheduledReminder,
    TaskOutcome,
)
from calendars.recurrence import local_naive, localise, zone_get
from calendars.selectors import event_occurrences, exceptions_prefetch
from caregraph.policy import users_who_may_see
from notifications.models import OutboxChannel, OutboxMessage
from notifications.outbox import outbox_message_write

LEAD_MAX_MINUTES = 7 * 24 * 60
# Occurrences this far ahead have their reminders scheduled; the sweep tops up an event once
# fewer than TOP_UP_BEFORE are covered, so no reminder up to LEAD_MAX is ever scheduled late.
HORIZON = datetime.timedelta(days=9)
TOP_UP_BEFORE = datetime.timedelta(days=8)
DEFAULT_PREFERENCES = ((ReminderChannel.EMAIL, 24 * 60),)
# A stored preference of 0 minutes says "no reminders", so that the default does not apply.
NO_REMINDERS_MINUTES = 0
# An all-day event is "at" this local time for its reminders, so none arrives at midnight.
ALL_DAY_REMINDS_FROM = datetime.time(9, 0)

KIND_PHRASES = {
    EventKind.APPOINTMENT: "an appointment",
    EventKind.HOME_VISIT: "a home visit",
    EventKind.MEETING: "a meeting",
    EventKind.CASE_CONFERENCE: "a case conference",
    EventKind.REVIEW: "a review",
    EventKind.REMINDER: "something in your calendar",
    EventKind.OTHER: "something in your calendar",
}
RESPONSES_REMINDED = (
    AttendanceResponse.INVITED,
    AttendanceResponse.GOING,
    AttendanceResponse.MAYBE,
)


# --- Preferences ----------------------------------------------------------------------------


def reminder_preferences_for(*, user_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """Each user's (channel, minutes before) pairs: their choice, which may be none at all,
    or the default for those who never chose."""
    ids = list(user_ids)
    chosen: dict[int, list[tuple[str, int]]] = {}
    for user_id, channel, minutes in ReminderPreference.objects.filter(user_id__in=ids).values_list(
        "user_id", "channel", "minutes_before"
    ):
        their_choice = chosen.setdefault(user_id, [])  # "none" is a choice too
        if minutes != NO_REMINDERS_MINUTES:
            their_choice.append((channel, minutes))
    return {
        user_id: chosen[user_id] if user_id in chosen else list(DEFAULT_PREFERENCES)
        for user_id in ids
    }


def reminder_preferences_set(*, user: User, preferences: list[tuple[str, int]]) -> None:
    """Replaces a user's reminders with these (channel, minutes before) pairs.

    An empty list means no reminders at all. A reminder can come at most a week before;
    a text message needs a mobile number on the account, proved by a texted code.
    Reminders already scheduled are rescheduled at once.
    """
    errors: list[str] = []
    cleaned = set()
    for channel, minutes in preferences:
        if channel not in ReminderChannel.values:
            errors.append("Choose e-mail or text message")
        elif channel == ReminderChannel.SMS and not user_sms_number(user):
            errors.append(
                "Add your mobile number and confirm it with the code we text you, "
                "to get reminders by text message"
            )
        elif not 0 < minutes <= LEAD_MAX_MINUTES:
            errors.append("A reminder can come from a minute to a week before")
        else:
            cleaned.add((channel, minutes))
    if errors:
        raise ValidationError({"preferences": errors})
    if not cleaned:
        cleaned.add((ReminderChannel.EMAIL, NO_REMINDERS_MINUTES))
    with transaction.atomic():
        ReminderPreference.objects.filter(user=user).delete()
        ReminderPreference.objects.bulk_create(
            ReminderPreference(user=user, channel=channel, minutes_before=minutes)
            for channel, minutes in sorted(cleaned)
        )
        reminders_reschedule_for_user(user=user)


def reminders_reschedule_for_user(*, user: User) -> None:
    """Reschedules every upcoming reminder of one user after their preferences changed."""
    now = timezone.now()
    events = (
        CalendarEvent.objects.filter(status=EventStatus.CONFIRMED)
        .filter(Q(organiser=user) | Q(attendances__user=user))
        .filter(spans_from__lt=now + HORIZON)
        .filter(Q(spans_until__isnull=True) | Q(spans_until__gt=now))
        .distinct()
    )
    for event in events:
        reminders_schedule_for_event(event=event, now=now)
    for task in CareTask.objects.filter(
        claimed_by=user, outcome=TaskOutcome.PENDING, due_at__gt=now
    ):
        reminders_schedule_for_task(task=task, now=now)


# --- Scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Wanted:
    user_id: int
    occurrence_start: datetime.datetime
    channel: str
    minutes_before: int
    send_at: datetime.datetime


def _anchor(start: datetime.datetime, *, all_day: bool, zone_name: str) -> datetime.datetime:
    if not all_day:
        return start
    zone = zone_get(zone_name)
    day = local_naive(start, zone).date()
    return localise(datetime.datetime.combine(day, ALL_DAY_REMINDS_FROM), zone)


def _wanted_for(
    *,
    prefix: str,
    starts: list[datetime.datetime],
    recipients: list[int],
    all_day: bool,
    zone_name: str,
    now: datetime.datetime,
) -> dict[str, _Wanted]:
    """One reminder per occurrence, recipient and preference. Of the ones whose time has
    already passed (the event was added late), only the nearest is kept per channel, so a
    late addition brings one message, not one per preference."""
    preferences = reminder_preferences_for(user_ids=recipients)
    zone = zone_get(zone_name)
    wanted: dict[str, _Wanted] = {}
    for start in starts:
        if start <= now:
            continue
        anchor = _anchor(start, all_day=all_day, zone_name=zone_name)
        day = local_naive(start, zone).date().isoformat()
        for user_id in recipients:
            late_kept: set[str] = set()
            for channel, minutes in sorted(preferences[user_id], key=lambda pair: pair[1]):
                send_at = anchor - datetime.timedelta(minutes=minutes)
                if send_at <= now:
                    if channel in late_kept:
                        continue
                    late_kept.add(channel)
                key = f"{prefix}:{day}:user-{user_id}:{channel}:{minutes}"
                wanted[key] = _Wanted(
                    user_id=user_id,
                    occurrence_start=start,
                    channel=channel,
                    minutes_before=minutes,
                    send_at=send_at,
                )
    return wanted


def _reconcile(
    *,
    wanted: dict[str, _Wanted],
    existing: Iterable[ScheduledReminder],
    event: CalendarEvent | None = None,
    task: CareTask | None = None,
) -> None:
    """Makes the stored rows match `wanted`: new ones made, changed ones updated, unwanted
    ones cancelled. A row already sent is left as it is, whatever changed."""
    seen = set()
    for reminder in existing:
        seen.add(reminder.dedupe_key)
        target = wanted.get(reminder.dedupe_key)
        if reminder.state == ReminderState.SENT:
            continue
        if target is None:
            if reminder.state == ReminderState.SCHEDULED:
                reminder.state = ReminderState.CANCELLED
                reminder.save(update_fields=["state"])
            continue
        fields = {
            "state": ReminderState.SCHEDULED,
            "occurrence_start": target.occurrence_start,
            "send_at": target.send_at,
        }
        if any(getattr(reminder, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(reminder, name, value)
            reminder.save(update_fields=list(fields))
    ScheduledReminder.objects.bulk_create(
        ScheduledReminder(
            user_id=target.user_id,
            event=event,
            task=task,
            occurrence_start=target.occurrence_start,
            channel=target.channel,
            minutes_before=target.minutes_before,
            send_at=target.send_at,
            dedupe_key=key,
        )
        for key, target in wanted.items()
        if key not in seen
    )


def _event_recipients(event: CalendarEvent) -> list[int]:
    """Those invited who have not said no, and who may still see the event."""
    invited = set(
        event.attendances.filter(response__in=RESPONSES_REMINDED).values_list("user_id", flat=True)
    )
    if not invited:
        return []
    allowed = users_who_may_see(
        network=event.network,
        visibility=event.visibility,
        author_id=event.created_by_id,
        author_agency_id=event.author_agency_id,
    )
    return sorted(invited & allowed)


def reminders_schedule_for_event(
    *, event: CalendarEvent, now: datetime.datetime | None = None
) -> None:
    """Schedules, moves or cancels the reminders of an event's coming occurrences.

    Call it inside the transaction of every change to the event, its occurrences or its
    attendance. Safe to call any number of times.
    """
    now = now or timezone.now()
    until = now + HORIZON
    wanted: dict[str, _Wanted] = {}
    if event.status == EventStatus.CONFIRMED:
        recipients = _event_recipients(event)
        if recipients:
            occurrences = event_occurrences(event, after=now, before=until)
            wanted = _wanted_for(
                prefix=f"event:{event.uid}",
                starts=[occurrence.start for occurrence in occurrences],
                recipients=recipients,
                all_day=event.all_day,
                zone_name=event.timezone,
                now=now,
            )
    existing = ScheduledReminder.objects.filter(
        Q(dedupe_key__in=list(wanted)) | Q(event=event, state=ReminderState.SCHEDULED)
    )
    _reconcile(wanted=wanted, existing=existing, event=event)
    CalendarEvent.objects.filter(pk=event.pk).update(reminders_checked_until=until)


def reminders_schedule_for_task(*, task: CareTask, now: datetime.datetime | None = None) -> None:
    """Schedules, moves or cancels the reminders to whoever signed up for a task.

    Call it inside the transaction of every change to the task. Safe to call again.
    """
    now = now or timezone.now()
    wanted: dict[str, _Wanted] = {}
    if task.outcome == TaskOutcome.PENDING and task.claimed_by_id is not None:
        allowed = users_who_may_see(
            network=task.network,
            visibility=task.visibility,
            author_id=task.created_by_id,
            author_agency_id=task.author_agency_id,
        )
        if task.claimed_by_id in allowed:
            wanted = _wanted_for(
                prefix=f"task:{task.pk}",
                starts=[task.due_at],
                recipients=[task.claimed_by_id],
                all_day=False,
                zone_name=settings.CALENDAR_TIME_ZONE,
                now=now,
            )
    existing = ScheduledReminder.objects.filter(
        Q(dedupe_key__in=list(wanted)) | Q(task=task, state=ReminderState.SCHEDULED)
    )
    _reconcile(wanted=wanted, existing=existing, task=task)


def reminders_top_up(*, now: datetime.datetime | None = None) -> int:
    """Schedules reminders for occurrences coming into range; returns how many events it
    looked at. Each event is looked at about once a day, not on every sweep."""
    now = now or timezone.now()
    due = (
        CalendarEvent.objects.filter(status=EventStatus.CONFIRMED)
        .filter(
            Q(reminders_checked_until__isnull=True)
            | Q(reminders_checked_until__lt=now + TOP_UP_BEFORE)
        )
        .filter(Q(spans_until__isnull=True) | Q(spans_until__gt=now))
        .filter(spans_from__lt=now + HORIZON)
        .select_related("network")
        .prefetch_related(exceptions_prefetch())
    )
    looked_at = 0
    for event in due.iterator(chunk_size=200):
        with transaction.atomic():
            reminders_schedule_for_event(event=event, now=now)
        looked_at += 1
    return looked_at


# --- Sending --------------------------------------------------------------------------------


def _day_phrase(start: datetime.datetime, *, now: datetime.datetime, zone_name: str) -> str:
    zone = zone_get(zone_name)
    day = local_naive(start, zone).date()
    today = local_naive(now, zone).date()
    if day == today:
        return "today"
    if day == today + datetime.timedelta(days=1):
        return "tomorrow"
    return f"on {day:%A %-d %B}"


def reminder_text(reminder: ScheduledReminder, *, now: datetime.datetime) -> str:
    """The one sentence a reminder says: what kind of thing, which day, what time."""
    if reminder.event is not None:
        event = reminder.event
        zone_name = event.timezone
        what = f"You have {KIND_PHRASES.get(EventKind(event.kind), 'something in your calendar')}"
        all_day = event.all_day
    else:
        zone_name = settings.CALENDAR_TIME_ZONE
        what = "You signed up to help with something due"
        all_day = False
    day = _day_phrase(reminder.occurrence_start, now=now, zone_name=zone_name)
    if all_day:
        return f"{what} {day}"
    local = local_naive(reminder.occurrence_start, zone_get(zone_name))
    return f"{what} {day} at {local:%H:%M}"


def _network_id(reminder: ScheduledReminder) -> int:
    if reminder.event is not None:
        return reminder.event.network_id
    assert reminder.task is not None
    return reminder.task.network_id


def _still_allowed(reminder: ScheduledReminder) -> bool:
    """The user may still see what they are reminded of: they may have left the network."""
    record: CalendarEvent | CareTask | None = reminder.event or reminder.task
    assert record is not None
    if isinstance(record, CalendarEvent) and record.status != EventStatus.CONFIRMED:
        return False
    if isinstance(record, CareTask) and (
        record.outcome != TaskOutcome.PENDING or record.claimed_by_id != reminder.user_id
    ):
        return False
    return reminder.user_id in users_who_may_see(
        network=record.network,
        visibility=record.visibility,
        author_id=record.created_by_id,
        author_agency_id=record.author_agency_id,
    )


def sms_configured() -> bool:
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)


def _outbox_write(reminder: ScheduledReminder, *, now: datetime.datetime) -> OutboxMessage | None:
    user = reminder.user
    text = reminder_text(reminder, now=now)
    link = f"{settings.SITE_URL.rstrip('/')}/networks/{_network_id(reminder)}/"
    dedupe_key = f"reminder:{reminder.dedupe_key}"
    sms_number = user_sms_number(user)
    if reminder.channel == ReminderChannel.SMS and sms_number and sms_configured():
        return outbox_message_write(
            user_id=user.pk,
            dedupe_key=dedupe_key,
            channel=OutboxChannel.SMS,
            to_address=sms_number,
            body=f"Caregraph: {text}. Sign in to see it: {link}",
        )
    if user.email:
        # E-mail also stands in for a text message while GOV.UK Notify is not configured.
        return outbox_message_write(
            user_id=user.pk,
            dedupe_key=dedupe_key,
            to_address=user.email,
            subject=f"Reminder: {text[0].lower()}{text[1:]}",
            body=f"Hello,\n\n{text}.\n\nSign in to Caregraph to see it:\n{link}\n\nCaregraph\n",
        )
    return None


def reminder_send(*, reminder_id: int, now: datetime.datetime | None = None) -> int | None:
    """Writes one due reminder to the outbox, once; returns the outbox message's id.

    The reminder is claimed with a conditional update, so two sweeps running together
    write it once. One whose occurrence has begun, or whose user may no longer see what it
    is about, is skipped.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ScheduledReminder.objects.filter(
            pk=reminder_id, state=ReminderState.SCHEDULED, send_at__lte=now
        ).update(state=ReminderState.SENT, sent_at=now)
        if not claimed:
            return None
        reminder = ScheduledReminder.objects.select_related(
            "user", "event__network", "task__network"
        ).get(pk=reminder_id)
        message = None
        if reminder.occurrence_start > now and _still_allowed(reminder):
            message = _outbox_write(reminder, now=now)
        if message is None:
            reminder.state = ReminderState.SKIPPED
            reminder.save(update_fields=["state"])
            return None
    return message.pk


def reminders_send_due(*, now: datetime.datetime | None = None, limit: int = 1000) -> list[int]:
    """Writes every reminder now due to the outbox; returns the outbox messages' ids."""
    now = now or timezone.now()
    due = ScheduledReminder.objects.filter(
        state=ReminderState.SCHEDULED, send_at__lte=now
    ).order_by("send_at", "pk")
    sent = []
    for reminder_id in list(due.values_list("pk", flat=True)[:limit]):
        message_id = reminder_send(reminder_id=reminder_id, now=now)
        if message_id is not None:
            sent.append(message_id)
    return sent
