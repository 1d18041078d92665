"""Starting threads, sending messages and keeping each reader's place.

Every write records its audit row and its event together (`network_change_record`). The
event of a new message is addressed by name to the thread's readers (the network's members,
or the chosen participants still in it), so the live stream hands it to them and nobody
else; they are told by notification too, by their preferences, in words that say only that
there is a message, never what it says, what it is about or whom it is about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse

from accounts.models import User
from caregraph.models import EVENT_ADDRESSED, AuditAction, Network, NetworkEventKind
from caregraph.policy import (
    Viewer,
    message_may_write,
    message_participants_choosable,
    message_thread_reader_ids,
)
from caregraph.services.events import network_change_record
from messaging.models import (
    MESSAGE_MAX,
    SUBJECT_MAX,
    Message,
    Thread,
    ThreadAudience,
    ThreadParticipant,
    ThreadReadState,
)
from notifications.fanout import Notice, notices_queue
from notifications.models import MESSAGES_PREFERENCE

RECORD_TYPE = "message_thread"
NOTICE_KIND = "message.posted"
# What the notification and its e-mail say: that there is a message, and nothing of it.
NOTICE_TEXT = "You have a new message in a network you belong to"


def thread_url(thread: Thread) -> str:
    return reverse("message_thread", args=[thread.network_id, thread.pk])


def _require_writer(viewer: Viewer) -> None:
    if not message_may_write(viewer=viewer):
        raise PermissionDenied("Only members of this network can send messages")


def _text_clean(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Enter your message"]})
    if len(text) > MESSAGE_MAX:
        raise ValidationError({"text": [f"Your message must be {MESSAGE_MAX} characters or fewer"]})
    return text


def _participants_clean(*, viewer: Viewer, participant_ids: Iterable[int]) -> list[int]:
    chosen = {int(pk) for pk in participant_ids} - {viewer.user_id}
    if not chosen:
        raise ValidationError({"participants": ["Choose who the message is for"]})
    allowed = set(message_participants_choosable(viewer=viewer).values_list("user_id", flat=True))
    if not chosen <= allowed:
        raise ValidationError({"participants": ["Choose people who are in this network"]})
    return sorted(chosen | {viewer.user_id})


def thread_start(
    *,
    network: Network,
    viewer: Viewer,
    started_by: User,
    subject: str,
    text: str,
    audience: str,
    participant_ids: Iterable[int] = (),
) -> Thread:
    """Starts a thread with its first message, for the whole network or for chosen members
    (whom the author may know of; the author is always one)."""
    _require_writer(viewer)
    subject = (subject or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = ["Enter a subject"]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [f"The subject must be {SUBJECT_MAX} characters or fewer"]
    if audience not in ThreadAudience.values:
        errors["audience"] = ["Choose who the message is for"]
    try:
        text = _text_clean(text)
    except ValidationError as error:
        errors.update(error.message_dict)
    participants: list[int] = []
    if audience == ThreadAudience.CHOSEN:
        try:
            participants = _participants_clean(viewer=viewer, participant_ids=participant_ids)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        thread = Thread.objects.create(
            network=network, subject=subject, audience=audience, created_by=started_by
        )
        ThreadParticipant.objects.bulk_create(
            [ThreadParticipant(thread=thread, user_id=user_id) for user_id in participants]
        )
        message_post(thread=thread, viewer=viewer, author=started_by, text=text)
    return thread


def message_post(*, thread: Thread, viewer: Viewer, author: User, text: str) -> Message:
    """Adds a message to a thread the author may read (found through the policy), tells its
    readers live and by notification, and marks the thread read for the author."""
    _require_writer(viewer)
    text = _text_clean(text)
    with transaction.atomic():
        message = Message.objects.create(thread=thread, author=author, text=text)
        Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
        thread.last_message_at = message.created_at
        readers = message_thread_reader_ids(
            network_id=thread.network_id,
            audience=thread.audience,
            participant_ids=list(
                ThreadParticipant.objects.filter(thread=thread).values_list("user_id", flat=True)
            ),
        )
        _told_notify(thread=thread, reader_ids=[pk for pk in readers if pk != author.pk])
        thread_mark_read(thread=thread, user=author, up_to=message.pk)
        network_change_record(
            network=thread.network,
            actor=author,
            action=AuditAction.CREATE,
            summary="Sent a message",
            kind=NetworkEventKind.MESSAGE_POSTED,
            payload={"thread_id": thread.pk, "message_id": message.pk},
            record_type=RECORD_TYPE,
            record_id=thread.pk,
            visibility=EVENT_ADDRESSED,
            author_id=author.pk,
            author_agency_id=viewer.acting_agency_id,
            addressee_ids=readers,
        )
    return message


def _told_notify(*, thread: Thread, reader_ids: list[int]) -> None:
    """Tells each reader once until they read the thread again: readers are grouped by how
    far they have read, and that place is part of the notice's key."""
    read_to = dict(
        ThreadReadState.objects.filter(thread=thread, user_id__in=reader_ids).values_list(
            "user_id", "last_read_message_id"
        )
    )
    by_place: dict[int, set[int]] = defaultdict(set)
    for user_id in reader_ids:
        by_place[read_to.get(user_id, 0)].add(user_id)
    notices_queue(
        network=thread.network,
        notices=[
            Notice(
                user_ids=frozenset(user_ids),
                kind=NOTICE_KIND,
                severity=MESSAGES_PREFERENCE,
                text=NOTICE_TEXT,
                link=thread_url(thread),
                dedupe_key=f"message-thread-{thread.pk}-read-{place}",
            )
            for place, user_ids in sorted(by_place.items())
        ],
    )


def thread_mark_read(*, thread: Thread, user: User, up_to: int | None = None) -> int:
    """Marks the thread read by the user up to a message (by default its latest); never
    moves their place back. Returns where it now is."""
    if up_to is None:
        up_to = (
            Message.objects.filter(thread=thread)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
            or 0
        )
    state, created = ThreadReadState.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_message_id": up_to}
    )
    if not created and state.last_read_message_id < up_to:
        ThreadReadState.objects.filter(pk=state.pk).update(
            last_read_message_id=Greatest(F("last_read_message_id"), up_to)
        )
        state.last_read_message_id = up_to
    return state.last_read_message_id
