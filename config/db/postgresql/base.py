"""PostgreSQL, with one addition: `flush` may empty the append-only audit table.

The audit table refuses UPDATE, DELETE and TRUNCATE by trigger (caregraph migration 0006),
unless the transaction has set `caregraph.audit_flush`; `flush` (tests, `manage.py flush`
run by the owner) sets it for its own transaction only. The application's own role has no
TRUNCATE privilege on the table at all and does not own it (`manage.py database_roles`),
so it can neither set this in a way that matters nor drop the triggers.
"""

from collections.abc import Sequence

from django.db.backends.postgresql import base, operations

AUDIT_FLUSH_SETTING = "caregraph.audit_flush"


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self,
        style: object,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        return [f"SET LOCAL {AUDIT_FLUSH_SETTING} = 'on'", *statements]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
