"""The family-first overview: coming up, who to call, the circle of support; and what a
professional's overview keeps."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from agencies.models import StaffMembership
from calendars.services.events import event_create
from calendars.services.tasks import task_create
from caregraph.models import MemberKind, Visibility
from tests.factories import AgencyFactory, UserFactory
from tests.frontend.conftest import error_summary, join, signed_in, staff, text, viewer
from wellbeing.services import wellbeing_update_post

pytestmark = pytest.mark.django_db

WORK_PHONE = "+441632960123"
WORK_EMAIL = "coordinator@northfield.example"


@pytest.fixture
def circle(network, practitioner, family_member):
    """The coordinating social worker with a work contact and a personal one; a second
    professional known to everyone; a police officer known to professionals only; an event,
    a task and a professionals-only event."""
    StaffMembership.objects.filter(user=practitioner).update(
        work_phone=WORK_PHONE, work_email=WORK_EMAIL
    )
    practitioner.phone = "+447700900999"  # personal: never shown to other members
    practitioner.save(update_fields=["phone"])
    school = AgencyFactory.create(name="Oakwood Primary School")
    teacher = staff(agency=school)
    teacher.display_name = "Ms Rivers"
    teacher.save(update_fields=["display_name"])
    StaffMembership.objects.filter(user=teacher).update(
        work_phone="+441632960456", work_email="rivers@oakwood.example"
    )
    join(network, teacher, kind=MemberKind.PROFESSIONAL, agency=school, relationship="Teacher")
    police = AgencyFactory.create(name="West Yorkshire Police")
    officer = staff(agency=police)
    officer.display_name = "DC Hidden"
    officer.save(update_fields=["display_name"])
    join(
        network,
        officer,
        kind=MemberKind.PROFESSIONAL,
        agency=police,
        visibility=Visibility.PROFESSIONALS,
    )
    friend = UserFactory.create(display_name="Sam Neighbour")
    friend.phone = "+447700900111"
    friend.save(update_fields=["phone"])
    join(network, friend, kind=MemberKind.FRIEND, relationship="Neighbour")
    standing = viewer(practitioner, network)
    soon = timezone.localtime() + datetime.timedelta(days=2)
    for title, visibility in [
        ("Review at the GP", Visibility.NETWORK),
        ("Strategy discussion", Visibility.PROFESSIONALS),
    ]:
        event_create(
            network=network,
            viewer=standing,
            created_by=practitioner,
            title=title,
            kind="appointment",
            start=soon,
            end=soon + datetime.timedelta(hours=1),
            visibility=visibility,
        )
    task_create(
        network=network,
        viewer=standing,
        created_by=practitioner,
        title="Collect the prescription",
        due_at=soon,
    )
    wellbeing_update_post(
        network=network,
        viewer=viewer(family_member, network),
        posted_by=family_member,
        text="Ate all her lunch and laughed at the ducks",
    )
    wellbeing_update_post(
        network=network,
        viewer=standing,
        posted_by=practitioner,
        text="Seen by the paediatrician",
        visibility=Visibility.PROFESSIONALS,
    )
    return {"teacher": teacher, "officer": officer, "friend": friend}


def _sections(html: str) -> list[str]:
    nav = re.search(r'<nav class="app-section-nav".*?</nav>', html, flags=re.S)
    assert nav
    return [
        re.sub(r"<[^>]+>", "", link).strip()
        for link in re.findall(r"<a [^>]*>.*?</a>", nav.group(0), flags=re.S)
    ]


def test_family_overview_leads_with_coming_up_who_to_call_and_the_circle(
    network, practitioner, family_member, circle
) -> None:
    response = signed_in(family_member).get(f"/networks/{network.pk}/")
    page, html = text(response), response.content.decode()

    assert response.status_code == 200
    # What leads, in order: coming up, then who to call, then the circle of support.
    order = [page.index(heading) for heading in ("Coming up", "Who to call", "Circle of support")]
    assert order == sorted(order)
    assert page.index("Circle of support") < page.index(f"About {network.person.given_name}")
    assert "Review at the GP" in page
    assert "Collect the prescription" in page
    assert "Strategy discussion" not in page
    # The coordinating social worker's work phone and e-mail, and never their personal ones.
    assert f"{practitioner.display_name} Coordinator" in page
    assert 'href="tel:+441632960123"' in html
    assert "Work phone: 01632 960123" in page
    assert f'href="mailto:{WORK_EMAIL}"' in html
    assert "07700 900999" not in page and "+447700900999" not in html
    assert practitioner.email not in page
    # Another professional is named with their role, but their work contact is for
    # professionals; a friend's personal number is never shown.
    assert "Ms Rivers Professional: Teacher Oakwood Primary School" in page
    assert "rivers@oakwood.example" not in page and "960456" not in page
    assert "Sam Neighbour Friend or neighbour: Neighbour" in page
    assert "900111" not in page
    # The police officer known to professionals only is nowhere, picture included.
    assert "DC Hidden" not in html and "West Yorkshire Police" not in html
    # The circle: a picture with a text equivalent.
    assert re.search(r'<svg class="app-circle-of-support"[^>]*role="img"', html)
    assert (
        "The circle of support around Ava Thompson: 2 family and friends close by, 2 professionals"
        in page
    )
    assert "Family and friends (the inner ring) Grace Thompson: Family: Grandmother" in page
    # The latest updates, the family may see, and what matters to the person at the top.
    assert page.index("What matters to") < page.index("Coming up")
    assert page.index("Who to call") < page.index("Latest updates") < page.index("Circle of")
    assert "Ate all her lunch and laughed at the ducks" in page
    assert "Seen by the paediatrician" not in page
    # The professional tabs are not offered.
    tabs = _sections(html)
    assert "Chronology" not in tabs and "Network map" not in tabs and "Who has looked" not in tabs
    assert {"Overview", "Members", "Calendar", "Tasks"} <= set(tabs)
    assert "NHS Number" not in page


def test_a_professionals_overview_is_unchanged_and_sees_every_work_contact(
    network, practitioner, family_member, circle
) -> None:
    response = signed_in(practitioner).get(f"/networks/{network.pk}/")
    page, html = text(response), response.content.decode()

    assert "NHS Number 943 476 5919" in page
    assert "Who to call" not in page and "Circle of support" not in page
    assert "DC Hidden" in page
    assert "Strategy discussion" in page
    tabs = _sections(html)
    assert {"Chronology", "Network map", "Who has looked"} <= set(tabs)


def test_who_to_call_shows_professionals_each_others_work_contact_but_no_personal_one(
    network, practitioner, circle
) -> None:
    from caregraph.support import who_to_call

    contacts = {c.name: c for c in who_to_call(viewer=viewer(circle["teacher"], network))}

    assert contacts[practitioner.display_name].work_email == WORK_EMAIL
    assert contacts["DC Hidden"].agency == "West Yorkshire Police"
    assert contacts["Sam Neighbour"].work_phone == ""
    assert contacts["Ms Rivers"].is_you
    family = {c.name: c for c in who_to_call(viewer=viewer(circle["friend"], network))}
    assert "DC Hidden" not in family
    assert family["Ms Rivers"].work_email == "" and family["Ms Rivers"].work_phone == ""
    assert family[practitioner.display_name].work_phone == "01632 960123"


def test_a_professional_gives_a_work_contact_that_the_family_then_see(
    network, practitioner, family_member
) -> None:
    agency = practitioner.staff_memberships.get().agency
    client = signed_in(practitioner)
    form_url = f"/your-details/work/{agency.pk}/"
    assert f'action="{form_url}"' in client.get("/your-details/").content.decode()
    assert "Your work contact" not in text(signed_in(family_member).get("/your-details/"))

    wrong = client.post(
        form_url, {f"agency-{agency.pk}-work_phone": "12", f"agency-{agency.pk}-work_email": "x@"}
    )
    assert "Enter a work phone number" in error_summary(wrong)
    assert "Enter a work e-mail address" in error_summary(wrong)
    client.post(
        form_url,
        {
            f"agency-{agency.pk}-work_phone": "0113 496 0000",
            f"agency-{agency.pk}-work_email": "SW.Team@Northfield.example",
        },
    )
    assert signed_in(staff()).post(form_url).status_code == 404  # not their agency

    page = text(signed_in(family_member).get(f"/networks/{network.pk}/"))
    assert "Work phone: 0113 496 0000" in page
    assert "Work e-mail: sw.team@northfield.example" in page
