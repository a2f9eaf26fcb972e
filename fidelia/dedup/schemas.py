"""Input and output shapes of the deduplication API (no logic: see services and selectors)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from fidelia.core.api import Id, Page
from fidelia.dedup.enums import PairStatus, ScanScope
from fidelia.dedup.matching import REASON_LABELS


class PartyBriefOut(Schema):
    id: int
    display_name: str
    kind: str


class CandidateOut(Schema):
    id: int
    score: float = Field(..., description="How likely the two files are one party, from 0 to 1.")
    reasons: list[str] = Field(..., description="Codes of the fields that agree (name, birth_date, email...).")
    reason_labels: list[str]
    status: str
    party_a: PartyBriefOut
    party_b: PartyBriefOut
    reviewed_at: dt.datetime | None

    @staticmethod
    def resolve_reason_labels(obj: Any) -> list[str]:
        return [str(REASON_LABELS.get(r, r)) for r in obj.reasons]


class ComparedFieldOut(Schema):
    name: str
    label: str
    a: Any
    b: Any
    differs: bool


class CandidateDetailOut(CandidateOut):
    fields: list[ComparedFieldOut]


class CandidatePage(Page[CandidateOut]):
    pass


class CandidateFiltersIn(Schema):
    status: PairStatus = PairStatus.OPEN
    min_score: float = Field(0.0, ge=0.0, le=1.0)


class MergeIn(Schema):
    survivor_id: Id = Field(..., description="The file that stays: one of the pair's two ids.")
    choices: dict[str, Id] = Field(default_factory=dict, description=(
        "For each field whose value should come from a given file, that file's id; the survivor's "
        "value is kept for the fields not listed."))


class MergeOut(Schema):
    id: int
    survivor_id: int
    loser_id: int
    merged_at: dt.datetime
    merged_by: str | None
    undone_at: dt.datetime | None
    moved_rows: int

    @staticmethod
    def resolve_merged_by(obj: Any) -> str | None:
        return obj.merged_by.username if obj.merged_by else None

    @staticmethod
    def resolve_moved_rows(obj: Any) -> int:
        return len(obj.snapshot.get("moved", []))


class MergePage(Page[MergeOut]):
    pass


class ScanIn(Schema):
    scope: ScanScope = ScanScope.FULL


class ScanOut(Schema):
    id: int
    scope: str
    status: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    parties: int
    compared: int
    found: int
    new: int
