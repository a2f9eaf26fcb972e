"""Quality of the matcher on the FEBRL benchmark data, with the default thresholds."""
from __future__ import annotations

import pytest

from fidelia.dedup import febrl
from fidelia.dedup.matching import Thresholds

# Floors under the F1 the default thresholds reach (measured: 0.995 / 0.988 / 0.978), a little under so a
# harmless retuning does not fail them; the product targets are 0.95 and 0.90.
FLOORS = {"dataset1": 0.99, "dataset2": 0.98, "dataset3": 0.975}


@pytest.mark.parametrize("dataset", sorted(FLOORS))
def test_precision_recall_f1_on_febrl(dataset: str) -> None:
    quality = febrl.evaluate(dataset, Thresholds())
    print(quality)
    assert quality.precision >= 0.99
    assert quality.f1 >= FLOORS[dataset]


def test_a_stricter_threshold_trades_recall_for_precision() -> None:
    loose = febrl.evaluate("dataset3", Thresholds(person=0.2))
    strict = febrl.evaluate("dataset3", Thresholds(person=0.9))
    assert strict.recall < loose.recall and strict.precision >= loose.precision
