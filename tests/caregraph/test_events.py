"""The network event log: numbered in order, written with the change, published after commit
to exactly the audience groups the policy allows."""

import itertools

import pytest
from django.db import transaction

from caregraph.models import MemberKind, NetworkEvent, NetworkEventKind, Visibility
from caregraph.policy import records_visible_to, users_who_may_see
from caregraph.realtime import event_audiences
from caregraph.services.events import network_event_append
from tests.caregraph.conftest import ROLES, World
from tests.networks import coordinator_of, member_add, network_create, viewer

pytestmark = pytest.mark.django_db


def test_events_are_numbered_in_order_per_network() -> None:
    first, second = network_create(), network_create()
    base_first = first.events.count()
    for network in (first, second, first, first):
        with transaction.atomic():
            network_event_append(network=network, kind=NetworkEventKind.MEMBER_JOINED, payload={})
    sequences = list(first.events.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, base_first + 4))
    first.refresh_from_db()
    assert first.last_sequence == sequences[-1]


def test_a_rolled_back_change_leaves_no_event_and_publishes_nothing(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    network = network_create()
    before = network.events.count()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        network_event_append(network=network, kind=NetworkEventKind.MEMBER_JOINED, payload={})
        raise RuntimeError("the change failed")
    assert network.events.count() == before
    assert callbacks == []


def test_membership_changes_are_logged() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    membership = member_add(network, kind=MemberKind.FRIEND)
    kinds = list(network.events.order_by("sequence").values_list("kind", flat=True))
    assert kinds[-1] == NetworkEventKind.MEMBER_JOINED
    from caregraph.services.networks import membership_end

    membership_end(membership=membership, ended_by=coordinator, viewer=viewer(network, coordinator))
    assert network.events.order_by("-sequence").first().kind == NetworkEventKind.MEMBER_LEFT  # type: ignore[union-attr]


@pytest.mark.parametrize(("role", "visibility"), list(itertools.product(ROLES, Visibility.values)))
def test_sockets_join_exactly_the_groups_the_policy_allows(
    world: World,
    role: str,
    visibility: str,
) -> None:
    """Live delivery, the database filter and the addressing of notifications agree for
    every role and visibility: the three ways the rule from visibility to audience is used."""
    author = world.users["author"]
    with transaction.atomic():
        event = network_event_append(
            network=world.network,
            kind=NetworkEventKind.CONCERN_RAISED,
            payload={},
            visibility=visibility,
            created_by_id=author.pk,
            author_agency_id=author.staff_memberships.get().agency_id,
        )
    from caregraph.policy import viewer_for

    user = world.users[role]
    addressed = user.pk in users_who_may_see(
        network=world.network,
        visibility=visibility,
        author_id=author.pk,
        author_agency_id=author.staff_memberships.get().agency_id,
    )
    standing = viewer_for(user=user, network=world.network)
    if standing is None:
        assert not addressed
        return  # no socket can be opened at all: the consumer refuses the handshake
    delivered = bool(standing.audiences & event_audiences(event))
    allowed = (
        records_visible_to(NetworkEvent.objects.all(), viewer=standing).filter(pk=event.pk).exists()
    )
    assert delivered == allowed == addressed


def test_the_author_of_a_professionals_only_record_is_in_its_audience(world: World) -> None:
    from caregraph.policy import viewer_for

    family = world.users["family"]
    with transaction.atomic():
        event = network_event_append(
            network=world.network,
            kind=NetworkEventKind.CONCERN_RAISED,
            payload={},
            visibility=Visibility.PROFESSIONALS,
            created_by_id=family.pk,
        )
    standing = viewer_for(user=family, network=world.network)
    assert standing is not None
    assert standing.audiences & event_audiences(event)
