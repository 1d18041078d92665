"""Agency involvement: the list, recording it, changing it and closing it."""

from __future__ import annotations

import datetime

import pytest

from agencies.models import Involvement
from agencies.services import involvement_create
from caregraph.models import AuditAction, AuditEvent, MemberKind, Visibility
from tests.factories import AgencyFactory
from tests.frontend.conftest import error_summary, join, signed_in, staff, text, viewer
from tests.networks import works_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return AgencyFactory.create(name="Oakwood Primary School")


def _form(agency, **changes: str) -> dict[str, str]:
    return {
        "agency": str(agency.pk),
        "service": "Designated safeguarding lead",
        "lead_professional": "",
        "contact_name": "Ms Rivers",
        "contact_phone": "01632 960 001",
        "contact_email": "dsl@oakwood.example",
        "started_on_day": "1",
        "started_on_month": "9",
        "started_on_year": "2025",
        "ended_on_day": "",
        "ended_on_month": "",
        "ended_on_year": "",
        "visibility": Visibility.PROFESSIONALS,
        **changes,
    }


def _involve(network, practitioner, agency, **kwargs) -> Involvement:
    return involvement_create(
        network=network,
        viewer=viewer(works_for(practitioner, agency), network),
        created_by=practitioner,
        agency=agency,
        service=kwargs.pop("service", "Designated safeguarding lead"),
        started_on=kwargs.pop("started_on", datetime.date(2025, 9, 1)),
        **kwargs,
    )


def test_a_professional_records_involvement(network, practitioner, school) -> None:
    works_for(practitioner, school)
    client = signed_in(practitioner)
    form = client.get(f"/networks/{network.pk}/involvement/add/")
    html = form.content.decode()
    for visibility in Visibility:
        assert f'value="{visibility.value}"' in html
    assert f'<option value="{practitioner.pk}">' in html  # lead professional: a member

    response = client.post(
        f"/networks/{network.pk}/involvement/add/",
        _form(school, lead_professional=str(practitioner.pk)),
    )

    assert response["Location"] == f"/networks/{network.pk}/involvement/"
    involvement = Involvement.objects.get()
    assert (involvement.agency, involvement.lead_professional) == (school, practitioner)
    page = text(client.get(response["Location"]))
    assert "Oakwood Primary School's involvement is recorded." in page
    assert "Involved now Oakwood Primary School: Designated safeguarding lead" in page
    assert "From 1 September 2025" in page
    assert "Who can see this Professionals only" in page


def test_mistakes_are_named_and_nothing_is_saved(network, practitioner, school) -> None:
    works_for(practitioner, school)
    response = signed_in(practitioner).post(
        f"/networks/{network.pk}/involvement/add/",
        _form(
            school,
            service="",
            contact_phone="call me",
            started_on_month="13",
            ended_on_day="1",
            ended_on_month="1",
            ended_on_year="2020",
        ),
    )
    summary = error_summary(response)
    assert "Enter the service or team" in summary
    assert "Enter a telephone number, like 01632 960 001" in summary
    assert "Start date must be a real date" in summary
    assert 'value="Ms Rivers"' in response.content.decode()
    assert not Involvement.objects.exists()

    backwards = signed_in(practitioner).post(
        f"/networks/{network.pk}/involvement/add/",
        _form(school, ended_on_day="1", ended_on_month="1", ended_on_year="2020"),
    )
    assert "The end date must be the same as or after the start date" in error_summary(backwards)
    assert 'href="#id_ended_on_day"' in backwards.content.decode()
    assert not Involvement.objects.exists()


def test_family_see_only_what_is_shared_with_everyone_and_cannot_record(
    network, practitioner, family_member, school
) -> None:
    _involve(network, practitioner, school, service="Designated safeguarding lead")
    _involve(network, practitioner, school, service="Breakfast club", visibility=Visibility.NETWORK)
    client = signed_in(family_member)

    page = text(client.get(f"/networks/{network.pk}/involvement/"))
    assert "Breakfast club" in page
    assert "Designated safeguarding lead" not in page
    assert "Record agency involvement" not in page
    assert client.get(f"/networks/{network.pk}/involvement/add/").status_code == 404
    assert client.post(f"/networks/{network.pk}/involvement/add/", _form(school)).status_code == 404
    assert Involvement.objects.count() == 2


def test_changing_involvement(network, practitioner, school) -> None:
    involvement = _involve(network, practitioner, school)
    client = signed_in(practitioner)
    url = f"/networks/{network.pk}/involvement/{involvement.pk}/edit/"
    form = client.get(url)
    assert 'value="Designated safeguarding lead"' in form.content.decode()
    assert 'name="agency"' not in form.content.decode()

    client.post(url, _form(school, service="Deputy safeguarding lead"))

    assert Involvement.objects.get().service == "Deputy safeguarding lead"


def test_closing_involvement_moves_it_to_closed(network, practitioner, school) -> None:
    involvement = _involve(network, practitioner, school)
    client = signed_in(practitioner)
    url = f"/networks/{network.pk}/involvement/{involvement.pk}/close/"
    assert "Close Oakwood Primary School's involvement" in text(client.get(url))

    wrong = client.post(url, {"ended_on_day": "1", "ended_on_month": "1", "ended_on_year": "2020"})
    assert "The end date must be the same as or after the start date" in error_summary(wrong)
    assert Involvement.objects.get().ended_on is None

    client.post(url, {"ended_on_day": "2", "ended_on_month": "1", "ended_on_year": "2026"})

    assert Involvement.objects.get().ended_on == datetime.date(2026, 1, 2)
    page = text(client.get(f"/networks/{network.pk}/involvement/"))
    assert "Closed Oakwood Primary School: Designated safeguarding lead" in page
    assert "From 1 September 2025 to 2 January 2026" in page


def test_a_record_the_user_may_not_see_is_not_found(network, practitioner, school) -> None:
    private = _involve(network, practitioner, school, visibility=Visibility.RESTRICTED)
    other = staff(agency=AgencyFactory.create())
    join(network, other, kind=MemberKind.PROFESSIONAL)
    client = signed_in(other)

    assert "Designated safeguarding lead" not in text(
        client.get(f"/networks/{network.pk}/involvement/")
    )
    assert client.get(f"/networks/{network.pk}/involvement/{private.pk}/edit/").status_code == 404
    assert client.post(f"/networks/{network.pk}/involvement/{private.pk}/close/").status_code == 404
    assert Involvement.objects.get().ended_on is None


def test_a_professional_cannot_bring_in_another_agency_by_recording_its_involvement(
    network, practitioner, school
) -> None:
    """The attack: recording another agency's involvement let its leads read the network."""
    client = signed_in(practitioner)
    form = client.get(f"/networks/{network.pk}/involvement/add/").content.decode()
    assert "Oakwood Primary School" not in form  # only their own agencies are offered

    forged = client.post(f"/networks/{network.pk}/involvement/add/", _form(school))

    assert forged.status_code == 200
    assert "Select a valid choice" in error_summary(forged)
    assert not Involvement.objects.exists()


def test_only_the_agencys_own_professionals_change_its_involvement_and_a_coordinator_ends_it(
    network, practitioner, school
) -> None:
    school_lead = staff(agency=school)
    join(network, school_lead, kind=MemberKind.PROFESSIONAL)
    involvement = _involve(network, school_lead, school)
    # `practitioner` coordinates the network but does not work for the school.
    client = signed_in(practitioner)
    page = text(client.get(f"/networks/{network.pk}/involvement/"))
    assert "Change Oakwood Primary School's involvement" not in page
    assert "Close Oakwood Primary School's involvement" in page
    edit = f"/networks/{network.pk}/involvement/{involvement.pk}/edit/"
    assert client.get(edit).status_code == 404
    assert client.post(edit, _form(school, contact_email="me@example.org")).status_code == 404
    involvement.refresh_from_db()
    assert involvement.contact_email != "me@example.org"

    client.post(
        f"/networks/{network.pk}/involvement/{involvement.pk}/close/",
        {"ended_on_day": "2", "ended_on_month": "1", "ended_on_year": "2026"},
    )
    involvement.refresh_from_db()
    assert involvement.ended_on == datetime.date(2026, 1, 2)


def test_viewing_involvement_is_audited(network, practitioner) -> None:
    signed_in(practitioner).get(f"/networks/{network.pk}/involvement/")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor=practitioner, person=network.person
    ).exists()
