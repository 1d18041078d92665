"""An unchanged feed costs one query, and nothing that saved a feed's address and ETag keeps
getting it after losing access: polled the way a calendar app (or someone who kept the
address) would, with the old ETag and date, they get a new body or 404, never a 304."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffMembership, StaffRole
from agencies.services import involvement_end
from calendars.feed_stamps import STAMP_FUNCTION, stamp_function_body, stamp_function_sql
from calendars.models import CalendarFeedToken
from calendars.services.events import event_cancel, event_update
from calendars.services.feed_tokens import feed_token_create, feed_token_rotate
from caregraph.models import AuditEvent, MemberKind, Membership, MembershipStatus, Visibility
from caregraph.services.merge import person_merge, person_merge_undo
from caregraph.services.networks import membership_end
from tests.calendars.conftest import Circle, add_event
from tests.factories import (
    AgencyFactory,
    involvement_add_for_test,
    person_register_for_test,
    staff_create,
)
from tests.networks import member_add, network_create, viewer

pytestmark = pytest.mark.django_db


class App:
    """A calendar app (or whoever kept the address): polls with what it was last told."""

    def __init__(self, token: str) -> None:
        self.url = f"/calendar/feeds/{token}.ics"
        self.client = Client()
        first = self.client.get(self.url)
        assert first.status_code == 200
        self.etag, self.modified, self.body = first["ETag"], first["Last-Modified"], first.content

    def poll(self) -> tuple[int, bytes]:
        """Both ways an app asks "changed?"; both must agree."""
        by_etag = self.client.get(self.url, HTTP_IF_NONE_MATCH=self.etag)
        by_date = self.client.get(self.url, HTTP_IF_MODIFIED_SINCE=self.modified)
        assert by_etag.status_code == by_date.status_code
        assert by_etag.content == by_date.content
        return by_etag.status_code, by_etag.content


def _second_network(circle: Circle) -> Membership:
    other = network_create(given_name="Sam", family_name="Jones")
    membership = member_add(other, kind=MemberKind.FAMILY, user=circle.family)
    add_event(other, circle.family, title="Visit in the second network")
    return membership


def test_a_removed_member_polling_with_the_old_etag_gets_none_of_that_network(
    circle: Circle,
) -> None:
    add_event(circle.network, circle.coordinator, title="Family meeting")
    app = App(feed_token_create(user=circle.family))
    assert b"Family meeting" in app.body
    assert app.poll()[0] == 304

    membership = circle.network.memberships.get(user=circle.family)
    membership_end(
        membership=membership,
        ended_by=circle.coordinator,
        viewer=viewer(circle.network, circle.coordinator),
    )
    status, body = app.poll()

    assert status == 200
    assert b"Family meeting" not in body and b"VEVENT" not in body


def test_a_member_removed_behind_the_services_back_is_not_told_304_either(
    circle: Circle,
) -> None:
    _second_network(circle)
    app = App(feed_token_create(user=circle.family))
    assert b"second network" in app.body

    # As a data fix or a merge would: a plain UPDATE, no network event, no signal.
    Membership.objects.filter(user=circle.family, network__person__given_name="Sam").update(
        status=MembershipStatus.REMOVED
    )
    status, body = app.poll()

    assert status == 200 and b"second network" not in body


def test_a_revoked_rotated_or_deactivated_feed_is_gone_even_with_the_old_etag(
    circle: Circle,
) -> None:
    add_event(circle.network, circle.coordinator)
    revoked = App(feed_token_create(user=circle.professional))
    CalendarFeedToken.objects.filter(user=circle.professional).update(revoked_at=timezone.now())
    assert revoked.poll()[0] == 404

    rotated = App(feed_token_create(user=circle.family))
    feed_token_rotate(user=circle.family)
    assert rotated.poll()[0] == 404

    deactivated = App(feed_token_create(user=circle.coordinator))
    circle.coordinator.is_active = False
    circle.coordinator.save(update_fields=["is_active"])
    assert deactivated.poll()[0] == 404


def test_a_professional_who_leaves_their_agency_loses_its_events(circle: Circle) -> None:
    add_event(
        circle.network, circle.coordinator, title="Agency handover", visibility=Visibility.AGENCY
    )
    colleague = member_add(circle.network, kind=MemberKind.PROFESSIONAL, agency=circle.agency)
    app = App(feed_token_create(user=colleague.user))
    assert b"Agency handover" in app.body

    StaffMembership.objects.filter(user=colleague.user).update(is_active=False)
    Membership.objects.filter(pk=colleague.pk).update(agency=AgencyFactory.create())
    status, body = app.poll()

    assert status == 200 and b"Agency handover" not in body


def test_a_lead_whose_agency_stops_being_involved_loses_the_network(circle: Circle) -> None:
    lead_agency = AgencyFactory.create()
    lead = staff_create(agency=lead_agency, role=StaffRole.SAFEGUARDING_LEAD)
    involvement = involvement_add_for_test(network=circle.network, agency=lead_agency)
    add_event(
        circle.network, circle.coordinator, title="Strategy", visibility=Visibility.RESTRICTED
    )
    app = App(feed_token_create(user=lead))
    assert b"Strategy" in app.body
    assert app.poll()[0] == 304

    involvement_end(
        involvement=involvement,
        viewer=viewer(circle.network, circle.coordinator),
        ended_by=circle.coordinator,
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    status, body = app.poll()

    assert status == 200 and b"Strategy" not in body


def test_an_event_narrowed_or_cancelled_leaves_a_polled_feed(circle: Circle) -> None:
    meeting = add_event(circle.network, circle.coordinator, title="Strategy meeting")
    visit = add_event(circle.network, circle.coordinator, title="Home visit")
    app = App(feed_token_create(user=circle.family))
    assert b"Strategy meeting" in app.body and b"Home visit" in app.body
    coordinator = viewer(circle.network, circle.coordinator)

    event_update(
        event=meeting,
        viewer=coordinator,
        updated_by=circle.coordinator,
        title=meeting.title,
        kind=meeting.kind,
        start=meeting.start,
        end=meeting.end,
        all_day=False,
        timezone_name=meeting.timezone,
        location="",
        notes="",
        visibility=Visibility.PROFESSIONALS,
        rrule="",
    )
    status, body = app.poll()
    assert status == 200 and b"Strategy meeting" not in body and b"Home visit" in body

    event_cancel(event=visit, viewer=coordinator, cancelled_by=circle.coordinator)
    assert b"Home visit" not in app.client.get(app.url, HTTP_IF_NONE_MATCH=app.etag).content


def test_a_change_the_member_may_not_see_is_still_not_modified(circle: Circle) -> None:
    add_event(circle.network, circle.coordinator, title="Home visit")
    app = App(feed_token_create(user=circle.family))

    add_event(
        circle.network, circle.coordinator, title="Strategy", visibility=Visibility.PROFESSIONALS
    )

    assert app.poll()[0] == 304  # the family are not told even that something changed


def test_an_unchanged_feed_is_one_query_and_no_audit_row(circle: Circle) -> None:
    _second_network(circle)
    add_event(circle.network, circle.coordinator)
    app = App(feed_token_create(user=circle.family))
    audited = AuditEvent.objects.filter(object_type="calendar_feed", actor=circle.family)
    assert audited.count() == 2  # the fetch that sent the feed, in each of its networks

    with CaptureQueriesContext(connection) as queries:
        answer = app.client.get(app.url, HTTP_IF_NONE_MATCH=app.etag)
    # Read before the next request; SQLite (development) reads the same in a few queries.
    assert answer.status_code == 304
    assert len(queries) == 1 or connection.vendor != "postgresql"
    assert not [query for query in queries if "calendars_calendarevent" in query["sql"]]
    again = app.client.get(app.url)

    assert again.status_code == 200 and again.content == app.body
    assert audited.count() == 4  # the 304 wrote none; the second full fetch two


def test_a_merge_undone_takes_the_other_persons_events_back_out_of_the_feed() -> None:
    agency = AgencyFactory.create()
    lead = staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency)
    survivor = person_register_for_test(agency=agency).network
    merged = person_register_for_test(agency=agency, given_name="Amelie").network
    relative = member_add(survivor, kind=MemberKind.FAMILY).user
    add_event(merged, merged.memberships.get().user, title="The other child's review")
    app = App(feed_token_create(user=relative))

    merge = person_merge(
        survivor=survivor.person, merged=merged.person, performed_by=lead, reason="Same child"
    )
    status, body = app.poll()
    assert status == 200 and b"other child's review" in body
    app.etag, app.modified = (
        app.client.get(app.url)[header] for header in ("ETag", "Last-Modified")
    )

    person_merge_undo(merge=merge, undone_by=lead, reason="Two children after all")
    status, body = app.poll()

    assert status == 200 and b"other child's review" not in body


def test_the_database_function_is_the_query_the_code_asks_for() -> None:
    """The stamp runs as a PL/pgSQL function made by a migration from a copy of the query:
    a change to one without the other would poll with a stale stamp."""
    import importlib

    migration = importlib.import_module("calendars.migrations.0003_feed_stamp_function")
    assert migration.STAMP_FUNCTION_SQL.strip() == stamp_function_sql().strip()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT prosrc FROM pg_proc WHERE proname = %s", [STAMP_FUNCTION.lower()]
            )
            assert [row[0] for row in cursor.fetchall()] == [stamp_function_body()]
