from django.apps import AppConfig


class CaregraphConfig(AppConfig):
    name = "caregraph"
    verbose_name = "Care graph"
