"""Test data, made through the same services that users and admins call."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User
from accounts.services import user_create
from agencies.models import Agency, AgencyKind, Involvement, StaffMembership, StaffRole
from caregraph.identifiers import nhs_number_check_digit
from caregraph.models import IdentifierSystem, MemberKind, Membership, Network
from caregraph.services.people import IdentifierInput, Registration, person_register

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Plain and unique, so that "this name is not on the page" can never fail by chance.
    display_name = factory.Sequence(lambda n: f"Member Number{n}")
    password = PASSWORD
    email_verified = True

    @classmethod
    def _create(cls, model_class: type[User], **kwargs: object) -> User:
        return user_create(**kwargs)  # type: ignore[arg-type]


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.CHILDRENS_SERVICES
    code = factory.Sequence(lambda n: f"A{n:04d}")


def staff_create(*, role: str = StaffRole.PRACTITIONER, agency: Agency | None = None) -> User:
    user = UserFactory.create()
    StaffMembership.objects.create(user=user, agency=agency or AgencyFactory.create(), role=role)
    return user


def totp_enrol(user: User) -> str:
    """Gives the user an authenticator app; returns its secret for making codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


def totp_code(secret: str, *, offset_periods: int = 0) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // 30 + offset_periods
    return format_hotp_value(hotp_value(secret, counter))


# People, identifiers and networks, made through the registration service.


def nhs_numbers_for_test(start: int = 0) -> Iterator[str]:
    """Valid NHS Numbers in the 999 range, which is never issued to a real person.

    Bases whose check value is 10 have no valid number and are skipped.
    """
    for base in range(999_000_000 + start, 1_000_000_000):
        digits = str(base)
        check = nhs_number_check_digit(digits)
        if check is not None:
            yield f"{digits}{check}"


# Numbers handed out one by one start far above the fixed serials tests ask for by number.
_fresh_nhs_numbers = nhs_numbers_for_test(start=500_000)


def nhs_number_make() -> str:
    """A valid test NHS Number that no other call in this test run has handed out."""
    return next(_fresh_nhs_numbers)


def nhs_number_for_test(serial: int = 0) -> str:
    """The serial-th valid test NHS Number: 0 is 999 000 0018, 1 is 999 000 0026, ..."""
    return next(itertools.islice(nhs_numbers_for_test(), serial, None))


def person_register_for_test(
    *,
    registered_by: User | None = None,
    agency: Agency | None = None,
    given_name: str = "Amelia",
    family_name: str = "Hughes",
    date_of_birth: datetime.date | None = datetime.date(2015, 3, 14),
    postcode: str = "",
    nhs_number: str | None = None,
    identifiers: list[IdentifierInput] | None = None,
) -> Registration:
    """Registers a person as a practitioner would; one of `agency` is made when none is given.

    Matching runs after commit: wrap the call in `django_capture_on_commit_callbacks(
    execute=True)` where a test needs it to run.
    """
    if registered_by is None:
        agency = agency or AgencyFactory.create()
        registered_by = staff_create(agency=agency)
    given = list(identifiers or [])
    if nhs_number is not None:
        given.append(IdentifierInput(system=IdentifierSystem.NHS_NUMBER, value=nhs_number))
    return person_register(
        registered_by=registered_by,
        agency=agency,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        identifiers=given,
    )


def member_add_for_test(
    *,
    network: Network,
    user: User | None = None,
    kind: str = MemberKind.FAMILY,
    agency: Agency | None = None,
) -> Membership:
    """An active member of a network (no membership service exists yet)."""
    return Membership.objects.create(
        network=network, user=user or UserFactory.create(), kind=kind, agency=agency
    )


def involvement_add_for_test(
    *, network: Network, agency: Agency, recorded_by: User | None = None
) -> Involvement:
    """An open involvement of an agency with the person at the centre of a network."""
    return Involvement.objects.create(
        network=network,
        agency=agency,
        service="Child in need team",
        started_on=datetime.date(2024, 1, 8),
        created_by=recorded_by,
        author_agency=agency,
    )
