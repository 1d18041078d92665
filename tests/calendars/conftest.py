"""A care network with a professional coordinator, a second professional and a family
member, and a helper that adds events through the same service the pages and API call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from agencies.models import Agency
from calendars.models import CalendarEvent, EventKind
from calendars.services.events import event_create
from caregraph.models import MemberKind, Network
from tests.factories import AgencyFactory, staff_create
from tests.networks import member_add, network_create, viewer

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """An aware time in Europe/London (not in a gap; the first of an autumn repeat)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Circle:
    network: Network
    agency: Agency
    coordinator: User  # a practitioner who coordinates the network
    professional: User  # a practitioner of another agency
    family: User


@pytest.fixture
def circle() -> Circle:
    agency = AgencyFactory.create()
    coordinator = staff_create(agency=agency)
    network = network_create(coordinator=coordinator, agency=agency)
    professional = member_add(
        network, kind=MemberKind.PROFESSIONAL, agency=AgencyFactory.create()
    ).user
    family = member_add(network, kind=MemberKind.FAMILY).user
    return Circle(
        network=network,
        agency=agency,
        coordinator=coordinator,
        professional=professional,
        family=family,
    )


def add_event(
    network: Network,
    user: User,
    *,
    title: str = "Home visit",
    kind: str = EventKind.HOME_VISIT,
    start: datetime.datetime | datetime.date = datetime.datetime(2026, 12, 7, 10, 0),
    end: datetime.datetime | datetime.date = datetime.datetime(2026, 12, 7, 11, 0),
    **fields: Any,
) -> CalendarEvent:
    """An event added by `user`; naive times are London local time, as typed into a form."""
    return event_create(
        network=network,
        viewer=viewer(network, user),
        created_by=user,
        title=title,
        kind=kind,
        start=start,
        end=end,
        **fields,
    )
