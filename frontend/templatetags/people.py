"""How a page names a person who did something: by name, unless the viewer may not know they
are involved (see `caregraph.policy.people_hidden_from`)."""

from __future__ import annotations

from collections.abc import Collection

from django import template

from accounts.models import User
from caregraph.policy import HIDDEN_PERSON_LABEL

register = template.Library()


@register.filter
def named(user: User | None, hidden: Collection[int] = ()) -> str:
    """`{{ update.created_by|named:hidden_people }}`."""
    if user is None:
        return ""
    return HIDDEN_PERSON_LABEL if user.pk in hidden else str(user)
