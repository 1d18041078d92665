"""Test data, made through the same services that users and admins call."""

from __future__ import annotations

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User
from accounts.services import user_create
from agencies.models import Agency, AgencyKind, StaffMembership, StaffRole

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name: str = factory.Faker("name", locale="en_GB")  # type: ignore[assignment]
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
