"""The medicines list as a family keeps it: everyone in the network reads it; a coordinator,
and the members a coordinator allows on the "Who can change the medicines" page, change it;
every change is kept with who made it, when, and each field before and after, shown on the
History page and through the API. Pages work without JavaScript; lists cost flat queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from caregraph.models import AuditEvent, MemberKind, Network
from caregraph.services.networks import membership_end
from medicines.models import Medicine, MedicineChange
from medicines.services import medicine_add
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create, viewer

pytestmark = pytest.mark.django_db


class Circle:
    def __init__(self) -> None:
        agency = AgencyFactory.create()
        self.coordinator = staff_create(agency=agency)
        totp_enrol(self.coordinator)
        self.network: Network = network_create(coordinator=self.coordinator, agency=agency)
        self.daughter = member_add(self.network, kind=MemberKind.FAMILY).user
        self.son = member_add(self.network, kind=MemberKind.FAMILY).user
        self.gp = member_add(
            self.network, kind=MemberKind.PROFESSIONAL, agency=AgencyFactory.create()
        ).user
        totp_enrol(self.gp)
        self.outsider = UserFactory.create()

    def membership_of(self, user: User) -> int:
        return self.network.memberships.get(user=user, status="active").pk


def page_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


METFORMIN = {
    "name": "Metformin 500 mg tablets",
    "dose": "1 tablet",
    "schedule": "With breakfast and evening meal",
    "prescribed_by": "Dr Patel",
    "pickup": "Boots, High Street, Fridays",
    "notes": "",
}


def test_only_the_coordinator_and_those_they_allow_change_the_list_and_history_is_kept() -> None:
    circle = Circle()
    network = circle.network.pk
    daughter, son = page_as(circle.daughter), page_as(circle.son)

    # The coordinator adds a medicine, without JavaScript.
    response: Any = page_as(circle.coordinator).post(
        f"/networks/{network}/medicines/new/", METFORMIN
    )
    assert response.status_code == 302
    medicine = Medicine.objects.get()

    # The family read it, but cannot change it until allowed.
    listed = daughter.get(f"/networks/{network}/medicines/").content.decode()
    assert "Metformin 500 mg tablets" in listed and "Boots, High Street, Fridays" in listed
    assert "Add a medicine" not in listed
    assert daughter.get(f"/networks/{network}/medicines/new/").status_code == 404
    change_url = f"/networks/{network}/medicines/{medicine.pk}/change/"
    assert daughter.post(change_url, {**METFORMIN, "dose": "2 tablets"}).status_code == 404
    response = api_as(circle.daughter).patch(
        f"/api/v1/networks/{network}/medicines/{medicine.pk}/", {"dose": "2 tablets"}
    )
    assert response.status_code == 403
    assert daughter.get(f"/networks/{network}/medicines/editors/").status_code == 404

    # The coordinator allows the daughter, not the son, on the page for it.
    response = page_as(circle.coordinator).post(
        f"/networks/{network}/medicines/editors/",
        {"editors": [circle.membership_of(circle.daughter)]},
    )
    assert response.status_code == 302
    assert daughter.post(change_url, {**METFORMIN, "dose": "2 tablets"}).status_code == 302
    assert son.post(change_url, {**METFORMIN, "dose": "3 tablets"}).status_code == 404
    response = api_as(circle.daughter).patch(
        f"/api/v1/networks/{network}/medicines/{medicine.pk}/", {"stopped": True}
    )
    assert response.status_code == 200 and response.json()["stopped"] is True

    # Every change is kept: who, what before and after.
    changes = list(MedicineChange.objects.order_by("pk"))
    assert [(c.kind, c.changed_by_id) for c in changes] == [
        ("added", circle.coordinator.pk),
        ("changed", circle.daughter.pk),
        ("stopped", circle.daughter.pk),
    ]
    assert (changes[1].before["dose"], changes[1].after["dose"]) == ("1 tablet", "2 tablets")
    history = son.get(f"/networks/{network}/medicines/history/").content.decode()
    assert "1 tablet" in history and "2 tablets" in history and "Stopped" in history
    response = api_as(circle.gp).get(f"/api/v1/networks/{network}/medicines/history/")
    assert [row["kind"] for row in response.json()["results"]] == ["stopped", "changed", "added"]
    assert response.json()["results"][1]["before"]["dose"] == "1 tablet"
    assert response.json()["results"][1]["changed_by"]["id"] == circle.daughter.pk
    assert AuditEvent.objects.filter(object_type="medicine", action="update").count() == 2

    # Once she leaves, the daughter can neither read nor change it, from any saved URL.
    coordinator_standing = viewer(circle.network, circle.coordinator)
    membership_end(
        membership=circle.network.memberships.get(user=circle.daughter, status="active"),
        ended_by=circle.coordinator,
        viewer=coordinator_standing,
    )
    assert daughter.get(f"/networks/{network}/medicines/").status_code == 404
    assert daughter.post(change_url, METFORMIN).status_code == 404
    for user in (circle.daughter, circle.outsider):
        assert api_as(user).get(f"/api/v1/networks/{network}/medicines/").status_code == 404


def test_the_api_adds_with_an_idempotency_key_and_names_the_wrong_field() -> None:
    circle = Circle()
    api = api_as(circle.coordinator)
    url = f"/api/v1/networks/{circle.network.pk}/medicines/"
    response: Any = api.post(url, {**METFORMIN, "name": ""})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["name"]
    answers = [api.post(url, METFORMIN, HTTP_IDEMPOTENCY_KEY="metformin") for _ in range(2)]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert Medicine.objects.count() == 1 and MedicineChange.objects.count() == 1
    listed = api_as(circle.son).get(url).json()
    assert [row["name"] for row in listed["results"]] == ["Metformin 500 mg tablets"]


def _queries(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_history_cost_the_same_queries_however_long(
    django_assert_num_queries: Any,
) -> None:
    circle = Circle()
    standing = viewer(circle.network, circle.coordinator)

    def add(count: int) -> None:
        for number in range(count):
            medicine_add(
                network=circle.network,
                viewer=standing,
                added_by=circle.coordinator,
                name=f"Medicine {Medicine.objects.count()}-{number}",
            )

    add(2)
    network = circle.network.pk
    urls = {
        "page": (page_as(circle.son), f"/networks/{network}/medicines/"),
        "history page": (page_as(circle.son), f"/networks/{network}/medicines/history/"),
        "api": (api_as(circle.son), f"/api/v1/networks/{network}/medicines/"),
        "api history": (api_as(circle.son), f"/api/v1/networks/{network}/medicines/history/"),
    }
    few = {name: _queries(client, url) for name, (client, url) in urls.items()}
    add(8)
    for name, (client, url) in urls.items():
        with django_assert_num_queries(few[name], info=name):
            client.get(url)


def test_a_task_can_point_at_a_medicine_and_only_one_of_this_network() -> None:
    circle = Circle()
    network = circle.network.pk
    standing = viewer(circle.network, circle.coordinator)
    metformin = medicine_add(
        network=circle.network, viewer=standing, added_by=circle.coordinator, **METFORMIN
    )
    elsewhere = Circle()
    theirs = medicine_add(
        network=elsewhere.network,
        viewer=viewer(elsewhere.network, elsewhere.coordinator),
        added_by=elsewhere.coordinator,
        name="Warfarin",
    )
    son = page_as(circle.son)
    medicines_page = son.get(f"/networks/{network}/medicines/").content.decode()
    assert f"/networks/{network}/tasks/new/?medicine={metformin.pk}" in medicines_page
    form = son.get(f"/networks/{network}/tasks/new/?medicine={metformin.pk}").content.decode()
    assert f'<option value="{metformin.pk}" selected>' in form and "Warfarin" not in form
    task = {
        "title": "Collect the prescription",
        "due_date_day": "4",
        "due_date_month": "12",
        "due_date_year": "2026",
        "due_time": "17:00",
        "notes": "",
        "visibility": "network",
    }
    refused = son.post(f"/networks/{network}/tasks/new/", {**task, "medicine": theirs.pk})
    assert "Select a medicine from the list" in refused.content.decode()
    response: Any = son.post(f"/networks/{network}/tasks/new/", {**task, "medicine": metformin.pk})
    assert response.status_code == 302
    board = son.get(f"/networks/{network}/tasks/").content.decode()
    assert "About" in board and f"#medicine-{metformin.pk}" in board

    api = api_as(circle.son)
    url = f"/api/v1/networks/{network}/tasks/"
    body = {"title": "Collect", "due_at": "2026-12-04T17:00:00+00:00"}
    assert api.post(url, {**body, "medicine_id": theirs.pk}).status_code == 404
    response = api.post(url, {**body, "medicine_id": metformin.pk})
    assert response.status_code == 201 and response.json()["medicine_id"] == metformin.pk


def test_each_medicines_page_renders_for_those_who_may_use_it() -> None:
    circle = Circle()
    network = circle.network.pk
    medicine = medicine_add(
        network=circle.network,
        viewer=viewer(circle.network, circle.coordinator),
        added_by=circle.coordinator,
        **METFORMIN,
    )
    coordinator = page_as(circle.coordinator)
    for path in ("new/", f"{medicine.pk}/change/", "editors/", "history/", ""):
        response: Any = coordinator.get(f"/networks/{network}/medicines/{path}")
        assert response.status_code == 200, path
    editors = coordinator.get(f"/networks/{network}/medicines/editors/").content.decode()
    assert 'type="checkbox"' in editors and str(circle.daughter) in editors
    assert (
        'value="Metformin 500 mg tablets"'
        in coordinator.get(f"/networks/{network}/medicines/{medicine.pk}/change/").content.decode()
    )
