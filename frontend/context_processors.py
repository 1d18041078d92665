from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from caregraph.policy import user_is_safeguarding_lead, user_may_register_people
from notifications.selectors import notification_unread_count


def service(request: HttpRequest) -> dict[str, object]:
    """What the layout needs on every page. Each value is lazy: a page that does not show
    it does not pay for its query."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "SERVICE_NAME": "Caregraph",
        "CAREGRAPH_MODE": settings.MODE,
        "may_register_people": SimpleLazyObject(
            lambda: signed_in and user_may_register_people(user=user)
        ),
        "may_see_dashboard": SimpleLazyObject(
            lambda: signed_in and user_is_safeguarding_lead(user=user)
        ),
        "notification_unread_count": SimpleLazyObject(
            lambda: notification_unread_count(user=user) if signed_in else 0
        ),
    }
