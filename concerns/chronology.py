"""One network's multi-agency chronology: concerns, agency involvement and membership changes
in time order.

It lists only what the reader may see: it is built from the same selectors the other pages
use, a fixed number of queries however many concerns or members there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from agencies.selectors import involvement_list
from caregraph.models import MembershipStatus
from caregraph.policy import HIDDEN_PERSON_LABEL, Viewer, people_hidden_from
from caregraph.selectors import membership_history_list
from concerns.models import ConcernUpdateKind
from concerns.selectors import concern_list_visible_to, concern_update_list_visible_to

CHRONOLOGY_KIND_ORDER = {"members": 0, "involvement": 1, "concerns": 2}
CONCERN_CHANGES_SHOWN = (
    ConcernUpdateKind.ACKNOWLEDGED,
    ConcernUpdateKind.UNDER_REVIEW,
    ConcernUpdateKind.ESCALATED,
    ConcernUpdateKind.CLOSED,
    ConcernUpdateKind.WITHDRAWN,
)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


@dataclass(frozen=True)
class ChronologyEntry:
    """One thing that happened in a network, for a list in time order."""

    at: datetime.datetime
    kind: str  # "concerns", "involvement" or "members"
    title: str
    detail: str = ""
    by: str = ""
    date_only: bool = False
    url: str = ""
    tag: str = ""
    tag_class: str = ""

    @property
    def on(self) -> datetime.date:
        return timezone.localtime(self.at).date()


def _concern_entries(viewer: Viewer, tag_classes: dict[str, str]) -> list[ChronologyEntry]:
    concerns = list(concern_list_visible_to(viewer=viewer))
    changes = list(
        concern_update_list_visible_to(viewer=viewer)
        .filter(kind__in=CONCERN_CHANGES_SHOWN)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )
    hidden = people_hidden_from(
        viewer=viewer,
        user_ids=[c.created_by_id for c in concerns] + [c.created_by_id for c in changes],
    )
    entries = []
    for concern in concerns:
        url = reverse("concern_detail", args=[concern.network_id, concern.pk])
        if concern.created_by_id in hidden:
            author = HIDDEN_PERSON_LABEL
        else:
            author = str(concern.created_by)
            if concern.author_agency_id and concern.author_agency:
                author = f"{author}, {concern.author_agency.name}"
        raised = timezone.localtime(concern.raised_at)
        detail = concern.description
        if concern.happened_at is not None:
            detail = f"Raised on {raised:%-d %B %Y} at {raised:%H:%M}. {detail}"
        entries.append(
            ChronologyEntry(
                at=concern.happened_at or concern.raised_at,
                kind="concerns",
                title=f"{concern.get_category_display()} concern raised",
                detail=detail,
                by=author,
                url=url,
                tag=concern.get_severity_display(),
                tag_class=tag_classes.get(concern.severity, ""),
            )
        )
    by_id = {concern.pk: concern for concern in concerns}
    for change in changes:
        # One raised (and so visible) between the two reads has no entry above: left out.
        changed = by_id.get(change.concern_id)
        if changed is None:
            continue
        what = change.get_kind_display().lower()
        entries.append(
            ChronologyEntry(
                at=change.created_at,
                kind="concerns",
                title=f"{changed.get_category_display()} concern {what}",
                detail=change.text,
                by=(
                    HIDDEN_PERSON_LABEL
                    if change.created_by_id in hidden
                    else str(change.created_by or "Caregraph")
                ),
                url=reverse("concern_detail", args=[changed.network_id, changed.pk]),
            )
        )
    return entries


def _involvement_entries(viewer: Viewer, today: datetime.date) -> list[ChronologyEntry]:
    entries = []
    for involvement in involvement_list(viewer=viewer):
        lead = (
            f"Lead professional: {involvement.lead_professional}"
            if involvement.lead_professional_id
            else ""
        )
        entries.append(
            ChronologyEntry(
                at=_start_of(involvement.started_on),
                kind="involvement",
                title=f"{involvement.agency.name} became involved",
                detail=". ".join(part for part in (involvement.service, lead) if part),
                date_only=True,
            )
        )
        if involvement.ended_on is not None and involvement.ended_on <= today:
            entries.append(
                ChronologyEntry(
                    at=_start_of(involvement.ended_on),
                    kind="involvement",
                    title=f"{involvement.agency.name} stopped being involved",
                    detail=involvement.service,
                    date_only=True,
                )
            )
    return entries


def _membership_entries(viewer: Viewer) -> list[ChronologyEntry]:
    """Who joined and left the network, and when: those the viewer may know of."""
    memberships = membership_history_list(viewer=viewer)
    entries = []
    for membership in memberships:
        role = membership.get_kind_display()
        if membership.relationship:
            role = f"{role}: {membership.relationship}"
        if membership.agency_id and membership.agency:
            role = f"{role}, {membership.agency.name}"
        entries.append(
            ChronologyEntry(
                at=membership.joined_at,
                kind="members",
                title=f"{membership.user} joined the network",
                detail=role,
            )
        )
        if membership.ended_at is not None:
            verb = "left" if membership.status == MembershipStatus.LEFT else "was removed from"
            entries.append(
                ChronologyEntry(
                    at=membership.ended_at,
                    kind="members",
                    title=f"{membership.user} {verb} the network",
                    detail=role,
                )
            )
    return entries


def chronology_for_viewer(
    *,
    viewer: Viewer,
    kinds: set[str],
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    tag_classes: dict[str, str] | None = None,
) -> list[ChronologyEntry]:
    """Concerns, agency involvement and membership changes of one network that the viewer
    may see, oldest first, narrowed to the kinds and the dates (inclusive) asked for."""
    today = timezone.localdate()
    entries: list[ChronologyEntry] = []
    if "concerns" in kinds:
        entries += _concern_entries(viewer, tag_classes or {})
    if "involvement" in kinds:
        entries += _involvement_entries(viewer, today)
    if "members" in kinds:
        entries += _membership_entries(viewer)
    if date_from is not None:
        entries = [entry for entry in entries if entry.on >= date_from]
    if date_to is not None:
        entries = [entry for entry in entries if entry.on <= date_to]
    return sorted(entries, key=lambda entry: (entry.at, CHRONOLOGY_KIND_ORDER[entry.kind]))
