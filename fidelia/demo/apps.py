from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fidelia.demo"
    label = "demo"
    verbose_name = "Demo data"
