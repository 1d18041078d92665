"""SQLite, with one addition: `flush` may empty the append-only audit table.

The audit table's triggers refuse every UPDATE and DELETE. On PostgreSQL `flush` empties
tables with TRUNCATE, which those triggers do not cover (only the table's owner may run
it). SQLite has no TRUNCATE, so a flush opens the guard for its own transaction only.
"""

from collections.abc import Sequence

from django.db.backends.sqlite3 import base, operations

GUARD_OPEN = "INSERT INTO caregraph_audit_flush_guard (open) VALUES (1)"
GUARD_CLOSE = "DELETE FROM caregraph_audit_flush_guard"


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
        return [GUARD_OPEN, *statements, GUARD_CLOSE]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
