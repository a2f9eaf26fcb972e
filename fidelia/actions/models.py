"""Actions to take (actions à mener): what each user should do for which customer, and why."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.actions.enums import ActionKind, ActionSource, ActionStatus, RulePeriod
from fidelia.core.models import VersionedModel


class ActionRule(VersionedModel):
    """A rule that proposes actions: data that managers write, compiled to one query over customers.

    `condition` is a tree: {"all": [clause or group, ...]} or {"any": [...]}, a clause being
    {"fact": key, "operator": op, "value": ...} over the registered facts (`fidelia.actions.facts`).
    An empty condition with `automatic` False documents actions other apps propose (campaigns).
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    kind = models.CharField(_("action"), max_length=16, choices=ActionKind.choices, default=ActionKind.CALL)
    product = models.ForeignKey("sales.Product", verbose_name=_("product to offer"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    title_template = models.CharField(_("title"), max_length=200,
                                      help_text=_("{name} is replaced by the customer's name."))
    priority = models.PositiveSmallIntegerField(_("priority (1–5)"), default=3)
    due_days = models.PositiveSmallIntegerField(_("due within (days)"), default=7)
    action_valid_days = models.PositiveSmallIntegerField(_("action stays valid (days)"), default=30)
    period = models.CharField(_("repeat"), max_length=8, choices=RulePeriod.choices, default=RulePeriod.YEAR)
    valid_from = models.DateField(_("rule valid from"), null=True, blank=True)
    valid_to = models.DateField(_("rule valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    automatic = models.BooleanField(_("run by the daily job"), default=True)
    builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        ordering = ["-priority", "name"]
        verbose_name = _("action rule")
        verbose_name_plural = _("action rules")

    def __str__(self) -> str:
        return self.name


class Action(VersionedModel):
    """One thing to do for one customer. `source_key` is unique: proposing the same action twice
    (a re-run of the daily job, a complaint seen again) returns the existing row."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="actions_to_take")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="actions_to_take")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("action"), max_length=16, choices=ActionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("why"), blank=True)
    product = models.ForeignKey("sales.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=16, choices=ActionSource.choices)
    source_key = models.CharField(max_length=200, unique=True)
    rule = models.ForeignKey(ActionRule, verbose_name=_("rule"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="actions")
    priority = models.FloatField(_("priority"), default=1.0, db_index=True)
    due_on = models.DateField(_("due on"), db_index=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    dismiss_reason = models.CharField(_("reason for dismissing"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-priority", "due_on", "id"]
        verbose_name = _("action to take")
        verbose_name_plural = _("actions to take")
        indexes = [models.Index(fields=["owner", "status", "-priority"]),
                   models.Index(fields=["party", "status"])]

    def __str__(self) -> str:
        return self.title
