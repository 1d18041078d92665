"""Who receives a thread, on every channel: the pages, the API, the event log (what the live
stream sends and replays) and the notification e-mails, for a thread for the whole network
and one for chosen people, and after a member leaves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from caregraph.models import Membership, NetworkEvent, NetworkEventKind
from caregraph.policy import network_events_visible_to, user_audience
from caregraph.realtime import event_envelope
from caregraph.services.networks import membership_end
from messaging.models import Thread, ThreadAudience
from notifications.models import Notification, OutboxMessage
from tests.messaging.conftest import SECRET_WORDS, SUBJECT, Circle, signed_in

API = "/api/v1"


def api_client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def reads_on_page(user: User, thread: Thread) -> bool:
    response = signed_in(user).get(f"/networks/{thread.network_id}/messages/{thread.pk}/")
    assert response.status_code in (200, 404), response.status_code
    if response.status_code == 200:
        assert SECRET_WORDS in response.content.decode()
    return response.status_code == 200


def lists_on_page(user: User, thread: Thread) -> bool:
    response = signed_in(user).get(f"/networks/{thread.network_id}/messages/")
    if response.status_code == 404:  # not in the network at all
        return False
    return f'id="thread-{thread.pk}"' in response.content.decode()


def reads_by_api(user: User, thread: Thread) -> bool:
    client = api_client(user)
    base = f"{API}/networks/{thread.network_id}/threads/"
    listed = client.get(base)
    in_list = listed.status_code == 200 and thread.pk in [t["id"] for t in listed.json()["results"]]
    messages = client.get(f"{base}{thread.pk}/messages/")
    assert messages.status_code in (200, 404)
    if messages.status_code == 200:
        assert messages.json()["results"][0]["text"] == SECRET_WORDS
    assert in_list == (messages.status_code == 200)
    return in_list


def replayed_to(circle: Circle, user: User) -> bool:
    """Whether the stream's replay, for this user, holds the thread's message events."""
    viewer = circle.viewer(user)
    return network_events_visible_to(viewer=viewer).filter(kind="message.posted").exists()


def last_message_event() -> NetworkEvent:
    return NetworkEvent.objects.filter(kind=NetworkEventKind.MESSAGE_POSTED).latest("sequence")


def mailed() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_a_thread_for_chosen_people_reaches_them_alone_on_every_channel(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = circle.start(audience=ThreadAudience.CHOSEN)
    author, chosen, other, lead = circle.author, circle.chosen, circle.other, circle.lead

    for user, may in ((author, True), (chosen, True), (other, False), (lead, False)):
        assert reads_on_page(user, thread) is may, user
        assert lists_on_page(user, thread) is may, user
        assert reads_by_api(user, thread) is may, user
    assert not reads_on_page(circle.outsider, thread)

    # The live stream: the event goes to the participants by name, and nobody else.
    event = last_message_event()
    assert event_envelope(event)["audiences"] == sorted(
        [user_audience(author.pk), user_audience(chosen.pk)]
    )
    assert SECRET_WORDS not in event_envelope(event)["frame"]
    assert [replayed_to(circle, user) for user in (author, chosen, other, lead)] == [
        True,
        True,
        False,
        False,
    ]

    # The e-mail: only to the chosen (not the author), saying nothing of the message.
    assert mailed() == {chosen.email}
    (email,) = mail.outbox
    said = f"{email.subject}\n{email.body}"
    assert SUBJECT not in said and SECRET_WORDS not in said
    assert "new message" in email.subject
    link = re.search(r"https?://\S+(/networks/\d+/messages/\d+/)", str(email.body))
    assert link is not None
    assert link.group(1) == f"/networks/{thread.network_id}/messages/{thread.pk}/"
    assert OutboxMessage.objects.filter(user=chosen).count() == 1
    assert not OutboxMessage.objects.exclude(user=chosen).exists()
    assert set(Notification.objects.values_list("user_id", flat=True)) == {chosen.pk}

    # Someone not chosen cannot write into it either.
    response = api_client(other).post(
        f"{API}/networks/{thread.network_id}/threads/{thread.pk}/messages/",
        {"text": "Let me in"},
        format="json",
    )
    assert response.status_code == 404


def test_a_thread_for_the_network_reaches_its_members_not_a_reviewing_lead(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = circle.start(audience=ThreadAudience.NETWORK)
    members = (circle.author, circle.chosen, circle.other)

    for user in members:
        assert reads_on_page(user, thread) and reads_by_api(user, thread), user
        assert replayed_to(circle, user)
    assert not reads_on_page(circle.lead, thread)
    assert not reads_by_api(circle.lead, thread)
    assert not replayed_to(circle, circle.lead)
    assert event_envelope(last_message_event())["audiences"] == sorted(
        user_audience(user.pk) for user in members
    )
    assert mailed() == {circle.chosen.email, circle.other.email}


@pytest.mark.parametrize("audience", [ThreadAudience.CHOSEN, ThreadAudience.NETWORK])
def test_a_member_who_leaves_loses_the_thread_at_once(
    circle: Circle, audience: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = circle.start(audience=audience)
    chosen = circle.chosen
    (email,) = [message for message in mail.outbox if chosen.email in message.to]
    old_link = re.search(r"https?://[^/\s]+(/\S+)", str(email.body))
    assert old_link is not None
    client = signed_in(chosen)
    assert client.get(old_link.group(1)).status_code == 200

    membership = Membership.objects.get(network=circle.network, user=chosen)
    membership_end(membership=membership, ended_by=chosen, viewer=circle.viewer(chosen))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        circle.post(thread, circle.author, "After you left")

    assert client.get(old_link.group(1)).status_code == 404
    assert client.get(f"/networks/{thread.network_id}/messages/").status_code == 404
    response = api_client(chosen).get(
        f"{API}/networks/{thread.network_id}/threads/{thread.pk}/messages/"
    )
    assert response.status_code == 404
    assert user_audience(chosen.pk) not in event_envelope(last_message_event())["audiences"]
    assert chosen.email not in mailed()
