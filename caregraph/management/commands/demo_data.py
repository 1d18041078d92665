"""Builds the demo area and prints its sign-ins. Safe to run again: it changes nothing twice."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from agencies.models import Agency, AgencyKind, StaffMembership, StaffRole

DEMO_PASSWORD = "caregraph-demo-2026"  # noqa: S105 - printed for the demo on purpose

AGENCIES = [
    ("Northfield Children's Services", AgencyKind.CHILDRENS_SERVICES, "NCS"),
    ("Northfield Adult Social Care", AgencyKind.ADULT_SOCIAL_CARE, "NASC"),
    ("Riverside Medical Centre", AgencyKind.GP_PRACTICE, "Y99901"),
    ("Northfield Community NHS Trust", AgencyKind.NHS_TRUST, "R9X"),
    ("Oakwood Primary School", AgencyKind.SCHOOL, "URN999001"),
    ("Northfield Police", AgencyKind.POLICE, "NFP"),
]

# (email, display name, agency code or None, role or None, what they come to do)
SIGN_INS = [
    (
        "practitioner@demo.caregraph.test",
        "Priya Shah",
        "NCS",
        StaffRole.PRACTITIONER,
        "social worker: find a person, raise and follow concerns",
    ),
    (
        "lead@demo.caregraph.test",
        "Daniel Okafor",
        "NCS",
        StaffRole.SAFEGUARDING_LEAD,
        "safeguarding lead: review networks and concerns",
    ),
    (
        "admin@demo.caregraph.test",
        "Helen Marsh",
        "NCS",
        StaffRole.AGENCY_ADMIN,
        "agency admin: manage staff and agreements",
    ),
    (
        "gp@demo.caregraph.test",
        "Dr Aisha Rahman",
        "Y99901",
        StaffRole.PRACTITIONER,
        "GP: a practitioner of another agency",
    ),
    (
        "family@demo.caregraph.test",
        "Jo Taylor",
        None,
        None,
        "family carer: calendar, tasks and updates",
    ),
]


class Command(BaseCommand):
    help = "Loads the demo area and prints one sign-in per role."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        agencies = {
            code: Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]
            for name, kind, code in AGENCIES
        }
        for email, name, agency_code, role, _purpose in SIGN_INS:
            user = User.objects.filter(email=email).first() or user_create(
                email=email, password=DEMO_PASSWORD, display_name=name, email_verified=True
            )
            if agency_code and role:
                StaffMembership.objects.get_or_create(
                    user=user, agency=agencies[agency_code], role=role
                )
        self.print_sign_ins()

    def print_sign_ins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Caregraph demo sign-ins (password for all: {DEMO_PASSWORD})")
        for email, _name, _agency, _role, purpose in SIGN_INS:
            self.stdout.write(f"  {email:<36} {purpose}")
        self.stdout.write(
            "Agency staff set up an authenticator app (TOTP) at their first sign-in; family may."
        )
        self.stdout.write("Open http://127.0.0.1:8000 once the server below has started.")
        self.stdout.write("")
