from django.apps import AppConfig


class SharedFilesConfig(AppConfig):
    name = "sharedfiles"
    verbose_name = "Shared files"

    def ready(self) -> None:
        # Registers which shared files each viewer may see in the audit trail.
        from sharedfiles import selectors  # noqa: F401
