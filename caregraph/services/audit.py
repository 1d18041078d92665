"""The audit trail: every read and write of a person's record, appended and never changed."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest

from caregraph.models import AuditAction, AuditEvent, Network, Person


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record_each_network(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    summary: str,
    object_type: str,
    networks: list[Network],
    request: HttpRequest | None = None,
    channel: str = "page",
) -> None:
    """One audit row for each network (and its person), written in a single insert."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            summary=summary[:200],
            object_type=object_type,
            person_id=network.person_id,
            network=network,
            channel=channel,
            ip_address=_client_ip(request),
            request_id=getattr(request, "request_id", "") if request is not None else "",
        )
        for network in networks
    )


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    summary: str,
    object_type: str,
    object_id: object = "",
    person: Person | None = None,
    network: Network | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    channel: str = "page",
) -> AuditEvent:
    """Appends one row: who, what, when, from where, and why where a reason was given.

    Call it inside the transaction of the change it records, so that a change and its
    audit row are stored together or not at all.
    """
    row = audit_event_make(
        actor=actor,
        action=action,
        summary=summary,
        object_type=object_type,
        object_id=object_id,
        person=person,
        network=network,
        reason=reason,
        request=request,
        channel=channel,
    )
    row.save(force_insert=True)
    return row


def audit_event_make(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    summary: str,
    object_type: str,
    object_id: object = "",
    person: Person | None = None,
    network: Network | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    channel: str = "page",
) -> AuditEvent:
    """The row `audit_record` appends, not yet saved."""
    if person is None and network is not None:
        person = network.person
    return AuditEvent(
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        summary=summary[:200],
        object_type=object_type,
        object_id=str(object_id),
        person=person,
        network=network,
        reason=reason,
        channel=channel,
        ip_address=_client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )


@contextmanager
def read_audit_transaction() -> Iterator[None]:
    """The transaction of the audit rows of a read (a page viewed, a feed sent), committed
    without waiting for the disk.

    A read changes nothing else, so its rows are alone in their transaction, and waiting for
    that commit's flush to disk was the costliest part of showing a page (2 to 5 ms here,
    more than a whole bare request). The rows are written and committed with the request as
    before, and are visible at once; PostgreSQL flushes them within a fraction of a second
    (`synchronous_commit` off for this transaction only: a crash of the database server in
    that moment could lose the last reads' rows, never a change or its audit row, which
    commit as before). Inside a caller's transaction the rows simply join it.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


@functools.cache
def _read_insert_sql() -> tuple[str, list[Any]]:
    """The one-statement insert of `audit_record_view`, written out once."""
    columns = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {placeholders} "  # nosec B608 (model names)
        "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS read_audit RETURNING id"
    )
    return sql, columns


def audit_record_view(**fields: Any) -> AuditEvent:
    """`audit_record` for a read (a page viewed), in a `read_audit_transaction`.

    On PostgreSQL, outside a caller's transaction, that transaction is the one statement of
    the insert: `set_config(..., true)` turns `synchronous_commit` off until its implicit
    commit, so the row costs one round trip instead of four (BEGIN, SET, INSERT, COMMIT).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with read_audit_transaction():
            return audit_record(**fields)
    row = audit_event_make(**fields)
    sql, columns = _read_insert_sql()
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchone()
    row.pk = found[0] if found else None
    return row
