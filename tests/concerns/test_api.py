"""Concerns through the API: raising, following, what is visible to whom, and alerts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import StaffRole
from caregraph.models import AuditEvent, NetworkEvent, Visibility
from concerns.models import Concern, ConcernUpdate, CumulativeAlert
from notifications.models import Notification, OutboxMessage
from tests.api.helpers import API, client_for, errors
from tests.concerns.helpers import DESCRIPTION, World, concern_raise_as, raised_at_set
from tests.factories import staff_create

pytestmark = pytest.mark.django_db

VALID = {"category": "neglect", "severity": "high", "description": DESCRIPTION}


def concerns_url(world: World) -> str:
    return f"{API}/networks/{world.network.pk}/concerns/"


def concern_url(concern: Concern, action: str = "") -> str:
    base = f"{API}/networks/{concern.network_id}/concerns/{concern.pk}/"
    return f"{base}{action}/" if action else base


def stored() -> tuple[int, int, int, int]:
    return (
        Concern.objects.count(),
        NetworkEvent.objects.filter(kind__startswith="concern.").count(),
        Notification.objects.count(),
        OutboxMessage.objects.count(),
    )


# --- Raising --------------------------------------------------------------------------------


def test_family_raise_a_concern_that_only_professionals_see(world: World) -> None:
    response = client_for(world.family).post(
        concerns_url(world), {**VALID, "happened_at": "2026-01-05T16:30:00+00:00"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["visibility"] == "professionals"
    assert body["status"] == "open"
    assert body["description"] == DESCRIPTION
    assert body["raised_by"]["id"] == world.family.pk
    assert body["author_agency"] is None
    assert body["happened_at"] == "2026-01-05T16:30:00Z"
    assert response.headers["Location"] == concern_url(Concern.objects.get())
    friend = client_for(world.friend)
    assert friend.get(concerns_url(world)).json()["count"] == 0
    assert friend.get(response.headers["Location"]).status_code == 404
    seen = client_for(world.practitioner_b).get(concerns_url(world)).json()
    assert [c["id"] for c in seen["results"]] == [body["id"]]
    assert not Notification.objects.filter(user__in=[world.family, world.friend]).exists()


def test_a_retry_with_the_same_idempotency_key_raises_one_concern(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(world.coordinator)

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        first = client.post(concerns_url(world), VALID, HTTP_IDEMPOTENCY_KEY="concern-1")
        again = client.post(concerns_url(world), VALID, HTTP_IDEMPOTENCY_KEY="concern-1")

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Concern.objects.count() == 1
    assert Notification.objects.filter(kind="concern.acknowledge").count() == 2  # the two leads


@pytest.mark.parametrize(
    ("who", "changes", "field"),
    [
        ("coordinator", {"category": "witchcraft"}, "category"),
        ("coordinator", {"category": None}, "category"),
        ("coordinator", {"severity": "catastrophic"}, "severity"),
        ("coordinator", {"description": ""}, "description"),
        ("coordinator", {"description": "   "}, "description"),
        ("coordinator", {"visibility": "everyone"}, "visibility"),
        ("coordinator", {"happened_at": "yesterday"}, "happened_at"),
        # Found by the fuzzer: London's time in 824 is 75 seconds off UTC, not valid RFC 3339.
        ("coordinator", {"happened_at": "0824-09-07T10:49:24Z"}, "happened_at"),
        ("family", {"visibility": "network"}, "visibility"),
        ("family", {"visibility": "restricted"}, "visibility"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    world: World, who: str, changes: dict[str, Any], field: str
) -> None:
    before = stored()
    body = {**VALID, **changes}

    response = client_for(getattr(world, who)).post(concerns_url(world), body)

    assert response.status_code == 400
    assert set(errors(response)) == {field}
    assert all(message.strip() for message in errors(response)[field])
    assert stored() == before


def test_a_missing_field_is_named(world: World) -> None:
    response = client_for(world.coordinator).post(concerns_url(world), {"severity": "low"})

    assert response.status_code == 400
    assert set(errors(response)) == {"category", "description"}
    assert not Concern.objects.exists()


def test_an_empty_description_is_answered_in_plain_words(world: World) -> None:
    response = client_for(world.coordinator).post(concerns_url(world), {**VALID, "description": ""})

    assert errors(response) == {"description": ["Describe what happened"]}


def test_a_family_member_choosing_the_whole_network_is_told_why(world: World) -> None:
    response = client_for(world.family).post(
        concerns_url(world), {**VALID, "visibility": "network"}
    )

    assert errors(response) == {"visibility": ["You cannot share a concern with that audience"]}


@pytest.mark.parametrize("network", ["outside", "missing"])
def test_a_network_outside_yours_is_not_found_and_nothing_is_stored(
    world: World, network: str
) -> None:
    before = stored()
    network_id = world.network.pk if network == "outside" else world.network.pk + 1000
    client = client_for(world.outsider)

    raised = client.post(f"{API}/networks/{network_id}/concerns/", VALID)
    listed = client.get(f"{API}/networks/{network_id}/concerns/")

    assert raised.status_code == listed.status_code == 404
    assert errors(raised) == {"non_field_errors": ["Not found."]}
    assert stored() == before


# --- Reading --------------------------------------------------------------------------------


def test_what_a_user_may_not_see_is_absent_and_not_found(world: World) -> None:
    hidden = concern_raise_as(world.practitioner_b, world.network, visibility=Visibility.AGENCY)
    shared = concern_raise_as(world.practitioner_b, world.network, visibility=Visibility.NETWORK)
    client = client_for(world.practitioner_c)

    listed = client.get(concerns_url(world)).json()

    assert [c["id"] for c in listed["results"]] == [shared.pk]
    for action in ("", "updates", "acknowledge", "review", "close", "withdraw"):
        method = client.get if action in ("", "updates") else client.post
        response = method(concern_url(hidden, action), {"outcome": "x", "reason": "x"})
        assert response.status_code == 404, action
    assert Concern.objects.get(pk=hidden.pk).status == "open"
    friend = client_for(world.friend)
    assert friend.get(concern_url(shared)).status_code == 200
    assert client_for(world.practitioner_b).get(concern_url(hidden)).status_code == 200


def test_the_list_filters_by_status_severity_and_category(world: World) -> None:
    low = concern_raise_as(world.coordinator, world.network, severity="low", category="missing")
    urgent = concern_raise_as(world.coordinator, world.network, severity="urgent")
    client = client_for(world.coordinator)
    client_for(world.practitioner_b).post(concern_url(urgent, "acknowledge"))

    def ids(query: str) -> list[int]:
        return [c["id"] for c in client.get(f"{concerns_url(world)}?{query}").json()["results"]]

    assert ids("severity=low") == [low.pk]
    assert ids("category=missing") == [low.pk]
    assert ids("status=acknowledged") == [urgent.pk]
    assert ids("status=open&severity=urgent") == []
    assert ids("") == [urgent.pk, low.pk]
    response = client.get(f"{concerns_url(world)}?status=forgotten")
    assert response.status_code == 400
    assert set(errors(response)) == {"status"}


def test_reading_a_concern_is_audited(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network)

    client_for(world.lead_b).get(concern_url(concern))

    audit = AuditEvent.objects.get(actor=world.lead_b, object_id=str(concern.pk))
    assert audit.channel == "api"
    assert audit.summary == "Viewed a concern"
    assert audit.person_id == world.network.person_id


# --- Following ------------------------------------------------------------------------------


def test_a_concern_is_acknowledged_reviewed_and_closed(world: World) -> None:
    concern = concern_raise_as(world.family, world.network, severity="urgent")
    client = client_for(world.practitioner_b)

    acknowledged = client.post(concern_url(concern, "acknowledge"))
    again = client.post(concern_url(concern, "acknowledge"))
    reviewing = client.post(concern_url(concern, "review"))
    no_outcome = client.post(concern_url(concern, "close"), {"outcome": ""})
    closed = client.post(concern_url(concern, "close"), {"outcome": "Strategy meeting held"})

    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"]["id"] == world.practitioner_b.pk
    assert again.status_code == 400
    assert errors(again) == {"non_field_errors": ["This concern has already been acknowledged"]}
    assert reviewing.json()["status"] == "under_review"
    assert errors(no_outcome) == {"outcome": ["Say what the outcome was"]}
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["outcome"] == "Strategy meeting held"
    history = client.get(concern_url(concern, "updates")).json()
    assert [u["kind"] for u in history["results"]] == ["acknowledged", "under_review", "closed"]


def test_family_cannot_acknowledge_even_their_own_concern(world: World) -> None:
    concern = concern_raise_as(world.family, world.network, severity="urgent")

    response = client_for(world.family).post(concern_url(concern, "acknowledge"))

    assert response.status_code == 403
    assert errors(response) == {
        "non_field_errors": ["Only professionals can acknowledge a concern"]
    }
    assert Concern.objects.get(pk=concern.pk).acknowledged_at is None


def test_only_the_raiser_withdraws_with_a_reason(world: World) -> None:
    concern = concern_raise_as(world.family, world.network)

    by_other = client_for(world.coordinator).post(
        concern_url(concern, "withdraw"), {"reason": "Not needed"}
    )
    no_reason = client_for(world.family).post(concern_url(concern, "withdraw"), {"reason": ""})
    withdrawn = client_for(world.family).post(
        concern_url(concern, "withdraw"), {"reason": "I had the wrong day"}
    )

    assert by_other.status_code == 403
    assert errors(no_reason) == {"reason": ["Say why you are withdrawing it"]}
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawn_reason"] == "I had the wrong day"


def test_updates_are_added_and_listed(world: World) -> None:
    concern = concern_raise_as(world.family, world.network)

    added = client_for(world.coordinator).post(
        concern_url(concern, "updates"), {"text": "Spoke to the school"}, HTTP_IDEMPOTENCY_KEY="u1"
    )
    empty = client_for(world.coordinator).post(concern_url(concern, "updates"), {"text": ""})
    by_raiser = client_for(world.family).post(
        concern_url(concern, "updates"), {"text": "He is home now"}
    )

    assert added.status_code == by_raiser.status_code == 201
    assert added.json()["kind"] == "note"
    assert added.json()["created_by"]["id"] == world.coordinator.pk
    assert empty.status_code == 400 and set(errors(empty)) == {"text"}
    listed = client_for(world.coordinator).get(concern_url(concern, "updates")).json()
    assert [u["text"] for u in listed["results"]] == ["Spoke to the school", "He is home now"]
    # The family member who raised it reads what they wrote, not the professionals' notes.
    theirs = client_for(world.family).get(concern_url(concern, "updates")).json()
    assert [u["text"] for u in theirs["results"]] == ["He is home now"]
    assert ConcernUpdate.objects.count() == 2


# --- Alerts ---------------------------------------------------------------------------------


def test_leads_see_cumulative_alerts_of_the_networks_they_review(world: World) -> None:
    now = timezone.now()
    first = concern_raise_as(world.coordinator, world.network)
    raised_at_set(first, now - datetime.timedelta(days=2))
    concern_raise_as(world.practitioner_b, world.network)
    concern_raise_as(world.practitioner_c, world.network)
    alert = CumulativeAlert.objects.get()

    as_lead = client_for(world.lead_a).get(f"{API}/alerts/")
    elsewhere = client_for(staff_create(role=StaffRole.SAFEGUARDING_LEAD)).get(f"{API}/alerts/")
    practitioner = client_for(world.practitioner_b).get(f"{API}/alerts/")
    acknowledged_only = client_for(world.lead_a).get(f"{API}/alerts/?is_open=false")

    assert as_lead.status_code == 200
    (shown,) = as_lead.json()["results"]
    assert shown["id"] == alert.pk
    assert shown["rule"] == "agencies_in_window"
    assert shown["concern_count"] == 3
    assert shown["network"]["id"] == world.network.pk
    assert DESCRIPTION not in str(shown)
    assert elsewhere.json()["count"] == 0
    assert practitioner.status_code == 403
    assert acknowledged_only.json()["count"] == 0
    assert AuditEvent.objects.filter(
        actor=world.lead_a, object_type="cumulative_alert", network_id=world.network.pk
    ).exists()


# --- Query counts ---------------------------------------------------------------------------

# network_get_for_user for a safeguarding lead (5: membership (none), network, staff roles, and the
# agencies involved through involvement and through members), count and page (2), who of the
# page's people the reader may not know of (1), audit (1).
CONCERN_LIST_QUERIES = 5 + 2 + 1 + 1


@pytest.mark.parametrize("size", [5, 50])
def test_the_concern_list_runs_the_same_queries_however_many_concerns(
    world: World,
    size: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    authors = [world.coordinator, world.practitioner_b, world.family, world.lead_b]
    for n in range(size):
        concern = concern_raise_as(authors[n % 4], world.network, severity="high")
        if n % 3 == 0:
            client_for(world.coordinator).post(concern_url(concern, "acknowledge"))
    client = client_for(world.lead_a)

    with django_assert_num_queries(CONCERN_LIST_QUERIES):
        response = client.get(concerns_url(world))

    assert response.json()["count"] == size
    assert len(response.json()["results"]) == size
