"""The only module that talks to the channel layer. It is the doorbell, never the record.

Services ring it through one function, `publish_on_commit`: what they publish is sent after
their transaction commits (at once outside one), and never if it rolls back. Nothing else
calls the channel layer or schedules publishing after commit (Zulip's
`send_event_on_commit` is the model).

Each socket of a network joins the audience groups its user's standing allows; an event is
sent only to the groups its visibility allows. If the channel layer is down, publishing is
skipped and logged: the event is safe in the log, and a client that reconnects is replayed
what it missed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from caregraph.models import NetworkEvent
from caregraph.policy import Viewer, record_audiences, user_audience

logger = structlog.get_logger(__name__)


def publish_on_commit(publish: Callable[..., None], /, **arguments: Any) -> None:
    """The doorbell: calls `publish(**arguments)` once the caller's transaction commits.

    `publish` is one of the publishers below (or one that ends in them), so that what is
    sent is read after commit: the committed event, the unread count as it now is. The
    arguments are ids, never records that may change before then.
    """
    transaction.on_commit(partial(publish, **arguments))


def _network_group(network_id: int, audience: str) -> str:
    return f"network-{network_id}.{audience}"


def user_group_name(user_id: int) -> str:
    return f"user-{user_id}"


def network_user_group(network_id: int, user_id: int) -> str:
    return _network_group(network_id, user_audience(user_id))


def viewer_groups(viewer: Viewer) -> list[str]:
    """The audience groups one user's sockets on one network join: one per audience the
    policy puts them in."""
    return sorted(_network_group(viewer.network_id, audience) for audience in viewer.audiences)


def event_groups(event: NetworkEvent) -> list[str]:
    """The audience groups allowed to receive an event: its record's audiences.

    Its author always receives it too, as the policy always shows people what they wrote
    (a family member's concern goes to the professionals, and back to them). A socket in
    two of these groups gets the event once: the consumer drops repeated sequences.
    """
    audiences = record_audiences(
        visibility=event.visibility,
        author_id=event.created_by_id,
        author_agency_id=event.author_agency_id,
    )
    return sorted(_network_group(event.network_id, audience) for audience in audiences)


def event_message(event: NetworkEvent) -> dict[str, Any]:
    """What a client receives for one event."""
    return {
        "type": "event",
        "sequence": event.sequence,
        "kind": event.kind,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


def _send(group: str, message: dict[str, Any]) -> None:
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    try:
        async_to_sync(channel_layer.group_send)(group, message)
    except Exception as error:
        logger.warning("channel_layer_unavailable", group=group, error=type(error).__name__)


def network_event_publish(*, event_id: int) -> None:
    """Sends a committed event to the sockets whose users may see it."""
    event = NetworkEvent.objects.filter(pk=event_id).first()
    if event is None:
        return
    message = {"type": "network.event", "event": event_message(event)}
    for group in event_groups(event):
        _send(group, message)


def network_access_revoked(*, network_id: int, user_id: int) -> None:
    """Closes a user's open sockets on a network at once, after they left or were removed."""
    _send(network_user_group(network_id, user_id), {"type": "network.revoked"})


def notice_publish(*, user_id: int, text: str) -> None:
    """Sends a short notice to every open socket of one user (the `/ws/notices/` stream)."""
    _send(user_group_name(user_id), {"type": "notice.message", "text": text})
