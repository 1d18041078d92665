"""Your details through the API: the name members see, and a mobile number proved by a
texted code (`notifications.phone`) so that reminders can come by text."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.services import user_display_name_change
from api.v1.serializers.accounts import (
    MeSerializer,
    MeWriteSerializer,
    PhoneVerificationConfirmSerializer,
    PhoneVerificationStartSerializer,
)
from api.views import ApiView, error_responses, signed_in_user
from notifications.phone import phone_verification_confirm, phone_verification_start


class MeApi(ApiView):
    """Your own details. Nobody else's are here: other members are read in each network."""

    @extend_schema(operation_id="me_detail", responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(signed_in_user(request)).data)

    @extend_schema(
        operation_id="me_update",
        request=MeWriteSerializer,
        responses={200: MeSerializer, **error_responses(400)},
    )
    def patch(self, request: Request) -> Response:
        """Change the name other members see."""
        user = signed_in_user(request)
        given = MeWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user_display_name_change(user=user, display_name=given.validated_data["display_name"])
        return Response(MeSerializer(user).data)


class MePhoneVerificationApi(ApiView):
    @extend_schema(
        operation_id="me_phone_verification_start",
        request=PhoneVerificationStartSerializer,
        responses={200: MeSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        """Text a code to a mobile number; your number changes once the code is confirmed.
        400 for a number that is not a mobile, too many codes in an hour, or where texts
        are not set up."""
        user = signed_in_user(request)
        given = PhoneVerificationStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        phone_verification_start(user=user, phone=given.validated_data["phone"])
        return Response(MeSerializer(user).data)


class MePhoneVerificationConfirmApi(ApiView):
    @extend_schema(
        operation_id="me_phone_verification_confirm",
        request=PhoneVerificationConfirmSerializer,
        responses={200: MeSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        """Confirm the texted code. A wrong code counts against a few tries; an expired or
        used-up one must be asked for again."""
        user = signed_in_user(request)
        given = PhoneVerificationConfirmSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        phone_verification_confirm(user=user, code=given.validated_data["code"])
        return Response(MeSerializer(user).data)
