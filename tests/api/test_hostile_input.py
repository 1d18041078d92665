"""Hostile and odd input, sent to every path the API has: never a 500, always JSON.

The paths are not listed by hand: they are read from the URL resolver, so an endpoint added
later is probed too. Each is tried with every method, with `OPTIONS`, with JSON nested far
deeper than any form of ours, and with a body too large to accept; each answer must be below
500 and in the one documented shape, `{"errors": {...}}`, wherever it is an error.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from agencies.services import involvement_create
from api.v1 import networks as networks_api
from caregraph.models import MemberKind, Person
from caregraph.policy import viewer_for
from caregraph.services.networks import join_request_create
from notifications.invitations import invitation_create
from tests.api.helpers import API, client_for, coordinator_of, member_add, network_create
from tests.factories import AgencyFactory, UserFactory, staff_create
from tests.networks import works_for

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000 + "]" * 100_000
NESTED_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000
METHODS = ("get", "post", "put", "patch", "delete", "options")


def api_routes() -> Iterator[str]:
    """Every route under /api/v1/, as a pattern with `<int:name>` placeholders."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    for route in walk(get_resolver().url_patterns, "/"):
        if route.startswith(API + "/"):
            yield route


def world() -> tuple[Any, dict[str, int]]:
    """A network with one of everything, made through the API and the services."""
    network = network_create()
    member_add(network)
    coordinator = coordinator_of(network)
    agency = AgencyFactory.create()
    client = client_for(coordinator)
    base = f"{API}/networks/{network.pk}"
    concern = client.post(
        f"{base}/concerns/",
        {"category": "neglect", "severity": "low", "description": "Left alone after school."},
        format="json",
    ).json()
    event = client.post(
        f"{base}/events/",
        {
            "title": "Visit",
            "kind": "home_visit",
            "start": "2026-10-12T10:00:00",
            "end": "2026-10-12T11:00:00",
        },
        format="json",
    ).json()
    task = client.post(
        f"{base}/tasks/", {"title": "Collect", "due_at": "2026-12-08T17:00:00"}, format="json"
    ).json()
    update = client.post(f"{base}/updates/", {"text": "A good day"}, format="json").json()
    thread = client.post(
        f"{base}/threads/",
        {"subject": "Friday", "text": "Who can collect?", "audience": "network"},
        format="json",
    ).json()
    invitation, _ = invitation_create(
        network=network,
        invited_by=coordinator,
        viewer=viewer_for(user=coordinator, network=network),  # type: ignore[arg-type]
        email="friend@example.org",
        kind=MemberKind.FRIEND,
    )
    join_request = join_request_create(
        network=network, requested_by=staff_create(), reason="New school nurse"
    )
    involvement = involvement_create(
        network=network,
        viewer=viewer_for(user=works_for(coordinator, agency), network=network),  # type: ignore[arg-type]
        created_by=coordinator,
        agency=agency,
        service="Early help",
        started_on=datetime.date(2026, 1, 5),
        visibility="professionals",
    )
    shared_file = client.post(
        f"{base}/files/",
        {"title": "Shopping list", "file": SimpleUploadedFile("list.txt", b"Milk\nBread\n")},
        format="multipart",
    ).json()
    medicine = client.post(f"{base}/medicines/", {"name": "Paracetamol"}, format="json").json()
    ids = {
        "network_id": network.pk,
        "person_id": network.person_id,
        "concern_id": concern["id"],
        "event_id": event["id"],
        "task_id": task["id"],
        "invitation_id": invitation.pk,
        "join_request_id": join_request.pk,
        "involvement_id": involvement.pk,
        "membership_id": network.memberships.filter(is_coordinator=False).get().pk,
        "agency_id": agency.pk,
        "file_id": shared_file["id"],
        "medicine_id": medicine["id"],
        "update_id": update["id"],
        "photo_id": 0,
        "thread_id": thread["id"],
    }
    return coordinator, ids


def filled(route: str, ids: dict[str, int]) -> str:
    return re.sub(r"<int:(\w+)>", lambda match: str(ids[match.group(1)]), route)


def assert_json_shape(response: Any, where: str) -> None:
    assert response.status_code < 500, where
    if response.status_code == 204:
        assert not response.content, where
        return
    assert response["Content-Type"].startswith("application/json"), where
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"errors"}, (where, body)
        assert all(isinstance(v, list) and v for v in body["errors"].values()), (where, body)


def test_the_probe_reaches_every_kind_of_endpoint() -> None:
    routes = list(api_routes())
    assert len(routes) >= 30
    assert any(route.endswith("/acknowledge/") for route in routes)
    assert any(route.endswith("/claim/") for route in routes)


@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT], ids=["array", "object"])
def test_deeply_nested_json_is_refused_as_json_on_every_path_and_method(body: str) -> None:
    coordinator, ids = world()
    signed_in = client_for(coordinator)
    anonymous = Client()
    for route in api_routes():
        url = filled(route, ids)
        for method in ("post", "put", "patch"):
            for client in (signed_in, anonymous):
                response = getattr(client, method)(url, body, content_type="application/json")
                assert_json_shape(response, f"{method.upper()} {url}")


def test_the_token_endpoint_refuses_deep_json_with_a_field_error() -> None:
    response = Client().post(f"{API}/auth/token/", NESTED, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["errors"]["non_field_errors"][0]


def test_every_method_on_every_path_answers_json_below_500() -> None:
    coordinator, ids = world()
    client = client_for(coordinator)
    for route in api_routes():
        url = filled(route, ids)
        for method in METHODS:
            response = getattr(client, method)(url)
            assert_json_shape(response, f"{method.upper()} {url}")


def test_options_on_an_action_is_answered_not_crashed() -> None:
    coordinator, ids = world()
    url = f"{API}/networks/{ids['network_id']}/concerns/{ids['concern_id']}/acknowledge/"

    response = client_for(coordinator).options(url)

    assert response.status_code in (200, 405)
    assert "POST" in response["Allow"]


def test_a_body_too_large_is_413_in_the_api_shape(settings: Any) -> None:
    coordinator, ids = world()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    url = f"{API}/networks/{ids['network_id']}/concerns/"

    response = client_for(coordinator).post(
        url,
        {"category": "neglect", "severity": "low", "description": "x" * 20_000},
        format="json",
    )

    assert response.status_code == 413
    assert "too large" in response.json()["errors"]["non_field_errors"][0]


def test_unknown_paths_and_wrong_methods_answer_in_the_api_shape() -> None:
    user = UserFactory.create()
    client = client_for(user)

    unknown = client.get(f"{API}/nothing-here/")
    wrong = client.delete(f"{API}/networks/")

    assert unknown.status_code == 404
    assert unknown.json() == {"errors": {"non_field_errors": ["Not found."]}}
    assert wrong.status_code == 405
    assert list(wrong.json()["errors"]) == ["non_field_errors"]


def test_a_fault_of_ours_answers_500_as_json_under_the_api(monkeypatch: Any) -> None:
    """A server error is still JSON under /api/, with nothing of the fault in it."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail of the fault")

    monkeypatch.setattr(networks_api.NetworkListApi, "get", broken)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory.create())

    response = client.get(f"{API}/networks/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "errors": {"non_field_errors": ["Something went wrong on our side. Try again."]}
    }


@pytest.mark.parametrize("born", ["9999-12-31", "0001-01-01", "1850-02-01", "2999-01-01"])
def test_a_date_of_birth_out_of_range_is_refused_and_nothing_is_saved(born: str) -> None:
    """Such a person used to be saved, and then matching failed after the commit."""
    staff = staff_create()
    people = Person.objects.count()

    response = client_for(staff).post(
        f"{API}/people/",
        {"given_name": "Alex", "family_name": "Smith", "date_of_birth": born},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["date_of_birth"]
    assert Person.objects.count() == people


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("9999-12-31T23:00:00", "9999-12-31T23:30:00", "start"),
        ("0001-01-01T00:00:00", "0001-01-01T01:00:00", "start"),
        ("2026-10-12T10:00:00", "9999-12-31T23:59:59", "end"),
        ("0001-01-01T00:30:00+00:00", "2026-01-01T00:00:00", "start"),
    ],
)
def test_event_times_at_the_ends_of_the_calendar_are_refused_beside_their_field(
    start: str, end: str, field: str
) -> None:
    coordinator, ids = world()

    response = client_for(coordinator).post(
        f"{API}/networks/{ids['network_id']}/events/",
        {"title": "Visit", "kind": "home_visit", "start": start, "end": end},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


@pytest.mark.parametrize("due", ["9999-12-31T23:59:59", "0001-01-01T00:00:00"])
def test_a_task_due_at_the_ends_of_the_calendar_is_refused(due: str) -> None:
    coordinator, ids = world()

    response = client_for(coordinator).post(
        f"{API}/networks/{ids['network_id']}/tasks/", {"title": "Collect", "due_at": due}
    )

    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == ["due_at"]
