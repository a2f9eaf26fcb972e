"""The matcher without a database: normalisation, blocking and scoring."""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.dedup.matching import (
    PartyRecord,
    ScanStats,
    Thresholds,
    blocking_keys,
    canonical_first,
    norm_phone,
    phonetic,
    prepare,
    scan,
    score_pair,
)

D = dt.date(1984, 3, 9)
ELODIE = PartyRecord(key=1, first_name="Élodie", last_name="Le Goff", birth_date=D, postcode="69002",
                     city="Lyon", street="1 place Bellecour", email="elodie@example.fr", phone="+33612345678")


def dup(**changes: object) -> PartyRecord:
    values = {f: getattr(ELODIE, f) for f in ELODIE.__slots__}
    values.update({"key": 2, **changes})
    return PartyRecord(**values)


def test_normalisation_folds_accents_hyphens_and_nicknames() -> None:
    assert canonical_first("Bob") == canonical_first("Robert") == "robert"
    assert canonical_first("Fanfan") == "francois"
    assert canonical_first("Jean-Pierre") == "jean pierre"
    assert phonetic("philippe") == phonetic("filipe")
    assert norm_phone("+33 6 12 34 56 78") == norm_phone("06 12 34 56 78")


@pytest.mark.parametrize("other,reason", [
    (dup(first_name="ELODIE", last_name="le goff"), "name"),
    (dup(first_name="Elodie", last_name="Le Gof", email="", phone=""), "name_similar"),
    (dup(first_name="Le Goff", last_name="Élodie", email="", phone=""), "name_swapped"),
    (dup(last_name="Le-Goff", email="", phone="", street="", city=""), "name"),
    (dup(birth_date=dt.date(1984, 9, 3), email="", phone=""), "birth_date_typo"),
    (dup(birth_date=dt.date(1985, 3, 9), email="", phone=""), "birth_date_typo"),
    (dup(first_name="Lolo", birth_date=None, street="", city="", postcode=""), "email"),
])
def test_typical_duplicates_score_above_the_threshold(other: PartyRecord, reason: str) -> None:
    match = score_pair(ELODIE, other)
    assert match.score >= Thresholds().person, match
    assert reason in match.reasons


def test_nickname_is_a_reason() -> None:
    a = PartyRecord(first_name="Robert", last_name="Martin", birth_date=D)
    match = score_pair(a, PartyRecord(first_name="Bob", last_name="Martin", birth_date=D))
    assert "nickname" in match.reasons and match.score > 0.9


def test_different_people_score_low() -> None:
    other = PartyRecord(first_name="Jean", last_name="Dupont", birth_date=dt.date(1950, 1, 2), postcode="75011")
    assert score_pair(ELODIE, other).score < 0.1
    # Same common name, different birth dates and towns: not the same person.
    a = PartyRecord(first_name="Jean", last_name="Martin", birth_date=dt.date(1960, 5, 1), postcode="75011", city="Paris")
    b = PartyRecord(first_name="Jean", last_name="Martin", birth_date=dt.date(1991, 8, 23), postcode="13001", city="Marseille")
    assert score_pair(a, b).score < Thresholds().person


def test_siren_decides_for_organisations() -> None:
    a = PartyRecord(kind="organisation", name="Danone SA", siren="552032534")
    same = score_pair(a, PartyRecord(kind="organisation", name="DANONE", siret="55203253400646"))
    assert same.score > 0.9 and "siren" in same.reasons
    other = score_pair(a, PartyRecord(kind="organisation", name="Danone SA", siren="732829320"))
    assert other.score < Thresholds().organisation


def test_true_pairs_share_a_block_despite_a_typo_in_any_one_field() -> None:
    variants = [dup(first_name="Elodei"), dup(last_name="Le Gopf"), dup(first_name="Le Goff", last_name="Elodie"),
                dup(birth_date=None, postcode="", street="", email="", phone="", first_name="Elody")]
    base = set(blocking_keys(prepare(ELODIE)))
    for v in variants:
        assert base & set(blocking_keys(prepare(v))), v


def test_scan_reports_each_pair_once_and_bounds_big_blocks() -> None:
    records = [ELODIE, dup(first_name="Elodie"), dup(key=3, first_name="Élodie ")]
    pairs = [frozenset((m.a, m.b)) for m in scan(records)]
    assert sorted(map(sorted, pairs)) == [[1, 2], [1, 3], [2, 3]]
    # 500 people named Martin born on different days in one postcode: the name block is large,
    # compared within a window, so far fewer than the 124,750 pairs are scored.
    crowd = [PartyRecord(key=i, first_name="Jean", last_name="Martin", postcode="75011",
                         birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=37 * i)) for i in range(500)]
    stats = ScanStats()
    list(scan(crowd, limits=Thresholds(max_block=50, window=5), stats=stats))
    assert stats.records == 500 and stats.compared < 500 * 5 * 4


def test_two_workers_find_the_same_pairs_as_one() -> None:
    from fidelia.dedup import febrl

    records = febrl.load("dataset1")
    one, two = ScanStats(), ScanStats()
    alone = {frozenset((m.a, m.b)): m.score for m in scan(records, stats=one)}
    shared = {frozenset((m.a, m.b)): m.score for m in scan(records, stats=two, workers=2)}
    assert alone == shared and one.compared == two.compared > 0


@pytest.mark.django_db
def test_records_for_ids_are_those_of_the_queryset_in_its_order(personas):
    from fidelia.dedup.matching import records_for_ids, records_from_queryset
    from fidelia.dedup.selectors import active_parties
    from fidelia.parties.models import Party
    from fidelia.parties.services import AddressInput, party_create

    ids = [party_create(actor=personas.admin, kind="person", first_name=first, last_name=last, allow_duplicate=True,
                        address=AddressInput(line1=f"{n} rue Haute", postcode="75002", city="Paris")).pk
           for n, (first, last) in enumerate([("Zoé", "Abel"), ("Jean", "Dupont"), ("Anne", "Dupont")], start=1)]
    Party.objects.filter(pk=ids[1]).update(merged_into_id=ids[0])  # merged parties are never candidates
    expected = list(records_from_queryset(active_parties().filter(pk__in=ids)))
    got = records_for_ids([*ids, ids[0], 999_999])
    assert got == expected
    assert [r.last_name for r in got] == ["Dupont", "Abel"] and got[0].street == "3 rue Haute"
    assert records_for_ids([]) == []


def test_link_prepares_a_record_met_again_only_once_and_answers_the_same():
    from fidelia.dedup.matching import _prepared, link

    _prepared.cache_clear()
    base = [PartyRecord(key=1, first_name="Jean", last_name="Dupont", birth_date=dt.date(1980, 12, 31)),
            PartyRecord(key=2, first_name="Marie", last_name="Curie", postcode="75005")]
    row = PartyRecord(key="row:0", first_name="Jean", last_name="Dupond", birth_date=dt.date(1980, 12, 31))
    first = link([row], base)
    assert [m.b for m in first["row:0"]] == [1]
    assert link([row], base) == first
    assert _prepared.cache_info().hits == 3 and _prepared.cache_info().misses == 3
    moved = PartyRecord(key=1, first_name="Jean", last_name="Martin", birth_date=dt.date(1980, 12, 31))
    assert link([row], [moved])["row:0"] == []  # a changed record is prepared anew, never from the cache
