"""The retention register page: policies with what is overdue now, the DPO's edit form (a reason
is required), the register's change history and the last runs of the retention job with their reports.

The DPO and administrators read it (`policies.can_read_retention`); only the DPO changes it or
starts a dry run (`policies.can_manage_retention`). Everyone else gets 404.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.parties.forms import add_domain_errors
from fidelia.privacy import retention
from fidelia.privacy.models import DurationUnit, RetentionPolicy


class RetentionPolicyForm(forms.Form):
    """What the DPO may change on a policy, and why (the reason goes to the register's history)."""

    purpose = forms.CharField(label=gettext_lazy("Data and purpose"), max_length=200)
    duration = forms.IntegerField(label=gettext_lazy("Duration"), min_value=0, max_value=1200)
    duration_unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=DurationUnit.choices)
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis and reference"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Say why the policy changes.")})
    version = forms.IntegerField(widget=forms.HiddenInput)


def _require_reader(request: HttpRequest) -> None:
    # 404 rather than 403: the page does not exist for those who may not use it
    if not policies.can_read_retention(request.user):
        raise Http404


def _require_dpo(request: HttpRequest) -> None:
    if not policies.can_manage_retention(request.user):
        raise Http404


@login_required
@require_GET
def retention_register(request: HttpRequest) -> HttpResponse:
    """The register, the recent changes and the last runs."""
    _require_reader(request)
    return render(request, "privacy/retention.html", {
        "register": retention.retention_register(),
        "changes": retention.retention_recent_changes(),
        "runs": retention.retention_recent_runs(),
        "can_manage": policies.can_manage_retention(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def retention_edit(request: HttpRequest, key: str) -> HttpResponse:
    """DPO only: change a policy's duration, wording or legal basis, with a reason."""
    _require_dpo(request)
    policy = get_object_or_404(RetentionPolicy, key=key)
    initial = {name: getattr(policy, name) for name in retention.EDITABLE_FIELDS} | {"version": policy.version}
    form = RetentionPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason, version = data.pop("reason"), data.pop("version")
        try:
            retention.retention_policy_change(policy=policy, actor=request.user, reason=reason, version=version,
                                              **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Retention policy changed."))
            return redirect("privacy:retention")
    return render(request, "privacy/retention_edit.html", {"form": form, "policy": policy},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def retention_dry_run(request: HttpRequest) -> HttpResponse:
    """DPO only: count now what the job would do; nothing is changed (the job applies it nightly)."""
    _require_dpo(request)
    retention.retention_run(apply=False, actor=request.user, trigger="page")
    messages.success(request, _("Dry run done: see its report below. Nothing was changed."))
    return redirect("privacy:retention")
