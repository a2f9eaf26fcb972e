from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fidelia.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from fidelia.accounts import signals
        from fidelia.accounts.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="fidelia_session_clock")
        signals.connect()
        from fidelia.accounts.privacy import register_hooks

        register_hooks()
