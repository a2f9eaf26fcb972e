"""The demo seeding on a small synthetic base: lost customers with French notes, a trained model."""
from __future__ import annotations

from django.utils import timezone

from fidelia.attrition.demo import seed_demo
from fidelia.attrition.enums import RecordStatus, RunStatus
from fidelia.attrition.models import AttritionRecord, AttritionRisk, ModelRun
from fidelia.attrition.tests.factories import base


def test_seed_demo(personas):
    today = timezone.localdate()
    base(owners=[personas.alice, personas.bob], today=today, n=200)
    seed_demo(today=today)
    confirmed = AttritionRecord.objects.filter(status=RecordStatus.CONFIRMED)
    assert 5 <= confirmed.count() <= 14 and all(r.note for r in confirmed)
    assert ModelRun.objects.get().status == RunStatus.DONE and AttritionRisk.objects.exists()
