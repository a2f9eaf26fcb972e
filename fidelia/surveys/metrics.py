"""The satisfaction formulas, as pure functions (no database).

NPS: promoters answer 9–10, passives 7–8, detractors 0–6; NPS = %promoters − %detractors, from −100
to +100. CSAT: share of satisfied answers (4 or 5 on 1–5), in %. Both are None without answers.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
CSAT_SATISFIED_MIN = 4
CSAT_DISSATISFIED_MAX = 2


@dataclass(frozen=True)
class NpsResult:
    count: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None  # percentage points, −100..100


def nps(scores: Iterable[int]) -> NpsResult:
    values = [s for s in scores if s is not None]
    if any(not 0 <= s <= 10 for s in values):
        raise ValueError("NPS scores lie between 0 and 10")
    promoters = sum(1 for s in values if s >= NPS_PROMOTER_MIN)
    detractors = sum(1 for s in values if s <= NPS_DETRACTOR_MAX)
    count = len(values)
    value = 100.0 * (promoters - detractors) / count if count else None
    return NpsResult(count, promoters, count - promoters - detractors, detractors, value)


def csat(scores: Iterable[int]) -> tuple[int, float | None]:
    """(number of answers, % satisfied)."""
    values = [s for s in scores if s is not None]
    if any(not 1 <= s <= 5 for s in values):
        raise ValueError("CSAT scores lie between 1 and 5")
    if not values:
        return 0, None
    return len(values), 100.0 * sum(1 for s in values if s >= CSAT_SATISFIED_MIN) / len(values)


def is_detractor(*, csat_score: int | None, nps_score: int | None) -> bool:
    """A customer to call back: NPS 0–6 or CSAT 1–2."""
    return ((nps_score is not None and nps_score <= NPS_DETRACTOR_MAX)
            or (csat_score is not None and csat_score <= CSAT_DISSATISFIED_MAX))


def response_rate(sent: int, answered: int) -> float | None:
    return 100.0 * answered / sent if sent else None
