"""Who may do what to a concern, on top of `caregraph.policy` (which decides who may see it).
Pages ask these to decide which buttons to show; services ask them to refuse.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from caregraph.policy import Viewer
from concerns.models import Concern, ConcernStatus

FINISHED = (ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN)


def concern_raised_by(*, concern: Concern, viewer: Viewer) -> bool:
    return concern.created_by_id == viewer.user_id


def concern_may_acknowledge(*, concern: Concern, viewer: Viewer) -> bool:
    """Acknowledgement is four-eyes: a professional other than the person who raised it, so
    that nobody stops their own concern escalating or times their own acknowledgement."""
    return viewer.is_professional and not concern_raised_by(concern=concern, viewer=viewer)


def concern_may_review(*, concern: Concern, viewer: Viewer) -> bool:
    """A professional may put a concern under review. Starting a review of an unacknowledged
    concern acknowledges it, so its raiser may do so only once someone else acknowledged it."""
    if not viewer.is_professional:
        return False
    if concern.acknowledged_at is None:
        return concern_may_acknowledge(concern=concern, viewer=viewer)
    return True


def concern_may_add_update(*, concern: Concern, viewer: Viewer) -> bool:
    """Professionals who may see the concern, and the person who raised it, add notes."""
    return viewer.is_professional or concern_raised_by(concern=concern, viewer=viewer)


def concern_may_close(*, concern: Concern, viewer: Viewer) -> bool:
    return viewer.is_professional


def concern_may_withdraw(*, concern: Concern, viewer: Viewer) -> bool:
    """Only the person who raised a concern withdraws it."""
    return concern_raised_by(concern=concern, viewer=viewer)


def concern_actions(*, concern: Concern, viewer: Viewer) -> dict[str, bool]:
    """Which actions to offer on a concern now: what the services would not refuse."""
    finished = concern.status in FINISHED
    return {
        "acknowledge": concern.status == ConcernStatus.OPEN
        and concern_may_acknowledge(concern=concern, viewer=viewer),
        "update": not finished and concern_may_add_update(concern=concern, viewer=viewer),
        "review": not finished
        and concern.status != ConcernStatus.UNDER_REVIEW
        and concern_may_review(concern=concern, viewer=viewer),
        "close": not finished and concern_may_close(concern=concern, viewer=viewer),
        "withdraw": not finished and concern_may_withdraw(concern=concern, viewer=viewer),
    }


def concern_require(allowed: bool, refusal: str) -> None:
    if not allowed:
        raise PermissionDenied(refusal)
