from django.apps import AppConfig


class MedicinesConfig(AppConfig):
    name = "medicines"

    def ready(self) -> None:
        # Registers which medicines each viewer may see in the audit trail.
        from medicines import selectors  # noqa: F401
