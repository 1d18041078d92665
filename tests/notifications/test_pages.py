"""The notification pages: the list, opening one, marking all read, and the e-mail settings."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from agencies.models import StaffRole
from notifications.fanout import notify
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services import notification_preference_set
from tests.factories import UserFactory, staff_create, totp_enrol

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def error_summary(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    return (
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))) if match else ""
    )


def tell(user: User, text: str, link: str = "/") -> Notification:
    with TestCase.captureOnCommitCallbacks(execute=True):  # handed out after commit
        notify(
            user_ids=[user.pk],
            network=None,
            kind="test",
            severity="medium",
            text=text,
            link=link,
            dedupe_key=f"test-{text}",
        )
    return Notification.objects.get(user=user, text=text)


def test_the_list_shows_newest_first_and_marks_the_unread() -> None:
    user = UserFactory.create()
    tell(user, "First thing needs attention")
    tell(user, "Second thing needs attention")
    tell(user, "Third thing needs attention")
    Notification.objects.filter(text="First thing needs attention").update(
        read_at="2025-01-01T00:00:00Z"
    )

    page = text(signed_in(user).get("/notifications/"))

    assert "Unread notifications: 2" in page
    assert page.index("Third thing") < page.index("Second thing") < page.index("First thing")
    assert "Unread Third thing" in page
    assert "Unread Second thing" in page
    assert "Unread First thing" not in page


def test_someone_elses_notifications_are_not_listed_and_cannot_be_opened() -> None:
    mine, theirs = UserFactory.create(), UserFactory.create()
    tell(mine, "Mine needs attention")
    other = tell(theirs, "Theirs needs attention")
    client = signed_in(mine)

    assert "Theirs" not in text(client.get("/notifications/"))
    assert client.get(f"/notifications/{other.pk}/").status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_opening_a_notification_marks_it_read_and_goes_to_what_it_is_about() -> None:
    user = UserFactory.create()
    notification = tell(user, "Something needs attention", link="/networks/7/concerns/9/")
    client = signed_in(user)

    response = client.get(f"/notifications/{notification.pk}/")

    assert response.status_code == 302
    assert response["Location"] == "/networks/7/concerns/9/"
    assert "Unread notifications: 0" in text(client.get("/notifications/"))


def test_mark_all_as_read() -> None:
    user = UserFactory.create()
    tell(user, "One needs attention")
    tell(user, "Two needs attention")
    client = signed_in(user)
    assert "Mark all as read" in text(client.get("/notifications/"))

    response = client.post("/notifications/read/", follow=True)

    page = text(response)
    assert "All your notifications are marked as read" in page
    assert "Unread notifications: 0" in page
    assert "Unread One" not in page and "Mark all as read" not in page
    assert client.get("/notifications/unread-count/").json() == {"unread": 0}


def test_mark_all_as_read_only_by_post() -> None:
    user = UserFactory.create()
    tell(user, "One needs attention")

    assert signed_in(user).get("/notifications/read/").status_code == 405
    assert Notification.objects.get(user=user).read_at is None


def test_the_pages_need_sign_in() -> None:
    for path in ("/notifications/", "/notifications/preferences/", "/notifications/unread-count/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert "/account/login/" in response["Location"]


def test_the_list_costs_the_same_queries_for_two_notifications_as_for_forty() -> None:
    user = UserFactory.create()
    client = signed_in(user)
    for n in range(2):
        tell(user, f"Thing {n} needs attention")
    client.get("/notifications/")  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    for n in range(2, 40):
        tell(user, f"Thing {n} needs attention")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/notifications/")

    assert "Thing 39" in text(response)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 10, [q["sql"] for q in few.captured_queries]  # page + navigation


def test_the_list_pages_older_notifications() -> None:
    user = UserFactory.create()
    for n in range(55):
        tell(user, f"Thing {n:02d} needs attention")
    client = signed_in(user)

    first = text(client.get("/notifications/"))
    second = text(client.get("/notifications/?page=2"))

    assert "Thing 54" in first and "Thing 04" not in first and "Older" in first
    assert "Thing 04" in second and "Thing 54" not in second and "Newer" in second


def test_preferences_start_at_straight_away_and_are_saved() -> None:
    user = UserFactory.create()
    client = signed_in(user)
    page = client.get("/notifications/preferences/").content.decode()
    assert page.count('value="immediately" checked') == 5  # four severities, and messages

    response = client.post(
        "/notifications/preferences/",
        {
            "low": "off",
            "medium": "daily_digest",
            "high": "immediately",
            "urgent": "immediately",
            "messages": "off",
        },
        follow=True,
    )

    assert "Your notification settings are saved" in text(response)
    chosen = dict(
        NotificationPreference.objects.filter(user=user).values_list("severity", "delivery")
    )
    assert chosen == {
        "low": Delivery.OFF,
        "medium": Delivery.DAILY_DIGEST,
        "high": Delivery.IMMEDIATELY,
        "urgent": Delivery.IMMEDIATELY,
        "messages": Delivery.OFF,
    }
    page = response.content.decode()
    assert 'value="off" checked' in page and 'value="daily_digest" checked' in page


def test_a_missing_choice_is_named_in_the_error_summary() -> None:
    response = signed_in(UserFactory.create()).post(
        "/notifications/preferences/", {"low": "off", "medium": "off", "high": "off"}
    )

    assert response.status_code == 200
    assert error_summary(response).strip() == (
        "There is a problem Choose how you want to hear about urgent concerns"
    )
    assert 'href="#id_urgent_0"' in response.content.decode()


def test_a_safeguarding_lead_is_told_urgent_cannot_be_switched_off_and_nothing_is_saved() -> None:
    lead = staff_create(role=StaffRole.SAFEGUARDING_LEAD)
    totp_enrol(lead)
    client = signed_in(lead)
    assert "you always get urgent concerns straight away" in text(
        client.get("/notifications/preferences/")
    )

    response = client.post(
        "/notifications/preferences/",
        {"low": "off", "medium": "immediately", "high": "immediately", "urgent": "off"},
    )

    assert response.status_code == 200
    assert "Safeguarding leads must get urgent concerns straight away" in error_summary(response)
    assert 'href="#id_urgent_0"' in response.content.decode()
    assert text(response).startswith("Error:")  # the page title tells screen reader users
    assert not NotificationPreference.objects.filter(user=lead).exists()


def test_a_lead_may_switch_off_everything_but_urgent() -> None:
    lead = staff_create(role=StaffRole.SAFEGUARDING_LEAD)
    totp_enrol(lead)
    notification_preference_set(user=lead, severity="low", delivery=Delivery.OFF)

    response = signed_in(lead).post(
        "/notifications/preferences/",
        {"low": "off", "medium": "off", "high": "daily_digest", "urgent": "immediately"},
    )

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=lead, severity="high").delivery == (
        Delivery.DAILY_DIGEST
    )
