"""Adding a mobile number: a six-digit code texted to it, typed back within minutes.

Text reminders go only to a number proved this way (`accounts.services.user_sms_number`).
The code is sent like every other text, through the outbox and GOV.UK Notify
(`notifications.sms`); only a keyed hash of it is kept, it expires, and a few wrong tries
use it up. Asking for codes is limited too, so the service cannot be used to text a
stranger's phone over and over.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from phonenumber_field.phonenumber import PhoneNumber, to_python

from accounts.models import PhoneVerification, User
from notifications.models import OutboxChannel, OutboxMessage, OutboxState
from notifications.outbox import outbox_message_write

CODE_DIGITS = 6
CODE_LIFETIME = datetime.timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
DEDUPE_PREFIX = "phone-verification:"
REDACTED = "Your Caregraph code (removed once sent)."
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def sms_is_configured() -> bool:
    """Whether texts can be sent at all (GOV.UK Notify's key and template are set)."""
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)


def _code_hash(*, user_id: int, code: str) -> str:
    return salted_hmac("caregraph.phone-verification", f"{user_id}:{code}").hexdigest()


def _sent_codes_redact(*, user: User) -> None:
    """The outbox keeps what it sent; a code it sent is of no use to keep, so the texts
    already handed to Notify have the code taken out (one waiting to go keeps it)."""
    OutboxMessage.objects.filter(
        user=user,
        dedupe_key__startswith=DEDUPE_PREFIX,
        state__in=[OutboxState.SENT, OutboxState.FAILED],
    ).exclude(body=REDACTED).update(body=REDACTED)


def phone_number_mobile(value: str) -> PhoneNumber:
    """The mobile number typed, read as a UK number unless it starts with +; the same
    plain error for anything that is not a mobile number."""
    number = to_python(value.strip(), region=settings.PHONENUMBER_DEFAULT_REGION)
    if (
        not isinstance(number, PhoneNumber)
        or not number.is_valid()
        or phonenumbers.number_type(number) not in MOBILE_TYPES
    ):
        raise ValidationError(
            {"phone": ["Enter a mobile phone number, like 07700 900 982 or +44 7700 900 982"]}
        )
    return number


@transaction.atomic
def phone_verification_start(
    *, user: User, phone: str, now: datetime.datetime | None = None
) -> None:
    """Texts a new code to the number and keeps its hash, replacing any code asked before.

    Refused when texts cannot be sent here, and after `CODES_PER_HOUR` codes in an hour.
    The number the user has (if any) stays theirs until the new one is confirmed.
    """
    now = now or timezone.now()
    number = phone_number_mobile(phone)
    if not sms_is_configured():
        raise ValidationError(
            {"phone": ["Text messages are not set up on this service, so a number cannot be added"]}
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
    recent = OutboxMessage.objects.filter(
        user=user,
        channel=OutboxChannel.SMS,
        dedupe_key__startswith=DEDUPE_PREFIX,
        created_at__gte=now - datetime.timedelta(hours=1),
    ).count()
    if recent >= CODES_PER_HOUR:
        raise ValidationError(
            {"phone": ["You have asked for too many codes. Wait an hour, then try again"]}
        )
    _sent_codes_redact(user=user)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    PhoneVerification.objects.update_or_create(
        user=user,
        defaults={
            "phone": number,
            "code_hash": _code_hash(user_id=user.pk, code=code),
            "created_at": now,
            "expires_at": now + CODE_LIFETIME,
            "attempts": 0,
        },
    )
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    outbox_message_write(
        user_id=user.pk,
        channel=OutboxChannel.SMS,
        to_address=number.as_e164,
        body=f"Your Caregraph code is {code}. It works for {minutes} minutes. "
        "If you did not ask for it, you can ignore this message.",
        dedupe_key=f"{DEDUPE_PREFIX}{user.pk}:{uuid.uuid4().hex}",
    )


def phone_verification_pending(
    *, user: User, now: datetime.datetime | None = None
) -> PhoneVerification | None:
    """The code waiting to be typed back, while it still can be."""
    now = now or timezone.now()
    return PhoneVerification.objects.filter(
        user=user, expires_at__gt=now, attempts__lt=CODE_ATTEMPTS
    ).first()


def phone_verification_confirm(
    *, user: User, code: str, now: datetime.datetime | None = None
) -> PhoneNumber:
    """Checks the code typed; the right one makes the number the user's, proved.

    A wrong code counts against `CODE_ATTEMPTS`; an expired or used-up code must be asked
    for again. Each wrong try is saved even though the answer is an error.
    """
    now = now or timezone.now()
    code = "".join(code.split())
    with transaction.atomic():
        verification = PhoneVerification.objects.select_for_update().filter(user=user).first()
        if verification is None:
            raise ValidationError({"code": ["Ask for a code to be texted to your mobile first"]})
        if verification.expires_at <= now:
            raise ValidationError({"code": ["That code has expired. Ask for a new code"]})
        if verification.attempts >= CODE_ATTEMPTS:
            raise ValidationError(
                {"code": ["You have entered too many wrong codes. Ask for a new code"]}
            )
        right = _code_hash(user_id=user.pk, code=code)
        if not (code.isdigit() and constant_time_compare(right, verification.code_hash)):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            wrong = True
        else:
            wrong = False
            user.phone = verification.phone
            user.phone_verified_at = now
            user.save(update_fields=["phone", "phone_verified_at"])
            verification.delete()
            _sent_codes_redact(user=user)
    if wrong:
        left = CODE_ATTEMPTS - verification.attempts
        if left <= 0:
            raise ValidationError(
                {"code": ["You have entered too many wrong codes. Ask for a new code"]}
            )
        raise ValidationError(
            {
                "code": [
                    f"That code is not right. You can try {left} more time{'s' if left > 1 else ''}"
                ]
            }
        )
    return user.phone


@transaction.atomic
def phone_remove(*, user: User) -> None:
    """Takes the mobile number off the account: text reminders then come by e-mail."""
    PhoneVerification.objects.filter(user=user).delete()
    user.phone = ""  # type: ignore[assignment]
    user.phone_verified_at = None
    user.save(update_fields=["phone", "phone_verified_at"])
