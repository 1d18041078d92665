"""E-mails about concerns: who gets one, when, and that none says what the concern is."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agencies.models import StaffRole
from agencies.services import staff_add
from concerns.models import Concern
from notifications.models import Delivery, Notification, OutboxMessage, OutboxState
from notifications.services import notification_preference_set
from notifications.tasks import notification_digest_send_task
from tests.factories import staff_create
from tests.notifications.conftest import (
    CATEGORY,
    CATEGORY_LABEL,
    DESCRIPTION,
    FAMILY_NAME,
    GIVEN_NAME,
    Scene,
    concern_raise_for_test,
)
from tests.notifications.smtp import SmtpServer

pytestmark = pytest.mark.django_db

NEW_CONCERN = "A new concern was raised in a network you belong to"


def raise_concern(scene: Scene, capture, **kwargs) -> Concern:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return concern_raise_for_test(scene, **kwargs)


def test_a_member_is_emailed_that_a_concern_was_raised_and_nothing_of_what_it_says(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    concern = raise_concern(scene, django_capture_on_commit_callbacks)

    (received,) = mail.to(scene.colleague.email)
    assert received.subject == NEW_CONCERN
    assert f"http://127.0.0.1:8000/networks/{scene.network.pk}/concerns/{concern.pk}/" in (
        received.body
    )
    whole = received.content.decode()
    for secret in (DESCRIPTION, "Bruises", CATEGORY, CATEGORY_LABEL, GIVEN_NAME, FAMILY_NAME):
        assert secret.lower() not in received.subject.lower()
        assert secret.lower() not in received.body.lower()
        assert secret.lower() not in whole.lower()
    message = OutboxMessage.objects.get(to_address=scene.colleague.email)
    assert received.message_id == f"<outbox-{message.pk}@caregraph>"
    assert message.state == OutboxState.SENT


def test_the_raiser_is_not_emailed_and_family_are_not_told_of_a_professionals_concern(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    raise_concern(scene, django_capture_on_commit_callbacks)

    assert mail.to(scene.practitioner.email) == []
    assert mail.to(scene.relative.email) == []
    assert not Notification.objects.filter(user=scene.relative).exists()


def test_an_urgent_concern_asks_the_safeguarding_lead_to_acknowledge_it(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    raise_concern(scene, django_capture_on_commit_callbacks, severity="urgent")

    (received,) = mail.to(scene.lead.email)
    assert received.subject.endswith("concern needs your acknowledgement")
    assert DESCRIPTION not in received.body


def test_off_sends_no_email_but_the_notification_is_in_the_list(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    notification_preference_set(user=scene.colleague, severity="medium", delivery=Delivery.OFF)

    raise_concern(scene, django_capture_on_commit_callbacks)

    assert mail.to(scene.colleague.email) == []
    assert Notification.objects.get(user=scene.colleague).text == NEW_CONCERN


def test_off_for_one_severity_leaves_the_others_straight_away(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    notification_preference_set(user=scene.colleague, severity="low", delivery=Delivery.OFF)

    raise_concern(scene, django_capture_on_commit_callbacks, severity="medium")

    assert len(mail.to(scene.colleague.email)) == 1


def test_daily_digest_holds_the_email_until_the_summary_which_counts_them(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    for severity in ("low", "medium"):
        notification_preference_set(
            user=scene.colleague, severity=severity, delivery=Delivery.DAILY_DIGEST
        )

    raise_concern(scene, django_capture_on_commit_callbacks, severity="low")
    raise_concern(scene, django_capture_on_commit_callbacks, severity="medium")
    assert mail.to(scene.colleague.email) == []

    with django_capture_on_commit_callbacks(execute=True):
        notification_digest_send_task.delay()

    (summary,) = mail.to(scene.colleague.email)
    assert summary.subject == "You have 2 new notifications in Caregraph"
    assert "http://127.0.0.1:8000/notifications/" in summary.body
    assert DESCRIPTION not in summary.body and GIVEN_NAME not in summary.body
    assert not OutboxMessage.objects.filter(user=scene.colleague, state=OutboxState.HELD).exists()


def test_the_digest_run_twice_sends_one_summary_and_a_later_one_only_for_what_is_new(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    notification_preference_set(
        user=scene.colleague, severity="medium", delivery=Delivery.DAILY_DIGEST
    )
    raise_concern(scene, django_capture_on_commit_callbacks)

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notification_digest_send_task.delay()
    assert [r.subject for r in mail.to(scene.colleague.email)] == [
        "You have 1 new notification in Caregraph"
    ]

    raise_concern(scene, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        notification_digest_send_task.delay()
    assert len(mail.to(scene.colleague.email)) == 2


def test_each_user_gets_their_own_summary(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    for user in (scene.colleague, scene.lead):
        notification_preference_set(user=user, severity="low", delivery=Delivery.DAILY_DIGEST)
    raise_concern(scene, django_capture_on_commit_callbacks, severity="low")

    with django_capture_on_commit_callbacks(execute=True):
        notification_digest_send_task.delay()

    assert [r.rcpt_tos for r in mail.received] in (
        [(scene.colleague.email,), (scene.lead.email,)],
        [(scene.lead.email,), (scene.colleague.email,)],
    )


def test_a_safeguarding_lead_cannot_switch_urgent_off_or_to_the_digest(scene: Scene) -> None:
    for delivery in (Delivery.OFF, Delivery.DAILY_DIGEST):
        with pytest.raises(ValidationError) as refused:
            notification_preference_set(user=scene.lead, severity="urgent", delivery=delivery)
        assert refused.value.message_dict == {
            "delivery": ["Safeguarding leads must get urgent concerns straight away"]
        }
    notification_preference_set(user=scene.lead, severity="low", delivery=Delivery.OFF)
    notification_preference_set(user=scene.colleague, severity="urgent", delivery=Delivery.OFF)


def test_a_lead_who_switched_urgent_off_before_becoming_lead_still_gets_urgent_email(
    scene: Scene, mail: SmtpServer, django_capture_on_commit_callbacks
) -> None:
    practitioner = staff_create(agency=scene.agency)
    notification_preference_set(user=practitioner, severity="urgent", delivery=Delivery.OFF)
    staff_add(agency=scene.agency, user=practitioner, role=StaffRole.SAFEGUARDING_LEAD)
    switched_off = scene.colleague
    notification_preference_set(user=switched_off, severity="urgent", delivery=Delivery.OFF)

    raise_concern(scene, django_capture_on_commit_callbacks, severity="urgent")

    assert len(mail.to(practitioner.email)) == 1
    assert mail.to(switched_off.email) == []


def test_a_preference_for_an_unknown_severity_or_delivery_is_refused(scene: Scene) -> None:
    with pytest.raises(ValidationError) as refused:
        notification_preference_set(user=scene.colleague, severity="dire", delivery="off")
    assert list(refused.value.message_dict) == ["severity"]
    with pytest.raises(ValidationError) as refused:
        notification_preference_set(user=scene.colleague, severity="low", delivery="weekly")
    assert list(refused.value.message_dict) == ["delivery"]
