"""Demo data: about one person in twenty is written to in English; organisations in French."""
from __future__ import annotations

import pytest

from fidelia.demo.services import seed_customers
from fidelia.parties.models import Party

pytestmark = pytest.mark.django_db


def test_a_small_share_of_persons_speaks_english():
    seed_customers(customers=600, seed=11, progress=False)
    persons = Party.objects.filter(kind="person")
    english = persons.filter(language="en").count() / persons.count()
    assert 0.02 < english < 0.09
    assert not Party.objects.filter(kind="organisation", language="en").exists()
    assert set(Party.objects.values_list("language", flat=True)) == {"fr", "en"}
