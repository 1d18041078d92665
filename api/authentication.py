from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class ExpiringTokenAuthentication(TokenAuthentication):
    """A token works for API_TOKEN_LIFETIME_DAYS after it was issued, then must be renewed."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        lifetime = timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
        if token.created < timezone.now() - lifetime:
            raise AuthenticationFailed("This token has expired: ask for a new one")
        return user, token
