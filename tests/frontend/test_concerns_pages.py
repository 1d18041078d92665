"""The concern pages, the chronology and the safeguarding dashboard, as people use them."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffRole
from agencies.services import involvement_create, involvement_end
from caregraph.models import AuditAction, AuditEvent, MemberKind, Membership, Visibility
from caregraph.policy import viewer_for
from caregraph.services.networks import membership_end
from concerns.models import Concern, ConcernStatus, ConcernUpdate, CumulativeAlert
from concerns.services import concern_acknowledge
from tests.concerns.helpers import World, concern_raise_as, world_make
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.frontend.conftest import error_summary, signed_in, text
from tests.networks import member_add, network_create, works_for

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _world() -> World:
    """The concerns tests' network (tests.concerns.helpers), its staff with authenticator
    apps set up, as staff must have before they see any page."""
    world = world_make()
    for user in (
        world.coordinator,
        world.practitioner_b,
        world.practitioner_c,
        world.lead_a,
        world.lead_b,
        world.outsider,
    ):
        totp_enrol(user)
    return world


def _staff(**kwargs):  # type: ignore[no-untyped-def]
    user = staff_create(**kwargs)
    totp_enrol(user)
    return user


@pytest.fixture
def world() -> World:
    return _world()


def _url(world: World, rest: str = "") -> str:
    return f"/networks/{world.network.pk}/{rest}"


def _raise_form(**changes: str) -> dict[str, str]:
    return {
        "category": "neglect",
        "severity": "high",
        "description": "No food in the house for two days; he was sent to school hungry.",
        "happened_on_day": "3",
        "happened_on_month": "2",
        "happened_on_year": "2026",
        "happened_time": "8:15am",
        "visibility": Visibility.PROFESSIONALS,
        **changes,
    }


def _standing(user, world: World):  # type: ignore[no-untyped-def]
    standing = viewer_for(user=user, network=world.network)
    assert standing is not None
    return standing


# --- Raising a concern ----------------------------------------------------------------------


def test_a_professional_raises_a_concern_with_the_plain_form(world: World) -> None:
    client = signed_in(world.coordinator)
    form = client.get(_url(world, "concerns/new/"))
    html = form.content.decode()
    for visibility in Visibility:
        assert f'value="{visibility.value}"' in html
    assert 'data-module="govuk-character-count"' in html
    assert "You can enter up to 5000 characters" in text(form)

    response = client.post(_url(world, "concerns/new/"), _raise_form())

    concern = Concern.objects.get()
    assert response["Location"] == _url(world, f"concerns/{concern.pk}/")
    assert (concern.category, concern.severity, concern.visibility) == (
        "neglect",
        "high",
        Visibility.PROFESSIONALS,
    )
    assert timezone.localtime(concern.happened_at) == timezone.make_aware(
        datetime.datetime(2026, 2, 3, 8, 15)
    )
    assert concern.author_agency == world.agency_a
    page = text(client.get(response["Location"]))
    assert "Your concern has been raised." in page
    assert "Neglect concern High Open" in page
    assert "When it happened 3 February 2026 at 08:15" in page
    assert f"Raised by {world.coordinator.display_name}, {world.agency_a.name}" in page


def test_mistakes_name_the_field_and_nothing_is_stored(world: World) -> None:
    client = signed_in(world.coordinator)
    response = client.post(
        _url(world, "concerns/new/"),
        _raise_form(
            category="",
            severity="catastrophic",
            description="   ",
            happened_on_month="13",
            happened_time="half 8",
            visibility="",
        ),
    )
    summary = error_summary(response)
    html = response.content.decode()
    assert "Select what the concern is about" in summary
    assert "Select how serious it is" in summary
    assert "Describe what happened" in summary
    assert "When did it happen? must be a real date" in summary
    assert "Enter the time like 14:30 or 2:30pm" in summary
    assert "Select who can see this concern" in summary
    assert 'href="#id_category_0"' in html
    assert 'href="#id_description"' in html
    assert 'href="#id_happened_on_day"' in html
    assert 'href="#id_happened_time"' in html
    assert "<title>Error: Raise a concern" in html
    assert not Concern.objects.exists()

    today = timezone.localdate()
    later_today = signed_in(world.coordinator).post(
        _url(world, "concerns/new/"),
        _raise_form(
            happened_on_day=str(today.day),
            happened_on_month=str(today.month),
            happened_on_year=str(today.year),
            happened_time="23:59",
            description="x" * 5001,
        ),
    )
    summary = error_summary(later_today)
    if timezone.localtime().time() < datetime.time(23, 59):
        assert "The time it happened must be in the past" in summary
    assert "What happened must be 5000 characters or fewer" in summary
    assert 'value="23:59"' in later_today.content.decode()
    assert not Concern.objects.exists()


def test_family_raise_to_the_professionals_without_choosing(world: World) -> None:
    client = signed_in(world.family)
    form = client.get(_url(world, "concerns/new/"))
    html = form.content.decode()
    assert 'type="hidden" name="visibility" value="professionals"' in html
    assert 'value="network"' not in html
    assert "Other family members and friends will not see it." in text(form)

    # A hand-made request cannot widen it.
    refused = client.post(_url(world, "concerns/new/"), _raise_form(visibility="network"))
    assert "Select who can see this concern" in error_summary(refused)
    assert not Concern.objects.exists()

    client.post(_url(world, "concerns/new/"), _raise_form())
    concern = Concern.objects.get()
    assert (concern.visibility, concern.author_agency) == (Visibility.PROFESSIONALS, None)


# --- Who sees what --------------------------------------------------------------------------


def _listed(client, world: World, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """What the concerns table lists, newest first, by what each concern is about."""
    html = client.get(_url(world, f"concerns/?{query}")).content.decode()
    table = html[html.index("data-live-concerns") : html.index("<template data-live-row>")]
    return re.findall(r'data-field="category">([^<]+)<', table)


def test_family_see_only_concerns_shared_with_everyone_or_their_own(world: World) -> None:
    hidden = concern_raise_as(world.coordinator, world.network, category="sexual")
    shared = concern_raise_as(
        world.coordinator, world.network, category="missing", visibility=Visibility.NETWORK
    )
    own = concern_raise_as(world.family, world.network, category="financial")
    client = signed_in(world.family)

    assert _listed(client, world) == ["Financial abuse", "Missing"]
    assert client.get(_url(world, f"concerns/{hidden.pk}/")).status_code == 404
    assert client.get(_url(world, f"concerns/{shared.pk}/")).status_code == 200
    assert client.get(_url(world, f"concerns/{own.pk}/")).status_code == 200
    for action in ("acknowledge", "review"):
        assert client.post(_url(world, f"concerns/{hidden.pk}/{action}/")).status_code == 404
    assert client.get(_url(world, f"concerns/{hidden.pk}/close/")).status_code == 404

    chronology = text(client.get(_url(world, "chronology/")))
    assert "Missing concern raised" in chronology
    assert "Sexual abuse" not in chronology
    assert Concern.objects.get(pk=hidden.pk).status == ConcernStatus.OPEN


def test_agency_only_and_restricted_concerns_stay_with_their_audience(world: World) -> None:
    concern_raise_as(
        world.coordinator, world.network, category="exploitation", visibility=Visibility.AGENCY
    )
    concern_raise_as(
        world.coordinator, world.network, category="domestic_abuse", visibility="restricted"
    )
    assert _listed(signed_in(world.practitioner_b), world) == []
    assert _listed(signed_in(world.lead_a), world) == ["Domestic abuse", "Exploitation"]
    assert _listed(signed_in(world.coordinator), world) == ["Domestic abuse", "Exploitation"]


def test_every_concern_page_is_absent_for_people_outside_the_network(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network, visibility=Visibility.NETWORK)
    client = signed_in(world.outsider)
    for rest in (
        "concerns/",
        "concerns/new/",
        f"concerns/{concern.pk}/",
        f"concerns/{concern.pk}/close/",
        f"concerns/{concern.pk}/withdraw/",
        "chronology/",
    ):
        assert client.get(_url(world, rest)).status_code == 404, rest
    assert client.post(_url(world, "concerns/new/"), _raise_form()).status_code == 404
    assert client.post(_url(world, f"concerns/{concern.pk}/acknowledge/")).status_code == 404
    assert Concern.objects.count() == 1
    assert Concern.objects.get().status == ConcernStatus.OPEN
    # Someone who has left is outside too.
    membership = Membership.objects.get(user=world.family, status="active")
    membership_end(
        membership=membership, ended_by=world.family, viewer=_standing(world.family, world)
    )
    assert signed_in(world.family).get(_url(world, "concerns/")).status_code == 404


def test_the_list_filters_by_status_severity_and_category(world: World) -> None:
    concern_raise_as(world.coordinator, world.network, category="neglect", severity="low")
    urgent = concern_raise_as(
        world.coordinator, world.network, category="missing", severity="urgent"
    )
    concern_acknowledge(
        concern=urgent,
        viewer=_standing(world.practitioner_b, world),
        acknowledged_by=world.practitioner_b,
    )
    client = signed_in(world.coordinator)

    def rows(query: str) -> list[str]:
        return _listed(client, world, query)

    assert rows("") == ["Missing", "Neglect"]
    assert rows("severity=urgent") == ["Missing"]
    assert rows("status=open") == ["Neglect"]
    assert rows("category=neglect&severity=low") == ["Neglect"]
    assert rows("category=missing&status=open") == []
    assert rows("severity=nonsense") == ["Missing", "Neglect"]  # ignored, not an error
    assert "No concerns match these filters." in text(
        client.get(_url(world, "concerns/?category=missing&status=open"))
    )


def test_the_list_is_ready_for_live_updates(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network)
    world.network.refresh_from_db()
    response = signed_in(world.coordinator).get(_url(world, "concerns/"))
    html = response.content.decode()
    assert f'data-live-network="{world.network.pk}"' in html
    assert f'data-live-sequence="{world.network.last_sequence}"' in html
    assert 'aria-live="polite"' in html
    assert f'id="concern-{concern.pk}" data-concern-id="{concern.pk}"' in html
    assert "frontend/js/live.mjs" in html
    assert 'id="concern-tag-classes" type="application/json"' in html


# --- A concern and what can be done with it -------------------------------------------------


def test_professionals_acknowledge_review_update_and_close(world: World) -> None:
    concern = concern_raise_as(world.practitioner_b, world.network, severity="high")
    detail = _url(world, f"concerns/{concern.pk}/")
    client = signed_in(world.coordinator)
    page = client.get(detail)
    assert "Acknowledge" in text(page)
    assert "Withdraw" not in text(page)  # only whoever raised it may

    assert client.post(f"{detail}acknowledge/")["Location"] == detail
    after = text(client.get(detail))
    assert "You acknowledged this concern." in after
    assert "Neglect concern Medium" not in after
    assert "High Acknowledged" in after
    assert f"Acknowledged {timezone.localdate():%-d %B %Y}" in after
    assert f"by {world.coordinator.display_name}" in after

    # Acknowledged twice, by someone who had the page open: told, nothing breaks.
    again = client.post(f"{detail}acknowledge/")
    assert "This concern has already been acknowledged" in error_summary(again)

    empty = client.post(f"{detail}updates/", {"update-text": "  "})
    assert "Write what has happened since" in error_summary(empty)
    assert 'href="#id_update-text"' in empty.content.decode()
    client.post(f"{detail}updates/", {"update-text": "Spoke to the school nurse."})
    client.post(f"{detail}review/")
    assert Concern.objects.get().status == ConcernStatus.UNDER_REVIEW

    missing_outcome = client.post(f"{detail}close/", {"outcome": ""})
    assert "Say what the outcome was" in error_summary(missing_outcome)
    client.post(f"{detail}close/", {"outcome": "Family support plan agreed."})

    closed = text(client.get(detail))
    assert "High Closed" in closed
    assert "Outcome Family support plan agreed." in closed
    history = closed[closed.index("History") :]
    assert history.index("Raised") < history.index("Acknowledged")
    assert history.index("Acknowledged") < history.index("Spoke to the school nurse.")
    assert history.index("Under review") < history.index("Closed")
    assert "Add update" not in closed
    assert "Acknowledge" not in closed[: closed.index("What was raised")]


def test_whoever_raised_it_may_withdraw_it_with_a_reason(world: World) -> None:
    concern = concern_raise_as(world.family, world.network)
    detail = _url(world, f"concerns/{concern.pk}/")
    assert signed_in(world.coordinator).get(f"{detail}withdraw/").status_code == 404

    client = signed_in(world.family)
    page = text(client.get(detail))
    assert "Withdraw" in page
    assert "Acknowledge" not in page
    assert "Close with an outcome" not in page
    assert client.post(f"{detail}acknowledge/").status_code == 404
    assert client.post(f"{detail}close/", {"outcome": "Done"}).status_code == 404

    no_reason = client.post(f"{detail}withdraw/", {"reason": ""})
    assert "Say why you are withdrawing it" in error_summary(no_reason)
    assert Concern.objects.get().status == ConcernStatus.OPEN
    client.post(f"{detail}withdraw/", {"reason": "I misunderstood what he said."})

    assert Concern.objects.get().status == ConcernStatus.WITHDRAWN
    assert "Why it was withdrawn I misunderstood what he said." in text(client.get(detail))


def test_looking_at_concerns_is_in_the_audit_trail(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network)
    client = signed_in(world.practitioner_b)
    client.get(_url(world, "concerns/"))
    client.get(_url(world, f"concerns/{concern.pk}/"))
    client.get(_url(world, "chronology/"))
    views = AuditEvent.objects.filter(actor=world.practitioner_b, action=AuditAction.VIEW)
    assert set(views.values_list("summary", flat=True)) == {
        "Viewed the concerns",
        "Viewed a concern",
        "Viewed the chronology",
    }
    seen = views.get(summary="Viewed a concern")
    assert (seen.object_type, seen.object_id) == ("concern", str(concern.pk))
    assert seen.person_id == world.network.person_id


# --- The chronology -------------------------------------------------------------------------


def _at(day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 10, day, hour, 0))


def _chronology_world() -> World:
    world = _world()
    police = AgencyFactory.create(name="Northfield Police")
    with mock.patch("django.utils.timezone.now", return_value=_at(2)):
        involvement = involvement_create(
            network=world.network,
            viewer=_standing(works_for(world.coordinator, police), world),
            created_by=world.coordinator,
            agency=police,
            service="Public protection unit",
            started_on=datetime.date(2025, 10, 1),
            visibility=Visibility.NETWORK,
        )
    involvement_end(
        involvement=involvement,
        viewer=_standing(world.coordinator, world),
        ended_by=world.coordinator,
        ended_on=datetime.date(2025, 10, 20),
    )
    missing = concern_raise_as(
        world.coordinator,
        world.network,
        category="missing",
        visibility=Visibility.NETWORK,
        at=_at(10),
    )
    with mock.patch("django.utils.timezone.now", return_value=_at(11)):
        concern_acknowledge(
            concern=missing,
            viewer=_standing(world.practitioner_b, world),
            acknowledged_by=world.practitioner_b,
        )
    # The history row's time comes from a model default, which the patch above cannot reach.
    ConcernUpdate.objects.filter(concern=missing).update(created_at=_at(11))
    concern_raise_as(world.practitioner_b, world.network, category="sexual", at=_at(12))
    Membership.objects.filter(network=world.network).update(joined_at=_at(1, 9))
    neighbour = member_add(world.network, kind=MemberKind.FRIEND, relationship="Neighbour")
    Membership.objects.filter(pk=neighbour.pk).update(joined_at=_at(15))
    neighbour.refresh_from_db()
    with mock.patch("django.utils.timezone.now", return_value=_at(18)):
        membership_end(
            membership=neighbour,
            ended_by=neighbour.user,
            viewer=_standing(neighbour.user, world),
        )
    world.neighbour = neighbour.user  # type: ignore[attr-defined]
    return world


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", title).strip()
        for title in re.findall(r'app-chronology__title">(.*?)</h3>', html, flags=re.S)
    ]


def test_the_chronology_is_one_list_in_time_order() -> None:
    world = _chronology_world()
    neighbour = world.neighbour  # type: ignore[attr-defined]
    titles = _titles(signed_in(world.coordinator).get(_url(world, "chronology/")))
    # Involvement from 1 October (a date: the start of the day), then the members who
    # joined at 9 that morning, then the rest as it happened.
    assert titles[0] == "Northfield Police became involved"
    assert all(title.endswith("joined the network") for title in titles[1:6])
    assert titles[6:] == [
        "Missing concern raised Medium",
        "Missing concern acknowledged",
        "Sexual abuse concern raised Medium",
        f"{neighbour.display_name} joined the network",
        f"{neighbour.display_name} left the network",
        "Northfield Police stopped being involved",
    ]

    family = _titles(signed_in(world.family).get(_url(world, "chronology/")))
    assert "Missing concern raised Medium" in family
    assert "Missing concern acknowledged" in family
    assert not [title for title in family if title.startswith("Sexual abuse")]


def test_the_chronology_filters_by_kind_and_dates() -> None:
    world = _chronology_world()
    client = signed_in(world.coordinator)

    concerns_only = _titles(client.get(_url(world, "chronology/?kinds=concerns")))
    assert concerns_only == [
        "Missing concern raised Medium",
        "Missing concern acknowledged",
        "Sexual abuse concern raised Medium",
    ]

    window = _titles(
        client.get(
            _url(
                world,
                "chronology/?kinds=involvement&kinds=members"
                "&date_from_day=2&date_from_month=10&date_from_year=2025"
                "&date_to_day=19&date_to_month=10&date_to_year=2025",
            )
        )
    )
    neighbour = world.neighbour  # type: ignore[attr-defined]
    assert window == [
        f"{neighbour.display_name} joined the network",
        f"{neighbour.display_name} left the network",
    ]

    backwards = client.get(
        _url(
            world,
            "chronology/?date_from_day=19&date_from_month=10&date_from_year=2025"
            "&date_to_day=2&date_to_month=10&date_to_year=2025",
        )
    )
    assert "The end date must be the same as or after the start date" in error_summary(backwards)


def test_the_chronology_prints_without_menus_or_filters(world: World) -> None:
    html = signed_in(world.coordinator).get(_url(world, "chronology/")).content.decode()
    assert 'class="app-filters app-no-print"' in html
    from pathlib import Path

    scss = Path("frontend/assets/scss/caregraph.scss").read_text()
    printing = scss[scss.index("@media print") :]
    for hidden in (
        ".govuk-service-navigation",
        ".app-section-nav",
        ".app-no-print",
        ".govuk-footer",
    ):
        assert hidden in printing


# --- The safeguarding dashboard -------------------------------------------------------------


def test_the_dashboard_is_for_safeguarding_leads_only(world: World) -> None:
    for user in (world.coordinator, world.family, world.outsider):
        assert signed_in(user).get("/dashboard/").status_code == 404
    assert signed_in(world.lead_a).get("/dashboard/").status_code == 200


def test_the_dashboard_counts_what_needs_attention(world: World) -> None:
    now = timezone.now()
    urgent = concern_raise_as(world.coordinator, world.network, severity="urgent", at=now - HOUR)
    concern_raise_as(world.practitioner_b, world.network, severity="low", at=now - 3 * HOUR)
    acknowledged = concern_raise_as(
        world.practitioner_c, world.network, severity="high", at=now - 5 * HOUR
    )
    with mock.patch("django.utils.timezone.now", return_value=now - 2 * HOUR):
        concern_acknowledge(
            concern=acknowledged,
            viewer=_standing(world.lead_a, world),
            acknowledged_by=world.lead_a,
        )
    # Another agency's own concern is not the lead's to see, nor to count.
    concern_raise_as(
        world.practitioner_b, world.network, category="other", visibility=Visibility.AGENCY
    )
    # A network the lead does not review.
    elsewhere = network_create(given_name="Elsewhere")
    elsewhere_coordinator = elsewhere.memberships.get().user
    concern_raise_as(elsewhere_coordinator, elsewhere, severity="urgent")
    assert CumulativeAlert.objects.filter(network=world.network).count() == 1  # 3 agencies

    response = signed_in(world.lead_a).get("/dashboard/")
    page, html = text(response), response.content.decode()

    assert "Networks with urgent or unacknowledged concerns 1" in page
    assert "Cumulative alerts not yet acknowledged 1" in page
    assert "Concerns raised, last 13 weeks 3" in page
    assert "Median time to acknowledge, last 13 weeks 3 hours" in page
    person = world.network.person.full_name
    assert re.search(rf"{person} 1 2 3 \d", page)  # urgent, unacknowledged, open in all
    assert elsewhere.person.full_name not in page
    assert "Concerns from several agencies" in page
    assert "High 1 1 0 3 hours 3 hours" in page
    assert "Urgent 1 0 1 \u2013 \u2013" in page  # nothing acknowledged: no times
    assert "All concerns 3 1 2 3 hours 3 hours" in page
    # Drawn, and the same numbers tabled.
    assert 'role="img" aria-labelledby="category-0-title category-0-desc"' in html
    assert '<title id="category-0-title">Neglect: 3 concerns</title>' in html
    neglect_row = re.search(r">Neglect</th>(.*?)</tr>", html, flags=re.S)
    assert neglect_row and neglect_row.group(1).count(">0<") == 12
    assert not re.search(r"\sstyle=", html)
    for agency in (world.agency_a, world.agency_b, world.agency_c):
        assert f"{agency.name}: 1 concern" in html
    urgent_viewed = AuditEvent.objects.filter(
        actor=world.lead_a, summary="Seen on the safeguarding dashboard"
    )
    assert list(urgent_viewed.values_list("person_id", flat=True)) == [urgent.network.person_id]


def test_the_dashboard_filters_by_team_and_period(world: World) -> None:
    now = timezone.now()
    concern_raise_as(world.coordinator, world.network, at=now - datetime.timedelta(days=60))
    concern_raise_as(world.coordinator, world.network, at=now - datetime.timedelta(days=10))
    # A second network the lead reviews, where only agency A is involved.
    quiet = network_create(coordinator=staff_create(agency=world.agency_a), agency=world.agency_a)
    concern_raise_as(quiet.memberships.get().user, quiet, at=now - HOUR, category="missing")
    client = signed_in(world.lead_a)

    assert "Concerns raised, last 13 weeks 3" in text(client.get("/dashboard/"))
    assert "Concerns raised, last 4 weeks 2" in text(client.get("/dashboard/?period=4w"))
    by_month = client.get("/dashboard/?period=12m")
    assert "Concerns raised, last 12 months 3" in text(by_month)
    assert by_month.content.decode().count('class="app-chart__bar"') >= 2

    team_b = text(client.get(f"/dashboard/?team={world.agency_b.pk}&period=13w"))
    assert "Concerns raised, last 13 weeks 2" in team_b
    assert "Missing" not in team_b[team_b.index("Concerns by category") :]
    nonsense = client.get("/dashboard/?team=nonsense")
    assert "Select a team from the list" in error_summary(nonsense)
    assert "Concerns raised, last 13 weeks 3" in text(nonsense)


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The queries of a first visit and of a second (which reads the kept list)."""
    counts = []
    for _visit in ("first", "again"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def test_kept_lists_are_never_shown_to_another_reader_and_a_change_shows_at_once() -> None:
    """The concerns list and the chronology are kept for the network's state and the
    reader's audiences: what professionals saw never reaches family from the cache."""
    world = _world()
    hidden = concern_raise_as(
        world.coordinator, world.network, visibility="professionals", description="Bruising seen."
    )
    professional, family = signed_in(world.coordinator), signed_in(world.family)
    row, listed = f'id="concern-{hidden.pk}"', _url(world, "concerns/")
    assert row in professional.get(listed).content.decode()
    assert row not in family.get(listed).content.decode()
    chronology = _url(world, "chronology/")
    assert "Bruising seen." in text(professional.get(chronology))
    assert "Bruising seen." not in text(family.get(chronology))

    shared = concern_raise_as(
        world.coordinator, world.network, visibility="network", description="Missed school."
    )
    assert f'id="concern-{shared.pk}"' in family.get(listed).content.decode()
    assert row not in family.get(listed).content.decode()
    assert "Missed school." in text(family.get(chronology))
    assert "Bruising seen." not in text(family.get(chronology))


def test_the_concerns_list_takes_the_same_queries_however_many_concerns() -> None:
    def count(concerns: int) -> tuple[int, int]:
        world = _world()
        authors = (world.coordinator, world.practitioner_b, world.family)
        for serial in range(concerns):
            concern_raise_as(authors[serial % 3], world.network, severity="low")
        return _queries(signed_in(world.coordinator), _url(world, "concerns/"))

    assert count(3) == count(40)


def test_the_chronology_takes_the_same_queries_however_much_happened() -> None:
    def count(concerns: int, members: int) -> tuple[int, int]:
        world = _world()
        for _serial in range(concerns):
            concern_raise_as(world.practitioner_b, world.network, severity="low")
        for _serial in range(members):
            member_add(world.network, kind=MemberKind.FRIEND, user=UserFactory.create())
        return _queries(signed_in(world.coordinator), _url(world, "chronology/"))

    assert count(2, 1) == count(25, 20)


def test_the_dashboard_takes_the_same_queries_however_much_there_is() -> None:
    def count(networks: int, concerns_each: int) -> tuple[int, int]:
        agency = AgencyFactory.create()
        lead = _staff(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
        for _serial in range(networks):
            network = network_create(agency=agency)
            coordinator = network.memberships.get().user
            for serial in range(concerns_each):
                concern_raise_as(
                    coordinator, network, severity="urgent" if serial % 2 else "medium"
                )
        return _queries(signed_in(lead), "/dashboard/")

    # Every listed network is written to its audit trail, up to the 25 shown: past that,
    # however many networks and concerns there are, the count stays the same.
    assert count(26, 2) == count(40, 6)


# --- The overview and the navigation --------------------------------------------------------


def test_the_overview_counts_the_open_concerns_the_viewer_may_see(world: World) -> None:
    concern_raise_as(world.coordinator, world.network)
    concern_raise_as(world.coordinator, world.network, visibility=Visibility.NETWORK)
    assert "2 concerns are open." in text(signed_in(world.coordinator).get(_url(world)))
    family = text(signed_in(world.family).get(_url(world)))
    assert "1 concern is open that you can see." in family
    # The chronology is a professionals' tool: the family-first overview does not offer it.
    assert "Chronology" not in family
    assert "Chronology" in text(signed_in(world.coordinator).get(_url(world)))


def test_only_safeguarding_leads_see_the_dashboard_in_the_menu(world: World) -> None:
    assert 'href="/dashboard/"' in signed_in(world.lead_a).get("/").content.decode()
    assert 'href="/dashboard/"' not in signed_in(world.coordinator).get("/").content.decode()


@pytest.mark.parametrize(
    "rest", ["concerns/", "concerns/new/", "concerns/{concern}/", "chronology/", "/dashboard/"]
)
def test_each_page_has_one_h1_a_title_and_nothing_inline(world: World, rest: str) -> None:
    concern = concern_raise_as(world.coordinator, world.network)
    url = rest if rest.startswith("/") else _url(world, rest.format(concern=concern.pk))
    html = signed_in(world.lead_a).get(url).content.decode()
    assert html.count("<h1") == 1
    title = re.search(r"<title>([^<]+) \u2013 Caregraph</title>", html)
    assert title
    assert world.network.person.family_name not in title.group(1)
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert " src=" in script or 'type="application/json"' in script, script
