"""Grants the application's database role what it needs, and no more (PostgreSQL).

Production runs two roles: the owner, which runs migrations and owns every table, and the
application role the web and worker processes connect as. The application may read and
write the tables, but may only read and append to the audit trail: no UPDATE, DELETE or
TRUNCATE, and, not being the owner, it cannot drop the triggers that guard it. Run this as
the owner after every `migrate` (new tables need their grants):

    DATABASE_URL=postgres://caregraph_owner@db/caregraph python manage.py migrate
    DATABASE_URL=postgres://caregraph_owner@db/caregraph python manage.py database_roles \
        --app-role caregraph_app
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg import sql

from caregraph.models import AuditEvent


class Command(BaseCommand):
    help = "Grants the application's role its privileges; the audit trail insert-only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", required=True, help="the role the app connects as")

    def handle(self, *args: Any, app_role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL only.")
        role = sql.Identifier(app_role)
        audit = sql.Identifier(AuditEvent._meta.db_table)
        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(role),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(audit, role),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.as_string(cursor.connection))
        self.stdout.write(f"{app_role}: tables read and written; the audit trail insert-only.")
