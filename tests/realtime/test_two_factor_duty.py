"""Sockets ride on the web session and meet the same two-factor duty, at every handshake.

On a real server process and Redis; the sessions are made by signing in through the pages.
"""

import json
import time
from urllib.parse import urlparse

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from agencies.models import StaffRole
from agencies.services import staff_add
from caregraph.models import MemberKind, Network
from tests.factories import PASSWORD, AgencyFactory, staff_create, totp_code, totp_enrol
from tests.networks import member_add, network_create

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
LOGIN = "/account/login/"
AUTHENTICATE = "/account/2fa/authenticate/"
REAUTHENTICATE = "/account/2fa/reauthenticate/"


def wait_for_fresh_period() -> None:
    """Codes are single-use within their 30-second period; avoid the edge of one."""
    if int(time.time()) % 30 > 26:
        time.sleep(31 - int(time.time()) % 30)


def sign_in(email: str, secret: str | None = None) -> Client:
    browser = Client()
    browser.post(LOGIN, {"login": email, "password": PASSWORD})
    if secret is not None:
        wait_for_fresh_period()
        browser.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert browser.get("/").status_code == 200
    return browser


def socket_open(base_url: str, path: str, browser: Client) -> ClientConnection:
    return connect(
        f"ws://{urlparse(base_url).netloc}{path}",
        origin=Origin(base_url),
        additional_headers={"Cookie": f"sessionid={browser.cookies['sessionid'].value}"},
        open_timeout=10,
    )


def sockets_open(base_url: str, network: Network, browser: Client) -> list[str]:
    """The first frame of each of the user's sockets, or "refused" where the handshake was."""
    answers = []
    for path in (f"/ws/networks/{network.pk}/", "/ws/notices/"):
        try:
            with socket_open(base_url, path, browser) as socket:
                answers.append(json.loads(socket.recv(timeout=10))["type"])
        except InvalidStatus as refused:
            assert refused.response.status_code == 403
            answers.append("refused")
    return answers


def test_a_family_member_made_staff_is_refused_until_they_give_a_code(asgi_server: str) -> None:
    network = network_create()
    family = member_add(network, kind=MemberKind.FAMILY).user
    browser = sign_in(family.email)
    assert sockets_open(asgi_server, network, browser) == ["hello", "hello"]

    staff_add(agency=AgencyFactory.create(), user=family, role=StaffRole.PRACTITIONER)
    assert sockets_open(asgi_server, network, browser) == ["refused", "refused"]

    secret = totp_enrol(family)  # on another device: this session never gave a code
    assert sockets_open(asgi_server, network, browser) == ["refused", "refused"]

    wait_for_fresh_period()
    browser.post(REAUTHENTICATE, {"code": totp_code(secret)})
    assert sockets_open(asgi_server, network, browser) == ["hello", "hello"]


def test_staff_whose_authenticator_is_removed_are_refused(asgi_server: str) -> None:
    agency = AgencyFactory.create()
    staff = staff_create(agency=agency)
    network = network_create(coordinator=staff, agency=agency)
    browser = sign_in(staff.email, totp_enrol(staff))
    assert sockets_open(asgi_server, network, browser) == ["hello", "hello"]

    Authenticator.objects.filter(user=staff).delete()

    assert sockets_open(asgi_server, network, browser) == ["refused", "refused"]
