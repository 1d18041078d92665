"""What the API reads and writes about the signed-in user's own details."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import User
from accounts.services import DISPLAY_NAME_MAX, user_sms_number
from notifications.phone import CODE_DIGITS, phone_verification_pending


class MeSerializer(serializers.Serializer[User]):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(
        read_only=True, help_text="Changed on the web page, which verifies the new address."
    )
    phone = serializers.SerializerMethodField(
        help_text="Your mobile number in E.164, once confirmed with a texted code; else null."
    )
    phone_pending = serializers.SerializerMethodField(
        help_text="A number a code was texted to, waiting for the code; else null."
    )

    def get_phone(self, user: User) -> str | None:
        return user_sms_number(user) or None

    def get_phone_pending(self, user: User) -> str | None:
        pending = phone_verification_pending(user=user)
        return str(pending.phone.as_e164) if pending else None


class MeWriteSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField(
        max_length=DISPLAY_NAME_MAX, help_text="How other members of your networks see you."
    )


class PhoneVerificationStartSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField(
        max_length=32, help_text="A mobile number; UK unless it starts with + and a country code."
    )


class PhoneVerificationConfirmSerializer(serializers.Serializer[Any]):
    code = serializers.RegexField(
        rf"^\d{{{CODE_DIGITS}}}$",
        help_text=f"The {CODE_DIGITS}-digit code from the text message.",
        error_messages={"invalid": f"The code must be {CODE_DIGITS} numbers"},
    )
