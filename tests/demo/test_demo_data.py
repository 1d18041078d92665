"""The demo area: one sign-in per role, loadable again without duplicates."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from agencies.models import StaffMembership, StaffRole
from caregraph.models import Identifier, Network
from caregraph.policy import networks_visible_to
from demo.management.commands.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_prints_sign_ins_that_work_and_can_be_loaded_twice(client: Client) -> None:
    first, second = StringIO(), StringIO()
    call_command("demo_data", stdout=first)
    call_command("demo_data", stdout=second)

    assert first.getvalue() == second.getvalue()
    assert DEMO_PASSWORD in first.getvalue()
    printed = [line.split()[0] for line in first.getvalue().splitlines() if "@demo." in line]
    assert len(printed) == 5
    assert User.objects.filter(email__in=printed).count() == 5
    roles = set(StaffMembership.objects.values_list("role", flat=True))
    assert roles == {StaffRole.PRACTITIONER, StaffRole.SAFEGUARDING_LEAD, StaffRole.AGENCY_ADMIN}
    assert 18 <= Network.objects.count() <= 25
    assert Identifier.objects.filter(value__startswith="999").count() == Network.objects.count()
    practitioner = User.objects.get(email="practitioner@demo.caregraph.test")
    lead = User.objects.get(email="lead@demo.caregraph.test")
    assert networks_visible_to(user=practitioner).count() >= 10
    assert networks_visible_to(user=lead).count() >= 10  # reviews where their agency is involved

    family = "family@demo.caregraph.test"
    assert family in printed
    signed_in = client.post("/account/login/", {"login": family, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200
