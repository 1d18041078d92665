"""Saying how the person is, answering it, narrowing it, and keeping what matters to them.

Each write is checked in full before anything is stored (a refused photo leaves no row and
no file), and is audited and appended to the network's event log with the update's audience
in the same transaction: that is how other members see it appear without reloading. Replies
and reactions are logged as events about their update, so that narrowing the update later
takes their history along (`network_events_follow_record`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from caregraph.models import AuditAction, Network, NetworkEventKind, Visibility
from caregraph.policy import (
    HIDDEN_PERSON_LABEL,
    Viewer,
    wellbeing_may_answer,
    wellbeing_may_post,
    wellbeing_update_may_change,
    wellbeing_visibilities_allowed,
    what_matters_may_keep,
    what_matters_on_behalf,
)
from caregraph.services.events import network_change_record, network_events_follow_record
from wellbeing.models import (
    ReactionKind,
    WellbeingPhoto,
    WellbeingReaction,
    WellbeingReply,
    WellbeingUpdate,
    WhatMattersNote,
    WhatMattersTopic,
)
from wellbeing.photos import photo_files_delete, photo_files_store, photos_clean

UPDATE_TEXT_MAX = 2000
REPLY_TEXT_MAX = 1000
WHAT_MATTERS_TEXT_MAX = 1000
RECORD_TYPE = "wellbeing_update"


def _text_check(
    errors: dict[str, list[str]], text: str, *, field: str, missing: str, longest: int
) -> str:
    text = text.strip()
    if not text:
        errors[field] = [missing]
    elif len(text) > longest:
        errors[field] = [f"Write {longest} characters or fewer"]
    return text


def author_label(viewer: Viewer, user: User) -> str:
    """The author's name as everyone the event reaches may know it: a professional whom
    some members may not know is here is "A professional" on the live stream."""
    membership = viewer.membership
    if membership is not None and membership.visibility != Visibility.NETWORK:
        return HIDDEN_PERSON_LABEL
    return str(user)


def _update_record(
    update: WellbeingUpdate,
    *,
    actor: User,
    action: str,
    summary: str,
    kind: str,
    payload: dict[str, Any],
) -> None:
    network_change_record(
        network=update.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=kind,
        payload={"object": "wellbeing_update", "update_id": update.pk, **payload},
        record_type=RECORD_TYPE,
        record_id=update.pk,
        visibility=update.visibility,
        author_id=update.created_by_id,
        author_agency_id=update.author_agency_id,
    )


def wellbeing_update_post(
    *,
    network: Network,
    viewer: Viewer,
    posted_by: User,
    text: str,
    visibility: str = Visibility.NETWORK,
    photos: list[UploadedFile] | None = None,
) -> WellbeingUpdate:
    """Posts an update on how the person is, with up to a few photos.

    Any member may post; family and friends share with everyone or with the professionals.
    The photos are checked, resized and stripped of their metadata before anything is kept;
    if storing fails part-way, the files already stored are removed with the rows.
    """
    if not wellbeing_may_post(viewer=viewer):
        raise PermissionDenied("Only members of this network can post an update")
    errors: dict[str, list[str]] = {}
    text = _text_check(
        errors, text, field="text", missing="Say how they are doing", longest=UPDATE_TEXT_MAX
    )
    if visibility not in wellbeing_visibilities_allowed(viewer=viewer):
        errors["visibility"] = ["You cannot share an update with that audience"]
    if errors:
        raise ValidationError(errors)
    clean = photos_clean(list(photos or []))
    stored: list[str] = []
    try:
        with transaction.atomic():
            update = WellbeingUpdate.objects.create(
                network=network,
                text=text,
                visibility=visibility,
                created_by=posted_by,
                author_agency_id=viewer.acting_agency_id if viewer.is_professional else None,
            )
            photo_ids = []
            for position, photo in enumerate(clean):
                full, thumbnail = photo_files_store(photo, network_id=network.pk)
                stored += [full, thumbnail]
                photo_ids.append(
                    WellbeingPhoto.objects.create(
                        update=update,
                        position=position,
                        full_name=full,
                        thumbnail_name=thumbnail,
                        width=photo.width,
                        height=photo.height,
                    ).pk
                )
            _update_record(
                update,
                actor=posted_by,
                action=AuditAction.CREATE,
                summary="Posted a wellbeing update",
                kind=NetworkEventKind.UPDATE_POSTED,
                payload={
                    "text": update.text,
                    "visibility": update.visibility,
                    "author": author_label(viewer, posted_by),
                    "created_at": update.created_at.isoformat(),
                    "photo_ids": photo_ids,
                },
            )
    except BaseException:
        photo_files_delete(stored)
        raise
    return update


def wellbeing_update_visibility_set(
    *, update: WellbeingUpdate, viewer: Viewer, changed_by: User, visibility: str
) -> WellbeingUpdate:
    """Narrows or widens who may see an update: its author only. Its photos, replies and
    reactions follow it at once, on every channel, and so does its history in the log."""
    if not wellbeing_update_may_change(viewer=viewer, update=update):
        raise PermissionDenied("Only the author can change who sees this update")
    if visibility not in wellbeing_visibilities_allowed(viewer=viewer):
        raise ValidationError({"visibility": ["You cannot share an update with that audience"]})
    with transaction.atomic():
        update.visibility = visibility
        update.updated_at = timezone.now()
        update.save(update_fields=["visibility", "updated_at"])
        network_events_follow_record(
            network_id=update.network_id,
            record_type=RECORD_TYPE,
            record_id=update.pk,
            visibility=visibility,
            author_id=update.created_by_id,
            author_agency_id=update.author_agency_id,
        )
        _update_record(
            update,
            actor=changed_by,
            action=AuditAction.UPDATE,
            summary="Changed who may see a wellbeing update",
            kind=NetworkEventKind.UPDATE_CHANGED,
            payload={"visibility": visibility},
        )
    return update


def wellbeing_reply_add(
    *, update: WellbeingUpdate, viewer: Viewer, added_by: User, text: str
) -> WellbeingReply:
    """A member's reply to an update they may see (the caller found it through the policy)."""
    if not wellbeing_may_answer(viewer=viewer):
        raise PermissionDenied("Only members of this network can reply")
    errors: dict[str, list[str]] = {}
    text = _text_check(errors, text, field="text", missing="Write a reply", longest=REPLY_TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        reply = WellbeingReply.objects.create(update=update, text=text, created_by=added_by)
        _update_record(
            update,
            actor=added_by,
            action=AuditAction.CREATE,
            summary="Replied to a wellbeing update",
            kind=NetworkEventKind.UPDATE_REPLIED,
            payload={
                "reply_id": reply.pk,
                "text": reply.text,
                "author": author_label(viewer, added_by),
                "created_at": reply.created_at.isoformat(),
            },
        )
    return reply


def _reaction_counts(update: WellbeingUpdate) -> dict[str, int]:
    counts = dict.fromkeys(ReactionKind.values, 0)
    for kind in WellbeingReaction.objects.filter(update=update).values_list("kind", flat=True):
        counts[kind] += 1
    return counts


def wellbeing_reaction_set(
    *, update: WellbeingUpdate, viewer: Viewer, user: User, kind: str, on: bool = True
) -> bool:
    """Says "seen" or "thank you" on an update, or takes it back. Saying it twice is the
    same as once. Answers whether anything changed."""
    if not wellbeing_may_answer(viewer=viewer):
        raise PermissionDenied("Only members of this network can react")
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": ["Choose seen or thank you"]})
    with transaction.atomic():
        if on:
            try:
                with transaction.atomic():
                    WellbeingReaction.objects.create(update=update, user=user, kind=kind)
            except IntegrityError:
                return False
        elif not WellbeingReaction.objects.filter(update=update, user=user, kind=kind).delete()[0]:
            return False
        _update_record(
            update,
            actor=user,
            action=AuditAction.UPDATE,
            summary=f"Reacted to a wellbeing update: {ReactionKind(kind).label}",
            kind=NetworkEventKind.UPDATE_REACTED,
            payload={"counts": _reaction_counts(update)},
        )
    return True


def what_matters_set(
    *, network: Network, viewer: Viewer, written_by: User, notes: dict[str, str]
) -> list[WhatMattersNote]:
    """Keeps the person's notes in their own words, by topic; an empty note is removed.

    The person writes their own; family or a professional may write them on the person's
    behalf, which is recorded. Each changed note is one audit row (its history) and one
    event, shared with the whole network.
    """
    if not what_matters_may_keep(viewer=viewer):
        raise PermissionDenied("Only the person, or someone caring for them, can change these")
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for topic, text in notes.items():
        if topic not in WhatMattersTopic.values:
            errors[topic] = ["This is not something we keep notes on"]
            continue
        cleaned[topic] = text.strip()
        if len(cleaned[topic]) > WHAT_MATTERS_TEXT_MAX:
            errors[topic] = [f"Write {WHAT_MATTERS_TEXT_MAX} characters or fewer"]
    if errors:
        raise ValidationError(errors)
    on_behalf = what_matters_on_behalf(viewer=viewer)
    existing = {note.topic: note for note in WhatMattersNote.objects.filter(network=network)}
    with transaction.atomic():
        for topic, text in cleaned.items():
            note = existing.get(topic)
            if (note.text if note else "") == text:
                continue
            label = WhatMattersTopic(topic).label
            # The audit row's actor names the writer (hidden where the reader may not know
            # them); the summary says whose words they are, and the words, as its history.
            who = f"on behalf of {network.person}" if on_behalf else "by the person"
            if text:
                note, _ = WhatMattersNote.objects.update_or_create(
                    network=network,
                    topic=topic,
                    defaults={
                        "text": text,
                        "written_by": written_by,
                        "on_behalf": on_behalf,
                        "updated_at": timezone.now(),
                    },
                )
                record_id = note.pk
            else:
                record_id = note.pk if note else 0
                WhatMattersNote.objects.filter(network=network, topic=topic).delete()
            network_change_record(
                network=network,
                actor=written_by,
                action=AuditAction.UPDATE,
                summary=f'"{label}": written by {who}: {text}' if text else f'"{label}": cleared',
                kind=NetworkEventKind.WHAT_MATTERS_CHANGED,
                payload={"object": "what_matters", "topic": topic, "text": text},
                record_type="what_matters",
                record_id=record_id,
                visibility=Visibility.NETWORK,
                author_id=written_by.pk,
                author_agency_id=None,
            )
    return list(WhatMattersNote.objects.filter(network=network))
