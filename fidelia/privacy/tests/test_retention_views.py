"""The retention register page: who sees it, who changes it, and bad input."""
from __future__ import annotations

import pytest
from django.urls import reverse

from fidelia.privacy.models import RetentionPolicy, RetentionPolicyChange, RetentionRun

REGISTER = reverse("privacy:retention")




def edit_url(key: str) -> str:
    return reverse("privacy:retention_edit", args=[key])


@pytest.mark.parametrize("persona", ["manager", "alice", "outsider", "marketing", "service", "analyst"])
def test_others_get_404_everywhere(client, personas, persona):
    client.force_login(personas.by_role()[persona])
    assert client.get(REGISTER).status_code == 404
    assert client.get(edit_url("prospects")).status_code == 404
    assert client.post(edit_url("prospects"), {"reason": "x"}).status_code == 404
    assert client.post(reverse("privacy:retention_dry_run")).status_code == 404


def test_the_admin_reads_the_register_but_cannot_change_it(client, personas):
    client.force_login(personas.admin)
    page = client.get(REGISTER)
    assert page.status_code == 200 and b'data-policy="suppression_list"' in page.content
    assert edit_url("prospects").encode() not in page.content
    assert client.get(edit_url("prospects")).status_code == 404


def test_the_dpo_sees_every_policy_with_its_overdue_count_and_runs(client, personas, django_assert_max_num_queries):
    client.force_login(personas.dpo)
    with django_assert_max_num_queries(_register_budget()):
        page = client.get(REGISTER)
    assert page.status_code == 200
    for key in RetentionPolicy.objects.values_list("key", flat=True):
        assert f'data-policy="{key}"'.encode() in page.content
    assert b'data-overdue="0"' in page.content and edit_url("contracts").encode() in page.content
    response = client.post(reverse("privacy:retention_dry_run"))
    assert response.status_code == 302
    run = RetentionRun.objects.get()
    assert run.dry_run and run.actor == personas.dpo and run.trigger == "page"
    assert f'data-run="{run.pk}"'.encode() in client.get(REGISTER).content


def test_a_change_needs_a_reason_and_respects_the_minimum(client, personas):
    client.force_login(personas.dpo)
    policy = RetentionPolicy.objects.get(key="suppression_list")
    form = {"purpose": policy.purpose, "duration": "24", "duration_unit": "months",
            "legal_basis": policy.legal_basis, "version": str(policy.version)}
    missing = client.post(edit_url(policy.key), {**form, "reason": ""})
    assert missing.status_code == 422 and b"Say why the policy changes" in missing.content
    short = client.post(edit_url(policy.key), {**form, "reason": "Plus court"})
    assert short.status_code == 422 and b"at least 36 months" in short.content
    garbage = client.post(edit_url(policy.key), {**form, "duration": "-3", "duration_unit": "weeks", "reason": "x"})
    assert garbage.status_code == 422
    policy.refresh_from_db()
    assert policy.duration == 36 and not RetentionPolicyChange.objects.exists()

    done = client.post(edit_url(policy.key), {**form, "duration": "60", "reason": "Délibération interne",
                                              "legal_basis": "<b>Décision</b> du DPO"})
    assert done.status_code == 302
    policy.refresh_from_db()
    assert policy.duration == 60 and policy.version == 2
    stale = client.post(edit_url(policy.key), {**form, "duration": "72", "reason": "Encore"})
    assert stale.status_code == 422 and b"changed by someone else" in stale.content
    page = client.get(REGISTER)
    assert "Délibération interne".encode() in page.content
    assert "&lt;b&gt;Décision&lt;/b&gt; du DPO".encode() in page.content  # the DPO's text, escaped


def test_the_default_wording_is_translated(client, personas):
    client.force_login(personas.dpo)
    page = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="en")
    assert b"Suppression list (objections to prospecting)" in page.content


def test_an_unknown_policy_is_404(client, personas):
    client.force_login(personas.dpo)
    assert client.get(edit_url("nope")).status_code == 404


def _register_budget() -> int:
    """A few overdue counts per line of the retention register, plus the page's fixed queries."""
    from fidelia.privacy.registry import retention_keys

    return 4 * len(retention_keys()) + 10
