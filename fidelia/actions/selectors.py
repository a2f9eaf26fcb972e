"""Reads on actions to take, always through `policies.action_read_filter` (404 for the rest)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.actions.compiler import matching_parties
from fidelia.actions.enums import ActionSource, ActionStatus
from fidelia.actions.models import Action, ActionRule
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user

OPEN_STATES = (ActionStatus.OPEN, ActionStatus.SNOOZED)


def actions_for_user(user: User) -> QuerySet[Action]:
    rule = policies.action_read_filter(user)
    if rule is None:
        return Action.objects.none()
    return Action.objects.filter(rule).select_related("party", "owner", "rule", "product")


def action_get_for_user(*, user: User, pk: Any) -> Action:
    try:
        return actions_for_user(user).get(pk=int(pk))
    except (Action.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def action_list(*, user: User, today: dt.date, status: str | None = "todo", owner_id: int | None = None,
                party_id: int | None = None) -> QuerySet[Action]:
    """Actions visible to `user`; "todo" = open ones, overdue first, then by priority.

    Snoozed actions stay hidden until the daily job wakes them up (their date is shown elsewhere).
    """
    qs = actions_for_user(user)
    if status == "todo":
        qs = qs.filter(status=ActionStatus.OPEN)
    elif status:
        qs = qs.filter(status=status)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if party_id:
        qs = qs.filter(party_id=party_id)
    overdue = Case(When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(overdue_rank=overdue).order_by("overdue_rank", "-priority", "due_on", "id")


def rules_for_user(user: User) -> QuerySet[ActionRule]:
    if not policies.can_use_actions(user):
        return ActionRule.objects.none()
    return ActionRule.objects.select_related("product").order_by("-is_active", "-priority", "name")


def rule_get_for_user(*, user: User, pk: Any, for_write: bool = False) -> ActionRule:
    if for_write and not policies.can_manage_action_rules(user):
        raise Http404
    try:
        return rules_for_user(user).get(pk=int(pk))
    except (ActionRule.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


@dataclass
class Preview:
    count: int
    sample: list[Party]


def rule_preview(*, condition: Any, user: User, as_of: dt.date) -> Preview:
    """How many customers match now (the whole base: an aggregate) and up to 10 the user may read.
    Raises `ValidationFailed` for an invalid condition, like saving would."""
    matches = matching_parties(condition, as_of=as_of)
    sample = list(matches.filter(pk__in=parties_for_user(user).values("pk")).order_by("sort_name", "pk")[:10])
    return Preview(count=matches.count(), sample=sample)


@dataclass
class CompletionRow:
    label: str
    total: int
    done: int
    dismissed: int
    expired: int
    open: int

    @property
    def rate(self) -> float | None:
        closed = self.done + self.dismissed + self.expired
        return self.done / closed if closed else None


def completion_stats(*, user: User, since: dt.date, until: dt.date, team_id: int | None = None) -> dict[str, list[CompletionRow]]:
    """Completion per rep and per rule of the actions created in [since, until]: two GROUP BY queries."""
    if not policies.can_view_action_stats(user):
        raise Http404
    qs = actions_for_user(user).filter(created_at__date__gte=since, created_at__date__lte=until)
    if team_id:
        qs = qs.filter(team_id=team_id)
    counts = {"total": Count("id"), **{s: Count("id", filter=Q(status=s)) for s in
                                       (ActionStatus.DONE, ActionStatus.DISMISSED, ActionStatus.EXPIRED)},
              "still_open": Count("id", filter=Q(status__in=OPEN_STATES))}

    def rows(group: str, label_of: Any) -> list[CompletionRow]:
        out = [CompletionRow(label_of(r), r["total"], r["done"], r["dismissed"], r["expired"], r["still_open"])
               for r in qs.order_by().values(*group.split(",")).annotate(**counts)]
        return sorted(out, key=lambda row: (-row.total, row.label))

    def rep(r: dict[str, Any]) -> str:
        name = " ".join(x for x in (r["owner__first_name"], r["owner__last_name"]) if x)
        return name or r["owner__username"] or "—"

    return {"reps": rows("owner__first_name,owner__last_name,owner__username", rep),
            "rules": rows("rule__name,source", lambda r: r["rule__name"] or _source_label(r["source"]))}


def _source_label(source: str) -> str:
    return str(ActionSource(source).label) if source in ActionSource.values else source
