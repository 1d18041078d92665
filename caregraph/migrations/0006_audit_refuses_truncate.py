"""The audit trail refuses TRUNCATE too, which gets past row triggers (PostgreSQL only:
SQLite has no TRUNCATE). Only `flush`, run by the tables' owner, may empty it; see
config/db/postgresql/base.py."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "caregraph_auditevent"

POSTGRES_UP = f"""
CREATE FUNCTION caregraph_audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('caregraph.audit_flush', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER caregraph_audit_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION caregraph_audit_refuse_truncate();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER caregraph_audit_no_truncate ON {TABLE};
DROP FUNCTION caregraph_audit_refuse_truncate();
"""


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("caregraph", "0005_event_log_follows_records")]
    operations = [migrations.RunPython(forwards, backwards)]
