"""The welcome after accepting an invitation: who is here, what you can do, how to get help."""

from __future__ import annotations

import pytest
from django.test import Client

from agencies.models import StaffMembership
from caregraph.models import MemberKind, Visibility
from notifications.invitations import invitation_create
from tests.factories import AgencyFactory
from tests.frontend.conftest import join, staff, text, viewer

pytestmark = pytest.mark.django_db


def test_a_new_family_member_is_welcomed_with_who_is_here_and_whom_to_call(
    network, practitioner, family_member
) -> None:
    StaffMembership.objects.filter(user=practitioner).update(
        work_phone="+441632960123", work_email="coordinator@northfield.example"
    )
    police = AgencyFactory.create(name="West Yorkshire Police")
    join(
        network,
        staff(agency=police),
        kind=MemberKind.PROFESSIONAL,
        agency=police,
        visibility=Visibility.PROFESSIONALS,
    )
    _invitation, token = invitation_create(
        network=network,
        invited_by=practitioner,
        viewer=viewer(practitioner, network),
        email="aunt.jo@example.org",
        kind=MemberKind.FAMILY,
        relationship="Aunt",
    )
    client = Client()
    joined = client.post(
        f"/invitations/{token}/",
        {
            "display_name": "Jo Thompson",
            "password1": "violet-harbour-kettle",
            "password2": "violet-harbour-kettle",
        },
        follow=True,
    )
    page, html = text(joined), joined.content.decode()

    assert joined.redirect_chain[-1][0] == f"/networks/{network.pk}/welcome/"
    assert "You have joined the network around Ava." in page
    assert "Welcome to the network around Ava Thompson" in page
    assert "Grace Thompson: Family: Grandmother" in page
    assert "Jo Thompson (you): Family: Aunt" in page
    assert (
        f"{practitioner.display_name}: Professional, Northfield Children's Services (coordinator)"
        in page
    )
    assert "West Yorkshire Police" not in html
    assert "sign up for tasks" in page
    assert "record your agency's involvement" not in page
    assert "Work phone: 01632 960123" in page
    assert 'href="mailto:coordinator@northfield.example"' in html
    assert 'href="/help/"' in html
    assert f'href="/networks/{network.pk}/"' in html
    assert "Help" in text(client.get("/help/"))


def test_a_professional_is_told_what_professionals_do(network, practitioner) -> None:
    colleague = staff(agency=practitioner.staff_memberships.get().agency)
    join(
        network,
        colleague,
        kind=MemberKind.PROFESSIONAL,
        agency=colleague.staff_memberships.get().agency,
    )
    client = Client()
    client.force_login(colleague)

    page = text(client.get(f"/networks/{network.pk}/welcome/"))

    assert "record your agency's involvement" in page
    assert "sign up for tasks" not in page


def test_the_welcome_of_a_network_you_are_not_in_is_not_there(network, stranger) -> None:
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/networks/{network.pk}/welcome/").status_code == 404
