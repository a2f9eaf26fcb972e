"""Sign in and sign out; the language switch is Django's own `set_language`."""
from __future__ import annotations

from django.contrib.auth import views as auth_views

from fidelia.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    """A signed-in user is sent on to the customers instead of seeing the form again."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or a prefetch cannot sign anyone out."""
