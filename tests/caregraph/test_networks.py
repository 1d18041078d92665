"""Members of a network: invitations, requests to join, leaving and removal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from caregraph.models import (
    AuditEvent,
    JoinRequestStatus,
    MemberKind,
    MembershipStatus,
    NetworkEvent,
    NetworkEventKind,
    PersonRelationship,
    Visibility,
)
from caregraph.policy import network_get_for_user
from caregraph.selectors import invitation_get_by_token
from caregraph.services.networks import (
    invitation_accept,
    join_request_create,
    join_request_decide,
    membership_add,
    membership_end,
    membership_set_coordinator,
    relationship_link,
)
from notifications.invitations import invitation_create
from tests.factories import UserFactory, staff_create
from tests.networks import coordinator_of, member_add, network_create, viewer

pytestmark = pytest.mark.django_db


def test_an_invitation_email_names_nobody_and_its_link_adds_the_member(
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    network = network_create(given_name="Kayleigh", family_name="Wood")
    coordinator = coordinator_of(network)
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            network=network,
            invited_by=coordinator,
            viewer=viewer(network, coordinator),
            email="Grandma@Example.org",
            kind=MemberKind.FAMILY,
            relationship="Grandmother",
        )

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["grandma@example.org"]
    assert token in message.body
    for private in ("Kayleigh", "Wood", "Grandmother", coordinator.display_name):
        assert private not in message.body + message.subject

    grandma = UserFactory.create(email="grandma@example.org")
    opened = invitation_get_by_token(token=token)
    assert opened == invitation
    membership = invitation_accept(invitation=opened, user=grandma)

    assert membership.kind == MemberKind.FAMILY
    assert network_get_for_user(user=grandma, network_id=network.pk)[0] == network
    assert invitation_get_by_token(token=token) is None  # used once


def test_an_invitation_cannot_be_used_by_someone_else_or_after_it_expires() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    invitation, token = invitation_create(
        network=network,
        invited_by=coordinator,
        viewer=viewer(network, coordinator),
        email="friend@example.org",
        kind=MemberKind.FRIEND,
    )
    with pytest.raises(ValidationError, match="different e-mail"):
        invitation_accept(invitation=invitation, user=UserFactory.create())

    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    assert invitation_get_by_token(token=token) is None
    assert invitation_get_by_token(token="not-a-token") is None


def test_only_a_coordinator_may_invite_or_remove() -> None:
    network = network_create()
    family = member_add(network).user
    with pytest.raises(PermissionDenied):
        invitation_create(
            network=network,
            invited_by=family,
            viewer=viewer(network, family),
            email="x@example.org",
            kind=MemberKind.FRIEND,
        )
    other = member_add(network)
    with pytest.raises(PermissionDenied):
        membership_end(membership=other, ended_by=family, viewer=viewer(network, family))


def test_leaving_and_removal_take_effect_at_once() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    leaver, removed = member_add(network), member_add(network, kind=MemberKind.FRIEND)

    membership_end(membership=leaver, ended_by=leaver.user, viewer=viewer(network, leaver.user))
    membership_end(membership=removed, ended_by=coordinator, viewer=viewer(network, coordinator))

    leaver.refresh_from_db()
    removed.refresh_from_db()
    assert (leaver.status, removed.status) == (MembershipStatus.LEFT, MembershipStatus.REMOVED)
    for gone in (leaver.user, removed.user):
        with pytest.raises(Http404):
            network_get_for_user(user=gone, network_id=network.pk)


def test_making_someone_a_coordinator_is_told_to_those_who_may_know_they_are_here(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    professional = staff_create()
    membership = membership_add(
        network=network,
        user=professional,
        kind=MemberKind.PROFESSIONAL,
        added_by=coordinator,
        visibility=Visibility.PROFESSIONALS,
    )
    family = member_add(network)

    with django_capture_on_commit_callbacks(execute=True) as published:
        membership_set_coordinator(
            membership=membership,
            is_coordinator=True,
            changed_by=coordinator,
            viewer=viewer(network, coordinator),
        )

    event = NetworkEvent.objects.filter(network=network).latest("sequence")
    assert event.kind == NetworkEventKind.MEMBER_CHANGED
    assert (event.record_type, event.record_id) == ("membership", membership.pk)
    assert event.payload["membership_id"] == membership.pk
    assert len(published) == 1
    told = {
        user
        for user in (coordinator, professional, family.user)
        if viewer(network, user).may_see(
            visibility=event.visibility,
            author_id=event.created_by_id,
            author_agency_id=event.author_agency_id,
        )
    }
    assert told == {coordinator, professional}
    assert AuditEvent.objects.filter(
        network=network, object_type="membership", object_id=str(membership.pk)
    ).exists()


def test_the_last_coordinator_cannot_leave() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    membership = network.memberships.get(user=coordinator)
    with pytest.raises(ValidationError, match="needs a coordinator"):
        membership_end(
            membership=membership, ended_by=coordinator, viewer=viewer(network, coordinator)
        )


def test_a_professional_asks_to_join_and_the_coordinator_approves() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    gp = staff_create()
    with pytest.raises(Http404):
        network_get_for_user(user=gp, network_id=network.pk)

    request = join_request_create(network=network, requested_by=gp, reason="Registered GP")
    with pytest.raises(ValidationError, match="already asked"):
        join_request_create(network=network, requested_by=gp, reason="Again")
    with pytest.raises(Http404):  # asking shows nothing
        network_get_for_user(user=gp, network_id=network.pk)

    join_request_decide(
        join_request=request,
        decided_by=coordinator,
        viewer=viewer(network, coordinator),
        approve=True,
    )

    assert request.status == JoinRequestStatus.APPROVED
    _, gp_viewer = network_get_for_user(user=gp, network_id=network.pk)
    assert gp_viewer.is_professional


def test_family_and_friends_cannot_ask_to_join() -> None:
    with pytest.raises(ValidationError, match="agency staff"):
        join_request_create(
            network=network_create(), requested_by=UserFactory.create(), reason="Curious"
        )


def test_an_empty_reason_is_refused_and_nothing_is_stored() -> None:
    network = network_create()
    with pytest.raises(ValidationError) as error:
        join_request_create(network=network, requested_by=staff_create(), reason="   ")
    assert "reason" in error.value.message_dict
    assert not network.join_requests.exists()


def test_relatives_are_linked_both_ways() -> None:
    coordinator = staff_create()
    child = network_create(coordinator=coordinator, given_name="Mia")
    mother = network_create(coordinator=coordinator, given_name="Dana")

    relationship_link(
        network=child,
        relative_network=mother,
        kind="parent",
        linked_by=coordinator,
        viewer=viewer(child, coordinator),
    )

    assert PersonRelationship.objects.get(person=child.person).kind == "parent"
    assert PersonRelationship.objects.get(person=mother.person).kind == "child"
