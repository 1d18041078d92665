"""Reads of the care graph, each already narrowed by the access policy."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from agencies.models import Involvement
from caregraph.models import (
    AuditAction,
    AuditEvent,
    Identifier,
    Invitation,
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
from caregraph.policy import (
    Viewer,
    audit_rows_visible_to,
    involvement_is_open,
    membership_filter,
    network_get_for_user,
    networks_visible_to,
    user_may_review_matches,
)

AnyUser = AbstractBaseUser | AnonymousUser


def network_list_for_user(*, user: AnyUser) -> QuerySet[Network]:
    """The networks the user may see, with their person, newest first."""
    return networks_visible_to(user=user).select_related("person").order_by("-created_at", "-pk")


def member_list(*, viewer: Viewer) -> QuerySet[Membership]:
    """Active members the viewer may know of: everyone in the network, but for members
    whose own visibility keeps them from some (see `caregraph.policy.membership_filter`)."""
    return (
        Membership.objects.filter(network_id=viewer.network_id, status=MembershipStatus.ACTIVE)
        .filter(membership_filter(viewer=viewer))
        .select_related("user", "agency")
        .order_by("kind", "user__display_name", "pk")
    )


def membership_history_list(*, viewer: Viewer) -> QuerySet[Membership]:
    """Every membership the network has had, ended ones too, that the viewer may know of."""
    return (
        Membership.objects.filter(network_id=viewer.network_id)
        .filter(membership_filter(viewer=viewer))
        .select_related("user", "agency")
    )


def identifier_list(*, viewer: Viewer, person: Person) -> QuerySet[Identifier]:
    """Identifiers are for professionals; family members see the person's name only."""
    if not viewer.is_professional:
        return Identifier.objects.none()
    return Identifier.objects.filter(person=person).select_related("agency").order_by("system")


def relatives_visible(*, user: AnyUser, person: Person) -> list[PersonRelationship]:
    """Relatives of the person whose own networks this user may also see.

    Most people have none linked: then one plain query answers, and the question of which
    networks the user may see (a query costly to build) is only asked when there are some.
    """
    relations = list(
        PersonRelationship.objects.filter(person=person)
        .select_related("relative__network")
        .order_by("kind", "relative__given_name", "pk")
    )
    if not relations:
        return []
    visible = set(
        networks_visible_to(user=user)
        .filter(person_id__in=[relation.relative_id for relation in relations])
        .values_list("person_id", flat=True)
    )
    return [relation for relation in relations if relation.relative_id in visible]


@dataclass
class Overview:
    network: Network
    person: Person
    viewer: Viewer
    identifiers: list[Identifier]
    involvements: list[Involvement]
    members: list[Membership]
    relatives: list[PersonRelationship]
    pending_join_requests: int = 0
    open_concerns: int = 0
    next_events: list[object] = field(default_factory=list)

    @property
    def open_involvements(self) -> list[Involvement]:
        today = timezone.localdate()
        return [i for i in self.involvements if involvement_is_open(i, today=today)]


def person_overview(
    *,
    user: AnyUser,
    viewer: Viewer,
    network: Network,
    involvements: list[Involvement],
    with_members: bool = True,
) -> Overview:
    """Everything the overview page shows, in a fixed number of queries however large; the
    agencies' involvement the viewer may see is given (`agencies.selectors.involvement_list`).
    Without `with_members` the members are left for the caller to read (`member_rows`)."""
    person = network.person
    pending = (
        JoinRequest.objects.filter(network=network, status=JoinRequestStatus.PENDING).count()
        if viewer.is_coordinator
        else 0
    )
    return Overview(
        network=network,
        person=person,
        viewer=viewer,
        identifiers=list(identifier_list(viewer=viewer, person=person)),
        involvements=involvements,
        members=list(member_list(viewer=viewer)) if with_members else [],
        relatives=relatives_visible(user=user, person=person),
        pending_join_requests=pending,
    )


def people_search(
    *,
    user: AnyUser,
    nhs_number: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
) -> QuerySet[Person]:
    """People in networks the user may see, by NHS Number or by name and date of birth."""
    people = Person.objects.filter(
        network__in=networks_visible_to(user=user), merged_into__isnull=True
    ).select_related("network")
    if nhs_number:
        people = people.filter(identifiers__system="nhs_number", identifiers__value=nhs_number)
    if family_name:
        people = people.filter(family_name__iexact=family_name.strip())
    if given_name:
        people = people.filter(given_name__istartswith=given_name.strip())
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    return people.order_by("family_name", "given_name", "pk")


def audit_list_for_person(*, person: Person, views_only: bool = False) -> QuerySet[AuditEvent]:
    """Every row about this person's record, newest first, merged records included. Not for
    showing anyone: `audit_list_for_viewer` is what a user is shown."""
    people = [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(person_id__in=people).select_related("actor")
    if views_only:
        events = events.filter(action__in=[AuditAction.VIEW, AuditAction.SEARCH])
    return events.order_by("-at", "-pk")


def audit_list_for_viewer(*, viewer: Viewer, person: Person) -> QuerySet[AuditEvent]:
    """Who looked at or changed the person's record, as this viewer may see it: only rows
    about what they may see now (see `caregraph.policy.audit_filter`). Empty for those who
    may not see the audit at all."""
    if not viewer.may_view_audit:
        return AuditEvent.objects.none()
    return audit_rows_visible_to(audit_list_for_person(person=person), viewer=viewer)


def join_request_list(*, viewer: Viewer) -> QuerySet[JoinRequest]:
    if not viewer.is_coordinator:
        return JoinRequest.objects.none()
    return (
        JoinRequest.objects.filter(network_id=viewer.network_id, status=JoinRequestStatus.PENDING)
        .select_related("requested_by", "agency")
        .order_by("created_at")
    )


def network_graph(*, overview: Overview) -> dict[str, list[dict[str, str]]]:
    """Nodes and edges of the network map: the person, members, agencies and relatives."""
    person_node = f"person-{overview.person.pk}"
    nodes = [{"id": person_node, "label": overview.person.full_name, "kind": "centre"}]
    edges: list[dict[str, str]] = []
    for member in overview.members:
        node = f"member-{member.pk}"
        label = str(member.user)
        nodes.append({"id": node, "label": label, "kind": member.kind})
        edges.append({"source": node, "target": person_node, "label": member.relationship})
        if member.agency_id:
            edges.append({"source": node, "target": f"agency-{member.agency_id}", "label": ""})
    agencies = {m.agency_id: m.agency for m in overview.members if m.agency_id}
    for involvement in overview.open_involvements:
        agencies[involvement.agency_id] = involvement.agency
        edges.append(
            {
                "source": f"agency-{involvement.agency_id}",
                "target": person_node,
                "label": involvement.service,
            }
        )
    for agency_id, agency in agencies.items():
        if agency is not None:
            nodes.append({"id": f"agency-{agency_id}", "label": agency.name, "kind": "agency"})
    for relation in overview.relatives:
        node = f"person-{relation.relative_id}"
        nodes.append({"id": node, "label": relation.relative.full_name, "kind": "relative"})
        edges.append({"source": node, "target": person_node, "label": relation.get_kind_display()})
    return {"nodes": nodes, "edges": edges}


# --- Reads for the pages -------------------------------------------------------------------


def network_list_with_role(*, user: AnyUser) -> QuerySet[Network]:
    """The user's networks, newest first, each with `my_memberships`: their active membership
    there (empty where they see it as a reviewing safeguarding lead). Two queries however many."""
    mine = Membership.objects.filter(
        user_id=user.pk or 0, status=MembershipStatus.ACTIVE
    ).select_related("agency")
    return network_list_for_user(user=user).prefetch_related(
        Prefetch("memberships", queryset=mine, to_attr="my_memberships")
    )


def invitation_list_pending(*, viewer: Viewer) -> QuerySet[Invitation]:
    """Invitations not yet accepted, withdrawn or expired: for those who manage members."""
    if not viewer.may_manage_members:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            network_id=viewer.network_id,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation's token: only its hash, so the table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a token opens, if it is still usable."""
    invitation = (
        Invitation.objects.filter(token_hash=invitation_token_hash(token))
        .select_related("network__person")
        .first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    return invitation


def user_exists_with_email(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def merge_list_undoable(*, user: AnyUser) -> QuerySet[Merge]:
    """Merges not undone, newest first, that this user may undo: a reviewer who can see the
    network that now holds both records."""
    if not user_may_review_matches(user=user):
        return Merge.objects.none()
    visible = networks_visible_to(user=user).values("person_id")
    return (
        Merge.objects.filter(undone_at__isnull=True, survivor_id__in=visible)
        .select_related("survivor", "merged", "performed_by")
        .order_by("-performed_at", "-pk")
    )


def match_candidates_open(*, user: AnyUser) -> QuerySet[MatchCandidate]:
    """Open possible matches this user may review, most likely first.

    Only for safeguarding leads and agency admins, and only pairs where they may see both
    people's networks. A pair where either person has since been merged away is left out.
    """
    if not user_may_review_matches(user=user):
        return MatchCandidate.objects.none()
    visible_people = networks_visible_to(user=user).values("person_id")
    return (
        MatchCandidate.objects.filter(
            status=MatchStatus.OPEN,
            person_id__in=visible_people,
            candidate_id__in=visible_people,
            person__merged_into__isnull=True,
            candidate__merged_into__isnull=True,
        )
        .select_related("person", "candidate")
        .order_by("-score", "created_at", "pk")
    )


# --- Reads for the API ---------------------------------------------------------------------


def person_get_for_user(*, user: AnyUser, person_id: int | str) -> tuple[Person, Viewer]:
    """A person and the user's standing in their network; 404 for "not there" and "not yours".

    A person is visible where their network is. A record merged into another answers 404:
    its content now lives with the survivor.
    """
    try:
        network_id = (
            Network.objects.filter(person_id=int(person_id), person__merged_into__isnull=True)
            .values_list("pk", flat=True)
            .first()
        )
    except (ValueError, TypeError) as missing:
        raise Http404("No such person") from missing
    if network_id is None:
        raise Http404("No such person")
    network, viewer = network_get_for_user(user=user, network_id=network_id)
    return network.person, viewer


def network_get_to_ask_to_join(*, network_id: int | str) -> Network:
    """The network a professional asks to join: they may not see it, so nothing is loaded
    but its id, which registration told them."""
    try:
        return Network.objects.only("pk").get(pk=int(network_id))
    except (Network.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such network") from missing


def membership_get_active(*, viewer: Viewer, membership_id: int | str) -> Membership:
    """An active membership of the viewer's network; 404 otherwise."""
    try:
        return member_list(viewer=viewer).get(pk=int(membership_id))
    except (Membership.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such member") from missing


MEMBER_ROW_FIELDS = (
    "pk",
    "user_id",
    "user__display_name",
    "kind",
    "relationship",
    "agency_id",
    "agency__name",
    "is_coordinator",
    "visibility",
)


def member_rows(*, viewer: Viewer) -> list[dict[str, object]]:
    """`member_list` as plain rows (no model instances): for pages that only show the list,
    where building 200 memberships with their users and agencies cost more than the query."""
    return list(member_list(viewer=viewer).values(*MEMBER_ROW_FIELDS))
