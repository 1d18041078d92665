"""Who may read and write messages: threads between the members of a network.

A thread is for the whole network or for people chosen by its author. Messages are the
members' own conversation, so the rules differ from those of shared records:

- a thread for the whole network is read by its current members, and nobody else: a
  safeguarding lead who reviews the network but is not a member does not see it;
- a thread for chosen people is read by those of its participants who are still members,
  and nobody else: not the coordinator, not the professionals, not a safeguarding lead,
  unless they are a participant;
- a member who leaves loses every thread at once, on every channel, since each of them
  asks these rules through the viewer's standing now;
- participants are chosen among the members the author may know of (the membership's own
  visibility), and the author is always one.

The threads' fields are named here without importing the app (the core graph imports no
app): `audience`, and `participants` with its `user`. A thread for the whole network has
no participant rows, so that a thread matches the filter once.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from caregraph.models import Membership, MembershipStatus
from caregraph.policy.audiences import Viewer
from caregraph.policy.rules import membership_filter

THREAD_FOR_NETWORK = "network"
THREAD_FOR_CHOSEN = "chosen"


def message_thread_filter(*, viewer: Viewer) -> Q:
    """The Q over threads of the viewer's network that they may read."""
    if not viewer.is_member:
        return Q(pk__in=[])
    return Q(network_id=viewer.network_id) & (
        Q(audience=THREAD_FOR_NETWORK)
        | Q(audience=THREAD_FOR_CHOSEN, participants__user_id=viewer.user_id)
    )


def message_may_write(*, viewer: Viewer) -> bool:
    """Current members start threads and reply in those they may read."""
    return viewer.is_member


def message_participants_choosable(*, viewer: Viewer) -> QuerySet[Membership]:
    """The active memberships whose people the viewer may add to a thread: those they may
    know of, themself included."""
    if not viewer.is_member:
        return Membership.objects.none()
    return Membership.objects.filter(
        network_id=viewer.network_id, status=MembershipStatus.ACTIVE
    ).filter(membership_filter(viewer=viewer))


def message_thread_reader_ids(
    *, network_id: int, audience: str, participant_ids: list[int]
) -> list[int]:
    """The users who may read a thread now: the network's active members, or those of its
    participants who are still members. A new message is addressed to them, live and by
    notification."""
    members = Membership.objects.filter(network_id=network_id, status=MembershipStatus.ACTIVE)
    if audience != THREAD_FOR_NETWORK:
        members = members.filter(user_id__in=participant_ids)
    return sorted(members.values_list("user_id", flat=True))
