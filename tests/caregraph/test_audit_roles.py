"""The audit trail cannot be emptied: not by TRUNCATE, and not by the application's role.

Found: TRUNCATE got past the row triggers, and the application's database user owned the
table, so it could have dropped the triggers too. Tried here as the attack would be: as
the owner with TRUNCATE, and connected as the application's role with every way it has.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from caregraph.models import AuditAction, AuditEvent
from caregraph.services.audit import audit_record
from tests.services import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def app_role() -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles")
    role = f"caregraph_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    call_command("database_roles", app_role=role, stdout=open("/dev/null", "w"))  # noqa: SIM115
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def as_role(role: str) -> psycopg.Connection:  # type: ignore[type-arg]
    url = database_url(connection.settings_dict)
    return psycopg.connect(url.replace("postgres://postgres@", f"postgres://{role}@", 1))


def event() -> AuditEvent:
    return audit_record(
        actor=None, action=AuditAction.VIEW, summary="Viewed the overview", object_type="person"
    )


def test_the_owner_cannot_truncate_the_audit_trail() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    event()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    "attack",
    [
        f"TRUNCATE {TABLE}",
        f"DELETE FROM {TABLE}",
        f"UPDATE {TABLE} SET summary = 'edited'",
        f"DROP TRIGGER caregraph_audit_no_delete ON {TABLE}",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
        f"DROP TABLE {TABLE}",
    ],
)
def test_the_application_role_cannot_change_or_empty_the_audit_trail(
    app_role: str, attack: str
) -> None:
    event()
    with as_role(app_role) as database, pytest.raises(psycopg.errors.InsufficientPrivilege):
        database.execute("SET caregraph.audit_flush = 'on'")
        database.execute(attack)
    assert AuditEvent.objects.get().summary == "Viewed the overview"


def test_the_application_role_appends_and_reads_and_does_its_work(app_role: str) -> None:
    event()
    with as_role(app_role) as database:
        columns = ", ".join(
            field.column for field in AuditEvent._meta.concrete_fields if field.column != "id"
        )
        database.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {TABLE}")
        rows = database.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        database.execute("UPDATE caregraph_network SET last_sequence = last_sequence")
    assert rows == (2,)
