"""Your details through the API: read and rename yourself; add a mobile number by a code."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from unittest import mock

import pytest

from tests.api.helpers import API, client_for, errors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_reads_renames_and_proves_a_mobile_number(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_API_KEY = f"caregraph_test-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())
    user = UserFactory.create(display_name="Grace", email="grace@example.org")
    client = client_for(user)

    me = client.get(f"{API}/me/").json()
    assert me == {
        "id": user.pk,
        "display_name": "Grace",
        "email": "grace@example.org",
        "phone": None,
        "phone_pending": None,
    }
    assert client.get(f"{API}/me/", headers={}).headers["Cache-Control"].startswith("private")
    blank = client.patch(f"{API}/me/", {"display_name": "  "}, format="json")
    assert blank.status_code == 400 and "display_name" in errors(blank)
    renamed = client.patch(f"{API}/me/", {"display_name": "Grace Thompson"}, format="json")
    assert renamed.json()["display_name"] == "Grace Thompson"

    landline = client.post(
        f"{API}/me/phone/verification/", {"phone": "020 7946 0000"}, format="json"
    )
    assert errors(landline)["phone"][0].startswith("Enter a mobile phone number")
    answered = mock.Mock(status_code=201)
    answered.json.return_value = {"id": str(uuid.uuid4())}
    with (
        mock.patch("requests.Session.request", return_value=answered) as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        started = client.post(
            f"{API}/me/phone/verification/", {"phone": "07911 123456"}, format="json"
        )
    assert started.json()["phone_pending"] == "+447911123456"
    assert started.json()["phone"] is None
    body = json.loads(notify.call_args.kwargs["data"])["personalisation"]["body"]
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]

    wrong = client.post(
        f"{API}/me/phone/verification/confirm/",
        {"code": "000000" if code != "000000" else "111111"},
        format="json",
    )
    assert wrong.status_code == 400
    assert errors(wrong)["code"][0].startswith("That code is not right")
    confirmed = client.post(f"{API}/me/phone/verification/confirm/", {"code": code}, format="json")
    assert confirmed.json()["phone"] == "+447911123456"
    assert confirmed.json()["phone_pending"] is None


def test_me_needs_a_signed_in_user() -> None:
    assert client_for(None).get(f"{API}/me/").status_code in (401, 403)
