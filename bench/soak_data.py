"""The soak's data: networks of signed-in family members who hold the sockets, a coordinator
with an API token who writes, and people who are e-mailed about each concern.

Runs in this process against the throwaway database, before the servers start; afterwards
it reads what the run left behind (each network's log, the outbox) for the checks.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITY = "medium"


@dataclass(frozen=True)
class SoakNetwork:
    id: int
    token: str  # the coordinator's API token, for writes
    cookies: list[str]  # one signed-in family member's session per socket
    family_user_id: int  # any one of them: they all see the same events


def soak_network_create(*, members: int) -> SoakNetwork:
    """A network of `members` family members, written to by its coordinator.

    A professional from another agency and the coordinator's agency's safeguarding lead are
    told about every concern by e-mail; the family members have chosen no e-mails for its
    severity, so the e-mails are a handful per concern, not one per socket. Family members
    are made in bulk, as in `bench.live_fanout`: their joining is not what is measured.
    """

    from agencies.models import StaffRole
    from api.tokens import api_token_issue
    from bench.live_setup import family_members_add, member_sessions_create
    from caregraph.models import MemberKind
    from notifications.models import Delivery, NotificationPreference
    from tests.factories import AgencyFactory, involvement_add_for_test, staff_create, totp_enrol
    from tests.networks import member_add, network_create

    agency = AgencyFactory.create()
    coordinator = staff_create(agency=agency)
    totp_enrol(coordinator)  # agency staff reach no API without two-factor set up
    network = network_create(coordinator=coordinator, agency=agency)
    involvement_add_for_test(network=network, agency=agency, recorded_by=coordinator)
    member_add(network, kind=MemberKind.PROFESSIONAL, agency=AgencyFactory.create())
    staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)

    users = family_members_add(network, members=members, prefix="soak")
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, severity=SEVERITY, delivery=Delivery.OFF)
            for user in users
        ]
    )
    return SoakNetwork(
        id=network.pk,
        token=api_token_issue(user=coordinator, code_given=True),
        cookies=member_sessions_create(users),
        family_user_id=users[0].pk,
    )


def networks_create(*, sockets: int, per_network: int) -> list[SoakNetwork]:
    """Enough networks of `per_network` members for `sockets` sockets (the last may be
    smaller)."""
    networks = []
    left = sockets
    while left > 0:
        networks.append(soak_network_create(members=min(per_network, left)))
        left -= per_network
    return networks


def visible_sequences(network: SoakNetwork, *, after: int) -> tuple[list[int], int]:
    """The sequences after `after` a family member may see, and the network's last one."""
    from accounts.models import User
    from caregraph.models import Network
    from caregraph.policy import network_events_visible_to, network_get_for_user

    last = Network.objects.values_list("last_sequence", flat=True).get(pk=network.id)
    _network, viewer = network_get_for_user(
        user=User.objects.get(pk=network.family_user_id), network_id=network.id
    )
    events = network_events_visible_to(viewer=viewer).filter(sequence__gt=after, sequence__lte=last)
    return list(events.order_by("sequence").values_list("sequence", flat=True)), last


@dataclass
class OutboxState:
    expected: list[int]  # e-mail rows that must go (not held for a digest)
    unsent: int  # of those, not sent yet
    failed: int  # given up on


def outbox_state() -> OutboxState:
    from notifications.models import OutboxChannel, OutboxMessage
    from notifications.models import OutboxState as State

    rows = OutboxMessage.objects.filter(channel=OutboxChannel.EMAIL).exclude(state=State.HELD)
    states = dict(rows.values_list("pk", "state"))
    return OutboxState(
        expected=sorted(states),
        unsent=sum(1 for state in states.values() if state in {State.PENDING, State.SENDING}),
        failed=sum(1 for state in states.values() if state == State.FAILED),
    )
