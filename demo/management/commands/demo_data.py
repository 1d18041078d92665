"""Builds the demo area and prints its sign-ins. Safe to run again: it changes nothing twice.

A believable synthetic area: several agencies with staff, about twenty networks around
children and vulnerable adults, their families, and the agencies involved with each. NHS
Numbers come from the 999 test range, which is never issued to real patients.
"""

import datetime
import random
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from agencies.models import Agency, AgencyKind, StaffRole
from agencies.services import involvement_create, staff_add, staff_work_contact_set
from calendars.services.events import event_create
from calendars.services.tasks import task_create
from caregraph.identifiers import nhs_number_check_digit
from caregraph.models import MemberKind, Network, Visibility
from caregraph.policy import THREAD_FOR_NETWORK, viewer_for
from caregraph.services.networks import membership_add, relationship_link
from caregraph.services.people import IdentifierInput, person_register
from concerns.services import concern_raise
from medicines.services import medicine_add
from messaging.services import thread_start
from sharedfiles.services import file_share
from wellbeing.services import wellbeing_update_post

DEMO_PASSWORD = "caregraph-demo-2026"  # noqa: S105 # nosec B105  # printed for the demo
DOMAIN = "demo.caregraph.test"

AGENCIES = [
    ("Northfield Children's Services", AgencyKind.CHILDRENS_SERVICES, "NCS"),
    ("Northfield Adult Social Care", AgencyKind.ADULT_SOCIAL_CARE, "NASC"),
    ("Riverside Medical Centre", AgencyKind.GP_PRACTICE, "Y99901"),
    ("Hillside Surgery", AgencyKind.GP_PRACTICE, "Y99902"),
    ("Northfield Community NHS Trust", AgencyKind.NHS_TRUST, "R9X"),
    ("Oakwood Primary School", AgencyKind.SCHOOL, "URN999001"),
    ("Northfield Academy", AgencyKind.SCHOOL, "URN999002"),
    ("Northfield Police", AgencyKind.POLICE, "NFP"),
    ("Northfield Homes", AgencyKind.HOUSING, "NHH"),
    ("Carers Together", AgencyKind.VOLUNTARY, "CTV"),
]

# (e-mail, display name, agency code or None, role or None, what they come to do)
SIGN_INS = [
    (
        "practitioner",
        "Priya Shah",
        "NCS",
        StaffRole.PRACTITIONER,
        "social worker: find a person, raise and follow concerns",
    ),
    (
        "lead",
        "Daniel Okafor",
        "NCS",
        StaffRole.SAFEGUARDING_LEAD,
        "safeguarding lead: review networks and concerns",
    ),
    (
        "admin",
        "Helen Marsh",
        "NCS",
        StaffRole.AGENCY_ADMIN,
        "agency admin: manage staff and agreements",
    ),
    (
        "gp",
        "Dr Aisha Rahman",
        "Y99901",
        StaffRole.PRACTITIONER,
        "GP: a practitioner of another agency",
    ),
    ("family", "Jo Taylor", None, None, "family carer: calendar, tasks and updates"),
]

# More staff, who are not printed: one practitioner per other agency.
STAFF = [
    ("asc.worker", "Tom Brennan", "NASC", StaffRole.PRACTITIONER),
    ("asc.lead", "Grace Adeyemi", "NASC", StaffRole.SAFEGUARDING_LEAD),
    ("hillside.gp", "Dr Owen Price", "Y99902", StaffRole.PRACTITIONER),
    ("health.visitor", "Fiona Clarke", "R9X", StaffRole.PRACTITIONER),
    ("nhs.lead", "Sunita Patel", "R9X", StaffRole.SAFEGUARDING_LEAD),
    ("oakwood.dsl", "Mark Ellis", "URN999001", StaffRole.PRACTITIONER),
    ("academy.dsl", "Rachel Kaur", "URN999002", StaffRole.PRACTITIONER),
    ("police.officer", "PC Liam Walsh", "NFP", StaffRole.PRACTITIONER),
    ("housing.officer", "Nadia Hussain", "NHH", StaffRole.PRACTITIONER),
    ("carers.volunteer", "Bill Jones", "CTV", StaffRole.PRACTITIONER),
]

WORK_CONTACTS = [
    ("practitioner", "NCS", "0113 496 0000"),
    ("asc.worker", "NASC", "0113 496 0001"),
]

FAMILY_NAMES = [
    "Taylor",
    "Nowak",
    "Begum",
    "Campbell",
    "Ahmed",
    "Hughes",
    "Okonkwo",
    "Murphy",
    "Kowalski",
    "Robinson",
    "Singh",
    "Evans",
    "Ali",
    "Wright",
]
CHILD_NAMES = ["Mia", "Leo", "Ava", "Noah", "Isla", "Oscar", "Zara", "Alfie", "Maya", "Kai"]
ADULT_NAMES = ["Margaret", "Derek", "Shirley", "Colin", "Brenda", "Stanley"]
PARENT_NAMES = ["Sam", "Chris", "Kelly", "Dean", "Leanne", "Marek", "Shabana", "Gary"]
POSTCODES = ["NE1 4ST", "NE2 1AB", "NE3 3LX", "NE4 6QT", "NE5 2DD", "NE6 5RA"]
CHILD_AGENCIES = ["Y99901", "R9X", "URN999001", "NFP", "NHH"]
ADULT_AGENCIES = ["Y99902", "R9X", "NHH", "CTV", "NFP"]


DEMO_CONCERNS = [
    ("neglect", "medium", "Arrived at school hungry three days this week, in the same clothes."),
    ("emotional", "low", "Withdrawn in class since the start of term; not joining in at play."),
    ("domestic_abuse", "high", "Neighbours reported shouting and a door slammed late at night."),
    ("missing", "urgent", "Not home by 10pm and not answering the phone; police informed."),
    ("self_neglect", "medium", "Fridge empty and heating off on a cold day; said money is short."),
    ("financial", "low", "New 'friend' has been collecting the pension on their behalf."),
]


def demo_nhs_number(seed: int) -> str:
    """A valid NHS Number from the 999 test range."""
    while (check := nhs_number_check_digit(f"999{seed:06d}")) is None:
        seed += 1
    return f"999{seed:06d}{check}"


class Command(BaseCommand):
    help = "Loads the demo area and prints one sign-in per role."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            agencies = self.agencies()
            users = self.users(agencies)
            if not Network.objects.exists():
                self.networks(agencies, users)
        self.print_sign_ins()

    def agencies(self) -> dict[str, Agency]:
        return {
            code: Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]
            for name, kind, code in AGENCIES
        }

    def users(self, agencies: dict[str, Agency]) -> dict[str, User]:
        people: dict[str, User] = {}
        every = [(*row[:4],) for row in SIGN_INS] + STAFF
        for local, name, agency_code, role in every:
            email = f"{local}@{DOMAIN}"
            user = User.objects.filter(email=email).first() or user_create(
                email=email, password=DEMO_PASSWORD, display_name=name, email_verified=True
            )
            if agency_code and role:
                staff_add(agency=agencies[agency_code], user=user, role=role)
            people[local] = user
        # The coordinating social workers' work contact, which their networks' family see
        # (Ofcom's numbers for drama, which never ring anyone).
        for local, agency_code, phone in WORK_CONTACTS:
            staff_work_contact_set(
                user=people[local],
                agency=agencies[agency_code],
                work_phone=phone,
                work_email=f"{local}.work@{DOMAIN}",
            )
        return people

    def networks(self, agencies: dict[str, Agency], users: dict[str, User]) -> None:
        rng = random.Random(2026)  # noqa: S311 # nosec B311  # demo data, the same every time
        social_worker, adult_worker = users["practitioner"], users["asc.worker"]
        practitioner_of = {
            "Y99901": users["gp"],
            "Y99902": users["hillside.gp"],
            "R9X": users["health.visitor"],
            "URN999001": users["oakwood.dsl"],
            "URN999002": users["academy.dsl"],
            "NFP": users["police.officer"],
            "NHH": users["housing.officer"],
            "CTV": users["carers.volunteer"],
        }
        seed = 100
        built: list[Network] = []
        for number in range(20):
            is_child = number < 14
            family_name = FAMILY_NAMES[number % len(FAMILY_NAMES)]
            names = CHILD_NAMES if is_child else ADULT_NAMES
            given_name = names[number % len(names)]
            years = rng.randint(2, 16) if is_child else rng.randint(70, 92)
            born = datetime.date(2026 - years, rng.randint(1, 12), rng.randint(1, 28))
            coordinator = social_worker if is_child else adult_worker
            agency = agencies["NCS" if is_child else "NASC"]
            seed += 7
            registration = person_register(
                registered_by=coordinator,
                agency=agency,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=born,
                postcode=rng.choice(POSTCODES),
                address=f"{rng.randint(1, 180)} {rng.choice(['Elm', 'Mill', 'Park'])} Road",
                identifiers=[IdentifierInput(system="nhs_number", value=demo_nhs_number(seed))],
            )
            network = registration.network
            built.append(network)
            coordinator_view = viewer_for(user=coordinator, network=network)
            assert coordinator_view is not None
            involved = rng.sample(CHILD_AGENCIES if is_child else ADULT_AGENCIES, k=3)
            for code in involved:
                professional = practitioner_of[code]
                # The police are involved sensitively: known to the professionals only.
                sensitive = code == "NFP"
                membership_add(
                    network=network,
                    user=professional,
                    kind=MemberKind.PROFESSIONAL,
                    added_by=coordinator,
                    agency=agencies[code],
                    visibility=Visibility.PROFESSIONALS if sensitive else Visibility.NETWORK,
                )
                # Each agency records its own involvement.
                professional_view = viewer_for(user=professional, network=network)
                assert professional_view is not None
                involvement_create(
                    network=network,
                    viewer=professional_view,
                    created_by=professional,
                    agency=agencies[code],
                    service=self.service_of(agencies[code]),
                    started_on=datetime.date(2026, rng.randint(1, 10), rng.randint(1, 28)),
                    lead_professional=professional,
                    contact_name=str(professional),
                    contact_phone=f"0191 496 0{rng.randint(100, 999)}",
                    contact_email=professional.email,
                    visibility=Visibility.PROFESSIONALS if sensitive else Visibility.NETWORK,
                )
            carer_email = (
                f"family@{DOMAIN}"
                if number == 0
                else f"{PARENT_NAMES[number % len(PARENT_NAMES)].lower()}.{family_name.lower()}"
                f"@{DOMAIN}"
            )
            carer = User.objects.filter(email=carer_email).first() or user_create(
                email=carer_email,
                password=DEMO_PASSWORD,
                email_verified=True,
                display_name=f"{PARENT_NAMES[number % len(PARENT_NAMES)]} {family_name}",
            )
            membership_add(
                network=network,
                user=carer,
                kind=MemberKind.FAMILY,
                added_by=coordinator,
                relationship="Parent" if is_child else "Daughter",
            )
            self.calendar_and_concerns(network, coordinator, rng, number)
            if number == 0:
                self.everyday(network, coordinator, carer)
        # Two pairs of siblings, so the family view has something to show.
        for first, second in ((0, 14), (1, 15)):
            self.siblings(built[first], built[second], social_worker)

    def calendar_and_concerns(
        self, network: Network, coordinator: User, rng: random.Random, number: int
    ) -> None:
        """A weekly visit, a case conference for professionals, a task, and a few concerns."""
        view = viewer_for(user=coordinator, network=network)
        assert view is not None
        today = timezone.localdate()
        visit_day = today + datetime.timedelta(days=1 + number % 6)
        event_create(
            network=network,
            viewer=view,
            created_by=coordinator,
            title="Home visit",
            kind="home_visit",
            location="At home",
            start=datetime.datetime.combine(visit_day, datetime.time(10, 0)),
            end=datetime.datetime.combine(visit_day, datetime.time(11, 0)),
            rrule="FREQ=WEEKLY;COUNT=8",
        )
        if number % 3 == 0:
            conference_day = today + datetime.timedelta(days=9 + number % 5)
            event_create(
                network=network,
                viewer=view,
                created_by=coordinator,
                title="Case conference",
                kind="case_conference",
                location="Civic Centre, room 2",
                start=datetime.datetime.combine(conference_day, datetime.time(14, 0)),
                end=datetime.datetime.combine(conference_day, datetime.time(15, 30)),
                visibility=Visibility.PROFESSIONALS,
            )
        medicine = medicine_add(
            network=network,
            viewer=view,
            added_by=coordinator,
            name="Melatonin 2 mg tablets",
            dose="1 tablet",
            schedule="At bedtime",
            prescribed_by="Riverside Medical Centre",
            pickup="Riverside Pharmacy, every fourth Friday after 2pm",
        )
        if number == 0:
            file_share(
                network=network,
                viewer=view,
                shared_by=coordinator,
                title="Shopping list",
                upload=ContentFile(b"Milk\nBread\nFruit for packed lunches\n", "list.txt"),
                visibility=Visibility.NETWORK,
            )
        task_create(
            network=network,
            viewer=view,
            created_by=coordinator,
            medicine=medicine,
            title="Collect prescription from the pharmacy",
            due_at=datetime.datetime.combine(
                today + datetime.timedelta(days=2), datetime.time(17, 0)
            ),
        )
        for category, severity, text in rng.sample(DEMO_CONCERNS, k=1 + number % 3):
            concern_raise(
                network=network,
                viewer=view,
                raised_by=coordinator,
                category=category,
                severity=severity,
                description=text,
            )

    def everyday(self, network: Network, coordinator: User, carer: User) -> None:
        """The family carer's update on how the person is, and a message to everyone."""
        family = viewer_for(user=carer, network=network)
        assert family is not None
        wellbeing_update_post(
            network=network,
            viewer=family,
            posted_by=carer,
            text="A good morning: ate all of breakfast and went to the park. Tired by teatime.",
        )
        thread_start(
            network=network,
            viewer=family,
            started_by=carer,
            subject="Prescription this Friday",
            text="I can collect the prescription on Friday after work. Is anyone free at 2pm?",
            audience=THREAD_FOR_NETWORK,
        )

    def siblings(self, one: Network, other: Network, coordinator: User) -> None:
        view = viewer_for(user=coordinator, network=one)
        if view is not None and viewer_for(user=coordinator, network=other) is not None:
            relationship_link(
                network=one,
                relative_network=other,
                kind="other",
                linked_by=coordinator,
                viewer=view,
            )

    @staticmethod
    def service_of(agency: Agency) -> str:
        return {
            AgencyKind.GP_PRACTICE: "GP registration",
            AgencyKind.NHS_TRUST: "Health visiting",
            AgencyKind.SCHOOL: "Designated safeguarding lead",
            AgencyKind.POLICE: "Neighbourhood policing team",
            AgencyKind.HOUSING: "Tenancy support",
            AgencyKind.VOLUNTARY: "Carers' support group",
        }.get(AgencyKind(agency.kind), "Support")

    def print_sign_ins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Caregraph demo sign-ins (password for all: {DEMO_PASSWORD})")
        for local, _name, _agency, _role, purpose in SIGN_INS:
            self.stdout.write(f"  {local + '@' + DOMAIN:<36} {purpose}")
        self.stdout.write(
            "Agency staff set up an authenticator app (TOTP) at their first sign-in; family may."
        )
        self.stdout.write("Open http://127.0.0.1:8000 once the server below has started.")
        self.stdout.write("")
