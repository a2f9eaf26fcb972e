from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_functions(sender, connection, **kwargs) -> None:  # noqa: ANN001
    if connection.vendor == "sqlite":
        from fidelia.parties.selectors import fuzzy_score

        connection.connection.create_function("fidelia_fuzzy", 2, fuzzy_score, deterministic=True)


class PartiesConfig(AppConfig):
    name = "fidelia.parties"
    label = "parties"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from fidelia.parties.privacy import register_hooks

        register_hooks()
        connection_created.connect(_register_sqlite_functions, dispatch_uid="fidelia_sqlite_functions")
