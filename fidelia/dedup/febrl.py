"""FEBRL benchmark data (synthetic person records with known duplicates) as matcher records,
and the precision/recall of a scan against its ground truth. Used by the tests and the benchmark."""
from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from fidelia.dedup.matching import PartyRecord, Thresholds, scan

DATA = Path(__file__).resolve().parent / "tests" / "data"


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None  # FEBRL corrupts some dates into impossible ones: unknown, as an import would


def load(name: str) -> list[PartyRecord]:
    """Records of `dataset1.csv`... keyed by their FEBRL id (`rec-N-org`, `rec-N-dup-K`)."""
    with (DATA / f"{name}.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, skipinitialspace=True))
    return [
        PartyRecord(
            key=r["rec_id"].strip(), first_name=r["given_name"].strip(), last_name=r["surname"].strip(),
            street=" ".join(x.strip() for x in (r["street_number"], r["address_1"], r["address_2"]) if x.strip()),
            postcode=r["postcode"].strip(), city=r["suburb"].strip(), birth_date=_date(r["date_of_birth"].strip()),
            national_id=r["soc_sec_id"].strip(),
        )
        for r in rows
    ]


def true_pairs(records: list[PartyRecord]) -> set[frozenset[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for r in records:
        groups[r.key.split("-")[1]].append(r.key)
    return {frozenset(p) for keys in groups.values() for p in combinations(keys, 2)}


@dataclass(frozen=True)
class Quality:
    dataset: str
    records: int
    true_pairs: int
    found: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"{self.dataset}: {self.records} records, {self.true_pairs} true pairs, {self.found} found, "
                f"precision {self.precision:.4f} recall {self.recall:.4f} F1 {self.f1:.4f}")


def evaluate(name: str, limits: Thresholds | None = None) -> Quality:
    records = load(name)
    truth = true_pairs(records)
    found = {frozenset((m.a, m.b)) for m in scan(records, limits=limits)}
    return Quality(name, len(records), len(truth), len(found), len(found & truth))
