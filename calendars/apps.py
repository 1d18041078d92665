from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"

    def ready(self) -> None:
        # Registers which events and tasks each viewer may see in the audit trail.
        from calendars import selectors  # noqa: F401
