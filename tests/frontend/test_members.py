"""Members: inviting, withdrawing, coordinators, removal and leaving; accepting invitations."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from accounts.models import User
from caregraph.models import Invitation, MemberKind, Membership, MembershipStatus
from notifications.invitations import invitation_create
from tests.factories import UserFactory
from tests.frontend.conftest import error_summary, signed_in, staff, text, viewer

pytestmark = pytest.mark.django_db


def _invite(network, coordinator, email: str, kind: str = MemberKind.FAMILY) -> str:
    _invitation, token = invitation_create(
        network=network,
        invited_by=coordinator,
        viewer=viewer(coordinator, network),
        email=email,
        kind=kind,
        relationship="Aunt",
    )
    return token


def test_everyone_in_the_network_sees_the_members(network, practitioner, family_member) -> None:
    page = text(signed_in(family_member).get(f"/networks/{network.pk}/members/"))
    assert f"{practitioner.display_name} Coordinator Professional" in page
    assert "Grace Thompson (you) Family: Grandmother" in page
    assert "Leave this network" in page
    assert "Invite someone" not in page
    assert "Remove" not in page


def test_a_coordinator_invites_by_email_and_the_invitation_is_sent(
    network, practitioner, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(practitioner)
    assert "Invite someone" in text(client.get(f"/networks/{network.pk}/members/"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/networks/{network.pk}/members/invite/",
            {"email": "Aunt.Jo@Example.org", "kind": MemberKind.FAMILY, "relationship": "Aunt"},
        )

    assert response["Location"] == f"/networks/{network.pk}/members/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.kind) == ("aunt.jo@example.org", MemberKind.FAMILY)
    (sent,) = mail.outbox
    assert re.search(r"/invitations/[\w-]+/", str(sent.body))
    assert "Ava" not in sent.body
    page = text(client.get(f"/networks/{network.pk}/members/"))
    assert "We have emailed an invitation to aunt.jo@example.org." in page
    assert "aunt.jo@example.org Family: Aunt" in page


def test_an_invitation_with_mistakes_is_not_sent(network, practitioner) -> None:
    response = signed_in(practitioner).post(
        f"/networks/{network.pk}/members/invite/", {"email": "not-an-email", "relationship": "Aunt"}
    )
    summary = error_summary(response)
    assert "Enter an email address in the correct format, like name@example.com" in summary
    assert "Select how they are part of this person's life" in summary
    assert 'href="#id_kind_0"' in response.content.decode()
    assert 'value="Aunt"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_coordinators_invite(network, family_member) -> None:
    client = signed_in(family_member)
    assert client.get(f"/networks/{network.pk}/members/invite/").status_code == 404
    posted = client.post(
        f"/networks/{network.pk}/members/invite/",
        {"email": "someone@example.org", "kind": MemberKind.FRIEND},
    )
    assert posted.status_code == 404
    assert not Invitation.objects.exists()


def test_withdrawing_an_invitation_stops_its_link_working(network, practitioner) -> None:
    token = _invite(network, practitioner, "aunt.jo@example.org")
    invitation = Invitation.objects.get()

    response = signed_in(practitioner).post(
        f"/networks/{network.pk}/invitations/{invitation.pk}/withdraw/"
    )

    assert response.status_code == 302
    assert Invitation.objects.get().revoked_at is not None
    gone = Client().get(f"/invitations/{token}/")
    assert gone.status_code == 404
    assert "This invitation link does not work" in text(gone)


def test_removing_a_member_asks_first_and_takes_effect_at_once(
    network, practitioner, family_member
) -> None:
    membership = Membership.objects.get(user=family_member)
    coordinator = signed_in(practitioner)
    removed = signed_in(family_member)
    assert removed.get(f"/networks/{network.pk}/").status_code == 200

    confirm = coordinator.get(f"/networks/{network.pk}/members/{membership.pk}/remove/")
    assert "Remove Grace Thompson from this network?" in text(confirm)
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ACTIVE

    done = coordinator.post(
        f"/networks/{network.pk}/members/{membership.pk}/remove/", {"reason": "Moved away"}
    )

    assert done["Location"] == f"/networks/{network.pk}/members/"
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.REMOVED
    for page in ("", "members/", "map/", "family/"):
        assert removed.get(f"/networks/{network.pk}/{page}").status_code == 404


def test_family_cannot_remove_anyone(network, practitioner, family_member) -> None:
    coordinator = Membership.objects.get(user=practitioner)
    client = signed_in(family_member)
    url = f"/networks/{network.pk}/members/{coordinator.pk}/remove/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Membership.objects.get(pk=coordinator.pk).status == MembershipStatus.ACTIVE


def test_making_and_unmaking_a_coordinator(network, practitioner, family_member) -> None:
    membership = Membership.objects.get(user=family_member)
    client = signed_in(practitioner)
    url = f"/networks/{network.pk}/members/{membership.pk}/coordinator/"

    client.post(url, {"is_coordinator": "1"})
    assert Membership.objects.get(pk=membership.pk).is_coordinator
    assert "Grace Thompson is now a coordinator." in text(
        client.get(f"/networks/{network.pk}/members/")
    )

    client.post(url, {"is_coordinator": "0"})
    assert not Membership.objects.get(pk=membership.pk).is_coordinator


def test_the_last_coordinator_cannot_stop_being_one(network, practitioner) -> None:
    own = Membership.objects.get(user=practitioner)
    client = signed_in(practitioner)
    client.post(f"/networks/{network.pk}/members/{own.pk}/coordinator/", {"is_coordinator": "0"})
    assert Membership.objects.get(pk=own.pk).is_coordinator
    assert "A network needs a coordinator" in text(client.get(f"/networks/{network.pk}/"))


def test_leaving_asks_first_and_takes_effect_at_once(network, family_member) -> None:
    client = signed_in(family_member)
    confirm = client.get(f"/networks/{network.pk}/leave/")
    assert "Leave the network around Ava?" in text(confirm)

    left = client.post(f"/networks/{network.pk}/leave/")

    assert left["Location"] == "/"
    assert Membership.objects.get(user=family_member).status == MembershipStatus.LEFT
    assert "You have left the network around Ava." in text(client.get("/"))
    assert client.get(f"/networks/{network.pk}/").status_code == 404


def test_the_last_coordinator_cannot_leave(network, practitioner) -> None:
    response = signed_in(practitioner).post(f"/networks/{network.pk}/leave/")
    assert response.status_code == 200
    assert "make someone else a coordinator first" in error_summary(response)
    assert Membership.objects.get(user=practitioner).status == MembershipStatus.ACTIVE


# Accepting an invitation


def test_a_link_that_does_not_work_says_so(network, practitioner) -> None:
    response = Client().get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation link does not work" in text(response)


def test_the_invited_user_joins_with_one_button(network, practitioner) -> None:
    invited = UserFactory.create(email="aunt.jo@example.org")
    token = _invite(network, practitioner, "aunt.jo@example.org")
    client = signed_in(invited)

    page = client.get(f"/invitations/{token}/")
    assert "Join the network around Ava" in text(page)
    assert "Thompson" not in text(page)

    joined = client.post(f"/invitations/{token}/")

    assert joined["Location"] == f"/networks/{network.pk}/welcome/"
    membership = Membership.objects.get(user=invited)
    assert (membership.kind, membership.relationship) == (MemberKind.FAMILY, "Aunt")
    assert "You have joined the network around Ava." in text(client.get(joined["Location"]))
    used = client.get(f"/invitations/{token}/")
    assert "This invitation link does not work" in text(used)


def test_someone_signed_in_with_another_email_is_told_so(network, practitioner) -> None:
    token = _invite(network, practitioner, "aunt.jo@example.org")
    other = UserFactory.create(email="someone.else@example.org")
    client = signed_in(other)

    page = client.get(f"/invitations/{token}/")
    assert "This invitation is for another email address" in text(page)
    assert "Ava" not in text(page)
    client.post(f"/invitations/{token}/")
    assert not Membership.objects.filter(user=other).exists()


def test_someone_without_an_account_creates_one_and_joins(network, practitioner) -> None:
    token = _invite(network, practitioner, "aunt.jo@example.org")
    client = Client()

    form = client.get(f"/invitations/{token}/")
    assert "Create your account to join a care network" in text(form)
    assert "aunt.jo@example.org" in text(form)
    assert "Ava" not in text(form)

    joined = client.post(
        f"/invitations/{token}/",
        {
            "display_name": "Jo Thompson",
            "password1": "violet-harbour-kettle",
            "password2": "violet-harbour-kettle",
        },
    )

    user = User.objects.get(email="aunt.jo@example.org")
    assert joined["Location"] == f"/networks/{network.pk}/welcome/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert user.display_name == "Jo Thompson"
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.filter(user=user, network=network).exists()
    assert client.get(f"/networks/{network.pk}/").status_code == 200


def test_a_new_account_with_mistakes_saves_nothing(network, practitioner) -> None:
    token = _invite(network, practitioner, "aunt.jo@example.org")
    response = Client().post(
        f"/invitations/{token}/",
        {"display_name": "Jo", "password1": "violet-harbour-kettle", "password2": "violet"},
    )
    assert "The passwords do not match" in error_summary(response)
    assert 'value="Jo"' in response.content.decode()
    short = Client().post(
        f"/invitations/{token}/", {"display_name": "", "password1": "abc", "password2": "abc"}
    )
    assert "Enter your name" in error_summary(short)
    assert "too short" in error_summary(short)
    assert not User.objects.filter(email="aunt.jo@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_professional_invitation_for_someone_without_an_agency_saves_nothing(
    network, practitioner
) -> None:
    token = _invite(network, practitioner, "not.staff@example.org", kind=MemberKind.PROFESSIONAL)
    response = Client().post(
        f"/invitations/{token}/",
        {
            "display_name": "Sam",
            "password1": "violet-harbour-kettle",
            "password2": "violet-harbour-kettle",
        },
    )
    assert "Only agency staff can join as professionals" in error_summary(response)
    assert not User.objects.filter(email="not.staff@example.org").exists()


def test_someone_with_an_account_who_is_not_signed_in_is_sent_to_sign_in(
    network, practitioner
) -> None:
    staff_member = staff()
    token = _invite(network, practitioner, staff_member.email, kind=MemberKind.PROFESSIONAL)

    page = Client().get(f"/invitations/{token}/")

    assert "Sign in to accept your invitation" in text(page)
    assert f"/account/login/?next=%2Finvitations%2F{token}%2F" in page.content.decode()
    assert not Membership.objects.filter(user=staff_member).exists()
