"""Rules every page keeps: one h1, a titled page, and nothing inline for the CSP to refuse."""

from __future__ import annotations

import re

import pytest

from tests.frontend.conftest import signed_in

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/people/register/",
    "/people/search/",
    "/networks/{id}/",
    "/networks/{id}/members/",
    "/networks/{id}/members/invite/",
    "/networks/{id}/involvement/",
    "/networks/{id}/involvement/add/",
    "/networks/{id}/map/",
    "/networks/{id}/family/",
    "/networks/{id}/audit/",
    "/networks/{id}/leave/",
    "/networks/{id}/join-requests/",
]


@pytest.mark.parametrize("url", PAGES)
def test_each_page_has_one_h1_a_title_and_nothing_inline(url, network, practitioner) -> None:
    response = signed_in(practitioner).get(url.format(id=network.pk))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    title = re.search(r"<title>([^<]+) \u2013 Caregraph</title>", html)
    assert title
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert " src=" in script or 'type="application/json"' in script, script
    assert "Thompson" not in title.group(1)  # titles stay in browser history


def _assert_clean(html: str) -> None:
    assert html.count("<h1") == 1
    assert re.search(r"<title>[^<]+ \u2013 Caregraph</title>", html)
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert " src=" in script or 'type="application/json"' in script, script


def test_invitation_review_queue_and_record_exists_pages_keep_the_rules(
    network, practitioner, agency
) -> None:
    from django.test import Client

    from agencies.models import StaffRole
    from notifications.invitations import invitation_create
    from tests.frontend.conftest import staff, viewer

    _invitation, token = invitation_create(
        network=network,
        invited_by=practitioner,
        viewer=viewer(practitioner, network),
        email="new.person@example.org",
        kind="family",
    )
    _assert_clean(Client().get(f"/invitations/{token}/").content.decode())
    _assert_clean(Client().get("/invitations/nothing-here/").content.decode())
    lead = signed_in(staff(agency=agency, role=StaffRole.SAFEGUARDING_LEAD))
    _assert_clean(lead.get("/people/matches/").content.decode())
    other = signed_in(staff())
    other.post(
        "/people/register/",
        {
            "given_name": "A",
            "family_name": "B",
            "date_of_birth_day": "1",
            "date_of_birth_month": "1",
            "date_of_birth_year": "2010",
            "nhs_number": "9434765919",
        },
    )
    _assert_clean(other.get("/people/register/existing/").content.decode())


FAMILY_PAGES = [
    "/networks/{id}/",  # the family-first overview
    "/networks/{id}/welcome/",
    "/your-details/",
    "/account/email/",
    "/help/",
]


@pytest.mark.parametrize("url", FAMILY_PAGES)
def test_the_family_pages_keep_the_rules(url, network, family_member) -> None:
    response = signed_in(family_member).get(url.format(id=network.pk))
    html = response.content.decode()

    assert response.status_code == 200
    _assert_clean(html)
    title = re.search(r"<title>([^<]+) \u2013 Caregraph</title>", html)
    assert title and "Thompson" not in title.group(1)
