"""The service's own error pages: GOV.UK-styled, saying what to do next, never Django's.

A 404 used to be Django's bare "Not Found". Each status is reached the way a user meets
it: a wrong address, a refused action, a form sent from an expired page, a fault of ours.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import get_resolver

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory.create())
    return client


def assert_service_page(response: Any, status: int, heading: str, next_step: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert next_step in html
    assert "govuk-template" in html and "Caregraph" in html
    assert "Traceback" not in html


def test_a_wrong_address_is_the_services_not_found_page() -> None:
    response = signed_in().get("/people/no-such-page/")

    assert_service_page(response, 404, "Page not found", "check you copied the entire address")


def test_a_refused_action_is_the_services_forbidden_page() -> None:
    """Pages turn most refusals into a message; one that escapes meets the site's handler."""
    handler = get_resolver().resolve_error_handler(403)
    request = RequestFactory().get("/networks/1/")

    response = handler(request, exception=PermissionDenied("Only coordinators can do that"))  # type: ignore[call-arg]

    assert_service_page(response, 403, "You cannot do that here", "ask the network")


def test_under_the_api_the_same_handlers_answer_json() -> None:
    for status in (400, 403, 404, 500):
        handler = get_resolver().resolve_error_handler(status)
        request = RequestFactory().get("/api/v1/networks/1/")
        response = handler(request) if status == 500 else handler(request, exception=None)  # type: ignore[call-arg]
        assert response.status_code == status
        assert set(json.loads(response.content)) == {"errors"}


def test_a_request_django_refuses_is_the_services_bad_request_page() -> None:
    response = Client().get("/", HTTP_HOST="bad host name!")

    assert_service_page(response, 400, "Sorry, we could not read that request", "try again")


def test_a_form_from_an_expired_page_says_to_send_it_again() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory.create())

    response = client.post("/people/search/", {"q": "Alex"})

    assert_service_page(response, 403, "Your form was not sent", "send the form again")


def test_a_fault_of_ours_is_the_services_problem_page(monkeypatch: Any, settings: Any) -> None:
    settings.DEBUG = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail of the fault")

    monkeypatch.setattr("frontend.views.home.signed_in_user", broken)

    response = signed_in().get("/")

    assert_service_page(response, 500, "Sorry, there is a problem with the service", "Try again")
    assert "secret detail" not in response.content.decode()
