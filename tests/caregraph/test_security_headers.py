"""Every page carries a strict Content-Security-Policy and has no inline script or style."""

import re
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("/account/login/", False),
    ("/account/password/reset/", False),
    ("/accessibility/", False),
    ("/", True),
    ("/account/2fa/", True),
]


@pytest.mark.parametrize(("path", "signed_in"), PAGES)
def test_pages_send_a_strict_csp_and_use_no_inline_code(
    client: Client, path: str, signed_in: bool
) -> None:
    if signed_in:
        client.force_login(UserFactory.create())
    response = client.get(path)
    assert response.status_code == 200

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    inline_scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    assert inline_scripts == []
    assert "<style" not in html
    assert not re.search(r"\sstyle=\"", html)
    assert not re.search(r"\son[a-z]+=\"", html)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


async def read_stream(response: Any) -> bytes:
    return b"".join([chunk async for chunk in response.streaming_content])


def test_the_page_links_its_built_stylesheet_and_the_server_serves_it(client: Client) -> None:
    html = client.get("/account/login/").content.decode()
    stylesheet = re.search(r'<link[^>]+href="([^"]+\.css)"', html)
    assert stylesheet
    css = client.get(stylesheet.group(1))
    assert css.status_code == 200
    body = async_to_sync(read_stream)(css)
    assert b".govuk-header" in body
    assert b"GDS Transport" not in body
