"""The feed stamp's query as a PL/pgSQL function, whose plan each database session keeps
(`calendars.feed_stamps.STAMP_FUNCTION`). A copy of `stamp_function_sql()` as it was made:
tests/calendars/test_feed_stamps.py checks that the code still asks for this function."""

from django.db import migrations

STAMP_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION caregraph_feed_stamp_1(p_hash text, p_active text, p_lead text, p_today date) RETURNS TABLE (out_token bigint, out_user bigint, out_used timestamptz, out_staff text[], out_memberships text[], out_reviewed text[], out_merges text) LANGUAGE plpgsql STABLE AS $stamp$
BEGIN
RETURN QUERY SELECT t.id, t.user_id, t.last_used_at,
    ARRAY(
        SELECT s.agency_id || ':' || s.role FROM agencies_staffmembership s
        WHERE s.user_id = t.user_id AND s.is_active ORDER BY 1
    ),
    ARRAY(
        SELECT ROW(m.id, m.network_id, m.kind, m.agency_id, m.is_coordinator, n.last_sequence)::text
        FROM caregraph_membership m JOIN caregraph_network n ON n.id = m.network_id
        WHERE m.user_id = t.user_id AND m.status = p_active ORDER BY m.id
    ),
    CASE WHEN EXISTS (
    SELECT s.agency_id FROM agencies_staffmembership s
    WHERE s.user_id = t.user_id AND s.is_active AND s.role = p_lead
) THEN ARRAY(
        SELECT ROW(r.network_id, r.agency_id, n.last_sequence)::text
        FROM (
            SELECT i.network_id, i.agency_id FROM agencies_involvement i
            WHERE i.agency_id IN (
    SELECT s.agency_id FROM agencies_staffmembership s
    WHERE s.user_id = t.user_id AND s.is_active AND s.role = p_lead
)
              AND (i.ended_on IS NULL OR i.ended_on >= p_today)
            UNION
            SELECT m.network_id, m.agency_id FROM caregraph_membership m
            WHERE m.agency_id IN (
    SELECT s.agency_id FROM agencies_staffmembership s
    WHERE s.user_id = t.user_id AND s.is_active AND s.role = p_lead
) AND m.status = p_active
        ) r JOIN caregraph_network n ON n.id = r.network_id
        ORDER BY 1
    ) END,
    (SELECT concat_ws(',', count(*), max(id), max(undone_at)) FROM caregraph_merge)
FROM calendars_calendarfeedtoken t JOIN accounts_user u ON u.id = t.user_id
WHERE t.token_hash = p_hash AND t.revoked_at IS NULL AND u.is_active;
END
$stamp$
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STAMP_FUNCTION_SQL)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS caregraph_feed_stamp_1(text, text, text, date)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0002_care_task_medicine"),
        ("caregraph", "0008_event_kinds_everyday"),
        ("agencies", "0004_staffmembership_work_email_and_more"),
        ("accounts", "0002_user_phone_verified_at_phoneverification"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
