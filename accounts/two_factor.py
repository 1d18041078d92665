"""Whether a web session was made with a code: the mark the two-factor duty reads.

The policy (`caregraph.policy.session_two_factor_shortfall`) asks whether a credential was
made with a code from the user's authenticator app. For a web session (and the WebSockets
that ride on it) that is noted in the session:

- at every sign-in through allauth (`frontend.adapters.AccountAdapter.login`): given when
  allauth asked for the code and it was given, which it does whenever the user has an app;
- when the user gives a code later to confirm it is them (`frontend.forms.accounts`);
- when the user sets up an authenticator app in this session, which takes a code from it
  (`frontend.forms.accounts`).

So a session signed in on the password alone stays short of the duty once its user must use
two-factor sign-in, even after they add an app on another device, until a code is given.
"""

from django.contrib.sessions.backends.base import SessionBase

SESSION_CODE_GIVEN_KEY = "caregraph_two_factor_code_given"


def session_code_given(*, session: SessionBase) -> bool:
    """Whether the session's user gave a code from their authenticator app in this session.

    A session without the mark was not made by allauth's sign-in (the test client's
    ``force_login``, or a session from before the mark existed). It counts as given: allauth
    asks every user who has an authenticator app for its code at sign-in.
    """
    return bool(session.get(SESSION_CODE_GIVEN_KEY, True))


def session_code_given_mark(*, session: SessionBase, given: bool) -> None:
    session[SESSION_CODE_GIVEN_KEY] = given
