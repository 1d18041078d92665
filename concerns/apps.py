from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"

    def ready(self) -> None:
        # Registers which concerns and alerts each viewer may see in the audit trail.
        from concerns import selectors  # noqa: F401
