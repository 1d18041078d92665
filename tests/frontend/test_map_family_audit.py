"""The network map, the family view, and who has viewed or changed the record."""

from __future__ import annotations

import json
import re

import pytest

from caregraph.models import AuditAction, AuditEvent, MemberKind, PersonRelationship
from caregraph.services.audit import audit_record
from caregraph.services.networks import relationship_link
from tests.factories import UserFactory
from tests.frontend.conftest import (
    error_summary,
    join,
    register,
    signed_in,
    staff,
    text,
    viewer,
)

pytestmark = pytest.mark.django_db


def _graph(response) -> dict:
    match = re.search(
        r'<script id="network-graph" type="application/json">(.*?)</script>',
        response.content.decode(),
        flags=re.S,
    )
    assert match, "the graph is embedded for network-map.mjs"
    return json.loads(match.group(1))


def test_the_map_is_complete_as_tables_and_drawn_from_embedded_data(
    network, practitioner, family_member
) -> None:
    response = signed_in(family_member).get(f"/networks/{network.pk}/map/")
    page, html = text(response), response.content.decode()

    assert response.status_code == 200
    assert "Ava Thompson The person" in page
    assert "Grace Thompson Family" in page
    assert "Grace Thompson Ava Thompson Grandmother" in page  # a connection
    assert "Northfield Children's Services Agency" in page
    container = re.search(r'<div id="network-map"[^>]*>', html)
    assert container
    assert 'role="img"' in container.group(0)
    assert 'aria-label="A map of the network around Ava Thompson' in container.group(0)
    assert " hidden" in container.group(0)  # shown by the script; the tables are the content
    assert '<script type="module" src="/static/frontend/js/network-map.mjs">' in html
    graph = _graph(response)
    assert {node["label"] for node in graph["nodes"]} >= {"Ava Thompson", "Grace Thompson"}
    ids = {node["id"] for node in graph["nodes"]}
    assert all(edge["source"] in ids and edge["target"] in ids for edge in graph["edges"])


def test_the_family_view_shows_relatives_the_user_may_see(network, practitioner) -> None:
    sibling = register(practitioner, given_name="Mia", date_of_birth=None, postcode="LS6 2AB")
    hidden = register(staff(), given_name="Zoe")
    relationship_link(
        network=network,
        relative_network=sibling,
        kind="sibling",
        linked_by=practitioner,
        viewer=viewer(practitioner, network),
    )
    PersonRelationship.objects.create(person=network.person, relative=hidden.person, kind="sibling")

    response = signed_in(practitioner).get(f"/networks/{network.pk}/family/")
    page = text(response)

    assert "Mia Thompson" in page
    assert "Relationship Sibling of Ava" in page
    assert "Postcode LS6 2AB" in page
    assert f'href="/networks/{sibling.pk}/"' in response.content.decode()
    assert "Zoe" not in page
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor=practitioner, person=sibling.person
    ).exists()


def test_a_professional_links_a_relative_from_the_networks_they_can_see(
    network, practitioner
) -> None:
    mother = register(practitioner, given_name="Sarah", date_of_birth=None)
    not_theirs = register(staff(), given_name="Zoe")
    client = signed_in(practitioner)
    form = client.get(f"/networks/{network.pk}/family/").content.decode()
    assert f'<option value="{mother.pk}">Sarah Thompson</option>' in form
    assert f'value="{not_theirs.pk}"' not in form

    refused = client.post(
        f"/networks/{network.pk}/family/",
        {"relative_network": str(not_theirs.pk), "kind": "parent"},
    )
    assert "Select a valid choice" in error_summary(refused)
    assert not PersonRelationship.objects.exists()

    linked = client.post(
        f"/networks/{network.pk}/family/", {"relative_network": str(mother.pk), "kind": "parent"}
    )

    assert linked["Location"] == f"/networks/{network.pk}/family/"
    assert PersonRelationship.objects.get(person=network.person).kind == "parent"
    assert PersonRelationship.objects.get(person=mother.person).kind == "child"
    assert "Relationship Parent of Ava" in text(client.get(linked["Location"]))


def test_family_members_see_no_link_form_and_cannot_post_one(
    network, practitioner, family_member
) -> None:
    mother = register(practitioner, given_name="Sarah")
    join(mother, family_member)
    client = signed_in(family_member)
    assert "Link a relative" not in text(client.get(f"/networks/{network.pk}/family/"))
    posted = client.post(
        f"/networks/{network.pk}/family/", {"relative_network": str(mother.pk), "kind": "parent"}
    )
    assert posted.status_code == 404
    assert not PersonRelationship.objects.exists()


def test_the_audit_page_shows_who_did_what_for_coordinators_only(
    network, practitioner, family_member
) -> None:
    signed_in(family_member).get(f"/networks/{network.pk}/")
    assert signed_in(family_member).get(f"/networks/{network.pk}/audit/").status_code == 404

    response = signed_in(practitioner).get(f"/networks/{network.pk}/audit/")
    page = text(response)

    assert "Who has viewed or changed this record" in page
    assert "Grace Thompson Viewed the overview Web page" in page
    assert f"{practitioner.display_name} Registered the person and started their network" in page
    assert f"{practitioner.display_name} Viewed who has looked at the record" in page


def test_the_person_themself_may_see_who_looked(network, practitioner) -> None:
    person_user = UserFactory.create()
    join(network, person_user, kind=MemberKind.PERSON)
    assert signed_in(person_user).get(f"/networks/{network.pk}/audit/").status_code == 200


def test_the_audit_page_shows_fifty_a_page(network, practitioner) -> None:
    for serial in range(120):
        audit_record(
            actor=practitioner,
            action=AuditAction.VIEW,
            summary=f"Looked {serial:03d}",
            object_type="network",
            network=network,
        )
    client = signed_in(practitioner)

    first = client.get(f"/networks/{network.pk}/audit/")
    assert first.content.decode().count('<tr class="govuk-table__row">') == 1 + 50
    assert "Looked 119" in text(first)
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert 'aria-current="page">1</a>' in first.content.decode()

    third = client.get(f"/networks/{network.pk}/audit/?page=3")
    assert "Looked 000" in text(third)
    assert 'rel="prev"' in third.content.decode()
    assert 'rel="next"' not in third.content.decode()
