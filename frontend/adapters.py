"""The sign-in library's (allauth's) adapter: who may sign up, what a sign-in notes in the
session, and how its e-mails leave (through the outbox, like every other message)."""

import time
import uuid
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from accounts.two_factor import session_code_given_mark
from caregraph.policy import user_has_authenticator
from notifications.outbox import outbox_message_write


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Nobody signs themself up: agency admins add staff, coordinators invite members."""
        return False

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """Signs in, and notes in the session whether a code was given at this sign-in.

        allauth asks for the code of an authenticator app whenever the user has one, and
        records it among this sign-in's steps. A session made without one does not meet the
        two-factor duty if its user must use it (caregraph.policy), even after they add an
        app on another device.
        """
        records = get_authentication_records(request, user)
        super().login(request, user)
        code_given = any(record.get("method") == "mfa" for record in records)
        session_code_given_mark(session=request.session, given=code_given)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Staff are sent to set up two-factor sign-in straight after their password.

        Asking them for the password they typed seconds ago would add nothing, so a first
        enrolment within the re-authentication window of signing in goes ahead. Changing
        or removing an existing authenticator still asks again.
        """
        request = allauth_context.request
        if (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and not user_has_authenticator(user=request.user)
        ):
            records = get_authentication_records(request, request.user)
            if (
                records
                and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Writes the e-mail (a verification link, a password reset) to the outbox, which
        sends it once the request's transaction commits; nothing is sent from here.

        The context is allauth's own (`DefaultAccountAdapter.send_mail`), rendered with its
        templates as before. Each e-mail is a message of its own: asking twice sends twice.
        """
        request = allauth_context.request
        values = {"request": request, "email": email, "current_site": get_current_site(request)}
        values.update(context)
        rendered = self.render_mail(template_prefix, email, values)
        user = values.get("user")
        outbox_message_write(
            user_id=getattr(user, "pk", None),
            to_address=email,
            subject=str(rendered.subject)[:200],
            body=str(rendered.body),
            dedupe_key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
        )
