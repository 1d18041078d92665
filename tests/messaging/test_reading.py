"""Unread counts per member, sending without JavaScript, the notification preference, and a
threads list whose query count does not grow with the threads."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from messaging.models import Message, Thread, ThreadAudience
from messaging.selectors import message_unread_count, thread_list_visible_to
from notifications.models import MESSAGES_PREFERENCE, Delivery, Notification
from notifications.services import notification_preference_set
from tests.messaging.conftest import SECRET_WORDS, Circle, signed_in

API = "/api/v1"


def unread(circle: Circle, user: User) -> tuple[int, dict[int, int]]:
    """The member's unread count for the network, and per thread."""
    viewer = circle.viewer(user)
    threads = thread_list_visible_to(viewer=viewer)
    per_thread = {thread.pk: thread.unread for thread in threads}  # type: ignore[attr-defined]
    return message_unread_count(viewer=viewer), per_thread


def tab_count(client: Any, network_id: int) -> str:
    page = client.get(f"/networks/{network_id}/").content.decode()
    found = re.search(r"data-messages-unread-total>(\d+)<", page)
    assert found is not None
    return found.group(1)


def test_unread_counts_are_each_members_own(circle: Circle) -> None:
    author, chosen, other = circle.author, circle.chosen, circle.other
    everyone = circle.start(audience=ThreadAudience.NETWORK)
    circle.post(everyone, author, "And another thing")
    private = circle.start(audience=ThreadAudience.CHOSEN)

    assert unread(circle, author) == (0, {everyone.pk: 0, private.pk: 0})
    assert unread(circle, chosen) == (3, {everyone.pk: 2, private.pk: 1})
    assert unread(circle, other) == (2, {everyone.pk: 2})
    assert tab_count(signed_in(chosen), circle.network.pk) == "3"

    # Reading a thread's page marks it read for that reader alone.
    assert signed_in(other).get(f"/networks/{circle.network.pk}/messages/{everyone.pk}/")
    assert unread(circle, other) == (0, {everyone.pk: 0})
    assert unread(circle, chosen)[0] == 3

    # A reply is read by its writer, and unread for the others.
    circle.post(private, chosen, "Thanks, I will be there")
    assert unread(circle, chosen) == (2, {everyone.pk: 2, private.pk: 0})
    assert unread(circle, author) == (1, {everyone.pk: 0, private.pk: 1})

    # Marking read through the API, up to a message.
    first = Message.objects.filter(thread=everyone).order_by("pk").first()
    assert first is not None
    client = APIClient()
    client.force_authenticate(user=chosen)
    base = f"{API}/networks/{circle.network.pk}/threads/{everyone.pk}/"
    response = client.post(f"{base}read/", {"up_to": first.pk}, format="json")
    assert response.status_code == 200 and response.json()["unread"] == 1
    assert client.get(f"{API}/networks/{circle.network.pk}/messages/unread/").json() == {
        "unread": 1
    }


def test_a_thread_is_started_and_answered_without_javascript(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    network_id = circle.network.pk
    author, chosen = signed_in(circle.author), signed_in(circle.chosen)

    refused = author.post(
        f"/networks/{network_id}/messages/new/",
        {"subject": "", "audience": "chosen", "text": ""},
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Enter a subject" in page and "Enter your message" in page
    assert not Thread.objects.exists()

    no_one = author.post(
        f"/networks/{network_id}/messages/new/",
        {"subject": "Shopping", "audience": "chosen", "text": "Milk"},
    )
    assert "Choose who the message is for" in no_one.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = author.post(
            f"/networks/{network_id}/messages/new/",
            {
                "subject": "Shopping",
                "audience": "chosen",
                "participants": [str(circle.chosen.pk)],
                "text": SECRET_WORDS,
            },
        )
    thread = Thread.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/networks/{network_id}/messages/{thread.pk}/"
    assert SECRET_WORDS in chosen.get(started["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        replied = chosen.post(f"{started['Location']}reply/", {"text": "On my way\nwith milk"})
    assert replied.status_code == 302
    message = Message.objects.latest("pk")
    assert replied["Location"] == f"{started['Location']}#message-{message.pk}"
    shown = author.get(started["Location"]).content.decode()
    assert "On my way\nwith milk" in shown

    blank = chosen.post(f"{started['Location']}reply/", {"text": "  "})
    assert blank.status_code == 200 and "Enter your message" in blank.content.decode()
    assert Message.objects.count() == 2


def test_messages_follow_the_members_notification_preference(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    notification_preference_set(
        user=circle.other, severity=MESSAGES_PREFERENCE, delivery=Delivery.OFF
    )
    with django_capture_on_commit_callbacks(execute=True):
        thread = circle.start(audience=ThreadAudience.NETWORK)
        circle.post(thread, circle.author, "A second message before anyone read the first")

    # In-app for both; e-mail only for the one who wants it, and once until they read.
    assert set(Notification.objects.values_list("user_id", flat=True)) == {
        circle.chosen.pk,
        circle.other.pk,
    }
    assert [message.to for message in mail.outbox] == [[circle.chosen.email]]

    signed_in(circle.chosen).get(f"/networks/{circle.network.pk}/messages/{thread.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        circle.post(thread, circle.author, "After you read")
    assert [message.to for message in mail.outbox] == [[circle.chosen.email]] * 2


def test_the_threads_list_costs_the_same_for_2_or_20_threads(
    circle: Circle, django_assert_num_queries: Any
) -> None:
    client = APIClient()
    client.force_authenticate(user=circle.chosen)
    url = f"{API}/networks/{circle.network.pk}/threads/"

    def listed(threads: int) -> int:
        while Thread.objects.count() < threads:
            audience = ThreadAudience.CHOSEN if Thread.objects.count() % 2 else "network"
            circle.start(audience=audience)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] == threads
        return len(queries)

    few = listed(2)
    with django_assert_num_queries(few):
        assert client.get(url).json()["count"] == 2
    assert listed(20) == few
    page = signed_in(circle.chosen)
    with CaptureQueriesContext(connection) as small:
        page.get(f"/networks/{circle.network.pk}/messages/")
    assert len(small) < 40


def test_the_api_starts_threads_for_members_it_may_and_a_retried_post_sends_once(
    circle: Circle,
) -> None:
    client = APIClient()
    client.force_authenticate(user=circle.chosen)
    threads = f"{API}/networks/{circle.network.pk}/threads/"

    refused = client.post(
        threads,
        {
            "subject": "Lifts",
            "audience": "chosen",
            "participant_ids": [circle.lead.pk],
            "text": "Hi",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"participants": ["Choose people who are in this network"]}
    lead = APIClient()
    lead.force_authenticate(user=circle.lead)
    assert lead.post(threads, {"subject": "S", "text": "T"}, format="json").status_code == 403

    started = client.post(
        threads,
        {
            "subject": "Lifts",
            "audience": "chosen",
            "participant_ids": [circle.other.pk],
            "text": "Hi",
        },
        format="json",
    )
    assert started.status_code == 201 and started.json()["unread"] == 0
    messages = f"{started['Location']}messages/"
    sent = [
        client.post(messages, {"text": "Tuesday?"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        for _ in range(2)
    ]
    assert [response.status_code for response in sent] == [201, 201]
    assert sent[1]["Idempotent-Replayed"] == "true"
    assert sent[0].json() == sent[1].json()
    assert Message.objects.filter(text="Tuesday?").count() == 1
