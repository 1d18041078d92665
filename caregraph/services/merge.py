"""Merging two records of one person, and undoing it.

A merge moves every record of the merged person, and of their network, to the survivor and
the survivor's network, in one transaction. It writes down each row it moved, changed or
dropped in `Merge.moved`, so that undoing it puts every row back exactly. Both are audited
for both people, with the reason given.

`Merge.moved` holds:

- ``moved``: model label -> field -> ids of the rows whose field was pointed at the survivor
  (or the survivor's network);
- ``changed``: model label -> id -> the values, before the merge, of the fields it changed
  (a duplicate membership ended, a duplicate join request declined, the pair decided);
- ``dropped``: model label -> the rows it deleted, every field (a relationship that became
  one with oneself, or a copy of one the survivor already had);
- ``account``: the id of the merged person's own sign-in account, moved to the survivor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from caregraph.models import (
    AuditAction,
    Identifier,
    IdentifierSystem,
    JoinRequest,
    JoinRequestStatus,
    MatchCandidate,
    MatchStatus,
    Membership,
    MembershipStatus,
    Merge,
    Network,
    Person,
    PersonRelationship,
)
from caregraph.policy import AnyUser, networks_visible_to, user_may_review_matches
from caregraph.services.audit import audit_record

NETWORK_OWNED: list[tuple[str, str]] = [
    ("caregraph.Membership", "network"),
    ("agencies.Involvement", "network"),
    ("caregraph.Invitation", "network"),
    ("caregraph.JoinRequest", "network"),
    ("concerns.Concern", "network"),
    ("calendars.CalendarEvent", "network"),
    ("calendars.CareTask", "network"),
    ("messaging.Thread", "network"),
    ("sharedfiles.SharedFile", "network"),
    ("medicines.Medicine", "network"),
    ("medicines.MedicineChange", "network"),
    ("wellbeing.WellbeingUpdate", "network"),
]
"""Records that belong to a network, as (model label, foreign key to Network).

A merge points every one of them at the survivor's network, and undoing it points them
back. A later app whose records belong to a network (concerns, calendar events, updates,
files) adds a line here, for example ``("concerns.Concern", "network")``; a test fails
while any foreign key to Network is neither here nor in MERGE_SPECIAL_LINKS. A model with a
per-network unique constraint (such as a per-network sequence number) cannot simply be
moved: give it its own step in `person_merge`, as memberships and join requests have.
"""

PERSON_OWNED: list[tuple[str, str]] = [
    ("caregraph.Identifier", "person"),
]
"""Records that belong to a person, as (model label, foreign key to Person): moved likewise."""

MERGE_SPECIAL_LINKS: dict[tuple[str, str], str] = {
    ("caregraph.PersonRelationship", "person"): "moved by its own step, dropping duplicates",
    ("caregraph.PersonRelationship", "relative"): "moved by its own step, dropping duplicates",
    ("caregraph.Network", "person"): "each person keeps their own network; its records move",
    ("caregraph.Person", "merged_into"): "what a merge sets",
    ("caregraph.MatchCandidate", "person"): "a decision about two records, kept as it was",
    ("caregraph.MatchCandidate", "candidate"): "a decision about two records, kept as it was",
    ("caregraph.Merge", "survivor"): "the record of the merge itself",
    ("caregraph.Merge", "merged"): "the record of the merge itself",
    ("caregraph.AuditEvent", "person"): "the audit trail is never changed",
    ("caregraph.AuditEvent", "network"): "the audit trail is never changed",
    ("caregraph.NetworkEvent", "network"): "the log of what happened there, numbered per network",
    ("concerns.CumulativeAlert", "network"): "a pattern seen on that record, kept as raised",
    ("notifications.Notification", "network"): "a message already given to one user",
    ("notifications.NotificationJob", "network"): "already addressed: handed out as written",
    ("wellbeing.WhatMattersNote", "network"): "the person's own words, one per topic: the "
    "survivor's are kept, and the merged record's stay with it (unchanged if the merge is undone)",
}
"""Links to a Person or Network that a merge does not move through the registries above,
and why."""


@dataclass
class _MergeLog:
    moved: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    changed: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    dropped: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    account: int | None = None

    def record_moved(self, label: str, field_name: str, ids: list[int]) -> None:
        self.moved.setdefault(label, {}).setdefault(field_name, []).extend(ids)

    def record_changed(self, row: models.Model, field_names: list[str]) -> None:
        self.changed.setdefault(row._meta.label, {})[str(row.pk)] = _field_values(row, field_names)

    def record_dropped(self, row: models.Model) -> None:
        all_fields = [each.name for each in row._meta.concrete_fields]
        self.dropped.setdefault(row._meta.label, []).append(_field_values(row, all_fields))

    def as_json(self) -> dict[str, Any]:
        return {
            "moved": self.moved,
            "changed": self.changed,
            "dropped": self.dropped,
            "account": self.account,
        }


def _field_values(row: models.Model, field_names: list[str]) -> dict[str, Any]:
    """The stored values of some fields, by column attribute, in a form JSON can hold."""
    values = {}
    for name in field_names:
        model_field = row._meta.get_field(name)
        assert isinstance(model_field, models.Field)
        value = getattr(row, model_field.attname)
        if isinstance(value, datetime.date):  # datetimes too
            value = value.isoformat()
        values[model_field.attname] = value
    return values


def _field_values_restored(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    restored = {}
    for attname, value in values.items():
        model_field = model._meta.get_field(attname)
        assert isinstance(model_field, models.Field)
        restored[attname] = model_field.to_python(value)
    return restored


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why, for the audit trail"]})
    return reason


def _network_id_holding(person: Person) -> int | None:
    """The network now holding a person's records: for someone merged away, the one of the
    person they were merged into."""
    person_id, seen = person.pk, set()
    while person_id not in seen:  # read from the database: the instance may be stale
        seen.add(person_id)
        merged_into_id = (
            Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
        )
        if merged_into_id is None:
            break
        person_id = merged_into_id
    return Network.objects.filter(person_id=person_id).values_list("pk", flat=True).first()


def merge_allowed(*, user: AnyUser, survivor: Person, merged: Person) -> bool:
    """A safeguarding lead or agency admin may merge two records, undo their merge, or decide
    they are not the same person, when they may see both people's networks.

    A record already merged away is judged by the network that now holds its records, the
    survivor's. A person without a network cannot be judged by anyone, so is never merged.
    """
    if not user_may_review_matches(user=user):
        return False
    network_ids = {_network_id_holding(survivor), _network_id_holding(merged)}
    if None in network_ids:
        return False
    visible = networks_visible_to(user=user).filter(pk__in=network_ids).count()
    return visible == len(network_ids)


def _people_lock(*, survivor_id: int, merged_id: int) -> tuple[Person, Person]:
    # Locked in id order, so that two merges of the same two people cannot deadlock.
    people = {
        person.pk: person
        for person in Person.objects.select_for_update()
        .filter(pk__in=[survivor_id, merged_id])
        .order_by("pk")
    }
    return people[survivor_id], people[merged_id]


def _nhs_numbers(person: Person) -> set[str]:
    return set(
        Identifier.objects.filter(
            person=person, system=IdentifierSystem.NHS_NUMBER, agency__isnull=True
        ).values_list("value", flat=True)
    )


def _merge_refuse_if_unsafe(*, survivor: Person, merged: Person) -> None:
    if merged.merged_into_id is not None:
        raise ValidationError("This record has already been merged into another record")
    if survivor.merged_into_id is not None:
        raise ValidationError(
            "The record to keep has itself been merged into another record: "
            "merge into that one instead"
        )
    survivor_numbers, merged_numbers = _nhs_numbers(survivor), _nhs_numbers(merged)
    if survivor_numbers and merged_numbers and not survivor_numbers & merged_numbers:
        raise ValidationError(
            "These records have different NHS Numbers, so they are two people and cannot be merged"
        )
    if survivor.user_id is not None and merged.user_id is not None:
        raise ValidationError(
            "Both records have their own sign-in account, so they cannot be merged"
        )


def _memberships_end_duplicates(
    log: _MergeLog, *, survivor_network: Network, merged_network: Network, ended_by: User
) -> None:
    """A user active in both networks keeps the survivor's membership; the other ends."""
    survivor_users = Membership.objects.filter(
        network=survivor_network, status=MembershipStatus.ACTIVE
    ).values("user_id")
    duplicates = Membership.objects.filter(
        network=merged_network, status=MembershipStatus.ACTIVE, user_id__in=survivor_users
    ).order_by("pk")
    for membership in duplicates:
        log.record_changed(membership, ["status", "ended_at", "ended_by"])
        membership.status = MembershipStatus.REMOVED
        membership.ended_at = timezone.now()
        membership.ended_by = ended_by
        membership.save(update_fields=["status", "ended_at", "ended_by"])


def _join_requests_settle_duplicates(
    log: _MergeLog, *, survivor_network: Network, merged_network: Network, decided_by: User
) -> None:
    """A user waiting on both networks keeps the survivor's request; the other is declined."""
    waiting_on_survivor = JoinRequest.objects.filter(
        network=survivor_network, status=JoinRequestStatus.PENDING
    ).values("requested_by_id")
    duplicates = JoinRequest.objects.filter(
        network=merged_network,
        status=JoinRequestStatus.PENDING,
        requested_by_id__in=waiting_on_survivor,
    ).order_by("pk")
    for join_request in duplicates:
        log.record_changed(join_request, ["status", "decided_by", "decided_at"])
        join_request.status = JoinRequestStatus.DECLINED
        join_request.decided_by = decided_by
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])


def _rows_move(
    log: _MergeLog, *, label: str, field_name: str, source: models.Model, target: models.Model
) -> None:
    model = apps.get_model(label)
    ids = sorted(model._default_manager.filter(**{field_name: source}).values_list("pk", flat=True))
    if ids:
        model._default_manager.filter(pk__in=ids).update(**{field_name: target})
        log.record_moved(label, field_name, ids)


def _relationships_move(log: _MergeLog, *, survivor: Person, merged: Person) -> None:
    """Both directions move; one that would relate the survivor to themself, or copy one the
    survivor already has, is dropped instead."""
    relationships = PersonRelationship.objects.filter(
        Q(person=merged) | Q(relative=merged)
    ).order_by("pk")
    for relationship in relationships:
        person_id = survivor.pk if relationship.person_id == merged.pk else relationship.person_id
        relative_id = (
            survivor.pk if relationship.relative_id == merged.pk else relationship.relative_id
        )
        already_held = PersonRelationship.objects.filter(
            person_id=person_id, relative_id=relative_id
        ).exists()
        if person_id == relative_id or already_held:
            log.record_dropped(relationship)
            relationship.delete()
            continue
        for field_name in ("person", "relative"):
            if getattr(relationship, f"{field_name}_id") == merged.pk:
                log.record_moved(relationship._meta.label, field_name, [relationship.pk])
        PersonRelationship.objects.filter(pk=relationship.pk).update(
            person_id=person_id, relative_id=relative_id
        )


def _account_move(log: _MergeLog, *, survivor: Person, merged: Person) -> None:
    if merged.user_id is None:
        return
    log.account = merged.user_id
    merged.user_id, survivor.user_id = None, merged.user_id
    merged.save(update_fields=["user"])  # first, as an account links to one person only
    survivor.save(update_fields=["user"])


def _pair_candidates(*, first: Person, second: Person) -> models.QuerySet[MatchCandidate]:
    return MatchCandidate.objects.filter(
        Q(person=first, candidate=second) | Q(person=second, candidate=first)
    )


def person_merge(*, survivor: Person, merged: Person, performed_by: User, reason: str) -> Merge:
    """Folds `merged` into `survivor`: every record of the person and of their network moves.

    Refused for a record merged into itself, one already merged away, a survivor that has
    itself been merged away, two records with different NHS Numbers, or two with their own
    sign-in accounts; and refused to anyone `merge_allowed` does not allow. A user active in
    both networks keeps the survivor's membership. The pair, if it was queued as a possible
    match, is marked merged. Audited for both people, with the reason.
    """
    reason = _reason_required(reason)
    if survivor.pk == merged.pk:
        raise ValidationError("A record cannot be merged into itself")
    if not merge_allowed(user=performed_by, survivor=survivor, merged=merged):
        raise PermissionDenied(
            "Only a safeguarding lead or agency admin who can see both networks may merge them"
        )
    with transaction.atomic():
        survivor, merged = _people_lock(survivor_id=survivor.pk, merged_id=merged.pk)
        _merge_refuse_if_unsafe(survivor=survivor, merged=merged)
        survivor_network = Network.objects.get(person=survivor)
        merged_network = Network.objects.get(person=merged)
        log = _MergeLog()
        _memberships_end_duplicates(
            log,
            survivor_network=survivor_network,
            merged_network=merged_network,
            ended_by=performed_by,
        )
        _join_requests_settle_duplicates(
            log,
            survivor_network=survivor_network,
            merged_network=merged_network,
            decided_by=performed_by,
        )
        for label, field_name in NETWORK_OWNED:
            _rows_move(
                log,
                label=label,
                field_name=field_name,
                source=merged_network,
                target=survivor_network,
            )
        for label, field_name in PERSON_OWNED:
            _rows_move(log, label=label, field_name=field_name, source=merged, target=survivor)
        _relationships_move(log, survivor=survivor, merged=merged)
        _account_move(log, survivor=survivor, merged=merged)
        for candidate in _pair_candidates(first=survivor, second=merged).exclude(
            status=MatchStatus.MERGED
        ):
            log.record_changed(candidate, ["status", "decided_by", "decided_at"])
            candidate.status = MatchStatus.MERGED
            candidate.decided_by = performed_by
            candidate.decided_at = timezone.now()
            candidate.save(update_fields=["status", "decided_by", "decided_at"])
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        merge = Merge.objects.create(
            survivor=survivor,
            merged=merged,
            moved=log.as_json(),
            reason=reason,
            performed_by=performed_by,
        )
        _merge_audit(
            merge=merge,
            action=AuditAction.MERGE,
            actor=performed_by,
            reason=reason,
            summaries={
                survivor: f"Merged record {merged.pk} into this record",
                merged: f"Merged this record into record {survivor.pk}",
            },
            networks={survivor: survivor_network, merged: merged_network},
        )
    return merge


def person_merge_undo(*, merge: Merge, undone_by: User, reason: str) -> None:
    """Puts every row a merge moved, changed or dropped back as it was before the merge.

    Records added to the survivor since stay with the survivor. Refused when the merge has
    already been undone, or when the survivor has since been merged away itself (undo that
    merge first); and refused to anyone `merge_allowed` does not allow. Audited for both
    people, with the reason.
    """
    reason = _reason_required(reason)
    if merge.undone_at is not None:
        raise ValidationError("This merge has already been undone")
    if not merge_allowed(user=undone_by, survivor=merge.survivor, merged=merge.merged):
        raise PermissionDenied(
            "Only a safeguarding lead or agency admin who can see the network may undo a merge"
        )
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise ValidationError("This merge has already been undone")
        survivor, merged = _people_lock(survivor_id=merge.survivor_id, merged_id=merge.merged_id)
        if survivor.merged_into_id is not None:
            raise ValidationError(
                "The kept record has since been merged into another record: undo that merge first"
            )
        survivor_network = Network.objects.get(person=survivor)
        merged_network = Network.objects.get(person=merged)
        log: dict[str, Any] = merge.moved
        for label, fields in log.get("moved", {}).items():
            model = apps.get_model(label)
            for field_name, ids in fields.items():
                related = model._meta.get_field(field_name).related_model
                origin: models.Model = merged_network if related is Network else merged
                model._default_manager.filter(pk__in=ids).update(**{field_name: origin})
        for label, rows in log.get("changed", {}).items():
            model = apps.get_model(label)
            for row_id, values in rows.items():
                model._default_manager.filter(pk=int(row_id)).update(
                    **_field_values_restored(model, values)
                )
        for label, rows in log.get("dropped", {}).items():
            model = apps.get_model(label)
            model._default_manager.bulk_create(
                model(**_field_values_restored(model, values)) for values in rows
            )
        if log.get("account") is not None:
            survivor.user_id, merged.user_id = None, log["account"]
            survivor.save(update_fields=["user"])
            merged.save(update_fields=["user"])
        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        merge.undone_by = undone_by
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
        _merge_audit(
            merge=merge,
            action=AuditAction.UNMERGE,
            actor=undone_by,
            reason=reason,
            summaries={
                survivor: f"Undid the merge of record {merged.pk} into this record",
                merged: f"Undid the merge of this record into record {survivor.pk}",
            },
            networks={survivor: survivor_network, merged: merged_network},
        )


def _merge_audit(
    *,
    merge: Merge,
    action: AuditAction,
    actor: User,
    reason: str,
    summaries: dict[Person, str],
    networks: dict[Person, Network],
) -> None:
    for person, summary in summaries.items():
        audit_record(
            actor=actor,
            action=action,
            summary=summary,
            object_type="merge",
            object_id=merge.pk,
            person=person,
            network=networks[person],
            reason=reason,
        )
