"""The review queue pages: access, comparison, merge with chosen values, dismiss, undo, scans."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.dedup.enums import PairStatus
from fidelia.dedup.models import DuplicateCandidate, Merge
from fidelia.dedup.tests import factories as f
from fidelia.parties.models import Party
from fidelia.parties.tests import factories as pf


@pytest.mark.django_db
def test_queue_lists_pairs_by_score_with_pinned_queries(client: Client, personas, django_assert_max_num_queries) -> None:
    pairs = []
    for i in range(6):
        a, b = f.pair(personas.alice, first_name=f"Elodie{i}")
        pairs.append(f.candidate(a, b, score=0.5 + i / 20))
    hidden = f.candidate(*f.pair(personas.outsider))
    client.force_login(personas.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dedup:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    positions = [body.index(reverse("dedup:pair", args=[p.pk])) for p in reversed(pairs)]
    assert positions == sorted(positions)  # best score first
    assert reverse("dedup:pair", args=[hidden.pk]) not in body
    assert "same birth date" in body


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "outsider", "service", "analyst", "marketing"])
def test_non_reviewers_get_404(client: Client, personas, who: str) -> None:
    pair = f.candidate(*f.pair(personas.alice))
    client.force_login(getattr(personas, who))
    assert client.get(reverse("dedup:queue")).status_code == 404
    assert client.get(reverse("dedup:pair", args=[pair.pk])).status_code == 404
    assert client.post(reverse("dedup:merge", args=[pair.pk]), {"survivor": "a"}).status_code == 404
    assert client.post(reverse("dedup:dismiss", args=[pair.pk])).status_code == 404


@pytest.mark.django_db
def test_a_manager_of_another_team_gets_404_on_the_pair(client: Client, personas) -> None:
    pair = f.candidate(*f.pair(personas.outsider))
    client.force_login(personas.manager)
    assert client.get(reverse("dedup:pair", args=[pair.pk])).status_code == 404
    assert client.post(reverse("dedup:merge", args=[pair.pk]), {"survivor": "a"}).status_code == 404


@pytest.mark.django_db
def test_compare_then_merge_with_chosen_values(client: Client, personas) -> None:
    a, b = f.pair(personas.alice, job_title="Médecin")
    pair = f.candidate(a, b)
    client.force_login(personas.manager)
    page = client.get(reverse("dedup:pair", args=[pair.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="keep_last_name"' in body and 'name="keep_birth_date"' not in body  # same birth date
    survivor_side = "a" if pair.party_a_id == a.pk else "b"
    other_side = "b" if survivor_side == "a" else "a"
    response = client.post(reverse("dedup:merge", args=[pair.pk]),
                           {"survivor": survivor_side, "keep_job_title": other_side})
    assert response.status_code == 302 and response["Location"] == reverse("parties:detail", args=[a.pk])
    a.refresh_from_db()
    assert a.job_title == "Médecin" and a.last_name == "Le Goff"
    assert Party.objects.get(pk=b.pk).merged_into_id == a.pk
    # The merged file's page now leads to the survivor.
    assert client.get(reverse("parties:detail", args=[b.pk]))["Location"] == reverse("parties:detail", args=[a.pk])
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED


@pytest.mark.django_db
def test_bad_merge_input_is_a_form_error_not_a_500(client: Client, personas) -> None:
    pair = f.candidate(*f.pair(personas.alice))
    client.force_login(personas.manager)
    response = client.post(reverse("dedup:merge", args=[pair.pk]), {"survivor": "c", "keep_last_name": "zz"})
    assert response.status_code == 422
    assert not Merge.objects.exists()


@pytest.mark.django_db
def test_dismiss_and_undo(client: Client, personas) -> None:
    a, b = f.pair(personas.alice)
    pair = f.candidate(a, b)
    client.force_login(personas.manager)
    assert client.post(reverse("dedup:dismiss", args=[pair.pk])).status_code == 302
    assert DuplicateCandidate.objects.get().status == PairStatus.DISMISSED
    c, d = f.pair(personas.alice, first_name="Élodie")
    pair2 = f.candidate(c, d)
    client.post(reverse("dedup:merge", args=[pair2.pk]), {"survivor": "a"})
    merge = Merge.objects.get()
    page = client.get(reverse("dedup:merges"))
    assert reverse("dedup:undo", args=[merge.pk]) in page.content.decode()
    assert client.post(reverse("dedup:undo", args=[merge.pk])).status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert not Party.objects.filter(merged_into__isnull=False).exists()


@pytest.mark.django_db
def test_only_admins_start_a_scan(client: Client, personas, django_capture_on_commit_callbacks) -> None:
    from fidelia.core.testing import verified_login

    f.pair(personas.alice)
    pf.person(owner=personas.alice)
    client.force_login(personas.manager)
    assert client.post(reverse("dedup:scan"), {"scope": "full"}).status_code == 404
    verified_login(client, personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("dedup:scan"), {"scope": "full"}).status_code == 302
    assert DuplicateCandidate.objects.count() == 1
    assert "1 pair to review" in client.get(reverse("dedup:queue")).content.decode()
