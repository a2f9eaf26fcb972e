"""Writes on the actions to take and their rules.

Priority of a generated action (documented in docs/actions.md):

    priority = rule priority (1–5) × customer value weight × urgency

- value weight, from the stored analytics (ABC class of the last run): A 1.5, B 1.2, C 1.0, no
  purchase analysed (prospects) 0.8;
- urgency = 1 + 7 / (7 + due window in days): 2.0 for "today", 1.5 for a week, 1.1 for two months.

The rep's list then shows overdue actions first, then by priority.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Replace, Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.actions.compiler import compile_condition, matching_parties
from fidelia.actions.enums import ActionKind, ActionSource, ActionStatus, RulePeriod
from fidelia.actions.models import Action, ActionRule
from fidelia.analytics.models import CustomerAnalytics
from fidelia.core import events
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.interactions.enums import Direction, InteractionChannel, Outcome
from fidelia.interactions.services import interaction_log
from fidelia.parties.models import Party
from fidelia.sales.models import Product

VALUE_WEIGHTS = {"A": 1.5, "B": 1.2, "C": 1.0}
NO_VALUE_WEIGHT = 0.8
OPEN_STATES = (ActionStatus.OPEN, ActionStatus.SNOOZED)
CHANNEL_BY_KIND = {ActionKind.MEETING: InteractionChannel.VISIT, ActionKind.EMAIL: InteractionChannel.EMAIL}


def urgency(due_days: int) -> float:
    """1 + 7 / (7 + due window): the shorter the window, the more urgent."""
    return 1 + 7 / (7 + max(due_days, 0))


def action_priority(*, rule_priority: int, abc_class: str | None, due_days: int) -> float:
    return round(rule_priority * VALUE_WEIGHTS.get(abc_class or "", NO_VALUE_WEIGHT) * urgency(due_days), 4)


def action_propose(*, party: Party, kind: str, title: str, source: str, source_key: str, due_on: dt.date,
                   reason: str = "", priority: float = 1.0, owner: User | None = None,
                   product: Product | None = None, valid_until: dt.date | None = None,
                   actor: User | None = None) -> tuple[Action, bool]:
    """Propose an action to the customer's owner (or `owner`); returns (action, created).

    Idempotent on `source_key` (e.g. "service:case:42:complaint-open"): proposing again returns the
    existing action unchanged, whatever its status, so a dismissed proposal is not re-created.
    Other apps (service, surveys, attrition, campaigns) call this; they never write actions directly.
    """
    if kind not in ActionKind.values or source not in ActionSource.values:
        raise ValidationFailed(f"Unknown action kind {kind!r} or source {source!r}.")
    if not source_key or len(source_key) > 200:
        raise ValidationFailed("An action needs a source key of at most 200 characters.")
    existing = Action.objects.filter(source_key=source_key).first()
    if existing:
        return existing, False
    who = owner or party.owner
    try:
        with transaction.atomic():
            row = Action.objects.create(
                party=party, owner=who, team=(who.team if who else None) or party.team, kind=kind,
                title=title[:200], reason=reason, product=product, source=source, source_key=source_key,
                priority=priority, due_on=due_on, valid_until=valid_until)
            events.record(actor=actor, action="action.proposed", obj=row, party_id=party.pk,
                          changes={"kind": kind, "source": source})
    except IntegrityError:  # proposed concurrently by another worker
        return Action.objects.get(source_key=source_key), False
    return row, True


# --- the rep's buttons ---------------------------------------------------------------------------

def _lock(action: Action, version: int) -> Action:
    """The action locked for update, refused when stale or already closed."""
    row = Action.objects.select_for_update().get(pk=action.pk)
    if row.version != version:
        raise StaleVersion(_("This action was changed by someone else meanwhile; reload the page."))
    if row.status not in OPEN_STATES:
        raise ValidationFailed(_("This action is already closed (%(status)s).") % {"status": row.get_status_display()})
    return row


def _save(row: Action, actor: User, verb: str, changes: dict[str, Any]) -> Action:
    row.version += 1
    row.save()
    events.record(actor=actor, action=f"action.{verb}", obj=row, party_id=row.party_id, changes=changes)
    return row


@transaction.atomic
def action_complete(*, action: Action, actor: User, version: int, outcome: str, note: str = "") -> Action:
    """Mark done; the outcome is logged as an outbound interaction in the customer's timeline."""
    if outcome not in Outcome.values:
        message = _("Choose an outcome among the listed ones.")
        raise ValidationFailed(message, fields={"outcome": [message]})
    if len(note) > 5000:
        raise ValidationFailed(_("The note is too long."), fields={"note": [_("At most 5,000 characters.")]})
    row = _lock(action, version)
    interaction_log(party=row.party, actor=actor, channel=CHANNEL_BY_KIND.get(row.kind, InteractionChannel.PHONE),
                    direction=Direction.OUTBOUND, subject=row.title, outcome=outcome, report=note)
    row.status, row.outcome, row.closed_at = ActionStatus.DONE, note or Outcome(outcome).label, timezone.now()
    return _save(row, actor, "done", {"status": [ActionStatus.OPEN, ActionStatus.DONE], "outcome": outcome})


@transaction.atomic
def action_snooze(*, action: Action, actor: User, version: int, until: dt.date) -> Action:
    """Hide the action until `until` (tomorrow at the earliest, within a year); it then wakes up."""
    today = timezone.localdate()
    if not today < until <= today + dt.timedelta(days=366):
        message = _("Snooze until a date between tomorrow and one year from now.")
        raise ValidationFailed(message, fields={"until": [message]})
    row = _lock(action, version)
    row.status, row.snoozed_until = ActionStatus.SNOOZED, until
    return _save(row, actor, "snoozed", {"snoozed_until": [None, until.isoformat()]})


@transaction.atomic
def action_dismiss(*, action: Action, actor: User, version: int, reason: str) -> Action:
    """Close without doing it; the reason is required (it tells managers what rules miss)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        message = _("Say why you dismiss this action (at most 200 characters).")
        raise ValidationFailed(message, fields={"reason": [message]})
    row = _lock(action, version)
    row.status, row.dismiss_reason, row.closed_at = ActionStatus.DISMISSED, reason, timezone.now()
    return _save(row, actor, "dismissed", {"reason": reason})


@transaction.atomic
def action_create(*, party: Party, actor: User, kind: str, title: str, due_on: dt.date, reason: str = "",
                  priority: int = 3) -> Action:
    """An action added by hand, owned by the actor."""
    errors: dict[str, list[str]] = {}
    if kind not in ActionKind.values:
        errors["kind"] = [_("Choose a kind of action.")]
    if not title.strip() or len(title) > 200:
        errors["title"] = [_("A title of 1 to 200 characters is required.")]
    if not 1 <= priority <= 5:
        errors["priority"] = [_("The priority is between 1 and 5.")]
    today = timezone.localdate()
    if not today - dt.timedelta(days=30) <= due_on <= today + dt.timedelta(days=731):
        errors["due_on"] = [_("The due date must be within the last 30 days or the next two years.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    row, _created = action_propose(
        party=party, kind=kind, title=title.strip(), source=ActionSource.MANUAL, source_key=f"manual:{uuid.uuid4().hex}",
        due_on=due_on, reason=reason.strip()[:2000], priority=float(priority), owner=actor, actor=actor)
    return row


# --- rules -----------------------------------------------------------------------------------------

RULE_FIELDS = ("name", "description", "condition", "kind", "product", "title_template", "priority", "due_days",
               "action_valid_days", "period", "valid_from", "valid_to", "is_active", "automatic")


def _rule_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def check(name: str, ok: bool, message: str) -> None:
        if not ok:
            errors.setdefault(name, []).append(message)

    name = data.get("name") or ""
    check("name", 0 < len(name.strip()) <= 120, _("A name of 1 to 120 characters is required."))
    check("kind", data.get("kind") in ActionKind.values, _("Choose a kind of action."))
    check("period", data.get("period") in RulePeriod.values, _("Choose how often the rule may repeat."))
    title = data.get("title_template") or ""
    check("title_template", 0 < len(title.strip()) <= 200, _("A title of 1 to 200 characters is required."))
    for key, low, high in (("priority", 1, 5), ("due_days", 0, 365), ("action_valid_days", 1, 730)):
        value = data.get(key)
        check(key, isinstance(value, int) and not isinstance(value, bool) and low <= value <= high,
              _("A whole number between %(low)s and %(high)s.") % {"low": low, "high": high})
    start, end = data.get("valid_from"), data.get("valid_to")
    check("valid_to", not (start and end and start > end), _("The end of validity is before its start."))
    if len(data.get("description") or "") > 2000:
        errors["description"] = [_("At most 2,000 characters.")]
    condition = data.get("condition")
    if data.get("automatic", True) or condition:
        try:
            compile_condition(condition, as_of=timezone.localdate())
        except ValidationFailed as exc:
            errors["condition"] = [exc.message]
    return errors


def _unique_key(name: str, exclude: int | None = None) -> str:
    base = slugify(name)[:50] or "rule"
    key, n = base, 1
    while ActionRule.objects.filter(key=key).exclude(pk=exclude).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def rule_create(*, actor: User, **data: Any) -> ActionRule:
    """A new rule; its condition is compiled first: an invalid one saves nothing."""
    data = {"condition": {}, "kind": ActionKind.CALL, "priority": 3, "due_days": 7, "action_valid_days": 30,
            "period": RulePeriod.YEAR, "is_active": True, "automatic": True, "description": "", **data}
    errors = _rule_errors(data)
    if errors:
        raise ValidationFailed(_rule_message(errors), fields=errors)
    fields = {k: data[k] for k in RULE_FIELDS if k in data}
    fields["name"] = fields["name"].strip()
    rule = ActionRule.objects.create(key=_unique_key(fields["name"]), created_by=actor, **fields)
    events.record(actor=actor, action="action_rule.created", obj=rule, party_id=None, changes={"name": rule.name})
    return rule


@transaction.atomic
def rule_update(*, rule: ActionRule, actor: User, version: int, **changes: Any) -> ActionRule:
    """Change a rule; refused when `version` is stale or the result does not compile."""
    row = ActionRule.objects.select_for_update().get(pk=rule.pk)
    if row.version != version:
        raise StaleVersion(_("This rule was changed by someone else meanwhile; reload it."))
    data = {k: getattr(row, k) for k in RULE_FIELDS}
    data["product"] = row.product
    data.update({k: v for k, v in changes.items() if k in RULE_FIELDS})
    errors = _rule_errors(data)
    if errors:
        raise ValidationFailed(_rule_message(errors), fields=errors)
    diff = {k: [str(getattr(row, k)), str(data[k])] for k in RULE_FIELDS if getattr(row, k) != data[k]}
    for key in RULE_FIELDS:
        setattr(row, key, data[key])
    row.version += 1
    row.save()
    events.record(actor=actor, action="action_rule.changed", obj=row, party_id=None, changes=diff)
    return row


def _rule_message(errors: dict[str, list[str]]) -> str:
    if "condition" in errors:
        return errors["condition"][0]
    return _("Some fields are not valid.")


# --- the daily job -------------------------------------------------------------------------------

def period_label(period: str, as_of: dt.date) -> str:
    """The part of the source key that lets a rule propose again next period (and only then)."""
    if period == RulePeriod.ONCE:
        return "once"
    if period == RulePeriod.QUARTER:
        return f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
    if period == RulePeriod.MONTH:
        return f"{as_of:%Y-%m}"
    return str(as_of.year)


@dataclass
class RuleOutcome:
    key: str
    name: str
    matched: int = 0
    created: int = 0
    seconds: float = 0.0


@dataclass
class RefreshReport:
    as_of: dt.date
    dry_run: bool
    rules: list[RuleOutcome] = field(default_factory=list)
    expired: int = 0
    woken: int = 0
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(r.created for r in self.rules)

    @property
    def matched(self) -> int:
        return sum(r.matched for r in self.rules)


def runnable_rules(*, as_of: dt.date, key: str | None = None) -> list[ActionRule]:
    """Active, automatic rules valid on `as_of` (or the one named `key`, which must exist)."""
    rules = ActionRule.objects.filter(is_active=True, automatic=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=as_of), Q(valid_to__isnull=True) | Q(valid_to__gte=as_of))
    if key is not None:
        if not ActionRule.objects.filter(key=key).exists():
            raise ValidationFailed(_("There is no rule with the key %(key)r.") % {"key": key})
        rules = rules.filter(key=key)
    return list(rules.select_related("product").order_by("key"))


def _value_weight() -> Case:
    abc = Subquery(CustomerAnalytics.objects.filter(party=OuterRef("pk")).values("abc_class")[:1])
    return Case(*(When(Exact(abc, k), then=Value(w)) for k, w in VALUE_WEIGHTS.items()),
                default=Value(NO_VALUE_WEIGHT), output_field=FloatField())


def _action_rows(rule: ActionRule, *, as_of: dt.date) -> QuerySet[Party]:
    """The rule's ONE query, shaped as the rows of actions_action (columns in `ACTION_COLUMNS` order):
    the title, the source key and the priority are computed by the database."""
    period = period_label(rule.period, as_of)
    now = timezone.now()
    title = Substr(Replace(Value(rule.title_template), Value("{name}"), F("display_name")), 1, 200)
    key = Concat(Value(f"rule:{rule.key}:"), Cast("pk", CharField()), Value(f":{period}"), output_field=CharField())
    owner_team = Subquery(User.objects.filter(pk=OuterRef("owner_id")).values("team_id")[:1])
    columns = {
        "created_at": Value(now), "updated_at": Value(now), "version": Value(1), "party_id": F("pk"),
        "owner_id": F("owner_id"), "team_id": Coalesce(owner_team, F("team_id"), output_field=BigIntegerField()),
        "kind": Value(rule.kind), "title": title, "reason": Value(rule.description or rule.name),
        "product_id": Value(rule.product_id, output_field=BigIntegerField()), "source": Value(ActionSource.RULE),
        "source_key": key, "rule_id": Value(rule.pk, output_field=BigIntegerField()),
        "priority": ExpressionWrapper(_value_weight() * Value(rule.priority * urgency(rule.due_days)),
                                      output_field=FloatField()),
        "due_on": Value(as_of + dt.timedelta(days=rule.due_days), output_field=DateField()),
        "valid_until": Value(as_of + dt.timedelta(days=rule.action_valid_days), output_field=DateField()),
        "status": Value(ActionStatus.OPEN), "outcome": Value(""), "dismiss_reason": Value(""),
    }
    qs = matching_parties(rule.condition, as_of=as_of).order_by()
    return qs.annotate(**{f"c_{name}": expr for name, expr in columns.items()}).values(
        *(f"c_{name}" for name in columns))


ACTION_COLUMNS = ("created_at", "updated_at", "version", "party_id", "owner_id", "team_id", "kind", "title", "reason",
                  "product_id", "source", "source_key", "rule_id", "priority", "due_on", "valid_until", "status",
                  "outcome", "dismiss_reason")


def rule_apply(*, rule: ActionRule, as_of: dt.date, dry_run: bool = False) -> RuleOutcome:
    """Create the rule's actions for `as_of` with ONE statement, INSERT … SELECT … ON CONFLICT
    (source_key) DO NOTHING: no customer row travels through Python and a re-run creates nothing."""
    started = time.perf_counter()
    outcome = RuleOutcome(rule.key, rule.name)
    if dry_run:
        outcome.matched = matching_parties(rule.condition, as_of=as_of).count()
    else:
        sql, params = _action_rows(rule, as_of=as_of).query.sql_with_params()
        table = Action._meta.db_table
        with connection.cursor() as cursor:
            # the SELECT always has a WHERE (live files), which SQLite needs before ON CONFLICT
            cursor.execute(f"INSERT INTO {table} ({', '.join(ACTION_COLUMNS)}) {sql} "
                           f"ON CONFLICT (source_key) DO NOTHING", params)
            outcome.created = max(cursor.rowcount, 0)
        outcome.matched = outcome.created  # matches already proposed this period are not counted again
    outcome.seconds = time.perf_counter() - started
    return outcome


def actions_housekeep(*, as_of: dt.date, dry_run: bool = False) -> tuple[int, int]:
    """Expire open actions past their validity and wake snoozed ones whose date came; (expired, woken)."""
    stale = Action.objects.filter(status__in=OPEN_STATES, valid_until__lt=as_of)
    waking = Action.objects.filter(status=ActionStatus.SNOOZED, snoozed_until__lte=as_of)
    if dry_run:
        return stale.count(), waking.exclude(valid_until__lt=as_of).count()
    expired = stale.update(status=ActionStatus.EXPIRED, closed_at=timezone.now(), version=F("version") + 1)
    woken = waking.update(status=ActionStatus.OPEN, snoozed_until=None, version=F("version") + 1)
    return expired, woken


def actions_refresh(*, as_of: dt.date, rule_key: str | None = None, dry_run: bool = False, actor: User | None = None,
                    progress: Callable[[RuleOutcome], None] | None = None) -> RefreshReport:
    """The daily job: housekeeping, then every runnable rule (or one); idempotent for a given day."""
    started = time.perf_counter()
    report = RefreshReport(as_of=as_of, dry_run=dry_run)
    rules = runnable_rules(as_of=as_of, key=rule_key)
    with transaction.atomic():
        report.expired, report.woken = actions_housekeep(as_of=as_of, dry_run=dry_run)
    for rule in rules:
        with transaction.atomic():
            outcome = rule_apply(rule=rule, as_of=as_of, dry_run=dry_run)
            if not dry_run:
                events.record(actor=actor, action="action_rule.applied", obj=rule, party_id=None,
                              changes={"as_of": as_of.isoformat(), "matched": outcome.matched,
                                       "created": outcome.created})
        report.rules.append(outcome)
        if progress:
            progress(outcome)
    report.seconds = time.perf_counter() - started
    return report


def refresh_allowed(user: User) -> bool:
    return policies.can_manage_action_rules(user)
