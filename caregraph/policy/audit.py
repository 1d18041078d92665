"""The audit trail as each reader may see it, and whom a reader may not know is involved."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, When
from django.db.models.functions import Cast

from agencies.models import Involvement
from caregraph.models import (
    AuditEvent,
    Membership,
)
from caregraph.policy.audiences import Viewer, records_visible_to
from caregraph.policy.rules import membership_filter

# --- The audit trail ------------------------------------------------------------------------

# For each kind of audited record, the ids (as text, like AuditEvent.object_id) of those of
# one network the viewer may see. Apps add theirs in their AppConfig.ready().
AuditObjectRule = Callable[[Viewer], QuerySet[Any, Any]]
AUDIT_OBJECT_RULES: dict[str, AuditObjectRule] = {}
# Rows about the record as a whole (not about one shared record in it), and who sees them.
AUDIT_WHOLE_RECORD_TYPES: dict[str, Callable[[Viewer], bool]] = {
    "network": lambda viewer: True,
    "person": lambda viewer: True,
    "audit": lambda viewer: True,
    "calendar_feed": lambda viewer: True,
    # What matters to the person is for everyone in the network.
    "what_matters": lambda viewer: True,
    "identifier": lambda viewer: viewer.is_professional,
    "relationship": lambda viewer: viewer.is_professional,
    "match_candidate": lambda viewer: viewer.is_professional,
    "merge": lambda viewer: viewer.is_professional,
    "invitation": lambda viewer: viewer.may_manage_members,
    "join_request": lambda viewer: viewer.may_manage_members,
}


def audit_object_rule(object_type: str) -> Callable[[AuditObjectRule], AuditObjectRule]:
    """Registers which records of one kind a viewer may see, for the audit trail."""

    def register(rule: AuditObjectRule) -> AuditObjectRule:
        AUDIT_OBJECT_RULES[object_type] = rule
        return rule

    return register


def ids_as_text(queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    """A subquery of a queryset's primary keys as text, to compare with an audit row's id."""
    return queryset.annotate(id_text=Cast("pk", output_field=CharField())).values("id_text")


@audit_object_rule("involvement")
def _audit_involvements(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(records_visible_to(Involvement.objects.all(), viewer=viewer))


@audit_object_rule("membership")
def _audit_memberships(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(
        Membership.objects.filter(network_id=viewer.network_id).filter(
            membership_filter(viewer=viewer)
        )
    )


def audit_filter(*, viewer: Viewer) -> Q:
    """The audit rows of the viewer's network that name nothing the viewer may not see:
    rows about the record as a whole that their role may see, and rows about a shared record
    (a concern, an involvement, a membership…) only where they may see that record now.
    Rows of a kind nobody has a rule for are left out."""
    allowed = [
        Q(object_type=object_type)
        for object_type, may in AUDIT_WHOLE_RECORD_TYPES.items()
        if may(viewer)
    ]
    allowed += [
        Q(object_type=object_type, object_id__in=rule(viewer))
        for object_type, rule in AUDIT_OBJECT_RULES.items()
    ]
    return reduce(or_, allowed)


HIDDEN_PERSON_LABEL = "A professional"


def people_hidden_from(*, viewer: Viewer, user_ids: Iterable[int | None]) -> set[int]:
    """Of these people (who did something in the network), those the viewer may not know
    are involved: anyone with a membership here, now or before, that the viewer may not
    see, and, for family, friends and the person, any professional outside the network (a
    reviewing safeguarding lead), whose name would tell which agencies are involved. The
    viewer themself is never hidden. Pages and the API show `HIDDEN_PERSON_LABEL` instead.
    """
    user_ids = {user_id for user_id in user_ids if user_id is not None} - {viewer.user_id}
    if not user_ids:
        return set()
    rows = (
        Membership.objects.filter(network_id=viewer.network_id, user_id__in=user_ids)
        .annotate(known=Case(When(membership_filter(viewer=viewer), then=True), default=False))
        .values_list("user_id", "known")
    )
    members, known = set(), set()
    for user_id, is_known in rows:
        members.add(user_id)
        if is_known:
            known.add(user_id)
    hidden = members - known
    if not viewer.is_professional:
        hidden |= user_ids - members
    return hidden


def audit_rows_visible_to(
    queryset: QuerySet[AuditEvent], *, viewer: Viewer
) -> QuerySet[AuditEvent]:
    return queryset.filter(audit_filter(viewer=viewer))
