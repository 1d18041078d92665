from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo area: a command that composes every app's services into a working example."""

    name = "demo"
