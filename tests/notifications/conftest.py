"""Networks with people to tell, concerns raised through the service, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from agencies.models import Agency, StaffRole
from caregraph.models import MemberKind, Network, Visibility
from concerns.models import Concern
from concerns.services import concern_raise
from tests.factories import AgencyFactory, involvement_add_for_test, staff_create
from tests.networks import member_add, network_create, viewer
from tests.notifications.smtp import SmtpServer

# What an e-mail must never carry: the concern's words, its category, the person's name.
DESCRIPTION = "Bruises seen on the upper arm at school pick-up, explained as a fall"
CATEGORY = "physical"
CATEGORY_LABEL = "Physical abuse"
GIVEN_NAME = "Zephyrine"
FAMILY_NAME = "Quillfeather"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def mail(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """E-mail goes over SMTP to the test's own server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


@dataclass
class Scene:
    """A network around one person: a practitioner who raises concerns, a colleague from
    another agency, a relative, and the safeguarding lead of the practitioner's agency."""

    network: Network
    agency: Agency
    practitioner: User
    colleague: User
    relative: User
    lead: User


def scene_make() -> Scene:
    agency = AgencyFactory.create()
    practitioner = staff_create(agency=agency)
    network = network_create(
        coordinator=practitioner, agency=agency, given_name=GIVEN_NAME, family_name=FAMILY_NAME
    )
    involvement_add_for_test(network=network, agency=agency, recorded_by=practitioner)
    colleague = member_add(network, kind=MemberKind.PROFESSIONAL, agency=AgencyFactory.create())
    relative = member_add(network, kind=MemberKind.FAMILY, relationship="Aunt")
    lead = staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    return Scene(network, agency, practitioner, colleague.user, relative.user, lead)


@pytest.fixture
def scene() -> Scene:
    return scene_make()


def concern_raise_for_test(
    scene: Scene, *, severity: str = "medium", visibility: str = Visibility.PROFESSIONALS
) -> Concern:
    return concern_raise(
        network=scene.network,
        viewer=viewer(scene.network, scene.practitioner),
        raised_by=scene.practitioner,
        category=CATEGORY,
        severity=severity,
        description=DESCRIPTION,
        visibility=visibility,
    )
