from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fidelia.core"
    label = "core"
