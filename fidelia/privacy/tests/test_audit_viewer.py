"""The audit viewer: administrators and the DPO only (404 for everyone else), filters, newest
first, HTMX rows, and formula-safe CSV/XLSX exports that are themselves audited."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fidelia.core.testing import Personas
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry

OTHERS = ["manager", "alice", "bob", "outsider", "marketing", "service", "analyst"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _usernames(response) -> list[str]:
    return [e.actor_username for e in response.context["page"].object_list]


@pytest.mark.parametrize("role", OTHERS)
def test_every_other_role_gets_404_on_the_viewer_and_its_export(personas: Personas, role: str) -> None:
    client = _client(personas.by_role()[role])
    assert client.get(reverse("privacy:audit")).status_code == 404
    assert client.get(reverse("privacy:audit_export"), {"format": "csv"}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_anonymous_users_are_sent_to_sign_in(personas: Personas) -> None:
    response = Client().get(reverse("privacy:audit"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["admin", "dpo"])
def test_admin_and_dpo_see_the_log_newest_first_with_the_chain_summary(personas: Personas, role: str) -> None:
    audit_record(action=AuditAction.LOGIN, actor=personas.alice)
    audit_record(action=AuditAction.LOGIN, actor=personas.bob)
    response = _client(personas.by_role()[role]).get(reverse("privacy:audit"))
    assert response.status_code == 200
    names = _usernames(response)
    assert names.index("bob") < names.index("alice")
    assert response.context["summary"].count == AuditEntry.objects.count()
    assert "audit_verify" in response.content.decode()
    assert "sign-in" in response.content.decode()  # the translated label of the action


def test_filters_by_user_action_customer_record_and_period(personas: Personas) -> None:
    audit_record(action=AuditAction.LOGIN, actor=personas.alice)
    audit_record(action=AuditAction.UPDATE, actor=personas.alice, object_type="parties.party", object_id=7,
                 party_id=7, fields=["job_title"])
    audit_record(action=AuditAction.UPDATE, actor=personas.bob, object_type="parties.email", object_id=3,
                 party_id=8, fields=["address"])
    client = _client(personas.dpo)

    def names(**params: str) -> list[tuple[str, str]]:
        response = client.get(reverse("privacy:audit"), params)
        assert response.status_code == 200
        return [(e.actor_username, e.action) for e in response.context["page"].object_list]

    assert names(user="ALICE") == [("alice", "update"), ("alice", "login")]
    audit_record(action=AuditAction.LOGIN_FAILED, actor_username="Nobody")
    assert names(user="nobody") == [("Nobody", "login_failed")]
    assert names(user="alice", action="login") == [("alice", "login")]
    assert names(party="8") == [("bob", "update")]
    assert names(object_type="parties.party", object_id="7") == [("alice", "update")]
    today = timezone.localdate()
    assert len(names(date_from=str(today), date_to=str(today))) == AuditEntry.objects.count()
    assert names(date_to=str(today - dt.timedelta(days=1))) == []
    assert names(date_from=str(today + dt.timedelta(days=1))) == []


@pytest.mark.parametrize("params", [{"date_from": "31/02/2026"}, {"date_from": "2026-02-31"},
                                    {"party": "abc"}, {"action": "nonsense"}, {"object_id": "-5"},
                                    {"date_from": "2026-05-10", "date_to": "2026-05-01"}, {"page": "zzz"}])
def test_bad_filters_are_reported_and_ignored_never_a_500(personas: Personas, params: dict[str, str]) -> None:
    audit_record(action=AuditAction.LOGIN, actor=personas.alice)
    response = _client(personas.admin).get(reverse("privacy:audit"), params)
    assert response.status_code == 200
    if "page" not in params:
        assert response.context["filter_form"].errors
        assert "Some filters were ignored" in response.content.decode()
    assert "alice" in _usernames(response)


def test_the_end_of_the_period_before_its_start_is_a_clear_error(personas: Personas) -> None:
    response = _client(personas.admin).get(reverse("privacy:audit"), {"date_from": "2026-05-10",
                                                                         "date_to": "2026-05-01"})
    assert "The end of the period is before its start." in response.content.decode()


def test_htmx_gets_the_rows_only_and_pages_stay_bounded(personas: Personas, django_assert_max_num_queries) -> None:
    for _ in range(60):
        audit_record(action=AuditAction.LOGIN, actor=personas.alice)
    client = _client(personas.dpo)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("privacy:audit"), {"page": "2"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "summary" not in response.context
    assert len(response.context["page"].object_list) == 60 + 1 - 50  # 61 entries: the force_login adds one
    assert 'id="audit-results"' not in body


def test_csv_export_neutralises_formulas_and_is_audited(personas: Personas) -> None:
    audit_record(action=AuditAction.LOGIN_FAILED, actor_username="=cmd|' /C calc'!A0")
    client = _client(personas.dpo)
    response = client.get(reverse("privacy:audit_export"), {"format": "csv", "action": "login_failed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="fidelia-audit-')
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2  # header + the one filtered row
    assert "'=cmd|" in lines[1] and ";=cmd" not in lines[1]
    assert "failed sign-in" in lines[1]
    export = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert (export.actor_username, export.fields) == ("dpo", ["audit_log", "format:csv"])


def test_xlsx_export_is_a_workbook_with_safe_cells(personas: Personas) -> None:
    audit_record(action=AuditAction.LOGIN_FAILED, actor_username="@SUM(1+1)")
    response = _client(personas.admin).get(reverse("privacy:audit_export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "'@SUM(1+1)" in values and "@SUM(1+1)" not in values
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, fields=["audit_log", "format:xlsx"]).exists()


def test_an_unknown_export_format_falls_back_to_csv(personas: Personas) -> None:
    response = _client(personas.admin).get(reverse("privacy:audit_export"), {"format": "exe"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_rows_link_the_customer_and_name_the_record_type(personas: Personas) -> None:
    audit_record(action=AuditAction.DELETE, actor=personas.alice, object_type="parties.phone", object_id=3,
                 party_id=8, fields=["number"])
    body = _client(personas.dpo).get(reverse("privacy:audit"), {"action": "delete"}).content.decode()
    assert f'href="{reverse("parties:detail", args=[8])}"' in body
    assert 'title="parties.phone">Phone #3' in body
    assert "deletion" in body and ">number<" in body


def test_exports_count_against_the_export_rate(personas: Personas, settings) -> None:
    settings.FIDELIA_EXPORT_RATE = "2/hour"
    client = _client(personas.dpo)
    statuses = [client.get(reverse("privacy:audit_export"), {"format": "csv"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 2
