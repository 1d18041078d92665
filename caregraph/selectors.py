"""Reads of the care graph, each already narrowed by the access policy."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from agencies.models import Involvement
from caregraph.models import (
    AuditAction,
    AuditEvent,
    Identifier,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    MembershipStatus,
    Network,
    Person,
    PersonRelationship,
)
from caregraph.policy import Viewer, networks_visible_to, records_visible_to

AnyUser = AbstractBaseUser | AnonymousUser


def network_list_for_user(*, user: AnyUser) -> QuerySet[Network]:
    """The networks the user may see, with their person, newest first."""
    return networks_visible_to(user=user).select_related("person").order_by("-created_at", "-pk")


def member_list(*, viewer: Viewer) -> QuerySet[Membership]:
    """Active members. Every member may see who else is in their network."""
    return (
        Membership.objects.filter(network_id=viewer.network_id, status=MembershipStatus.ACTIVE)
        .select_related("user", "agency")
        .order_by("kind", "user__display_name", "pk")
    )


def involvement_list(*, viewer: Viewer, include_closed: bool = True) -> QuerySet[Involvement]:
    involvements = records_visible_to(Involvement.objects.all(), viewer=viewer).select_related(
        "agency", "lead_professional"
    )
    if not include_closed:
        today = timezone.localdate()
        involvements = involvements.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    return involvements.order_by("ended_on", "-started_on", "pk")


def identifier_list(*, viewer: Viewer, person: Person) -> QuerySet[Identifier]:
    """Identifiers are for professionals; family members see the person's name only."""
    if not viewer.is_professional:
        return Identifier.objects.none()
    return Identifier.objects.filter(person=person).select_related("agency").order_by("system")


def relatives_visible(*, user: AnyUser, person: Person) -> list[PersonRelationship]:
    """Relatives of the person whose own networks this user may also see."""
    visible = networks_visible_to(user=user).values("person_id")
    return list(
        PersonRelationship.objects.filter(person=person, relative_id__in=visible)
        .select_related("relative__network")
        .order_by("kind", "relative__given_name")
    )


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
        return [i for i in self.involvements if i.ended_on is None or i.ended_on >= today]


def person_overview(*, user: AnyUser, viewer: Viewer, network: Network) -> Overview:
    """Everything the overview page shows, in a fixed number of queries however large."""
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
        involvements=list(involvement_list(viewer=viewer)),
        members=list(member_list(viewer=viewer)),
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
    """Who looked at or changed this person's record, newest first, merged records included."""
    people = [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(person_id__in=people).select_related("actor")
    if views_only:
        events = events.filter(action__in=[AuditAction.VIEW, AuditAction.SEARCH])
    return events.order_by("-at", "-pk")


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
    nodes = [{"id": person_node, "label": overview.person.full_name, "kind": "person"}]
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


def involvement_prefetch() -> Prefetch:
    return Prefetch("involvements", queryset=Involvement.objects.select_related("agency"))
