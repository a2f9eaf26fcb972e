"""The audit log is append-only, chained, records logins and failed logins, survives retention
purges with its proof intact, and records exports."""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelia.core.testing import PASSWORD
from fidelia.privacy.audit import audit_export, audit_purge, audit_record, audit_verify
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry


def test_logins_and_failed_logins_are_audited_without_the_password(personas):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong-password-123"})
    client.post(reverse("accounts:login"), {"username": "nobody", "password": "x"})
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    rows = list(AuditEntry.objects.values_list("action", "actor_username", "actor_id", "channel"))
    assert rows == [("login_failed", "alice", None, "web"), ("login_failed", "nobody", None, "web"),
                    ("login", "alice", personas.alice.pk, "web"), ("logout", "alice", personas.alice.pk, "web")]
    assert "wrong-password" not in str(list(AuditEntry.objects.values()))
    assert audit_verify().intact and audit_verify().checked == 4


def test_the_application_cannot_change_or_delete_entries(personas):
    entry = audit_record(action="login", actor=personas.alice)
    for attempt in (lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="x"),
                    lambda: AuditEntry.objects.all().delete(), entry.delete, entry.save):
        with pytest.raises(PermissionError):
            attempt()


def test_the_database_refuses_updates_on_postgresql(personas):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    entry = audit_record(action="login", actor=personas.alice)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_auditentry SET actor_username = 'mallory' WHERE id = %s", [entry.pk])


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_tampering_breaks_the_chain_and_the_command_says_where(personas, tamper, capsys):
    entries = [audit_record(action="login", actor=personas.alice) for _ in range(5)]
    call_command("audit_verify")
    assert "intact: 5 entries" in capsys.readouterr().out
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditentry DISABLE TRIGGER privacy_auditentry_append_only")
        if tamper == "edit":
            cursor.execute("UPDATE privacy_auditentry SET actor_username = 'mallory' WHERE id = %s", [entries[2].pk])
        else:
            cursor.execute("DELETE FROM privacy_auditentry WHERE id = %s", [entries[2].pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditentry ENABLE TRIGGER privacy_auditentry_append_only")
    report = audit_verify()
    assert report.first_broken_id == (entries[2].pk if tamper == "edit" else entries[3].pk)
    assert report.checked == 2
    with pytest.raises(CommandError, match=f"#{report.first_broken_id}"):
        call_command("audit_verify")


# --- retention purge -------------------------------------------------------------------------

def _entries(personas, n: int) -> list[AuditEntry]:
    return [audit_record(action="login", actor=personas.alice) for _ in range(n)]


def test_purge_removes_the_old_prefix_and_the_chain_stays_verifiable(personas, capsys):
    old = _entries(personas, 3)
    cutoff = timezone.now()
    young = _entries(personas, 2)
    assert audit_purge(before=cutoff) == 3
    remaining = list(AuditEntry.objects.order_by("id"))
    assert [e.pk for e in remaining[:2]] == [e.pk for e in young]
    retention = remaining[-1]
    assert retention.action == AuditAction.RETENTION
    assert retention.fields == [f"anchor:{old[-1].digest}", "purged:3"]
    assert retention.previous_digest == young[-1].digest
    report = audit_verify()
    assert report.intact and report.checked == 3
    call_command("audit_verify")
    assert "intact: 3 entries" in capsys.readouterr().out


def test_purge_with_nothing_old_enough_changes_nothing(personas):
    _entries(personas, 2)
    assert audit_purge(before=timezone.now() - dt.timedelta(days=400)) == 0
    assert AuditEntry.objects.count() == 2 and audit_verify().intact


def test_purging_everything_starts_the_new_chain_from_the_anchor(personas):
    old = _entries(personas, 3)
    assert audit_purge(before=timezone.now() + dt.timedelta(seconds=1)) == 3
    only = AuditEntry.objects.get()
    assert only.previous_digest == old[-1].digest and only.fields == [f"anchor:{old[-1].digest}", "purged:3"]
    assert audit_verify().intact
    # and again: the next purge anchors on the retention entry itself
    _entries(personas, 1)
    assert audit_purge(before=timezone.now() + dt.timedelta(seconds=1)) == 2
    assert audit_verify().intact


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditentry DISABLE TRIGGER privacy_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditentry ENABLE TRIGGER privacy_auditentry_append_only")


@pytest.mark.parametrize("tamper", ["delete_first", "delete_middle", "edit", "forge_anchor"])
def test_after_a_purge_tampering_still_breaks_the_chain(personas, tamper):
    _entries(personas, 3)
    cutoff = timezone.now()
    young = _entries(personas, 4)
    audit_purge(before=cutoff)
    assert audit_verify().intact
    if tamper == "delete_first":  # removing more of the head than the retention run did
        _raw("DELETE FROM privacy_auditentry WHERE id = %s", [young[0].pk])
        expected = young[1].pk
    elif tamper == "delete_middle":
        _raw("DELETE FROM privacy_auditentry WHERE id = %s", [young[2].pk])
        expected = young[3].pk
    elif tamper == "edit":
        _raw("UPDATE privacy_auditentry SET actor_username = 'mallory' WHERE id = %s", [young[1].pk])
        expected = young[1].pk
    else:  # claim the deleted head's digest as an anchor in a retention entry: that entry breaks
        retention = AuditEntry.objects.get(action=AuditAction.RETENTION)
        _raw("DELETE FROM privacy_auditentry WHERE id = %s", [young[0].pk])
        _raw("UPDATE privacy_auditentry SET fields = %s WHERE id = %s",
             [json.dumps([f"anchor:{young[0].digest}", "purged:4"]), retention.pk])
        expected = retention.pk
    report = audit_verify()
    assert report.first_broken_id == expected
    with pytest.raises(CommandError, match=f"#{expected}"):
        call_command("audit_verify")


def test_postgresql_refuses_updates_even_with_the_purge_flag_and_deletes_without_it(personas):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    entry = audit_record(action="login", actor=personas.alice)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL fidelia.audit_purge = 'on'")
        cursor.execute("UPDATE privacy_auditentry SET actor_username = 'mallory' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, actor_username="alice").exists()


def test_the_purge_flag_does_not_outlive_the_purge(personas):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    _entries(personas, 2)
    cutoff = timezone.now()
    young = _entries(personas, 1)
    with transaction.atomic():
        assert audit_purge(before=cutoff) == 2
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM privacy_auditentry WHERE id = %s", [young[0].pk])
    assert AuditEntry.objects.filter(pk=young[0].pk).exists()


# --- exports ---------------------------------------------------------------------------------

def test_audit_export_records_what_and_the_format(personas):
    entry = audit_export(actor=personas.dpo, what="subject_export", party_id=42, fmt="json")
    assert (entry.action, entry.actor_id, entry.party_id) == (AuditAction.EXPORT, personas.dpo.pk, 42)
    assert entry.fields == ["format:json", "subject_export"]
    assert audit_export(actor=personas.dpo, what="audit_log").fields == ["audit_log"]


def test_the_subject_export_command_is_audited_on_the_cli_channel(personas, capsys):
    from fidelia.parties.tests import factories as f

    party = f.person(owner=personas.alice)
    call_command("subject_export", str(party.pk), "--as", "dpo")
    row = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert (row.actor_username, row.party_id, row.channel) == ("dpo", party.pk, "cli")
    assert row.fields == ["format:json", "subject_export"] and len(row.request_id) == 32
    with pytest.raises(CommandError):
        call_command("subject_export", str(party.pk), "--as", "marketing")
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real concurrency")
    import threading

    start = threading.Barrier(4)

    def write(n: int) -> None:
        try:
            start.wait()
            for _ in range(n):
                audit_record(action="login", actor_username=threading.current_thread().name)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(15,), name=f"w{i}") for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit_verify()
    assert report.intact and report.checked == 60
    assert AuditEntry.objects.values("previous_digest").distinct().count() == 60
