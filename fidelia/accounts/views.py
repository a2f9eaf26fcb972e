"""Sign in and sign out; the language switch is Django's own `set_language`."""
from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import NoReverseMatch, reverse

from fidelia.accounts import policies
from fidelia.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    """A signed-in user is sent on to the customers instead of seeing the form again."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Where to land without `next`: the customers, or the catalogue for those who may read no
        individual customer (analysts), rather than a 404."""
        if policies.party_read_filter(self.request.user) is None:
            try:
                return reverse("sales:product_list")
            except NoReverseMatch:
                pass
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or a prefetch cannot sign anyone out."""
