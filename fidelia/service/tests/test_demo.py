from __future__ import annotations

import datetime as dt

from fidelia.parties.tests.factories import person
from fidelia.service import demo
from fidelia.service.models import Case, ReplyTemplate, SlaPolicy


def test_demo_seeds_cases_through_the_services(personas, monkeypatch):
    for _ in range(12):
        person(owner=personas.alice)
    monkeypatch.setattr(demo, "CASES", 12)
    demo.seed_demo(today=dt.date.today())
    assert Case.objects.count() == 12 and SlaPolicy.objects.count() == 6 and ReplyTemplate.objects.count() == 5
    assert all(c.reference.startswith("CAS-") and c.events.exists() for c in Case.objects.all())
    demo.seed_demo(today=dt.date.today())  # policies and templates are not duplicated
    assert SlaPolicy.objects.count() == 6
