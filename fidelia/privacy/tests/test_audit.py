"""The audit log is append-only, chained, and records logins and failed logins."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import PASSWORD
from fidelia.privacy.audit import audit_record, audit_verify
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
