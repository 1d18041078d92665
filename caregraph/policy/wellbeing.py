"""Who may post, answer and narrow wellbeing updates, and who keeps what matters to the
person. Who may *see* an update is the one visibility rule (`audiences`); these say what
each member may do on top of it. Pages ask them which buttons to show; services ask them
to refuse.
"""

from __future__ import annotations

from typing import Protocol

from caregraph.models import MemberKind, Visibility
from caregraph.policy.audiences import Viewer

# Those who keep what matters to the person: the person, or someone who cares for them.
WHAT_MATTERS_KEEPERS = (MemberKind.PERSON, MemberKind.FAMILY, MemberKind.PROFESSIONAL)


class Authored(Protocol):
    created_by_id: int | None


def wellbeing_may_post(*, viewer: Viewer) -> bool:
    """Any member may say how the person is; reviewing safeguarding leads only read."""
    return viewer.is_member


def wellbeing_visibilities_allowed(*, viewer: Viewer) -> list[str]:
    """Family and friends share an update with everyone, or only with the professionals (a
    worry they would rather not tell the whole family); professionals may narrow further."""
    if viewer.is_professional:
        return list(Visibility.values)
    return [Visibility.NETWORK, Visibility.PROFESSIONALS]


def wellbeing_may_answer(*, viewer: Viewer) -> bool:
    """Members who may see an update may reply to it and react; leads only read."""
    return viewer.is_member


def wellbeing_update_may_change(*, viewer: Viewer, update: Authored) -> bool:
    """Only the author changes who may see their update."""
    return viewer.is_member and update.created_by_id == viewer.user_id


def what_matters_may_keep(*, viewer: Viewer) -> bool:
    """The person keeps their own notes; family or a professional member may keep them on
    the person's behalf (recorded as such). Friends and volunteers read them."""
    return viewer.membership is not None and viewer.membership.kind in WHAT_MATTERS_KEEPERS


def what_matters_on_behalf(*, viewer: Viewer) -> bool:
    """Whether what this viewer writes is written on the person's behalf."""
    return not viewer.is_the_person
