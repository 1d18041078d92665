"""The outbox through real outages: Redis away, and a worker killed while it sends.

A real Celery worker and beat run as separate processes on a private queue; Redis is reached
through a TCP proxy the test can cut; e-mail goes to a real SMTP server the test runs.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from caregraph.models import Invitation
from concerns.models import Concern
from notifications.models import OutboxMessage, OutboxState
from tests import services
from tests.api.helpers import API, client_for
from tests.notifications.conftest import Scene, concern_raise_for_test
from tests.notifications.smtp import SmtpServer
from tests.notifications.workers import Celery, app_broker, kill, supervised_children
from tests.proxy import TcpProxy

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_proxy(settings: Any) -> Iterator[TcpProxy]:
    redis = urlparse(settings.REDIS_URL)
    proxy = TcpProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
    proxy.start()
    yield proxy
    proxy.close()


def redis_url_via(proxy: TcpProxy, settings: Any) -> str:
    return f"redis://127.0.0.1:{proxy.port}{urlparse(settings.REDIS_URL).path or '/0'}"


@pytest.fixture
def celery_for(
    settings: Any, test_database_url: str, mail: SmtpServer, tmp_path: Path
) -> Iterator[Any]:
    started: list[Celery] = []

    def start(*, broker_url: str, lease_seconds: int = 300) -> Celery:
        celery = Celery(
            database_url=test_database_url,
            broker_url=broker_url,
            email_url=mail.url,
            lease_seconds=lease_seconds,
            tmp=tmp_path,
        )
        started.append(celery)
        return celery

    yield start
    for celery in started:
        celery.stop(redis_url=settings.REDIS_URL)


def ready(process: services.Process) -> None:
    services.wait_until(
        lambda: " ready." in process.output() or process.popen.poll() is not None,
        timeout=60,
        what=f"{process.name} to be ready",
    )
    assert process.popen.poll() is None, process.output()


def emails_for(scene: Scene) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(user__in=[scene.colleague, scene.lead]))


def emails_written(scene: Scene) -> list[OutboxMessage]:
    """The concern's e-mails, once the worker has handed out its notifications."""
    services.wait_until(
        lambda: len(emails_for(scene)) == 2, timeout=60, what="the concern's e-mails"
    )
    return emails_for(scene)


def assert_each_sent_once(mail: SmtpServer, messages: list[OutboxMessage]) -> None:
    assert len(mail.received) == len(messages)
    for message in messages:
        assert len(mail.with_message_id(f"<outbox-{message.pk}@caregraph>")) == 1
        assert len(mail.to(message.to_address)) == 1


def test_with_redis_down_a_concern_is_raised_and_its_email_goes_once_redis_is_back(
    settings: Any, scene: Scene, mail: SmtpServer, redis_proxy: TcpProxy, celery_for: Any
) -> None:
    broker = redis_url_via(redis_proxy, settings)
    celery = celery_for(broker_url=broker)
    worker = celery.worker_start("worker")
    celery.beat_start()
    ready(worker)

    redis_proxy.stop()  # Redis is away for the app, the worker and beat alike
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [broker]},
        }
    }
    with app_broker(broker, queue=celery.queue):
        concern = concern_raise_for_test(scene)

    assert Concern.objects.filter(pk=concern.pk).exists()
    messages = emails_for(scene)
    assert {m.to_address for m in messages} == {scene.colleague.email, scene.lead.email}
    assert {(m.state, m.attempts) for m in messages} == {(OutboxState.PENDING, 0)}
    time.sleep(3)  # beat's sweeps cannot reach the worker either
    assert mail.received == []

    redis_proxy.start()

    mail.wait_for(len(messages), timeout=90)
    time.sleep(4)  # several more sweeps: nothing goes twice
    assert_each_sent_once(mail, messages)
    for message in messages:
        message.refresh_from_db()
        assert (message.state, message.attempts) == (OutboxState.SENT, 1)


def test_a_worker_killed_mid_send_leaves_the_email_to_another_which_sends_it_once(
    settings: Any, scene: Scene, mail: SmtpServer, celery_for: Any
) -> None:
    """The first worker is killed while the mail server keeps it waiting in DATA: the
    server never accepted that message, so it is lost with the connection. Once its lease
    runs out the sweep hands it to a second worker, which sends it; nothing arrives twice."""
    celery = celery_for(broker_url=settings.REDIS_URL, lease_seconds=3)
    celery.beat_start()
    doomed = celery.worker_start("doomed")
    ready(doomed)
    mail.behaviour.stall_data = 1  # the first DATA is never answered

    with app_broker(settings.REDIS_URL, queue=celery.queue):
        concern_raise_for_test(scene)
    messages = emails_written(scene)

    assert mail.behaviour.data_started.wait(60), doomed.output()
    in_flight = OutboxMessage.objects.get(state=OutboxState.SENDING)
    assert in_flight.attempts == 1
    kill(doomed)
    assert mail.received == []

    ready(celery.worker_start("survivor"))

    mail.wait_for(len(messages), timeout=90)
    time.sleep(5)  # past another lease and several sweeps: nothing goes twice
    assert_each_sent_once(mail, messages)
    in_flight.refresh_from_db()
    assert (in_flight.state, in_flight.attempts) == (OutboxState.SENT, 2)
    assert mail.connections >= 1 + len(messages)


def test_a_worker_that_dies_when_redis_dies_mid_task_is_restarted_and_the_email_goes(
    settings: Any, scene: Scene, mail: SmtpServer, redis_proxy: TcpProxy, celery_for: Any
) -> None:
    """Found: the worker died when Redis died while it held an unacknowledged task, and the
    e-mails waited for a person to restart it. Here Redis goes away with a send in flight,
    the worker process dies the way it did (at once, without cleaning up), and the worker
    runs as the Procfile runs it: supervised. Once Redis is back every e-mail goes, once."""
    broker = redis_url_via(redis_proxy, settings)
    celery = celery_for(broker_url=broker, lease_seconds=3)
    celery.beat_start()
    worker = celery.worker_start("supervised", supervised=True)
    ready(worker)
    mail.behaviour.stall_data = 1

    with app_broker(broker, queue=celery.queue):
        concern_raise_for_test(scene)
    messages = emails_written(scene)
    assert mail.behaviour.data_started.wait(60), worker.output()

    redis_proxy.stop()
    (first,) = supervised_children(worker)
    os.kill(first, signal.SIGKILL)
    services.wait_until(
        lambda: len(supervised_children(worker)) == 2, timeout=30, what="a restarted worker"
    )
    assert worker.popen.poll() is None
    time.sleep(2)
    assert mail.received == []

    redis_proxy.start()

    mail.wait_for(len(messages), timeout=90)
    time.sleep(5)  # past another lease and several sweeps: nothing goes twice
    assert_each_sent_once(mail, messages)


def test_with_redis_down_an_invitation_is_sent_and_its_email_goes_once_redis_is_back(
    settings: Any, scene: Scene, mail: SmtpServer, redis_proxy: TcpProxy, celery_for: Any
) -> None:
    """Found: with Redis down, sending an invitation answered 500 although it was saved, and
    its e-mail could never be sent: the token lived only in the failed broker message."""
    broker = redis_url_via(redis_proxy, settings)
    celery = celery_for(broker_url=broker)
    celery.beat_start()
    ready(celery.worker_start("worker"))
    redis_proxy.stop()

    with app_broker(broker, queue=celery.queue):
        response = client_for(scene.practitioner).post(
            f"{API}/networks/{scene.network.pk}/invitations/",
            {"email": "neighbour@example.org", "kind": "friend"},
        )

    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get(email="neighbour@example.org")
    assert OutboxMessage.objects.filter(to_address="neighbour@example.org").count() == 1
    time.sleep(3)
    assert mail.received == []

    redis_proxy.start()

    (sent,) = mail.wait_for(1, timeout=90)
    assert "neighbour@example.org" in sent.rcpt_tos
    assert "/invitations/" in sent.message.get_content()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_one_window_left_a_worker_killed_after_the_final_dot_repeats_the_same_message(
    settings: Any, scene: Scene, mail: SmtpServer, celery_for: Any
) -> None:
    """What SMTP cannot close, stated in the README: the server took the message, and the
    worker died before it heard "250". The message goes again after the lease, with the
    same Message-ID, by which mail systems recognise the repeat. Every other moment of a
    kill sends once (the test above)."""
    celery = celery_for(broker_url=settings.REDIS_URL, lease_seconds=3)
    celery.beat_start()
    doomed = celery.worker_start("doomed")
    ready(doomed)
    mail.behaviour.stall_after_content = 1

    with app_broker(settings.REDIS_URL, queue=celery.queue):
        concern_raise_for_test(scene)
    messages = emails_written(scene)
    assert mail.behaviour.content_taken.wait(60), doomed.output()
    kill(doomed)

    ready(celery.worker_start("survivor"))

    mail.wait_for(len(messages) + 1, timeout=90)
    time.sleep(5)
    repeated = [m for m in messages if len(mail.with_message_id(outbox_id(m))) == 2]
    assert len(repeated) == 1
    assert len(mail.received) == len(messages) + 1
    for message in messages:
        message.refresh_from_db()
        assert message.state == OutboxState.SENT


def outbox_id(message: OutboxMessage) -> str:
    return f"<outbox-{message.pk}@caregraph>"
