"""The audit trail is append-only: neither the ORM nor raw SQL can change or delete a row."""

import pytest
from django.db import DatabaseError, connection, transaction

from caregraph.models import AuditAction, AuditEvent
from caregraph.services.audit import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(
        actor=UserFactory.create(),
        action=AuditAction.VIEW,
        summary="Viewed the overview",
        object_type="person",
        object_id=1,
    )


def refused(action) -> bool:  # type: ignore[no-untyped-def]
    try:
        with transaction.atomic():
            action()
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


def raw(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_orm_cannot_change_an_audit_row(event: AuditEvent) -> None:
    event.summary = "Nothing to see here"
    assert refused(event.save)
    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="edited"))
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the overview"


def test_the_orm_cannot_delete_an_audit_row(event: AuditEvent) -> None:
    assert refused(event.delete)
    assert refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_cannot_change_or_delete_an_audit_row(event: AuditEvent) -> None:
    table = AuditEvent._meta.db_table
    assert refused(lambda: raw(f"UPDATE {table} SET summary = %s WHERE id = %s", ["x", event.pk]))
    assert refused(lambda: raw(f"DELETE FROM {table} WHERE id = %s", [event.pk]))
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the overview"


def test_new_rows_can_still_be_appended(event: AuditEvent) -> None:
    audit_record(actor=None, action=AuditAction.SEARCH, summary="Searched", object_type="person")
    assert AuditEvent.objects.count() == 2
