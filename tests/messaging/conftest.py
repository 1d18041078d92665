"""One network with a member in each position around a thread, made through the services.

- `author`: the coordinator, a practitioner of agency A;
- `chosen`: a family member the author writes to alone;
- `other`: another family member, not chosen;
- `lead`: a safeguarding lead of agency A, who reviews the network but is not a member;
- `outsider`: a practitioner of an agency not involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from agencies.models import StaffRole
from caregraph.models import Network
from caregraph.policy import Viewer, viewer_for
from messaging.models import Thread, ThreadAudience
from messaging.services import message_post, thread_start
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create

SECRET_WORDS = "Mum fell in the kitchen"
SUBJECT = "Hospital appointment tomorrow"


@dataclass
class Circle:
    network: Network
    author: User
    chosen: User
    other: User
    lead: User
    outsider: User

    def viewer(self, user: User) -> Viewer:
        found = viewer_for(user=user, network=self.network)
        assert found is not None
        return found

    def start(self, *, audience: str, by: User | None = None, text: str = SECRET_WORDS) -> Thread:
        by = by or self.author
        return thread_start(
            network=self.network,
            viewer=self.viewer(by),
            started_by=by,
            subject=SUBJECT,
            text=text,
            audience=audience,
            participant_ids=[self.chosen.pk] if audience == ThreadAudience.CHOSEN else [],
        )

    def post(self, thread: Thread, by: User, text: str) -> None:
        message_post(thread=thread, viewer=self.viewer(by), author=by, text=text)


def staff(**kwargs: object) -> User:
    user = staff_create(**kwargs)  # type: ignore[arg-type]
    totp_enrol(user)
    return user


def circle_make() -> Circle:
    agency = AgencyFactory.create()
    author = staff(agency=agency)
    network = network_create(coordinator=author, agency=agency)
    chosen = member_add(network, user=UserFactory.create(display_name="Grace Daughter")).user
    other = member_add(network, user=UserFactory.create(display_name="Ray Nephew")).user
    lead = staff(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    outsider = staff()
    circle = Circle(network, author, chosen, other, lead, outsider)
    assert circle.viewer(lead).is_reviewing_lead and not circle.viewer(lead).is_member
    return circle


@pytest.fixture
def circle(db: None) -> Circle:
    return circle_make()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
