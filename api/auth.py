"""API tokens for integrations: e-mail, password and (where set up) a two-factor code.

Passwords are checked through ``django.contrib.auth.authenticate``, so django-axes counts
every failure, a wrong two-factor code included, and locks the account after too many.
The answers never tell whether an e-mail address belongs to anyone: a wrong password and an
unknown address get the same 400, and a locked-out address the same 429 either way.
Each token issued replaces the user's previous one, and remembers whether it was issued on a
code, which the two-factor duty asks of staff at every use (api.authentication).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.lockout import signin_failure_record
from accounts.models import User
from api.errors import ErrorsSerializer, error_response
from api.tokens import api_token_issue, api_token_revoke
from api.views import ApiView
from caregraph.policy import user_has_authenticator, user_must_use_two_factor

WRONG_CREDENTIALS = "Enter a correct e-mail address and password"
OTP_MISSING = "Enter the 6-digit code from your authenticator app, or a recovery code"
OTP_WRONG = (
    "This code is wrong or has already been used: enter the current code from your "
    "authenticator app, or a recovery code"
)
MFA_NOT_SET_UP = (
    "Set up two-factor authentication first: sign in on the website and add an "
    "authenticator app, then ask for a token again"
)
EMAIL_NOT_VERIFIED = (
    "Confirm your e-mail address first: sign in on the website and follow the link we send"
)


def _locked_out_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        "Too many failed attempts to sign in with this e-mail address: "
        f"try again in {minutes} minutes"
    )


def _is_locked_out(http_request: HttpRequest) -> bool:
    """Whether axes has just locked this sign-in out; we answer it ourselves, in JSON.

    Clearing the flag keeps axes' middleware from replacing our answer with its web page.
    """
    locked = bool(getattr(http_request, "axes_locked_out", False))
    if locked:
        http_request.axes_locked_out = False  # type: ignore[attr-defined]
    return locked


def _second_factor_valid(*, user: User, code: str) -> bool:
    """A current TOTP code, or an unused recovery code; each code works once."""
    authenticators = Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).order_by("type")
    for authenticator in authenticators:
        if authenticator.wrap().validate_code(code.strip()):
            authenticator.record_usage()
            return True
    return False


class AuthTokenRequestSerializer(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The code from your authenticator app (or a recovery code), if you use one. "
        "Required for agency staff.",
    )


class AuthTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class AuthTokenApi(ApiView):
    """Issue (POST) or revoke (DELETE) the signed-in user's API token."""

    serializer_class = AuthTokenSerializer

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def perform_authentication(self, request: Request) -> None:
        # Asking for a token proves identity by password, not by a cookie or an old token.
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(
        operation_id="auth_token_issue",
        auth=[],
        request=AuthTokenRequestSerializer,
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(ErrorsSerializer, description="Wrong e-mail, password or code"),
            403: OpenApiResponse(ErrorsSerializer, description="Two-factor sign-in not set up"),
            429: OpenApiResponse(ErrorsSerializer, description="Locked out after failures"),
        },
    )
    def post(self, request: Request) -> Response:
        """A new API token; any earlier token of yours stops working.

        Agency staff must send the current code from their authenticator app as `otp`.
        """
        given = AuthTokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        email = given.validated_data["email"].strip().lower()
        code = given.validated_data.get("otp", "")
        http_request = request._request
        user = authenticate(
            request=http_request, email=email, password=given.validated_data["password"]
        )
        if _is_locked_out(http_request):
            return error_response(_locked_out_message(), status_code=429)
        if user is None:
            return error_response(WRONG_CREDENTIALS, status_code=status.HTTP_400_BAD_REQUEST)
        code_given = False
        if user_has_authenticator(user=user):
            if not code.strip():
                return error_response(OTP_MISSING, field="otp", status_code=400)
            if not _second_factor_valid(user=user, code=code):  # type: ignore[arg-type]
                signin_failure_record(request=http_request, email=email)
                if _is_locked_out(http_request):
                    return error_response(_locked_out_message(), status_code=429)
                return error_response(OTP_WRONG, field="otp", status_code=400)
            code_given = True
        elif user_must_use_two_factor(user=user):
            return error_response(MFA_NOT_SET_UP, status_code=status.HTTP_403_FORBIDDEN)
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            return error_response(EMAIL_NOT_VERIFIED, status_code=status.HTTP_403_FORBIDDEN)
        key = api_token_issue(user=user, code_given=code_given)  # type: ignore[arg-type]
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response(AuthTokenSerializer({"token": key}).data)

    @extend_schema(operation_id="auth_token_revoke", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Revoke your API token."""
        api_token_revoke(user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
