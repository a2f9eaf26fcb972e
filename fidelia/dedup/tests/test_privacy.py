"""Deduplication's personal data: exported with the person, erased with them, kept 12 months."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.dedup.models import DuplicateCandidate, Merge
from fidelia.dedup.privacy import RETENTION_KEY, reviews_past
from fidelia.dedup.services import duplicate_dismiss, party_merge
from fidelia.dedup.tests import factories as f
from fidelia.parties.models import Party
from fidelia.privacy.models import RetentionPolicy
from fidelia.privacy.services import subject_erase, subject_export


@pytest.mark.django_db
def test_export_includes_pairs_merges_and_the_merged_away_file(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    party_merge(survivor=survivor, loser=loser, actor=personas.manager, candidate=f.candidate(survivor, loser))
    data = subject_export(party_id=survivor.pk)
    sections = data["sections"] if "sections" in data else data
    flat = str(sections)
    assert "possible_duplicates" in flat and "merges" in flat
    assert "Le Gof" in flat  # the merged-away file's identity is the person's data too


@pytest.mark.django_db
def test_erasing_a_party_deletes_its_pairs_and_merge_snapshots(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    party_merge(survivor=survivor, loser=loser, actor=personas.manager, candidate=f.candidate(survivor, loser))
    subject_erase(party_id=survivor.pk, actor=personas.dpo)
    assert not DuplicateCandidate.objects.exists() and not Merge.objects.exists()
    merged = Party.objects.get(pk=loser.pk)
    assert merged.erased_at is not None and merged.last_name == "" and not merged.emails.exists()


@pytest.mark.django_db
def test_retention_deletes_old_reviews_and_anonymises_merged_away_files(personas) -> None:
    policy = RetentionPolicy.objects.get(key=RETENTION_KEY)
    survivor, loser = f.pair(personas.alice)
    party_merge(survivor=survivor, loser=loser, actor=personas.manager)
    a, b = f.pair(personas.alice)
    duplicate_dismiss(candidate=f.candidate(a, b), actor=personas.manager)
    soon = reviews_past(policy, now=timezone.now() + dt.timedelta(days=30), apply=True)
    assert (soon.matched, soon.acted) == (0, 0)
    later = timezone.now() + dt.timedelta(days=400)
    dry = reviews_past(policy, now=later, apply=False)
    assert dry.matched == 2 and Merge.objects.exists()
    done = reviews_past(policy, now=later, apply=True)
    assert done.acted == 2 and not Merge.objects.exists() and not DuplicateCandidate.objects.exists()
    assert Party.objects.get(pk=loser.pk).erased_at is not None
    assert Party.objects.get(pk=survivor.pk).erased_at is None
