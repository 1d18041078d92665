"""Raising and following concerns. Every change is audited and appended to the event log.

A concern moves open → acknowledged → under review → closed (with an outcome), or is
withdrawn by the person who raised it, with a reason. Each change adds a line to its
history (`ConcernUpdate`), an audit row and a network event in one transaction, and tells
the people following it that something changed, never what.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from caregraph.models import AuditAction, Network, NetworkEventKind, Severity, Visibility
from caregraph.policy import (
    Viewer,
    records_visible_to,
)
from caregraph.services.events import network_change_record
from concerns.followers import (
    concern_event_payload,
    concern_followers_notify,
    concern_raised_notify,
)
from concerns.models import (
    Concern,
    ConcernCategory,
    ConcernStatus,
    ConcernUpdate,
    ConcernUpdateKind,
)
from concerns.patterns import concern_patterns_check
from concerns.rules import (
    concern_may_acknowledge,
    concern_may_add_update,
    concern_may_close,
    concern_may_review,
    concern_may_withdraw,
    concern_require,
)

DESCRIPTION_MAX = 5000
UPDATE_TEXT_MAX = 5000
REASON_MAX = 2000
HAPPENED_EARLIEST_YEAR = 1900


def _validate(
    *,
    viewer: Viewer,
    category: str,
    severity: str,
    description: str,
    visibility: str,
    happened_at: datetime.datetime | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if category not in ConcernCategory.values:
        errors["category"] = ["Choose what kind of concern this is"]
    if severity not in Severity.values:
        errors["severity"] = ["Choose how serious this is"]
    if not description.strip():
        errors["description"] = ["Describe what happened"]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"Describe what happened in {DESCRIPTION_MAX} characters or fewer"]
    if visibility not in viewer.concern_visibilities_allowed():
        errors["visibility"] = ["You cannot share a concern with that audience"]
    if happened_at is not None and happened_at > timezone.now():
        errors["happened_at"] = ["When it happened must be in the past"]
    elif happened_at is not None and happened_at.year < HAPPENED_EARLIEST_YEAR:
        # No care record goes back so far; and London's time before 1848 was not a whole
        # minute from UTC, which no client could read back.
        errors["happened_at"] = [f"When it happened must be in {HAPPENED_EARLIEST_YEAR} or later"]
    if errors:
        raise ValidationError(errors)


def _text_required(text: str, *, field: str, missing: str, longest: int) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: [missing]})
    if len(text) > longest:
        raise ValidationError({field: [f"Write {longest} characters or fewer"]})
    return text


def concern_raise(
    *,
    network: Network,
    viewer: Viewer,
    raised_by: User,
    category: str,
    severity: str,
    description: str,
    visibility: str | None = None,
    happened_at: datetime.datetime | None = None,
) -> Concern:
    """Raises a concern about the person at the centre of the network.

    Any member, or a reviewing safeguarding lead, may raise one; family and friends raise
    them to the professionals. It is stored, audited and appended to the event log in one
    transaction; everyone who may see it is told (without its content), and high and urgent
    concerns ask the lead professionals and safeguarding leads to acknowledge them. Patterns
    across agencies are checked in the same transaction (`concern_patterns_check`).

    The author's agency is the one they act for in this network (`Viewer.acting_agency_id`).
    """
    if not viewer.may_raise_concern:
        raise PermissionDenied("Only members of this network can raise a concern")
    visibility = visibility or Visibility.PROFESSIONALS
    _validate(
        viewer=viewer,
        category=category,
        severity=severity,
        description=description,
        visibility=visibility,
        happened_at=happened_at,
    )
    author_agency_id = viewer.acting_agency_id
    with transaction.atomic():
        concern = Concern.objects.create(
            network=network,
            created_by=raised_by,
            author_agency_id=author_agency_id,
            category=category,
            severity=severity,
            description=description.strip(),
            happened_at=happened_at,
            visibility=visibility,
            raised_at=timezone.now(),
        )
        # Appending the event locks the network row until commit, so concerns about one
        # person are raised, and their patterns counted, one at a time.
        network_change_record(
            network=network,
            actor=raised_by,
            action=AuditAction.CREATE,
            summary=f"Raised a {concern.get_severity_display().lower()} concern",
            kind=NetworkEventKind.CONCERN_RAISED,
            payload=concern_event_payload(concern),
            record_type="concern",
            record_id=concern.pk,
            visibility=visibility,
            author_id=raised_by.pk,
            author_agency_id=concern.author_agency_id,
        )
        concern_raised_notify(concern)
        concern_patterns_check(concern=concern)
    return concern


def concern_change_record(
    *,
    concern: Concern,
    kind: str,
    actor: User | None,
    summary: str,
    text: str = "",
    reason: str = "",
) -> ConcernUpdate:
    """Writes what every change to a concern writes, inside the caller's transaction: a
    line in its history, an audit row and a network event.

    A change of status alone is seen by everyone who may see the concern, its raiser too.
    Words added under it (a note, an outcome, a reason) have the concern's visibility with
    their own writer as author: the raiser sees what they wrote, not what professionals
    added, and a note's event reaches only those who may read the note.
    """
    has_words = bool(text)
    update = ConcernUpdate.objects.create(
        concern=concern,
        kind=kind,
        text=text,
        created_by=actor,
        visibility=concern.visibility if has_words else Visibility.NETWORK,
        author_agency_id=concern.author_agency_id,
    )
    is_note = kind == ConcernUpdateKind.NOTE
    network_change_record(
        network=concern.network,
        actor=actor,
        action=AuditAction.UPDATE,
        summary=summary,
        kind=NetworkEventKind.CONCERN_UPDATED,
        payload=concern_event_payload(concern),
        record_type="concern_update" if is_note else "concern",
        record_id=update.pk if is_note else concern.pk,
        visibility=concern.visibility,
        author_id=update.created_by_id if is_note else concern.created_by_id,
        author_agency_id=concern.author_agency_id,
        audited_type="concern",
        audited_id=concern.pk,
        reason=reason,
    )
    return update


def _locked_visible(concern: Concern, viewer: Viewer) -> Concern:
    """The concern, locked for the change, if the viewer may see it; 404 as for a stranger."""
    found = (
        records_visible_to(Concern.objects.select_for_update(), viewer=viewer)
        .filter(pk=concern.pk)
        .first()
    )
    if found is None:
        raise Http404("Not found")
    return found


def _refuse_if_finished(concern: Concern) -> None:
    if concern.status == ConcernStatus.CLOSED:
        raise ValidationError("This concern is closed")
    if concern.status == ConcernStatus.WITHDRAWN:
        raise ValidationError("This concern was withdrawn")


def concern_acknowledge(*, concern: Concern, viewer: Viewer, acknowledged_by: User) -> Concern:
    """A professional who may see an open concern acknowledges it; the first time counts.

    An acknowledged concern never escalates. Acknowledgement is four-eyes: someone other
    than the person who raised it. Its raiser is told that it was acknowledged.
    """
    if not viewer.is_professional:
        raise PermissionDenied("Only professionals can acknowledge a concern")
    concern_require(
        concern_may_acknowledge(concern=concern, viewer=viewer),
        "Someone other than the person who raised a concern must acknowledge it",
    )
    with transaction.atomic():
        locked = _locked_visible(concern, viewer)
        _refuse_if_finished(locked)
        if locked.status != ConcernStatus.OPEN:
            raise ValidationError("This concern has already been acknowledged")
        locked.status = ConcernStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = acknowledged_by
        locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        concern_change_record(
            concern=locked,
            kind=ConcernUpdateKind.ACKNOWLEDGED,
            actor=acknowledged_by,
            summary="Acknowledged a concern",
        )
        concern_followers_notify(
            locked,
            actor_id=acknowledged_by.pk,
            kind="concern.acknowledged",
            text="A concern you follow has been acknowledged",
            dedupe_key=f"concern-{locked.pk}-acknowledged",
        )
    return locked


def concern_update_add(
    *, concern: Concern, viewer: Viewer, added_by: User, text: str
) -> ConcernUpdate:
    """Adds a note to a concern's history.

    Professionals who may see the concern, and the person who raised it, may add notes
    while it is open; not once it is closed or withdrawn. The note has the concern's
    visibility; its followers are told that there is an update, not what it says.
    """
    concern_require(
        concern_may_add_update(concern=concern, viewer=viewer),
        "Only professionals and the person who raised it can update it",
    )
    text = _text_required(
        text, field="text", missing="Write what has happened since", longest=UPDATE_TEXT_MAX
    )
    with transaction.atomic():
        locked = _locked_visible(concern, viewer)
        _refuse_if_finished(locked)
        update = concern_change_record(
            concern=locked,
            kind=ConcernUpdateKind.NOTE,
            actor=added_by,
            summary="Added an update to a concern",
            text=text,
        )
        concern_followers_notify(
            locked,
            actor_id=added_by.pk,
            kind="concern.updated",
            text="A concern you follow has a new update",
            dedupe_key=f"concern-{locked.pk}-update-{update.pk}",
            update=update,
        )
    return update


def concern_review_start(*, concern: Concern, viewer: Viewer, started_by: User) -> Concern:
    """A professional puts an open or acknowledged concern under review.

    Starting a review of a concern nobody has acknowledged acknowledges it too, so that it
    does not escalate while it is being reviewed; so its raiser may start one only once
    someone else has acknowledged it.
    """
    if not viewer.is_professional:
        raise PermissionDenied("Only professionals can review a concern")
    with transaction.atomic():
        locked = _locked_visible(concern, viewer)
        _refuse_if_finished(locked)
        concern_require(
            concern_may_review(concern=locked, viewer=viewer),
            "Someone other than the person who raised a concern must acknowledge it before "
            "you start a review",
        )
        if locked.status == ConcernStatus.UNDER_REVIEW:
            raise ValidationError("This concern is already under review")
        fields = ["status"]
        if locked.acknowledged_at is None:
            locked.acknowledged_at = timezone.now()
            locked.acknowledged_by = started_by
            fields += ["acknowledged_at", "acknowledged_by"]
        locked.status = ConcernStatus.UNDER_REVIEW
        locked.save(update_fields=fields)
        concern_change_record(
            concern=locked,
            kind=ConcernUpdateKind.UNDER_REVIEW,
            actor=started_by,
            summary="Started a review of a concern",
        )
        concern_followers_notify(
            locked,
            actor_id=started_by.pk,
            kind="concern.under_review",
            text="A concern you follow is being reviewed",
            dedupe_key=f"concern-{locked.pk}-under-review",
        )
    return locked


def concern_close(*, concern: Concern, viewer: Viewer, closed_by: User, outcome: str) -> Concern:
    """A professional closes a concern that is still open, saying what the outcome was. The
    outcome is for those who may see the concern as professionals: a family member who
    raised it sees that it is closed, not what the professionals wrote."""
    concern_require(
        concern_may_close(concern=concern, viewer=viewer), "Only professionals can close a concern"
    )
    outcome = _text_required(
        outcome, field="outcome", missing="Say what the outcome was", longest=UPDATE_TEXT_MAX
    )
    with transaction.atomic():
        locked = _locked_visible(concern, viewer)
        _refuse_if_finished(locked)
        locked.status = ConcernStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.outcome = outcome
        locked.save(update_fields=["status", "closed_at", "outcome"])
        concern_change_record(
            concern=locked,
            kind=ConcernUpdateKind.CLOSED,
            actor=closed_by,
            summary="Closed a concern",
            text=outcome,
        )
        concern_followers_notify(
            locked,
            actor_id=closed_by.pk,
            kind="concern.closed",
            text="A concern you follow has been closed",
            dedupe_key=f"concern-{locked.pk}-closed",
        )
    return locked


def concern_withdraw(
    *, concern: Concern, viewer: Viewer, withdrawn_by: User, reason: str
) -> Concern:
    """The person who raised a concern withdraws it while it is open, saying why.

    Nobody else may withdraw it. A withdrawn concern no longer counts towards patterns
    across agencies; the reason is kept in its history and in the audit trail.
    """
    concern_require(
        concern_may_withdraw(concern=concern, viewer=viewer),
        "Only the person who raised a concern can withdraw it",
    )
    reason = _text_required(
        reason, field="reason", missing="Say why you are withdrawing it", longest=REASON_MAX
    )
    with transaction.atomic():
        locked = _locked_visible(concern, viewer)
        _refuse_if_finished(locked)
        locked.status = ConcernStatus.WITHDRAWN
        locked.withdrawn_reason = reason
        locked.save(update_fields=["status", "withdrawn_reason"])
        concern_change_record(
            concern=locked,
            kind=ConcernUpdateKind.WITHDRAWN,
            actor=withdrawn_by,
            summary="Withdrew a concern",
            text=reason,
            reason=reason,
        )
        concern_followers_notify(
            locked,
            actor_id=withdrawn_by.pk,
            kind="concern.withdrawn",
            text="A concern you follow has been withdrawn by the person who raised it",
            dedupe_key=f"concern-{locked.pk}-withdrawn",
        )
    return locked
