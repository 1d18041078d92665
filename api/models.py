"""What the API itself stores: the answers to creating requests, so that a retry is safe."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The stored answer to one creating POST sent with an ``Idempotency-Key`` header.

    A retry with the same key gets this answer again instead of creating anything twice.
    Only successful answers are kept, so a request that failed can be corrected and resent.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the request body, to refuse a reused key."
    )
    status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.status})"


class ApiToken(models.Model):
    """An integration's API token, sent as ``Authorization: Token <key>``.

    Only a SHA-256 hash of the key is stored, so a copy of the database opens nothing. A user
    has at most one token. It remembers whether it was issued on a code from the user's
    authenticator app: one issued without a code stops working once its user must use
    two-factor sign-in (``caregraph.policy.credential_two_factor_shortfall``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key.")
    created_at = models.DateTimeField(default=timezone.now)
    code_given = models.BooleanField(
        help_text="Issued on a code from the user's authenticator app, or a recovery code."
    )

    def __str__(self) -> str:
        return f"API token of user {self.user_id}"
