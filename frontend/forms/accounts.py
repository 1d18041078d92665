"""allauth's sign-in and two-factor forms, with the lockout and GOV.UK wording (config.settings'
ACCOUNT_FORMS and MFA_FORMS name them)."""

from collections.abc import Callable
from typing import Any

from allauth.account.forms import LoginForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.validators import MaxLengthValidator

from accounts.lockout import signin_failure_record, signin_is_locked_out
from accounts.two_factor import session_code_given_mark

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit, and the longest address a User can hold
SIGNIN_LOCKED_OUT = "Too many attempts to sign in: try again later"


class SignInForm(LoginForm):
    """allauth's sign-in form, refusing an over-long address with its own message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        login.max_length = EMAIL_MAX_LENGTH  # type: ignore[attr-defined]
        login.validators.append(
            MaxLengthValidator(
                EMAIL_MAX_LENGTH,
                message=f"Enter an email address of {EMAIL_MAX_LENGTH} characters or fewer",
            )
        )


def two_factor_code_check(*, user: AbstractBaseUser, check: Callable[[], str]) -> str:
    """Checks a two-factor code under the sign-in lockout of the user's e-mail address.

    A wrong code counts towards the lockout exactly as a wrong password does. While the
    address is locked out no code is checked at all, so a correct one does not sign in either;
    the attempt counts as a password tried during a lockout does. Either way, once locked
    out, axes' middleware answers with the same locked-out page as after wrong passwords.
    """
    request = context.request
    email = user.get_username()
    if signin_is_locked_out(request=request, email=email):
        signin_failure_record(request=request, email=email)
        request.axes_locked_out = True  # type: ignore[attr-defined]
        raise forms.ValidationError(SIGNIN_LOCKED_OUT)
    try:
        return check()
    except forms.ValidationError:
        signin_failure_record(request=request, email=email)
        raise


class TwoFactorAuthenticateForm(AuthenticateForm):
    """The code asked after the password at sign-in, counted towards the lockout."""

    def clean_code(self) -> str:
        return two_factor_code_check(user=self.user, check=super().clean_code)


class TwoFactorReauthenticateForm(ReauthenticateForm):
    """The code asked again to confirm it is the user, counted towards the lockout.

    Giving it also brings a session signed in without a code up to the two-factor duty.
    """

    def clean_code(self) -> str:
        return two_factor_code_check(user=self.user, check=super().clean_code)

    def save(self) -> None:
        super().save()
        session_code_given_mark(session=context.request.session, given=True)


class TwoFactorActivateForm(ActivateTOTPForm):
    """Setting up an authenticator app takes a code from it: this session has given one.

    The code is checked against the app being set up, and only when the user has no app yet
    (allauth refuses a second), so a session cannot claim a code for an app added elsewhere.
    """

    def clean_code(self) -> str:
        code = str(super().clean_code())
        session_code_given_mark(session=context.request.session, given=True)
        return code
