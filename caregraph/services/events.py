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
    record_type: str = "",
    record_id: int | None = None,
) -> NetworkEvent:
    """Appends the network's next event inside the caller's transaction.

    The event's audience is the record's it is about: its visibility, its author
    (`created_by_id`) and its author's agency. `record_type` and `record_id` name that
    record, so that a later change of its visibility can carry its history along
    (`network_events_follow_record`).

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
            record_type=record_type,
            record_id=record_id,
            payload=payload,
        )
    from caregraph.realtime import network_event_publish

    transaction.on_commit(lambda: network_event_publish(event_id=event.pk))
    return event


def network_events_follow_record(
    *,
    network_id: int,
    record_type: str,
    record_id: int,
    visibility: str,
    author_id: int | None,
    author_agency_id: int | None,
) -> int:
    """Gives every earlier event about a record the record's audience as it is now.

    Called inside the transaction that narrows or widens the record, so that what the log
    replays follows each record's current visibility: an event shared with the network and
    then made professionals-only is no longer replayed to the family.
    """
    return NetworkEvent.objects.filter(
        network_id=network_id, record_type=record_type, record_id=record_id
    ).update(visibility=visibility, created_by_id=author_id, author_agency_id=author_agency_id)
