"""A person's record: the overview, the network map, the family view and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agencies.selectors import involvement_list, involvement_rows
from caregraph.identifiers import identifier_display
from caregraph.models import Identifier, MemberKind, Network, RelationshipKind
from caregraph.policy import Viewer, people_hidden_from
from caregraph.selectors import (
    audit_list_for_viewer,
    member_rows,
    network_graph,
    network_list_for_user,
    person_overview,
    relatives_visible,
)
from caregraph.services.networks import relationship_link
from caregraph.support import circle_of_support, who_to_call
from concerns.selectors import concern_count_open_visible_to
from frontend.forms.networks import RelativeLinkForm
from frontend.fragments import fragment_cached, involvement_cards_html, member_list_html
from frontend.kept_pages import CONTACTS, RECORD, kept_page
from frontend.views.common import audit_view, network_for_request, page_post, posted, signed_in_user

AUDIT_PAGE_SIZE = 50
NODE_KINDS = {
    **{value: str(label) for value, label in MemberKind.choices},
    "centre": "The person",
    "agency": "Agency",
    "relative": "Relative",
}


def _identifier_rows(identifiers: list[Identifier]) -> list[dict[str, str]]:
    rows = []
    for identifier in identifiers:
        label = identifier.get_system_display()
        if identifier.agency_id and identifier.agency:
            label = f"{label} ({identifier.agency.name})"
        value = identifier_display(system=identifier.system, value=identifier.value)
        rows.append({"label": label, "value": value})
    return rows


def _overview_shared(network: Network, viewer: Viewer) -> dict[str, Any]:
    """What the overview shows of the network's shared records, all changed only through
    events: the count of open concerns, the open involvement and the members."""
    return {
        "open_concerns": concern_count_open_visible_to(viewer=viewer),
        "involvement_cards": involvement_cards_html(
            involvement_rows(viewer=viewer, include_closed=False), viewer=viewer
        ),
        "member_list": member_list_html(
            member_rows(viewer=viewer), viewer=viewer, network_id=network.pk
        ),
    }


@login_required
def network_overview(request: HttpRequest, network_id: int) -> HttpResponse:
    """Who the person is, who is involved and who is in their network. Family, friends and
    the person get the family-first overview: what is coming up, who to call, the latest
    updates and the circle of support, then the record. Kept whole for a viewer who asks
    again while nothing on it has changed (`frontend.kept_pages`)."""
    network, viewer = network_for_request(request, network_id)
    audit_view(request, network=network, summary="Viewed the overview")
    return kept_page(
        request,
        "overview",
        network=network,
        viewer=viewer,
        render=lambda: _overview_render(request, network, viewer),
        shows=RECORD + CONTACTS if viewer.sees_family_view else RECORD,
    )


def _overview_render(request: HttpRequest, network: Network, viewer: Viewer) -> HttpResponse:
    overview = person_overview(
        user=request.user, viewer=viewer, network=network, involvements=[], with_members=False
    )
    # One cache read for the long lists and the count, for this state of the network and
    # exactly these audiences (see frontend.fragments).
    shared = fragment_cached(
        "overview", network=network, viewer=viewer, render=lambda: _overview_shared(network, viewer)
    )
    overview.open_concerns = shared["open_concerns"]
    if viewer.sees_family_view:
        return render(
            request,
            "frontend/networks/overview_family.html",
            {
                "network": network,
                "person": overview.person,
                "viewer": viewer,
                "overview": overview,
                "contacts": who_to_call(viewer=viewer),
                "circle": circle_of_support(viewer=viewer, network=network),
                "involvement_cards": shared["involvement_cards"],
                "section": "overview",
            },
        )
    return render(
        request,
        "frontend/networks/overview.html",
        {
            "network": network,
            "person": overview.person,
            "viewer": viewer,
            "overview": overview,
            "identifiers": _identifier_rows(overview.identifiers),
            "involvement_cards": shared["involvement_cards"],
            "member_list": shared["member_list"],
            "section": "overview",
        },
    )


@login_required
def network_map(request: HttpRequest, network_id: int) -> HttpResponse:
    """The network drawn as a graph where JavaScript runs, and always as tables."""
    network, viewer = network_for_request(request, network_id)
    overview = person_overview(
        user=request.user,
        viewer=viewer,
        network=network,
        involvements=list(involvement_list(viewer=viewer)),
    )
    graph = network_graph(overview=overview)
    audit_view(request, network=network, summary="Viewed the network map")
    labels = {node["id"]: node["label"] for node in graph["nodes"]}
    nodes = [{**node, "kind_label": NODE_KINDS.get(node["kind"], "")} for node in graph["nodes"]]
    connections = [
        {"from": labels.get(edge["source"], ""), "to": labels.get(edge["target"], ""), **edge}
        for edge in graph["edges"]
    ]
    return render(
        request,
        "frontend/networks/map.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "graph": graph,
            "nodes": nodes,
            "connections": connections,
            "section": "map",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_family(request: HttpRequest, network_id: int) -> HttpResponse:
    """The person's relatives whose networks this user may also see; professionals link more."""
    network, viewer = network_for_request(request, network_id)
    user = signed_in_user(request)
    if request.method == "POST" and not viewer.is_professional:
        raise Http404("No such page")
    relatives = relatives_visible(user=user, person=network.person)
    form = None
    if viewer.is_professional:
        linked = {relation.relative_id for relation in relatives}
        linkable = [
            other
            for other in network_list_for_user(user=user)
            if other.pk != network.pk and other.person_id not in linked
        ]
        form = RelativeLinkForm(posted(request), networks=linkable)
        if request.method == "POST" and form.is_valid():
            relative_network, _ = network_for_request(
                request, int(form.cleaned_data["relative_network"])
            )
            kind = RelationshipKind(form.cleaned_data["kind"]).label.lower()
            done = page_post(
                request,
                form,
                lambda data: relationship_link(
                    network=network,
                    relative_network=relative_network,
                    kind=data["kind"],
                    linked_by=user,
                    viewer=viewer,
                ),
                success_url=reverse("network_family", args=[network.pk]),
                message=f"{relative_network.person.full_name} is linked as {kind}.",
                fields={"relative": "relative_network"},
            )
            if done is not None:
                return done
    audit_view(request, network=network, summary="Viewed the family view")
    for relation in relatives:
        audit_view(
            request,
            network=relation.relative.network,
            summary="Seen in the family view of a relative's record",
        )
    return render(
        request,
        "frontend/networks/family.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "relatives": relatives,
            "form": form,
            "section": "family",
        },
    )


@login_required
def network_audit(request: HttpRequest, network_id: int) -> HttpResponse:
    """Who has viewed or changed this record: for the person, coordinators and leads."""
    network, viewer = network_for_request(request, network_id)
    if not viewer.may_view_audit:
        raise Http404("No such page")
    audit_view(request, network=network, summary="Viewed who has looked at the record")
    paginator = Paginator(
        audit_list_for_viewer(viewer=viewer, person=network.person), AUDIT_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    hidden = people_hidden_from(viewer=viewer, user_ids=[row.actor_id for row in page])
    return render(
        request,
        "frontend/networks/audit.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "page": page,
            "hidden_people": hidden,
            "page_range": list(paginator.get_elided_page_range(page.number, on_ends=1)),
            "ellipsis": Paginator.ELLIPSIS,
            "section": "audit",
        },
    )
