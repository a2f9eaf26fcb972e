"""The retention register applied by the job, at the boundaries of each policy (time-machine).

Data is created at START; the job then runs one day before and one day after START + the
policy's duration. Policies are run one at a time (`keys`) so each test sees only its own.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from fidelia.accounts.models import ApiToken, User
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.core.testing import confirmed_totp_device
from fidelia.interactions.services import interaction_log
from fidelia.parties.models import Party
from fidelia.parties.tests import factories
from fidelia.privacy import audit
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import (
    AuditEntry,
    RetentionPolicy,
    RetentionPolicyChange,
    RetentionRun,
    SuppressionEntry,
)
from fidelia.privacy.retention import retention_policy_change, retention_preview, retention_run
from fidelia.privacy.tasks import retention_run_task
from fidelia.sales.models import Contract, Transaction
from fidelia.sales.services import (
    contract_create,
    family_create,
    product_create,
    transaction_record,
)

START = dt.datetime(2020, 1, 15, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def years(n: int) -> dt.datetime:
    return START.replace(year=START.year + n)


def months(n: int) -> dt.datetime:
    y, m = divmod(START.month - 1 + n, 12)
    return START.replace(year=START.year + y, month=m + 1)


def run(key: str, at: dt.datetime, *, apply: bool = False) -> dict:
    with time_machine.travel(at, tick=False):
        return retention_run(apply=apply, keys=[key]).counts[key]


@pytest.fixture
def product(personas):
    family = family_create(actor=personas.admin, name="Épargne")
    return product_create(actor=personas.admin, code="LIVA", name="Livret A", family=family, kind="strategic",
                          price=Decimal("10"), margin_rate=Decimal("0.1"))


def test_the_register_is_seeded_with_the_cnil_defaults(db):
    rows = {p.key: (p.duration, p.duration_unit, p.action, p.minimum_months) for p in RetentionPolicy.objects.all()}
    # Later apps add their own lines (tested in their app); these are the lines of the apps above.
    assert rows.items() >= {
        "prospects": (36, "months", "anonymise", None),
        "customers_prospecting": (36, "months", "anonymise", None),
        "contract_archive": (0, "days", "archive", None),
        "contracts": (60, "months", "delete", 60),
        "transactions": (120, "months", "delete", 120),
        "user_accounts": (24, "months", "deactivate", None),
        "security_logs": (12, "months", "delete", 6),
        "suppression_list": (36, "months", "delete", 36),
        "subject_requests": (60, "months", "delete", 12),
        "import_files": (30, "days", "delete", None),
        "export_files": (7, "days", "delete", None),
        "duplicate_reviews": (12, "months", "delete", None),
        "analytics_snapshots": (36, "months", "delete", None),
        "portfolio_history": (36, "months", "delete", None),
    }.items()


def test_every_line_of_the_register_has_a_hook_and_every_hook_a_line(db):
    from fidelia.privacy.registry import retention_keys

    assert set(RetentionPolicy.objects.values_list("key", flat=True)) == set(retention_keys())


def test_prospects_count_from_the_last_contact_coming_from_them(personas):
    with time_machine.travel(START - dt.timedelta(days=400), tick=False):
        talked = factories.person(owner=personas.alice, stage="prospect", last_name="Parlé")
    with time_machine.travel(START, tick=False):
        silent = factories.person(owner=personas.alice, stage="prospect", last_name="Silencieux")
        interaction_log(party=talked, actor=personas.alice, channel="phone", direction="inbound", subject="Appel")
        customer = factories.person(owner=personas.alice, stage="customer", last_name="Client")
    # A mailing we send later does not keep a silent prospect on file.
    with time_machine.travel(START + 300 * DAY, tick=False):
        interaction_log(party=silent, actor=personas.alice, channel="email", direction="outbound", subject="Offre")

    assert run("prospects", years(3) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("prospects", years(3) + DAY) == {"matched": 2, "acted": 0}  # dry run
    assert Party.objects.filter(erased_at__isnull=False).count() == 0
    assert run("prospects", years(3) + DAY, apply=True) == {"matched": 2, "acted": 2}
    assert set(Party.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)) == {talked.pk, silent.pk}
    assert Party.objects.get(pk=talked.pk).last_name == ""
    assert Party.objects.get(pk=customer.pk).erased_at is None
    assert run("prospects", years(3) + DAY, apply=True) == {"matched": 0, "acted": 0}  # safe to run again


def test_former_customers_count_from_the_end_of_the_relationship(personas, product):
    with time_machine.travel(START - dt.timedelta(days=800), tick=False):
        former = factories.person(owner=personas.alice, last_name="Ancien")
        loyal = factories.person(owner=personas.alice, last_name="Fidèle")
        transaction_record(party=former, actor=None, product=product, date=(START - 800 * DAY).date(),
                           amount=Decimal("50"), channel="branch")
        contract_create(party=former, actor=personas.alice, product=product, start_date=(START - 800 * DAY).date(),
                        end_date=START.date())
        contract_create(party=loyal, actor=personas.alice, product=product, start_date=(START - 800 * DAY).date())

    assert run("customers_prospecting", years(3) - DAY) == {"matched": 0, "acted": 0}
    assert run("customers_prospecting", years(3) + DAY, apply=True) == {"matched": 1, "acted": 1}
    assert Party.objects.get(pk=former.pk).erased_at is not None
    assert Party.objects.get(pk=loyal.pk).erased_at is None  # a running contract: still a customer
    # the accounting records stay, archived
    assert Transaction.objects.get(party=former).archived_at is not None
    assert Contract.objects.get(party=former).archived_at is not None


def test_ended_contracts_are_archived_then_deleted_after_five_years(personas, product):
    with time_machine.travel(START - 400 * DAY, tick=False):
        party = factories.person(owner=personas.alice)
        ended = contract_create(party=party, actor=personas.alice, product=product,
                                start_date=(START - 400 * DAY).date(), end_date=START.date())
        running = contract_create(party=party, actor=personas.alice, product=product,
                                  start_date=(START - 400 * DAY).date())

    assert run("contract_archive", START, apply=True) == {"matched": 0, "acted": 0}  # ends today
    assert run("contract_archive", START + DAY, apply=True) == {"matched": 1, "acted": 1}
    ended.refresh_from_db()
    assert ended.archived_at is not None and Contract.objects.get(pk=running.pk).archived_at is None

    assert run("contracts", years(5) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("contracts", years(5) + DAY) == {"matched": 1, "acted": 0}
    assert Contract.objects.filter(pk=ended.pk).exists()
    assert run("contracts", years(5) + DAY, apply=True) == {"matched": 1, "acted": 1}
    assert list(Contract.objects.values_list("pk", flat=True)) == [running.pk]


def test_transactions_are_deleted_after_ten_years(personas, product):
    with time_machine.travel(START + 2 * DAY, tick=False):
        party = factories.person(owner=personas.alice)
        old = transaction_record(party=party, actor=None, product=product, date=START.date(), amount=Decimal("9"),
                                 channel="web")
        newer = transaction_record(party=party, actor=None, product=product, date=(START + 2 * DAY).date(),
                                   amount=Decimal("9"), channel="web")
    assert run("transactions", years(10) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("transactions", years(10) + DAY, apply=True) == {"matched": 1, "acted": 1}
    assert list(Transaction.objects.values_list("pk", flat=True)) == [newer.pk]
    assert not Transaction.objects.filter(pk=old.pk).exists()


def test_user_accounts_without_sign_in_for_two_years_are_deactivated_and_anonymised(personas):
    with time_machine.travel(START, tick=False):
        dormant = User.objects.create_user("vieux.compte", email="vieux@fidelia.test", password="x" * 12,
                                           first_name="Vieux", last_name="Compte")
        ApiToken.objects.create(user=dormant, name="script", digest="d" * 64)
        confirmed_totp_device(dormant)
        active = User.objects.create_user("actif", password="x" * 12)
        integration = User.objects.create_user("integration", password="x" * 12)
        ApiToken.objects.create(user=integration, name="erp", digest="e" * 64, last_used_at=START + 300 * DAY)
    with time_machine.travel(START + 300 * DAY, tick=False):
        User.objects.filter(pk=active.pk).update(last_login=START + 300 * DAY)

    assert run("user_accounts", years(2) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("user_accounts", years(2) + DAY, apply=True) == {"matched": 1, "acted": 1}
    dormant.refresh_from_db()
    assert (dormant.username, dormant.first_name, dormant.email, dormant.is_active) == (
        f"former-{dormant.pk}", "", "", False)
    assert not dormant.has_usable_password() and not ApiToken.objects.filter(user=dormant).exists()
    assert not TOTPDevice.objects.filter(user=dormant).exists()
    assert User.objects.get(pk=active.pk).is_active
    assert User.objects.get(pk=integration.pk).is_active  # used through its API token only


def test_security_logs_are_purged_after_twelve_months_and_the_chain_still_verifies(personas):
    with time_machine.travel(START, tick=False):
        audit.audit_record(action=AuditAction.LOGIN, actor=personas.alice)
    with time_machine.travel(START + 40 * DAY, tick=False):
        audit.audit_record(action=AuditAction.LOGIN, actor=personas.bob)
    old = AuditEntry.objects.filter(created_at__lt=START + DAY).count()
    assert old >= 1

    assert run("security_logs", months(12) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("security_logs", months(12) + DAY, apply=True) == {"matched": old, "acted": old}
    assert not AuditEntry.objects.filter(created_at__lt=START + DAY).exists()
    assert AuditEntry.objects.filter(actor_username="bob").exists()
    assert audit.audit_verify().intact


def test_the_suppression_list_keeps_objections_three_years(db):
    with time_machine.travel(START, tick=False):
        SuppressionEntry.objects.create(kind="email", digest="a" * 64)
    with time_machine.travel(START + 10 * DAY, tick=False):
        SuppressionEntry.objects.create(kind="email", digest="b" * 64)
    assert run("suppression_list", years(3) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("suppression_list", years(3) + DAY, apply=True) == {"matched": 1, "acted": 1}
    assert list(SuppressionEntry.objects.values_list("digest", flat=True)) == ["b" * 64]


def test_a_run_keeps_its_report_and_an_applied_one_is_audited(personas):
    with time_machine.travel(START, tick=False):
        factories.person(owner=personas.alice, stage="prospect", last_name="Oublié")
    with time_machine.travel(years(3) + DAY, tick=False):
        dry = retention_run(actor=personas.dpo)
        applied = retention_run(apply=True, keys=["prospects"])
    assert dry.dry_run and dry.finished_at and set(dry.counts) == set(
        RetentionPolicy.objects.values_list("key", flat=True))
    assert dry.counts["prospects"] == {"matched": 1, "acted": 0}
    assert "prospects" in dry.report and "dry run" in dry.report and "1 past the policy" in dry.report
    assert not applied.dry_run and applied.counts == {"prospects": {"matched": 1, "acted": 1}}
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION, fields=["prospects"]).count() == 1
    assert RetentionRun.objects.count() == 2


def test_a_failing_policy_changes_nothing_and_the_others_still_run(personas, monkeypatch):
    from fidelia.privacy import registry

    with time_machine.travel(START, tick=False):
        SuppressionEntry.objects.create(kind="email", digest="c" * 64)
        factories.person(owner=personas.alice, stage="prospect", last_name="Partiel")

    def broken(policy, *, now, apply):  # noqa: ANN001, ANN202
        Party.objects.update(notes="half done")
        raise RuntimeError("disk full")

    monkeypatch.setitem(registry._RETENTION_HOOKS, "prospects", broken)
    with time_machine.travel(years(3) + DAY, tick=False):
        result = retention_run(apply=True, keys=["prospects", "suppression_list"])
    assert result.counts["prospects"]["error"] == "disk full"
    assert result.counts["suppression_list"] == {"matched": 1, "acted": 1}
    assert not Party.objects.filter(notes="half done").exists()
    assert "failed" in result.report


def test_preview_lists_every_policy_with_what_is_overdue(personas):
    with time_machine.travel(START, tick=False):
        factories.person(owner=personas.alice, stage="prospect")
    with time_machine.travel(years(3) + DAY, tick=False):
        previews = {p.key: p for p in retention_preview()}
    assert previews["prospects"].overdue == 1 and previews["prospects"].label.startswith("Prospects")
    assert len(previews) == RetentionPolicy.objects.count()
    assert RetentionRun.objects.count() == 0


def test_a_failing_count_shows_as_unknown_in_the_preview(personas, monkeypatch):
    from fidelia.privacy import registry

    def broken(policy, *, now, apply):  # noqa: ANN001, ANN202
        raise RuntimeError("timeout")

    monkeypatch.setitem(registry._RETENTION_HOOKS, "prospects", broken)
    previews = {p.key: p.overdue for p in retention_preview()}
    assert previews["prospects"] is None and previews["transactions"] == 0


def test_unknown_policy_is_refused_before_anything_runs(db):
    with pytest.raises(ValidationFailed, match="nope"):
        retention_run(keys=["nope"])
    assert RetentionRun.objects.count() == 0


def test_policy_changes_need_the_dpo_a_reason_and_respect_the_minimum(personas):
    policy = RetentionPolicy.objects.get(key="suppression_list")
    with pytest.raises(PermissionDenied):
        retention_policy_change(policy=policy, actor=personas.admin, reason="shorter", duration=48)
    with pytest.raises(ValidationFailed) as missing:
        retention_policy_change(policy=policy, actor=personas.dpo, reason="  ", duration=48)
    assert "reason" in missing.value.fields
    with pytest.raises(ValidationFailed) as short:
        retention_policy_change(policy=policy, actor=personas.dpo, reason="shorter", duration=35)
    assert "36 months" in short.value.fields["duration"][0]
    with pytest.raises(ValidationFailed):
        retention_policy_change(policy=policy, actor=personas.dpo, reason="days", duration=1000, duration_unit="days")
    policy.refresh_from_db()
    assert (policy.duration, policy.version, RetentionPolicyChange.objects.count()) == (36, 1, 0)

    changed = retention_policy_change(policy=policy, actor=personas.dpo, reason="Délibération CNIL", duration=48,
                                      legal_basis="CNIL 2026")
    assert (changed.duration, changed.version, changed.updated_by) == (48, 2, personas.dpo)
    rows = {(c.field, c.old, c.new, c.reason) for c in RetentionPolicyChange.objects.all()}
    assert ("duration", "36", "48", "Délibération CNIL") in rows and len(rows) == 2
    entry = AuditEntry.objects.get(action=AuditAction.POLICY_CHANGE)
    assert entry.actor_id == personas.dpo.pk and entry.fields == ["duration", "legal_basis"]
    with pytest.raises(ValidationFailed):
        retention_policy_change(policy=policy, actor=personas.dpo, reason="x", start_event="listed_on")


def test_the_celery_task_runs_the_job(db):
    result = retention_run_task.delay(apply=False).get()
    run_row = RetentionRun.objects.get(pk=result["run"])
    assert run_row.trigger == "schedule" and run_row.dry_run and result["counts"] == run_row.counts


def test_the_command_dry_runs_by_default_and_refuses_unknown_policies(personas, capsys):
    with time_machine.travel(START, tick=False):
        party = factories.person(owner=personas.alice, stage="prospect")
    with time_machine.travel(years(3) + DAY, tick=False):
        call_command("retention", "--policy", "prospects")
        out = capsys.readouterr().out
        assert "1 past the policy would be acted on" in out and "Dry run" in out
        assert Party.objects.get(pk=party.pk).erased_at is None
        with pytest.raises(CommandError, match="Unknown retention policy"):
            call_command("retention", "--policy", "nope")
        call_command("retention", "--policy", "prospects", "--apply")
    assert Party.objects.get(pk=party.pk).erased_at is not None


def test_sign_in_attempt_records_follow_the_security_log_policy(db):
    from axes.models import AccessAttempt

    with time_machine.travel(START, tick=False):
        AccessAttempt.objects.create(username="alice", ip_address="192.0.2.1", user_agent="x", http_accept="x",
                                     path_info="/accounts/login/", failures_since_start=1)
    with time_machine.travel(START + 40 * DAY, tick=False):
        AccessAttempt.objects.create(username="bob", ip_address="192.0.2.2", user_agent="x", http_accept="x",
                                     path_info="/accounts/login/", failures_since_start=1)
    assert run("security_logs", months(12) - DAY, apply=True)["matched"] == 0
    assert run("security_logs", months(12) + DAY, apply=True) == {"matched": 1, "acted": 1}
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]


def test_closed_data_subject_requests_are_kept_five_years_as_proof(db):
    from fidelia.privacy.models import SubjectRequest

    closed_day = START.date()
    old = SubjectRequest.objects.create(kind="access", requester_name="Ancienne", received_on=closed_day,
                                        due_on=closed_day, status="completed", closed_on=closed_day)
    SubjectRequest.objects.create(kind="access", requester_name="Ouverte", received_on=closed_day,
                                  due_on=closed_day)  # never closed: never deleted by this policy
    later = closed_day + dt.timedelta(days=40)
    SubjectRequest.objects.create(kind="erasure", requester_name="Récente", received_on=later, due_on=later,
                                  status="completed", closed_on=later)
    assert run("subject_requests", years(5) - DAY, apply=True) == {"matched": 0, "acted": 0}
    assert run("subject_requests", years(5) + DAY, apply=True) == {"matched": 1, "acted": 1}
    assert not SubjectRequest.objects.filter(pk=old.pk).exists()
    assert set(SubjectRequest.objects.values_list("requester_name", flat=True)) == {"Ouverte", "Récente"}


def test_a_person_s_requests_are_part_of_their_access_export(personas):
    from fidelia.privacy.models import SubjectRequest
    from fidelia.privacy.services import subject_export

    party = factories.person(owner=personas.alice)
    SubjectRequest.objects.create(kind="objection", requester_name="X", received_on=START.date(),
                                  due_on=START.date(), party_id=party.pk)
    SubjectRequest.objects.create(kind="access", requester_name="Y", received_on=START.date(),
                                  due_on=START.date())
    rows = subject_export(party_id=party.pk)["data"]["privacy.requests"]
    assert [r["kind"] for r in rows] == ["objection"] and "requester_name" not in rows[0]
