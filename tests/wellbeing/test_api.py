"""The API of updates beyond the list: replies (Idempotency-Key), reactions, the author
narrowing an update, and what matters kept on the person's behalf."""

from __future__ import annotations

import pytest

from caregraph.models import MemberKind
from tests.factories import totp_enrol
from tests.networks import coordinator_of, member_add, network_create
from tests.wellbeing.world import signed_in

pytestmark = pytest.mark.django_db


def test_reply_react_narrow_and_keep_what_matters_through_the_api() -> None:
    network = network_create(given_name="Rose")
    practitioner = coordinator_of(network)
    totp_enrol(practitioner)
    family = member_add(network, kind=MemberKind.FAMILY).user
    friend = member_add(network, kind=MemberKind.FRIEND).user
    base = f"/api/v1/networks/{network.pk}"
    as_family, as_friend = signed_in(family), signed_in(friend)

    update = as_family.post(
        f"{base}/updates/", {"text": "Rose slept well"}, content_type="application/json"
    ).json()
    url = f"{base}/updates/{update['id']}/"
    assert update["visibility"] == "network"

    key = {"Idempotency-Key": "reply-1"}
    first = as_friend.post(
        f"{url}replies/", {"text": "So glad"}, content_type="application/json", headers=key
    )
    again = as_friend.post(
        f"{url}replies/", {"text": "So glad"}, content_type="application/json", headers=key
    )
    assert first.status_code == again.status_code == 201
    assert [r["text"] for r in again.json()["replies"]] == ["So glad"]
    blank = as_friend.post(f"{url}replies/", {"text": ""}, content_type="application/json")
    assert blank.status_code == 400 and list(blank.json()["errors"]) == ["text"]

    for _ in range(2):
        thanked = as_friend.post(
            f"{url}reactions/", {"kind": "thanks"}, content_type="application/json"
        )
    assert thanked.json()["reactions"] == {"seen": 0, "thanks": 1}
    assert thanked.json()["my_reactions"] == ["thanks"]
    taken_back = as_friend.delete(
        f"{url}reactions/", {"kind": "thanks"}, content_type="application/json"
    )
    assert taken_back.json()["reactions"]["thanks"] == 0

    # Only the author narrows it; then the friend no longer finds it anywhere.
    refused = as_friend.patch(url, {"visibility": "professionals"}, content_type="application/json")
    assert refused.status_code == 403 and "errors" in refused.json()
    narrowed = as_family.patch(
        url, {"visibility": "professionals"}, content_type="application/json"
    )
    assert narrowed.status_code == 200 and narrowed.json()["visibility"] == "professionals"
    assert as_friend.get(url).status_code == 404
    assert (
        as_friend.post(f"{url}replies/", {"text": "?"}, content_type="application/json").status_code
        == 404
    )
    assert signed_in(practitioner).get(url).json()["replies"][0]["text"] == "So glad"

    put = as_family.put(
        f"{base}/what-matters/",
        {"spoken_to": "Slowly, and face to face"},
        content_type="application/json",
    )
    assert put.status_code == 200
    note = {row["topic"]: row for row in as_friend.get(f"{base}/what-matters/").json()}["spoken_to"]
    assert note["text"] == "Slowly, and face to face" and note["on_behalf"] is True
    assert note["written_by"] == str(family)
    refused = as_friend.put(
        f"{base}/what-matters/", {"upsets": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
