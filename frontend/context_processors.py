from typing import cast

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from caregraph.policy import user_is_safeguarding_lead, user_may_register_people
from notifications.selectors import notification_unread_count


def service(request: HttpRequest) -> dict[str, object]:
    """What the layout needs on every page. Each value is lazy: a page that does not show
    it does not pay for its query."""
    common: dict[str, object] = {"SERVICE_NAME": "Caregraph", "CAREGRAPH_MODE": settings.MODE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            **common,
            "may_register_people": False,
            "may_see_dashboard": False,
            "notification_unread_count": 0,
        }
    account = cast(User, user)
    return {
        **common,
        "may_register_people": SimpleLazyObject(lambda: user_may_register_people(user=account)),
        "may_see_dashboard": SimpleLazyObject(lambda: user_is_safeguarding_lead(user=account)),
        "notification_unread_count": SimpleLazyObject(
            lambda: notification_unread_count(user=account)
        ),
    }
