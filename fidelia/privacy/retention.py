"""The retention job: applies the retention register through each app's retention hooks.

Destructive work happens only with `apply=True`; by default a run is a dry run that counts what
each policy would act on. Each policy runs in its own transaction, so a failing policy leaves its
data as it was and does not stop the others; every run is kept (`RetentionRun`) with its report.
The security-log and suppression-list policies act on this app's own tables and are registered here.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fidelia.accounts import policies
from fidelia.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from fidelia.privacy import audit
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import (
    AuditEntry,
    DurationUnit,
    RetentionPolicy,
    RetentionPolicyChange,
    RetentionRun,
    SuppressionEntry,
)
from fidelia.privacy.registry import RetentionOutcome, register_retention, retention_hook

logger = logging.getLogger(__name__)

# Fields of a policy the DPO may change. The start event and the action stay as seeded: they
# describe what the code applying the policy does, so changing them would make the register lie.
EDITABLE_FIELDS = ("purpose", "duration", "duration_unit", "legal_basis")

# The seeded register (migration 0005) in the translation catalogue: pages show a policy's purpose
# and legal basis translated while they are the defaults, and as the DPO wrote them once changed.
DEFAULT_TEXTS = (
    gettext_noop("Prospects: identity and contact data used for prospecting"),
    gettext_noop("CNIL, référentiel gestion commerciale: 3 years from the last contact coming from the prospect (a reply, a click, a visit; an e-mail open does not count). Before the end of the period the prospect may be asked to consent again; without an answer the data is anonymised."),
    gettext_noop("Customers: data used for prospecting after the relationship ends"),
    gettext_noop("CNIL, référentiel gestion commerciale: 3 years from the end of the business relationship (last contract ended, last purchase, last contact coming from the customer)."),
    gettext_noop("Contracts: active base for the contract's life, then intermediate archiving"),
    gettext_noop("Kept in the active base while the contract runs; once it has ended it moves to intermediate archiving, readable by the DPO only (CNIL, durées de conservation)."),
    gettext_noop("Contracts: intermediate archive (proof of the contract)"),
    gettext_noop("Code civil art. 2224 and Code de commerce L110-4: 5-year limitation period."),
    gettext_noop("Invoices and transactions (accounting records)"),
    gettext_noop("Code de commerce art. L123-22: accounting records and vouchers are kept 10 years."),
    gettext_noop("Staff user accounts without sign-in"),
    gettext_noop("CNIL: an account unused for 2 years is deactivated, then its identity is anonymised."),
    gettext_noop("Security and access logs (audit log)"),
    gettext_noop("CNIL recommendation on logging (2021): 6 months to 1 year."),
    gettext_noop("Suppression list (objections to prospecting)"),
    gettext_noop("CNIL: an objection is kept at least 3 years so that the person is never contacted again."),
    gettext_noop("Data-subject requests and how they were answered"),
    gettext_noop("GDPR art. 5(2) accountability: proof of each answer, kept for the 5-year limitation period "
                 "(Code civil art. 2224) after the request is closed."),
)


@dataclass(frozen=True)
class PolicyPreview:
    """What one policy would act on now (for the DPO dashboard and the register page)."""

    key: str
    label: str
    overdue: int | None  # None: no app applies this policy yet


def retention_preview(*, now: dt.datetime | None = None) -> list[PolicyPreview]:
    """For each policy of the register, how many records are past it at `now`. Writes nothing.

    A policy whose count fails is shown as unknown (None) rather than breaking the page that asks.
    """
    now = now or timezone.now()
    previews = []
    for policy in RetentionPolicy.objects.all():
        hook = retention_hook(policy.key)
        try:
            with transaction.atomic():  # a savepoint: on PostgreSQL a failed query must not poison the rest
                overdue = hook(policy, now=now, apply=False).matched if hook else None
        except Exception:  # the dashboard must still show; the nightly run reports the error
            logger.exception("retention preview of %s failed", policy.key)
            overdue = None
        previews.append(PolicyPreview(key=policy.key, label=_(policy.purpose), overdue=overdue))
    return previews


def retention_run(*, apply: bool = False, actor: Any = None, now: dt.datetime | None = None,
                  keys: Iterable[str] | None = None, trigger: str = "",
                  progress: Callable[[str], None] | None = None) -> RetentionRun:
    """Run the register (or the policies `keys`) at `now`; a dry run unless `apply`.

    Returns the saved run, whose `counts` maps each key to {"matched", "acted"} (or {"error"} /
    {"matched": None} when no app applies the policy) and whose `report` is readable text.
    Raises ValidationFailed for an unknown key, before anything is done.
    """
    now = now or timezone.now()
    selected = list(RetentionPolicy.objects.all())
    if keys is not None:
        wanted = set(keys)
        unknown = sorted(wanted - {p.key for p in selected})
        if unknown:
            raise ValidationFailed(_("Unknown retention policy: %(keys)s.") % {"keys": ", ".join(unknown)})
        selected = [p for p in selected if p.key in wanted]
    run = RetentionRun.objects.create(started_at=timezone.now(), dry_run=not apply,
                                      actor=actor if getattr(actor, "pk", None) else None, trigger=trigger)
    for policy in selected:
        run.counts[policy.key] = _run_policy(policy, now=now, apply=apply, actor=actor)
        if progress:
            progress(policy.key)
    run.report = _report(selected, run.counts, apply=apply, now=now)
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "report", "finished_at"])
    return run


def _run_policy(policy: RetentionPolicy, *, now: dt.datetime, apply: bool, actor: Any) -> dict[str, Any]:
    """One policy in its own transaction; an error is reported, not raised, so the others still run."""
    hook = retention_hook(policy.key)
    if hook is None:
        return {"matched": None, "acted": 0}
    try:
        with transaction.atomic():
            outcome = hook(policy, now=now, apply=apply)
            if apply and outcome.acted:
                audit.audit_record(action=AuditAction.RETENTION, actor=actor, obj=policy,
                                   actor_username="" if actor else "retention", fields=[policy.key])
    except Exception as exc:  # a batch job: log it, report it, go on with the next policy
        logger.exception("retention policy %s failed", policy.key)
        return {"matched": None, "acted": 0, "error": str(exc)[:300]}
    return {"matched": outcome.matched, "acted": outcome.acted}


def _report(selected: list[RetentionPolicy], counts: dict[str, dict[str, Any]], *, apply: bool,
            now: dt.datetime) -> str:
    mode = _("applied") if apply else _("dry run, nothing changed")
    lines = [_("Retention run at %(now)s (%(mode)s)") % {"now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"), "mode": mode}]
    for policy in selected:
        row = counts[policy.key]
        if "error" in row:
            detail = _("failed, nothing changed: %(error)s") % {"error": row["error"]}
        elif row["matched"] is None:
            detail = _("no module applies this policy")
        elif apply:
            detail = _("%(matched)d past the policy, %(acted)d acted on (%(action)s)") % {
                **row, "action": policy.get_action_display()}
        else:
            detail = _("%(matched)d past the policy would be acted on (%(action)s)") % {
                "matched": row["matched"], "action": policy.get_action_display()}
        lines.append(f"- {policy.key} — {_(policy.purpose)}: {detail}")
    return "\n".join(lines)


# --- Reading the register ---------------------------------------------------------------------------


def retention_register() -> list[RetentionPolicy]:
    """The register with, on each policy, `overdue`: what it would act on now (None: no module applies it)."""
    previews = {p.key: p.overdue for p in retention_preview()}
    policies_ = list(RetentionPolicy.objects.select_related("updated_by"))
    for policy in policies_:
        policy.overdue = previews.get(policy.key)
    return policies_


def retention_recent_runs(*, limit: int = 10) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("actor")[:limit])


def retention_recent_changes(*, limit: int = 20) -> list[RetentionPolicyChange]:
    return list(RetentionPolicyChange.objects.select_related("policy", "by")[:limit])


# --- Changing the register ------------------------------------------------------------------------


@transaction.atomic
def retention_policy_change(*, policy: RetentionPolicy, actor: Any, reason: str, version: int | None = None,
                            **changes: Any) -> RetentionPolicy:
    """Change fields of one policy: DPO only, reason required, never below the legal minimum.

    Writes one `RetentionPolicyChange` per changed field and one audit row; raises PermissionDenied,
    StaleVersion (when `version` is given and the policy changed since) or ValidationFailed (with
    field errors), and then changes nothing.
    """
    if not policies.can_manage_retention(actor):
        raise PermissionDenied(_("Only the data protection officer may change the retention register."))
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)})
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the policy changes: the reason is kept in the register's history.")]
    changes = _clean_changes(changes, errors)
    locked = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(_("This policy was changed by someone else meanwhile. Reload and try again."))
    changed = {k: v for k, v in changes.items() if str(getattr(locked, k)) != str(v)}
    old = {name: getattr(locked, name) for name in changed}
    for name, value in changed.items():
        setattr(locked, name, value)
    if locked.below_minimum(timezone.now()):
        errors["duration"] = [_("This data must be kept at least %(months)d months.") % {
            "months": locked.minimum_months}]
    if errors:
        raise ValidationFailed(_("The policy was not changed."), fields=errors)
    if not changed:
        return locked
    for name in changed:
        RetentionPolicyChange.objects.create(policy=locked, by=actor, field=name, reason=reason.strip(),
                                             old=str(old[name])[:200], new=str(changed[name])[:200])
    locked.updated_by = actor
    locked.version += 1
    locked.save()
    audit.audit_record(action=AuditAction.POLICY_CHANGE, actor=actor, obj=locked, fields=sorted(changed))
    return locked


def _clean_changes(changes: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Typed values of the requested changes; problems go to `errors` (the field is then left out)."""
    clean = dict(changes)
    if "duration" in clean:
        try:
            clean["duration"] = int(clean["duration"])
            if not 0 <= clean["duration"] <= 1200:
                raise ValueError
        except (TypeError, ValueError):
            errors["duration"] = [_("Enter a whole number between 0 and 1200.")]
            del clean["duration"]
    if "duration_unit" in clean and clean["duration_unit"] not in DurationUnit.values:
        errors["duration_unit"] = [_("Choose months or days.")]
        del clean["duration_unit"]
    if "purpose" in clean:
        clean["purpose"] = str(clean["purpose"]).strip()[:200]
        if not clean["purpose"]:
            errors["purpose"] = [_("Describe the data and its purpose.")]
    if "legal_basis" in clean:
        clean["legal_basis"] = str(clean["legal_basis"]).strip()
    return clean


# --- This app's own policies ------------------------------------------------------------------------


# The sign-in throttling's own records (username, address, browser) are access logs too.
SIGN_IN_LOG_MODELS = ("AccessAttempt", "AccessFailureLog", "AccessLog")


def security_logs(policy: RetentionPolicy, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Audit rows older than the policy are purged (the chain stays verifiable from the oldest kept
    row), and so are django-axes' records of sign-in attempts."""
    cutoff = policy.cutoff(now)
    attempts = [django_apps.get_model("axes", name).objects.filter(attempt_time__lt=cutoff)
                for name in SIGN_IN_LOG_MODELS]
    audit_matched = AuditEntry.objects.filter(created_at__lt=cutoff).count()
    matched = audit_matched + sum(qs.count() for qs in attempts)
    if not apply:
        return RetentionOutcome(policy.key, matched, 0)
    acted = audit.audit_purge(before=cutoff) if audit_matched else 0
    for qs in attempts:
        acted += qs.delete()[1].get(qs.model._meta.label, 0)
    return RetentionOutcome(policy.key, matched, acted)


def suppression_list(policy: RetentionPolicy, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Objections listed longer ago than the policy (at least 3 years) are removed."""
    stale = SuppressionEntry.objects.filter(added_at__lt=policy.cutoff(now))
    matched = stale.count()
    acted = stale.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


register_retention("security_logs", security_logs)
register_retention("suppression_list", suppression_list)
