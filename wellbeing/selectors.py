"""Reading updates and what matters: everything passes through the access policy first.

A photo, a reply or a reaction is shown to whoever may see its update now, so each is found
through its update: narrowing the update, or a member leaving, takes them away at once.
Listing a page of updates costs the same few queries however many there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from caregraph.models import Network
from caregraph.policy import (
    HIDDEN_PERSON_LABEL,
    Viewer,
    audit_object_rule,
    ids_as_text,
    people_hidden_from,
    record_get_for_viewer,
    records_visible_to,
)
from wellbeing.models import (
    ReactionKind,
    WellbeingPhoto,
    WellbeingReaction,
    WellbeingReply,
    WellbeingUpdate,
    WhatMattersNote,
    WhatMattersTopic,
)


def wellbeing_update_list_visible_to(*, viewer: Viewer) -> QuerySet[WellbeingUpdate]:
    """The updates of the viewer's network they may see, newest first, with their photos,
    replies and reactions fetched alongside (a fixed number of queries per page)."""
    return (
        records_visible_to(WellbeingUpdate.objects.all(), viewer=viewer)
        .select_related("created_by")
        .prefetch_related(
            "photos",
            Prefetch("replies", queryset=WellbeingReply.objects.select_related("created_by")),
            "reactions",
        )
        .order_by("-created_at", "-pk")
    )


def wellbeing_update_get_for_viewer(*, viewer: Viewer, update_id: int | str) -> WellbeingUpdate:
    """One update the viewer may see; 404 alike for "not there" and "not yours"."""
    return record_get_for_viewer(
        wellbeing_update_list_visible_to(viewer=viewer), viewer=viewer, record_id=update_id
    )


def wellbeing_photo_get_for_viewer(*, viewer: Viewer, photo_id: int | str) -> WellbeingPhoto:
    """A photo of an update the viewer may see now; the same 404 otherwise. Asked on every
    download, so a saved address stops working when access does."""
    visible = records_visible_to(WellbeingUpdate.objects.all(), viewer=viewer).values("pk")
    try:
        return WellbeingPhoto.objects.get(pk=int(photo_id), update__in=visible)
    except (WellbeingPhoto.DoesNotExist, ValueError, TypeError, OverflowError) as missing:
        raise Http404("Not found") from missing


@audit_object_rule("wellbeing_update")
def _audit_updates(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(records_visible_to(WellbeingUpdate.objects.all(), viewer=viewer))


@dataclass
class UpdateRow:
    """An update as one reader is shown it: names they may not know replaced, reactions
    counted, and whether they reacted themselves."""

    update: WellbeingUpdate
    author: str
    photos: list[WellbeingPhoto]
    replies: list[tuple[WellbeingReply, str]]
    counts: dict[str, int]
    mine: set[str] = field(default_factory=set)


def update_rows(*, viewer: Viewer, updates: Iterable[WellbeingUpdate]) -> list[UpdateRow]:
    """Rows for a page of updates, with one more query to know whom to hide."""
    updates = list(updates)
    authors = [u.created_by_id for u in updates] + [
        reply.created_by_id for u in updates for reply in u.replies.all()
    ]
    hidden = people_hidden_from(viewer=viewer, user_ids=authors)

    def name(user_id: int | None, user: object) -> str:
        if user_id is None:
            return "Someone who has left"
        return HIDDEN_PERSON_LABEL if user_id in hidden else str(user)

    rows = []
    for update in updates:
        reactions: list[WellbeingReaction] = list(update.reactions.all())
        counts = dict.fromkeys(ReactionKind.values, 0)
        for reaction in reactions:
            counts[reaction.kind] += 1
        rows.append(
            UpdateRow(
                update=update,
                author=name(update.created_by_id, update.created_by),
                photos=list(update.photos.all()),
                replies=[
                    (reply, name(reply.created_by_id, reply.created_by))
                    for reply in update.replies.all()
                ],
                counts=counts,
                mine={r.kind for r in reactions if r.user_id == viewer.user_id},
            )
        )
    return rows


@dataclass(frozen=True)
class WhatMattersEntry:
    topic: str
    label: str
    note: WhatMattersNote | None
    writer: str = ""


def what_matters_for(*, viewer: Viewer, network: Network) -> list[WhatMattersEntry]:
    """The person's notes by topic, in a fixed order, with who wrote each (the name hidden
    where the reader may not know the writer is here). For everyone in the network: the
    caller has found the network for the user."""
    notes = {
        note.topic: note
        for note in WhatMattersNote.objects.filter(network=network).select_related("written_by")
    }
    hidden = people_hidden_from(
        viewer=viewer, user_ids=[note.written_by_id for note in notes.values()]
    )

    def writer(note: WhatMattersNote | None) -> str:
        if note is None:
            return ""
        if note.written_by_id is None:
            return "someone who has left"
        return HIDDEN_PERSON_LABEL if note.written_by_id in hidden else str(note.written_by)

    return [
        WhatMattersEntry(
            topic=topic, label=str(label), note=notes.get(topic), writer=writer(notes.get(topic))
        )
        for topic, label in WhatMattersTopic.choices
    ]
