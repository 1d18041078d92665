"""Reading threads and messages. Every list and lookup passes through the access policy
(`caregraph.policy.messages`): a thread the viewer may not read is absent, and its URL 404s."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from caregraph.policy import Viewer, audit_object_rule, ids_as_text, message_thread_filter
from messaging.models import Message, Thread, ThreadParticipant, ThreadReadState


def thread_list_visible_to(*, viewer: Viewer) -> QuerySet[Thread]:
    """The threads of the viewer's network they may read, newest activity first, each with
    `unread`: how many messages by others they have not read yet. One query however many."""
    return (
        Thread.objects.filter(message_thread_filter(viewer=viewer))
        .annotate(unread=_unread_count_of_thread(user_id=viewer.user_id))
        .order_by("-last_message_at", "-pk")
    )


def thread_get_for_viewer(*, viewer: Viewer, thread_id: int | str) -> Thread:
    """One thread the viewer may read; the same 404 for "not there" and "not yours"."""
    try:
        return (
            thread_list_visible_to(viewer=viewer)
            .select_related("created_by")
            .get(pk=int(thread_id))
        )
    except (Thread.DoesNotExist, ValueError, TypeError, OverflowError) as missing:
        raise Http404("No such thread") from missing


def message_list(*, thread: Thread, after: int = 0) -> QuerySet[Message]:
    """A thread's messages (those after the message id `after`), oldest first. The caller
    found the thread through `thread_get_for_viewer`."""
    return (
        Message.objects.filter(thread=thread, pk__gt=after).select_related("author").order_by("pk")
    )


def thread_participant_ids(*, thread: Thread) -> list[int]:
    return sorted(ThreadParticipant.objects.filter(thread=thread).values_list("user_id", flat=True))


def message_unread_count(*, viewer: Viewer) -> int:
    """How many messages by others the viewer has not read in the threads they may read in
    this network: the count beside "Messages" in its sections."""
    if not viewer.is_member:
        return 0
    threads = Thread.objects.filter(message_thread_filter(viewer=viewer)).values("pk")
    return _unread_messages(user_id=viewer.user_id).filter(thread_id__in=threads).count()


def _unread_messages(*, user_id: int) -> QuerySet[Message]:
    """Messages by others after where this user has read their thread to."""
    last_read = ThreadReadState.objects.filter(
        thread_id=OuterRef("thread_id"), user_id=user_id
    ).values("last_read_message_id")[:1]
    return Message.objects.exclude(author_id=user_id).filter(
        pk__gt=Coalesce(Subquery(last_read, output_field=IntegerField()), 0)
    )


def _unread_count_of_thread(*, user_id: int) -> Any:
    counted = (
        _unread_messages(user_id=user_id)
        .filter(thread_id=OuterRef("pk"))
        .order_by()
        .values("thread_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@audit_object_rule("message_thread")
def _audit_threads(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(Thread.objects.filter(message_thread_filter(viewer=viewer)))
