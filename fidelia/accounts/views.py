"""Sign in (password, then a second factor when needed), sign out, the account's security page
(password, two-factor authentication, personal API tokens); the language switch is Django's own
`set_language`."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fidelia.accounts import policies, services, two_factor
from fidelia.accounts.forms import LoginForm, OtpCodeForm, PasswordChangeForm, TokenCreateForm
from fidelia.accounts.models import ApiToken, User
from fidelia.accounts.two_factor import CodeCheck, SecondStep
from fidelia.core.errors import ValidationFailed


class LoginView(auth_views.LoginView):
    """A signed-in user is sent on to the customers instead of seeing the form again. After the
    password, a user who owes a second factor goes to the code (or enrolment) page, `next` kept.
    Unknown and known usernames get the same answer, locked out or not (see `lockout_response`)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def get_success_url(self) -> str:
        url = super().get_success_url()
        step = two_factor.second_step(self.request)
        if step == SecondStep.NONE:
            return url
        target = reverse("accounts:otp_verify" if step == SecondStep.VERIFY else "accounts:otp_enrol")
        return f"{target}?{urlencode({'next': url})}"


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a locked username + address: the sign-in page with one generic
    message and status 429, whether or not the account exists."""
    minutes = settings.FIDELIA_LOCKOUT_MINUTES
    form = LoginForm(request, data={"username": (credentials or {}).get("username", "")})
    form.errors.clear()
    form.add_error(None, ngettext("Too many failed sign-in attempts. Try again in %(minutes)s minute.",
                                  "Too many failed sign-in attempts. Try again in %(minutes)s minutes.",
                                  minutes) % {"minutes": minutes})
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")}, status=429)


def landing_url(user: User) -> str:
    """Where a user starts: the customers, or the catalogue for those who may read no individual
    customer (analysts), rather than a 404."""
    return reverse("parties:list" if policies.can_read_parties(user) else "sales:product_list")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_url(request.user))


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or a prefetch cannot sign anyone out."""


def _safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points inside Fidelia, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if target and ok else default


def _code_error(form: Form, check: CodeCheck) -> None:
    wait = two_factor.retry_in_seconds(check)
    form.add_error("code", _("Too many wrong codes: wait %(seconds)s s and try again.") % {"seconds": wait}
                   if wait else _("This code is not valid. Check the time of your phone and try the current code."))


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the code of the user's authenticator app."""
    if two_factor.second_step(request) != SecondStep.VERIFY:
        return redirect(_safe_next(request, landing_url(request.user)))
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = two_factor.otp_verify(request=request, code=form.cleaned_data["code"])
        if check.ok:
            request.session.cycle_key()  # a new key for the now fully signed-in session
            return redirect(_safe_next(request, landing_url(request.user)))
        _code_error(form, check)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request, "")},
                  status=400 if form.errors else 200)


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a first
    code. Required for administrators and the DPO, offered to everyone. Refused to a session that
    still owes a code for an existing device."""
    if two_factor.confirmed_device(request.user) is not None:
        return redirect("accounts:security")
    device = two_factor.totp_enrolment_device(user=request.user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = two_factor.totp_confirm(request=request, device=device, code=form.cleaned_data["code"])
        if check.ok:
            request.session.cycle_key()
            messages.success(request, _("Two-factor authentication is on: each sign-in will ask for a code."))
            return redirect(_safe_next(request, reverse("accounts:security")))
        _code_error(form, check)
    context = {"form": form, "next": _safe_next(request, ""), "qr_svg": two_factor.totp_qr_svg(device),
               "secret": two_factor.totp_secret(device), "required": policies.requires_two_factor(request.user)}
    return render(request, "accounts/otp_enrol.html", context, status=400 if form.errors else 200)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The user's own sign-in security: password, two-factor authentication, API tokens."""
    context = {"device": two_factor.confirmed_device(request.user),
               "required": policies.requires_two_factor(request.user),
               "token_count": ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).count()}
    return render(request, "accounts/security.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new one twice, checked by the password policy);
    the session stays signed in and the change is audited."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """My API tokens: the list, and a form creating one (its clear value is shown on this answer only)."""
    form = TokenCreateForm(request.POST or None)
    created: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.api_token_create(user=request.user, name=form.cleaned_data["name"],
                                                read_only=form.cleaned_data["read_only"],
                                                apps=form.cleaned_data["apps"])
            form = TokenCreateForm()
        except ValidationFailed as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
    tokens = list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id"))
    app_names = dict(services.token_app_choices())
    for token in tokens:
        token.app_names = [app_names.get(label, label) for label in token.apps]  # type: ignore[attr-defined]
    context = {"form": form, "tokens": tokens, "created": created}
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of my tokens (someone else's answers 404)."""
    token = get_object_or_404(ApiToken, user=request.user, pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:tokens")
