"""Every message leaves through the outbox: each door writes a row, and the task that sends
it is given the row's id, never the message or a secret in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from caregraph.models import MemberKind
from notifications.invitations import invitation_create
from notifications.models import Delivery, OutboxMessage, OutboxState
from notifications.outbox import outbox_relay_queue
from notifications.services import notification_digest_send, notification_preference_set
from tests.factories import UserFactory
from tests.networks import coordinator_of, network_create, viewer
from tests.notifications.conftest import Scene, concern_raise_for_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued() -> Iterator[mock.MagicMock]:
    """The send task's queueing, recorded instead of run."""
    with mock.patch("notifications.tasks.outbox_send_batch_task.delay") as delay:
        yield delay


def queued_ids(delay: mock.MagicMock) -> list[int]:
    """The ids the send task was given; it was given nothing else."""
    ids: list[int] = []
    for call in delay.call_args_list:
        assert call.kwargs == {}
        [batch] = call.args
        assert all(type(message_id) is int for message_id in batch)
        ids += batch
    return ids


def test_an_invitation_is_an_outbox_row_and_its_task_never_sees_the_token(
    queued: mock.MagicMock,
    django_capture_on_commit_callbacks: Any,
) -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = invitation_create(
            network=network,
            invited_by=coordinator,
            viewer=viewer(network, coordinator),
            email="cousin@example.org",
            kind=MemberKind.FAMILY,
        )

    message = OutboxMessage.objects.get(to_address="cousin@example.org")
    assert token in message.body
    assert queued_ids(queued) == [message.pk]
    assert token not in repr(queued.call_args_list)


def test_a_concern_notification_is_an_outbox_row_queued_by_id(
    scene: Scene, queued: mock.MagicMock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern_raise_for_test(scene)

    written = set(
        OutboxMessage.objects.filter(state=OutboxState.PENDING).values_list("pk", flat=True)
    )
    assert written
    assert set(queued_ids(queued)) == written


def test_a_daily_summary_is_an_outbox_row_queued_by_id(
    scene: Scene, queued: mock.MagicMock, django_capture_on_commit_callbacks: Any
) -> None:
    notification_preference_set(
        user=scene.colleague, severity="medium", delivery=Delivery.DAILY_DIGEST
    )
    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_raise_for_test(scene)
    queued.reset_mock()  # the concern's own e-mails, sent straight away
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digest_send() == 1

    summary = OutboxMessage.objects.get(
        user=scene.colleague, state=OutboxState.PENDING, dedupe_key__startswith="digest:"
    )
    assert queued_ids(queued) == [summary.pk]


def test_a_password_reset_email_is_an_outbox_row_until_it_is_relayed(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory.create(email="forgetful@example.org")

    with (
        mock.patch("notifications.tasks.outbox_send_batch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post("/account/password/reset/", {"email": "forgetful@example.org"})
    message = OutboxMessage.objects.get(to_address="forgetful@example.org")
    assert re.search(r"/account/password/reset/key/", message.body)
    assert queued_ids(delay) == [message.pk]
    assert mail.outbox == []

    outbox_relay_queue(message_ids=queued_ids(delay))

    [sent] = mail.outbox
    assert sent.to == ["forgetful@example.org"]
    assert sent.body == message.body
    assert re.search(r"http://testserver/account/password/reset/key/[^\s]+", str(sent.body))
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
