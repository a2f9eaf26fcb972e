"""Account forms: sign-in, second factor, password change and API tokens, with the attributes
browsers and password managers expect."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from fidelia.accounts.services import token_app_choices


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class OtpCodeForm(forms.Form):
    """The 6-digit code of an authenticator app (spaces forgiven)."""

    code = forms.CharField(label=_("Code"), max_length=12, strip=True,
                           help_text=_("The 6-digit code shown by your authenticator app."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code", inputmode="numeric", autofocus=True,
                                                pattern=r"[0-9 ]*")

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Type the 6 digits shown by the app."))
        return code


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the attributes password managers expect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.update(autocomplete="current-password", autofocus=True)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update(autocomplete="new-password")


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “ERP synchronisation”."))
    read_only = forms.BooleanField(label=_("Read only (refuse every change)"), required=False)
    apps = forms.MultipleChoiceField(label=_("Limit to these applications"), required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     help_text=_("None ticked: every application your role allows."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["apps"].choices = token_app_choices()
