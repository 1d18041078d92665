from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    verbose_name = "Wellbeing updates and what matters"

    def ready(self) -> None:
        # Registers which updates each viewer may see in the audit trail.
        from wellbeing import selectors  # noqa: F401
