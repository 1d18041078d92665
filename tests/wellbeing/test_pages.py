"""The pages without JavaScript (plain forms that POST and redirect), what matters at the top
of the overview with who wrote it, and the list's queries, flat however many updates."""

from __future__ import annotations

import pytest
from django.test import Client

from caregraph.models import AuditEvent, MemberKind, Network
from tests.networks import coordinator_of, member_add, network_create, viewer
from tests.wellbeing.world import photo_upload, signed_in
from wellbeing.services import wellbeing_reply_add, wellbeing_update_post

pytestmark = pytest.mark.django_db


def test_a_family_member_posts_replies_and_thanks_without_javascript() -> None:
    network = network_create(given_name="Rose")
    family = member_add(network, kind=MemberKind.FAMILY).user
    family.display_name = "Aunt Jo"
    family.save()
    friend = member_add(network, kind=MemberKind.FRIEND).user
    client = signed_in(family)

    page = client.get(f"/networks/{network.pk}/updates/")
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "How is Rose today?" in html
    # Family choose between everyone and the professionals; no narrower audience is offered.
    assert 'value="network"' in html and 'value="professionals"' in html
    assert 'value="restricted"' not in html

    posted = client.post(
        f"/networks/{network.pk}/updates/",
        {
            "text": "Rose ate all her lunch today",
            "visibility": "network",
            "photos": [photo_upload()],
        },
    )
    assert posted.status_code == 302
    update_id = network.wellbeing_updates.get().pk
    assert posted["Location"] == f"/networks/{network.pk}/updates/#update-{update_id}"
    shown = client.get(posted["Location"]).content.decode()
    assert "Your update has been posted." in shown
    assert "Rose ate all her lunch today" in shown and "Aunt Jo" in shown
    assert f"/networks/{network.pk}/updates/photos/" in shown

    as_friend = signed_in(friend)
    replied = as_friend.post(
        f"/networks/{network.pk}/updates/{update_id}/replies/", {"text": "Lovely to hear"}
    )
    assert replied.status_code == 302
    thanked = as_friend.post(
        f"/networks/{network.pk}/updates/{update_id}/reactions/", {"kind": "thanks", "on": "on"}
    )
    assert thanked.status_code == 302
    shown = client.get(f"/networks/{network.pk}/updates/").content.decode()
    assert "Lovely to hear" in shown
    assert 'Thanked by <span data-count="thanks">1</span>' in shown

    empty = as_friend.post(f"/networks/{network.pk}/updates/{update_id}/replies/", {"text": " "})
    assert "Write a reply" in as_friend.get(empty["Location"]).content.decode()
    refused = client.post(f"/networks/{network.pk}/updates/", {"text": "", "visibility": "network"})
    assert "Say how they are doing" in refused.content.decode()
    assert network.wellbeing_updates.count() == 1


def test_what_matters_is_at_the_top_of_the_overview_with_whose_words_they_are() -> None:
    network = network_create(given_name="Rose")
    person = member_add(network, kind=MemberKind.PERSON).user
    family = member_add(network, kind=MemberKind.FAMILY).user
    family.display_name = "Aunt Jo"
    family.save()
    friend = member_add(network, kind=MemberKind.FRIEND).user

    own = signed_in(person).post(
        f"/networks/{network.pk}/what-matters/",
        {"good_day": "Tea in the garden and a phone call with my sister"},
    )
    assert own.status_code == 302 and own["Location"] == f"/networks/{network.pk}/"
    signed_in(family).post(
        f"/networks/{network.pk}/what-matters/",
        {
            "good_day": "Tea in the garden and a phone call with my sister",
            "upsets": "Being rushed in the morning",
        },
    )
    # A friend reads them but does not keep them.
    assert (
        signed_in(friend).post(f"/networks/{network.pk}/what-matters/", {"upsets": "x"}).status_code
        == 404
    )

    overview = signed_in(friend).get(f"/networks/{network.pk}/").content.decode()
    top = overview.index("What matters to Rose")
    assert top < overview.index("About Rose")
    assert "Tea in the garden" in overview and "In Rose's own words" in overview
    assert "Being rushed in the morning" in overview
    assert "Written by Aunt Jo on behalf of Rose" in overview

    history = list(
        AuditEvent.objects.filter(network=network, object_type="what_matters")
        .order_by("at")
        .values_list("actor_id", "summary")
    )
    assert [actor for actor, _ in history] == [person.pk, family.pk]
    assert "by the person" in history[0][1] and "on behalf of Rose" in history[1][1]
    assert "Being rushed" in history[1][1]


def _network_with_updates(count: int) -> tuple[Network, Client]:
    network = network_create()
    coordinator = coordinator_of(network)
    members = [member_add(network, kind=MemberKind.FAMILY).user for _ in range(2)]
    for index in range(count):
        author = members[index % 2]
        update = wellbeing_update_post(
            network=network,
            viewer=viewer(network, author),
            posted_by=author,
            text=f"Update {index}",
        )
        wellbeing_reply_add(
            update=update, viewer=viewer(network, coordinator), added_by=coordinator, text="Thanks"
        )
    return network, signed_in(members[0])


# Session and user, the network and the viewer's standing, the page of updates with its
# photos, replies and reactions, whom to hide, the audit row, the session; the page adds
# the notification count and its messages.
LIST_QUERIES = {"/networks/{network}/updates/": 16, "/api/v1/networks/{network}/updates/": 14}


@pytest.mark.parametrize("path", list(LIST_QUERIES))
@pytest.mark.parametrize("size", [2, 20])
def test_the_list_runs_the_same_queries_for_2_or_20_updates(
    path: str,
    size: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    network, client = _network_with_updates(size)
    with django_assert_num_queries(LIST_QUERIES[path]):
        response = client.get(path.format(network=network.pk))
    assert response.status_code == 200
    assert response.content.decode().count("Thanks") >= size
