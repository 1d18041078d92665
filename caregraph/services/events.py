"""The network event log: every change, numbered in order, appended with the change itself.

Every change to a network writes two rows together, in its own transaction: an audit row
(who did what) and an event (what those allowed to see it are told, live and on replay).
`network_change_record` writes both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction

from caregraph.models import EVENT_ADDRESSED, AuditAction, Network, NetworkEvent, Visibility
from caregraph.realtime import event_wire, network_event_publish, publish_on_commit
from caregraph.services.audit import audit_record


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
    addressee_ids: Iterable[int] | None = None,
) -> NetworkEvent:
    """Appends the network's next event inside the caller's transaction.

    The event's audience is the record's it is about: its visibility, its author
    (`created_by_id`) and its author's agency. `record_type` and `record_id` name that
    record, so that a later change of its visibility can carry its history along
    (`network_events_follow_record`). With `addressee_ids` the event is addressed to those
    users by name instead, and only they receive it, live or on replay.

    The sequence comes from the network row, incremented under its row lock, so events of
    one network are numbered without gaps in commit order. The event is published to those
    allowed to see it only after the transaction commits; if it rolls back, it never was.
    What is published is serialised here, from the row as written (`event_wire`), so that
    publishing reads nothing back.
    """
    # No savepoint inside the caller's transaction: an append that fails fails the change.
    with transaction.atomic(savepoint=False):
        sequence = _network_sequence_next(network.pk)
        event = NetworkEvent.objects.create(
            network=network,
            sequence=sequence,
            kind=kind,
            visibility=EVENT_ADDRESSED if addressee_ids is not None else visibility,
            created_by_id=created_by_id,
            author_agency_id=author_agency_id,
            record_type=record_type,
            record_id=record_id,
            payload=payload,
        )
        if addressee_ids is not None:
            event.addressees.set(sorted(set(addressee_ids)))
    publish_on_commit(network_event_publish, network_id=network.pk, wire=event_wire(event))
    return event


def _network_sequence_next(network_id: int) -> int:
    """Takes the network's next sequence under its row lock, held until commit: one round
    trip (`UPDATE ... RETURNING`, on PostgreSQL and SQLite alike)."""
    quote = connection.ops.quote_name
    table, column = quote(Network._meta.db_table), quote("last_sequence")
    with connection.cursor() as cursor:
        # Names from the model, quoted; the id a parameter (hence nosec B608).
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + 1 WHERE {quote('id')} = %s "  # nosec B608
            f"RETURNING {column}",
            [network_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Network.DoesNotExist(f"No network {network_id}")
    return int(row[0])


def network_change_record(
    *,
    network: Network,
    actor: AbstractBaseUser | None,
    action: AuditAction | str,
    summary: str,
    kind: str,
    payload: dict[str, Any],
    record_type: str,
    record_id: int,
    visibility: str,
    author_id: int | None,
    author_agency_id: int | None,
    audited_type: str = "",
    audited_id: int | None = None,
    reason: str = "",
    addressee_ids: Iterable[int] | None = None,
) -> NetworkEvent:
    """Writes what every change to a network writes, inside the caller's transaction: the
    audit row and the event, published after commit to those allowed to see it.

    The event's audience is the record's (`visibility`, its author and the author's agency).
    The audit row names the same record, unless the change is audited against another
    (`audited_type`, `audited_id`: a note is audited as a change of its concern). With
    `addressee_ids` the event goes to those users by name and nobody else.
    """
    audit_record(
        actor=actor,
        action=action,
        summary=summary,
        object_type=audited_type or record_type,
        object_id=record_id if audited_id is None else audited_id,
        network=network,
        reason=reason,
    )
    return network_event_append(
        network=network,
        kind=kind,
        payload=payload,
        visibility=visibility,
        created_by_id=author_id,
        author_agency_id=author_agency_id,
        record_type=record_type,
        record_id=record_id,
        addressee_ids=addressee_ids,
    )


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
    then made professionals-only is no longer replayed to the family. Call it before
    appending the change's own event: an event already appended in the same transaction
    goes out live with the audience it was appended with.
    """
    return NetworkEvent.objects.filter(
        network_id=network_id, record_type=record_type, record_id=record_id
    ).update(visibility=visibility, created_by_id=author_id, author_agency_id=author_agency_id)
