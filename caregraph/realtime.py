"""The only module that publishes to sockets. It is the doorbell, never the record.

Services ring it through one function, `publish_on_commit`: what they publish is sent after
their transaction commits (at once outside one), and never if it rolls back. Nothing else
publishes, or schedules publishing after commit (Zulip's `send_event_on_commit` is the
model).

A network's events go out as one Redis PUBLISH each, on the network's channel, already
serialised and tagged with the audiences the policy allows; each web process's hub
(`caregraph.hub`) hands them to its sockets. An event's envelope is made and serialised once,
when it is appended (`event_wire`), from the row just written: publishing it after commit
reads nothing back from the log. A publish that fails after retrying on a fresh
connection is logged and left to the hubs, which read what they missed from the log. Notices
to one user's sockets go through the channel layer, which is fine at their volume.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import redis
import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from caregraph.hub import envelope_wire, hub_receive_threadsafe, network_channel
from caregraph.models import EVENT_ADDRESSED, NetworkEvent, NetworkEventKind
from caregraph.policy import addressed_audiences, record_audiences

logger = structlog.get_logger(__name__)


def publish_on_commit(publish: Callable[..., None], /, **arguments: Any) -> None:
    """The doorbell: calls `publish(**arguments)` once the caller's transaction commits.

    `publish` is one of the publishers below (or one that ends in them), so that what is
    sent is read after commit: the unread count as it now is. The arguments are ids, never
    records that may change before then; the one exception is an appended event's wire text
    (`network_event_publish`): the log is append-only, so what was written is what is sent.
    """
    transaction.on_commit(partial(publish, **arguments))


def user_group_name(user_id: int) -> str:
    return f"user-{user_id}"


def event_audiences(event: NetworkEvent) -> frozenset[str]:
    """The audiences allowed to receive an event: its record's audiences.

    Its author always receives it too, as the policy always shows people what they wrote
    (a family member's concern goes to the professionals, and back to them). An event
    addressed to people by name goes to them alone. A socket receives an event when its
    viewer's audiences meet these.
    """
    if event.visibility == EVENT_ADDRESSED:
        return addressed_audiences(event.addressees.values_list("pk", flat=True))
    return record_audiences(
        visibility=event.visibility,
        author_id=event.created_by_id,
        author_agency_id=event.author_agency_id,
    )


def event_message(event: NetworkEvent) -> dict[str, Any]:
    """What a client receives for one event."""
    return {
        "type": "event",
        "sequence": event.sequence,
        "kind": event.kind,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


def event_envelope(event: NetworkEvent) -> dict[str, Any]:
    """What the hubs receive for one event: its frame, serialised once for every socket,
    and whom it is for. The removal of a member is also the signal to cut them off."""
    ending = (
        event.payload.get("membership_id") if event.kind == NetworkEventKind.MEMBER_LEFT else None
    )
    return {
        "sequence": event.sequence,
        "audiences": sorted(event_audiences(event)),
        "frame": json.dumps(event_message(event), cls=DjangoJSONEncoder),
        "membership_ending": ending,
    }


def event_wire(event: NetworkEvent) -> str:
    """An event's envelope as it is published: serialised once, for every hub and socket."""
    return envelope_wire(event_envelope(event))


_redis: redis.Redis | None = None


def _redis_client() -> redis.Redis:
    """One connection pool per process. A connection that went stale when Redis restarted
    is retried on a fresh one, so the first publish after a restart is not lost."""
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=2,
            socket_timeout=2,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=3),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        )
    return _redis


def _bus_publish(network_id: int, wire: str) -> None:
    """One message per event on the network's channel, whatever the number of sockets.

    If Redis cannot be reached even after retrying, the hubs' poll of the log delivers
    the event a moment later: the log, not this message, is the record."""
    if not settings.REDIS_URL:
        hub_receive_threadsafe(network_id, wire)
        return
    try:
        _redis_client().publish(network_channel(network_id), wire)
    except redis.RedisError as error:
        logger.warning("network_stream_publish_failed", error=type(error).__name__)


def network_event_publish(*, network_id: int, wire: str) -> None:
    """Rings every web process's hub for a committed event, given its wire text
    (`event_wire`, made when it was appended)."""
    _bus_publish(network_id, wire)


def network_access_revoked(*, network_id: int, user_id: int) -> None:
    """Closes a user's open sockets on a network at once, after they lost access to it."""
    _bus_publish(network_id, envelope_wire({"revoke": user_id}))


def _send(group: str, message: dict[str, Any]) -> None:
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    try:
        async_to_sync(channel_layer.group_send)(group, message)
    except Exception as error:
        logger.warning("channel_layer_unavailable", group=group, error=type(error).__name__)


def notice_publish(*, user_id: int, text: str) -> None:
    """Sends a short notice to every open socket of one user (the `/ws/notices/` stream)."""
    _send(user_group_name(user_id), {"type": "notice.message", "text": text})
