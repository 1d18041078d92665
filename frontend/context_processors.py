from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from caregraph.policy import user_may_register_people


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "SERVICE_NAME": "Caregraph",
        "CAREGRAPH_MODE": settings.MODE,
        # Lazy: pages that do not show the navigation do not pay for the query.
        "may_register_people": SimpleLazyObject(
            lambda: user is not None and user_may_register_people(user=user)
        ),
    }
