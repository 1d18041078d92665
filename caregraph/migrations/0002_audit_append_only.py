"""The audit trail is append-only, enforced by the database itself on PostgreSQL and SQLite."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "caregraph_auditevent"

POSTGRES_UP = f"""
CREATE FUNCTION caregraph_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER caregraph_audit_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION caregraph_audit_refuse_change();
CREATE TRIGGER caregraph_audit_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION caregraph_audit_refuse_change();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER caregraph_audit_no_update ON {TABLE};
DROP TRIGGER caregraph_audit_no_delete ON {TABLE};
DROP FUNCTION caregraph_audit_refuse_change();
"""

# SQLite has no TRUNCATE, so `flush` (tests, `manage.py flush`) opens a guard row for its
# own transaction; see caregraph/db/sqlite3/base.py. Nothing else writes that table.
SQLITE_UP = [
    "CREATE TABLE caregraph_audit_flush_guard (open integer NOT NULL)",
    f"""CREATE TRIGGER caregraph_audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER caregraph_audit_no_delete BEFORE DELETE ON {TABLE}
    WHEN NOT EXISTS (SELECT 1 FROM caregraph_audit_flush_guard)
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER caregraph_audit_no_update",
    "DROP TRIGGER caregraph_audit_no_delete",
    "DROP TABLE caregraph_audit_flush_guard",
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement, params=None)
    else:
        raise RuntimeError(f"No append-only audit trail for {vendor}: add its triggers here.")


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in [POSTGRES_DOWN] if vendor == "postgresql" else SQLITE_DOWN:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("caregraph", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
