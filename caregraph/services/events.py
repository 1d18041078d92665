"""The network event log: every change, numbered in order, appended with the change itself."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from caregraph.models import Network, NetworkEvent, Visibility


def network_event_append(
    *,
    network: Network,
    kind: str,
    payload: dict[str, Any],
    visibility: str = Visibility.NETWORK,
    created_by_id: int | None = None,
    author_agency_id: int | None = None,
) -> NetworkEvent:
    """Appends the network's next event inside the caller's transaction.

    The sequence comes from the network row, incremented under its row lock, so events of
    one network are numbered without gaps in commit order. The event is published to those
    allowed to see it only after the transaction commits; if it rolls back, it never was.
    """
    with transaction.atomic():
        Network.objects.filter(pk=network.pk).update(last_sequence=F("last_sequence") + 1)
        sequence = Network.objects.values_list("last_sequence", flat=True).get(pk=network.pk)
        event = NetworkEvent.objects.create(
            network=network,
            sequence=sequence,
            kind=kind,
            visibility=visibility,
            created_by_id=created_by_id,
            author_agency_id=author_agency_id,
            payload=payload,
        )
    from caregraph.realtime import network_event_publish

    transaction.on_commit(lambda: network_event_publish(event_id=event.pk))
    return event
