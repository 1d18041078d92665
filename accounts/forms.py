from typing import Any

from allauth.account.forms import LoginForm
from django.core.validators import MaxLengthValidator

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit, and the longest address a User can hold


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
