"""The unread count beside "Messages" in the sections of a person's record."""

from __future__ import annotations

from django import template

from caregraph.policy import Viewer
from messaging.selectors import message_unread_count

register = template.Library()


@register.simple_tag
def messages_unread(viewer: Viewer | None) -> int:
    """`{% messages_unread viewer as unread %}`: one query, for members only."""
    if viewer is None or not viewer.is_member:
        return 0
    return message_unread_count(viewer=viewer)
