#!/bin/sh
# Run once by the postgres image when its data volume is first made: the role the web,
# worker and beat connect as. It owns nothing; `manage.py database_roles` (run by the
# migrate service as the owner) grants it the tables, and the audit trail insert-only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE caregraph_app LOGIN PASSWORD '${APP_DB_PASSWORD}';
SQL
