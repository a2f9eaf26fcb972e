"""Pages of actions to take: the rep's day, the buttons (done, snooze, dismiss), a manual action, the
rule editor with its live preview, the managers' completion rates and the customer file's panel.

Anything the user may not read answers 404 (selectors); stale buttons are refused (version).
"""
from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.actions import selectors, services, tasks
from fidelia.actions.compiler import OPERATORS_BY_TYPE, operators_for
from fidelia.actions.enums import Operator
from fidelia.actions.facts import Fact, registered_facts
from fidelia.actions.forms import (
    ActionForm,
    CompleteForm,
    DismissForm,
    PeriodForm,
    RuleForm,
    SnoozeForm,
)
from fidelia.actions.models import ActionRule
from fidelia.core.errors import DomainError, ValidationFailed
from fidelia.core.htmx import pick_template
from fidelia.core.pagination import CappedPaginator
from fidelia.parties.selectors import party_get_for_user

PAGE_SIZE = 50


def _require_actions(request: HttpRequest) -> None:
    if not policies.can_use_actions(request.user):
        raise Http404


def _require_rule_manager(request: HttpRequest) -> None:
    if not policies.can_manage_action_rules(request.user):
        raise Http404


@login_required
@require_GET
@vary_on_headers("HX-Request")
def index(request: HttpRequest) -> HttpResponse:
    """My day: open actions, overdue first, then by priority."""
    _require_actions(request)
    today = timezone.localdate()
    qs = selectors.action_list(user=request.user, today=today)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, pick_template(request, "actions/index.html", "actions/partials/action_rows.html"),
                  {"page": page, "today": today, "outcome_form": CompleteForm(),
                   "can_manage_rules": policies.can_manage_action_rules(request.user),
                   "can_view_stats": policies.can_view_action_stats(request.user)})


def _act(request: HttpRequest, pk: int, form_class: type, run: Any, done: str) -> HttpResponse:
    """The shape shared by the three buttons: selector → form → service → message → back to the list."""
    _require_actions(request)
    action = selectors.action_get_for_user(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}"
                                          for k, v in form.errors.items()))
    else:
        try:
            run(action, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, " ".join([exc.message, *(m for ms in exc.fields.values() for m in ms)]))
        else:
            messages.success(request, done)
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/") else "actions:index")


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, CompleteForm, lambda a, d: services.action_complete(
        action=a, actor=request.user, version=d["version"], outcome=d["outcome"], note=d["note"]),
        _("Done: the outcome is in the customer's timeline."))


@login_required
@require_POST
def action_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, SnoozeForm, lambda a, d: services.action_snooze(
        action=a, actor=request.user, version=d["version"], until=d["until"]), _("Snoozed."))


@login_required
@require_POST
def action_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, DismissForm, lambda a, d: services.action_dismiss(
        action=a, actor=request.user, version=d["version"], reason=d["reason"]), _("Dismissed."))


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, party_pk: int) -> HttpResponse:
    """Add an action by hand for a customer the user may change."""
    _require_actions(request)
    party = party_get_for_user(user=request.user, pk=party_pk, for_write=True)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(party=party, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            for name, errors in exc.fields.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Action added to your list."))
            return redirect("parties:detail", pk=party.pk)
    return render(request, "actions/action_form.html", {"form": form, "party": party},
                  status=422 if form.errors else 200)


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's open actions (lazy block of the customer file); 404 outside the portfolio."""
    _require_actions(request)
    party = party_get_for_user(user=request.user, pk=pk)
    actions = selectors.action_list(user=request.user, today=timezone.localdate(), party_id=party.pk,
                                    status=None).exclude(status__in=["done", "dismissed", "expired"])[:20]
    return render(request, "actions/partials/party_actions.html", {"party": party, "actions": actions,
                                                                    "today": timezone.localdate()})


# --- rules -----------------------------------------------------------------------------------------

@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_actions(request)
    return render(request, "actions/rules.html", {"rules": selectors.rules_for_user(request.user),
                                                  "can_manage_rules": policies.can_manage_action_rules(request.user)})


# The condition builder lists a fact's operators in this order (the first one is the default).
BUILDER_OPERATOR_ORDER = ["eq", "ne", "in", "not_in", "contains", "held", "not_held", "lt", "lte", "gt", "gte",
                          "before", "after", "between", "within_next_days", "within_past_days", "more_than_days_ago",
                          "more_than_years_ago", "anniversary_within_days", "turns_age_within_days", "is_true",
                          "is_false", "is_empty", "is_not_empty"]
BUILDER_MAX_CHOICES = 500


def fact_builder_meta(key: str, fact: Fact) -> dict[str, Any]:
    """What the condition builder needs of a fact beyond the help table: its area (app) for the
    fact list's groups, its operators in a natural order with translated labels, and its choices."""
    prefix = key.split(".", 1)[0]
    try:
        area = apps.get_app_config(prefix).verbose_name
    except LookupError:
        area = prefix
    labels = dict(Operator.choices)
    if fact.type in {"text", "choice"}:  # "=" reads as "is" for words
        labels |= {Operator.EQ: _("is"), Operator.NE: _("is not")}
    operators = sorted(operators_for(fact), key=BUILDER_OPERATOR_ORDER.index)
    options = [[str(k), str(label)] for k, label in fact.choices()][:BUILDER_MAX_CHOICES] if fact.choices else []
    return {"area": prefix, "area_label": str(area), "operator_labels": [[str(op), str(labels[op])] for op in operators],
            "options": options}


def facts_help() -> list[dict[str, Any]]:
    """The facts a condition may test, for the help table and the condition builder (json_script)."""
    return [{"key": key, "label": fact.label, "type": fact.type, "operators": sorted(operators_for(fact)),
             "choices": [k for k, _label in fact.choices()][:30] if fact.choices else [],
             **fact_builder_meta(key, fact)}
            for key, fact in sorted(registered_facts().items())]


def _save_rule(request: HttpRequest, form: RuleForm, rule: ActionRule | None) -> ActionRule | None:
    try:
        data = {**form.cleaned_data, "condition": form.cleaned_data.get("condition") or {}}
        if rule is None:
            return services.rule_create(actor=request.user, **data)
        return services.rule_update(rule=rule, actor=request.user, version=int(request.POST.get("version", 0)), **data)
    except DomainError as exc:
        for name, errors in exc.fields.items() or {None: [exc.message]}.items():
            form.add_error(name if name in form.fields else None, errors)
        if not exc.fields:
            form.add_error(None, exc.message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a rule; nothing is saved unless the condition compiles."""
    _require_rule_manager(request)
    rule = selectors.rule_get_for_user(user=request.user, pk=pk, for_write=True) if pk else None
    initial = {f: getattr(rule, f) for f in services.RULE_FIELDS} if rule else None
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = _save_rule(request, form, rule)
        if saved is not None:
            messages.success(request, _("Rule saved."))
            return redirect("actions:rules")
    return render(request, "actions/rule_form.html", {"form": form, "rule": rule, "facts": facts_help(),
                                                      "types": {k: sorted(v) for k, v in OPERATORS_BY_TYPE.items()}},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def rule_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: how many customers the condition typed so far matches, and 10 of them."""
    _require_rule_manager(request)
    form = RuleForm(request.POST)
    form.is_valid()
    error, preview = form.errors.get("condition"), None
    if not error:
        try:
            preview = selectors.rule_preview(condition=form.cleaned_data.get("condition") or {},
                                             user=request.user, as_of=timezone.localdate())
        except ValidationFailed as exc:
            error = [exc.message]
    return render(request, "actions/partials/rule_preview.html", {"preview": preview, "error": error})


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Managers: run the daily job now (queued after commit; in-process without a broker)."""
    _require_rule_manager(request)
    actor_id = request.user.pk
    transaction.on_commit(lambda: tasks.actions_refresh_task.delay(actor_id=actor_id))
    messages.success(request, _("Refresh started: new actions appear in the lists when it ends."))
    return redirect("actions:rules")


# --- managers' view -------------------------------------------------------------------------------

@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    """Completion rates per rep and per rule over a period, with a team filter."""
    if not policies.can_view_action_stats(request.user):
        raise Http404
    form = PeriodForm(request.GET or None)
    since, until, team = form.period()
    data = selectors.completion_stats(user=request.user, since=since, until=until, team_id=team.pk if team else None)
    charts = {key: {"labels": [r.label for r in rows], "series": _("Completion rate (%)"),
                    "values": [round(100 * r.rate, 1) if r.rate is not None else 0 for r in rows]}
              for key, rows in data.items()}
    return render(request, "actions/stats.html", {"form": form, "since": since, "until": until, **data,
                                                  "charts": charts})
