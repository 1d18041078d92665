from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        # Registers which threads each viewer may see in the audit trail.
        from messaging import selectors  # noqa: F401
