"""Sign in and sign out; the language switch is Django's own `set_language`."""
from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from fidelia.accounts import policies
from fidelia.accounts.forms import LoginForm
from fidelia.accounts.models import User


class LoginView(auth_views.LoginView):
    """A signed-in user is sent on to the customers instead of seeing the form again."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


def landing_url(user: User) -> str:
    """Where a user starts: the customers, or the catalogue for those who may read no individual
    customer (analysts), rather than a 404."""
    return reverse("parties:list" if policies.can_read_parties(user) else "sales:product_list")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_url(request.user))


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or a prefetch cannot sign anyone out."""
