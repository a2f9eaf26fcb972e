"""Input and output shapes of the actions API (no logic: see services and selectors)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from fidelia.actions.enums import ActionKind, ActionStatus, RulePeriod
from fidelia.core.api import Date, Id, Page, text
from fidelia.interactions.enums import Outcome


class ActionPartyOut(Schema):
    id: int
    display_name: str


class ActionOut(Schema):
    id: int
    party: ActionPartyOut
    owner_id: int | None
    team_id: int | None
    kind: ActionKind
    title: str
    reason: str
    product_id: int | None
    source: str
    rule_id: int | None
    priority: float
    due_on: dt.date
    valid_until: dt.date | None
    status: ActionStatus
    snoozed_until: dt.date | None
    outcome: str
    dismiss_reason: str
    closed_at: dt.datetime | None
    version: int


class ActionPage(Page[ActionOut]):
    pass


class ActionFiltersIn(Schema):
    status: Literal["todo", "open", "snoozed", "done", "dismissed", "expired"] = Field(
        "todo", description="todo (default) = open actions, overdue first then by priority.")
    owner_id: Id | None = None
    party_id: Id | None = None


class ActionIn(Schema):
    party_id: Id
    kind: ActionKind = ActionKind.CALL
    title: text(200)  # type: ignore[valid-type]
    due_on: Date
    reason: text(2000) = ""  # type: ignore[valid-type]
    priority: int = Field(3, ge=1, le=5)


class CompleteIn(Schema):
    outcome: Outcome = Outcome.DONE
    note: text(5000) = ""  # type: ignore[valid-type]


class SnoozeIn(Schema):
    until: Date


class DismissIn(Schema):
    reason: text(200)  # type: ignore[valid-type]


class RuleOut(Schema):
    id: int
    key: str
    name: str
    description: str
    condition: dict[str, Any]
    kind: ActionKind
    product_id: int | None
    title_template: str
    priority: int
    due_days: int
    action_valid_days: int
    period: RulePeriod
    valid_from: dt.date | None
    valid_to: dt.date | None
    is_active: bool
    automatic: bool
    builtin: bool
    version: int


class RuleIn(Schema):
    name: text(120)  # type: ignore[valid-type]
    description: text(2000) = ""  # type: ignore[valid-type]
    condition: dict[str, Any] = Field(default_factory=dict, description=(
        '{"all": [...]} or {"any": [...]} of groups and clauses {"fact", "operator", "value"}.'))
    kind: ActionKind = ActionKind.CALL
    product_id: Id | None = None
    title_template: text(200)  # type: ignore[valid-type]
    priority: int = Field(3, ge=1, le=5)
    due_days: int = Field(7, ge=0, le=365)
    action_valid_days: int = Field(30, ge=1, le=730)
    period: RulePeriod = RulePeriod.YEAR
    valid_from: Date | None = None
    valid_to: Date | None = None
    is_active: bool = True
    automatic: bool = True


class RulePatchIn(Schema):
    name: text(120) | None = None  # type: ignore[valid-type]
    description: text(2000) | None = None  # type: ignore[valid-type]
    condition: dict[str, Any] | None = None
    kind: ActionKind | None = None
    title_template: text(200) | None = None  # type: ignore[valid-type]
    priority: int | None = Field(None, ge=1, le=5)
    due_days: int | None = Field(None, ge=0, le=365)
    action_valid_days: int | None = Field(None, ge=1, le=730)
    period: RulePeriod | None = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    is_active: bool | None = None
    automatic: bool | None = None


class PreviewIn(Schema):
    condition: dict[str, Any]


class PreviewOut(Schema):
    count: int
    sample: list[ActionPartyOut]


class RuleOutcomeOut(Schema):
    key: str
    matched: int
    created: int


class RefreshIn(Schema):
    rule_key: text(60) | None = None  # type: ignore[valid-type]
    dry_run: bool = False


class RefreshOut(Schema):
    as_of: dt.date
    dry_run: bool
    created: int
    matched: int
    expired: int
    woken: int
    rules: list[RuleOutcomeOut]
