"""The duplicate matcher: normalisation, blocking and similarity scoring of party records.

Pure Python over `PartyRecord` values (no ORM) except `record_from_party`, `records_from_queryset`
and `candidates_for`, which read the database. One matcher serves the whole-base scan, the warning
shown when a party is created and the import's duplicate detection, so they always agree.

Scoring is evidence-based (Fellegi–Sunter style): each field present on both records adds an
agreement weight (similar values) or a disagreement weight (different values), interpolated on the
field's similarity; a missing field adds nothing. The sum goes through a logistic curve to give a
score in [0, 1]; `Thresholds` decide which pairs are reported.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import pickle
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import Hamming, JaroWinkler, Levenshtein
from rapidfuzz.fuzz import token_set_ratio

from fidelia.core.text import digits, fold

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from fidelia.parties.models import Party

# --- reference tables --------------------------------------------------------------------------

_NICKNAME_GROUPS = (
    # English
    "robert bob bobby rob robbie bert", "william bill billy will willy liam", "james jim jimmy jamie",
    "michael mike mick mickey", "catherine katherine kate katie kathy cathy kath cath", "elizabeth liz lizzie beth betty eliza babette",
    "thomas tom tommy", "richard dick rick ricky", "anthony antony tony", "alexander alex sandy", "alexandre alex",
    "benjamin ben benny", "christopher chris kit", "daniel dan danny", "david dave davy", "edward ed eddie ted",
    "jennifer jenny jen", "joseph joe joey jojo", "samuel sam sammy", "stephen steven steve",
    "matthew matt", "nicholas nicolas nick nico", "patrick pat paddy", "peter pete",
    "susan sue susie", "suzanne suzie", "margaret maggie meg peggy marguerite margot", "charles charlie chuck",
    "andrew andy drew", "jonathan jon jonny", "timothy tim timmy", "victoria vicky", "rebecca becky",
    "deborah debbie deb", "kimberly kim", "jessica jess jessie", "joshua josh", "nathan nathaniel nate",
    "zachary zach zack", "abigail abby", "samantha sammie", "frederick fred freddie freddy", "frederic fred",
    "lawrence laurence larry", "gregory gregoire greg", "douglas doug", "raymond ray", "gerald gerry", "gerard gege",
    # French diminutives
    "francois fanfan", "stephane steph", "mathieu matthieu", "andre dede", "pierre pierrot", "sebastien seb", "florence flo", "florian flo", "caroline caro",
    "stephanie steph fanny", "valerie val", "isabelle isa", "maxime max", "maximilien max",
    "emmanuel manu", "emmanuelle manue", "dominique domi", "jean jeannot", "jeanne jeannette",
    "christophe chris", "christian chris", "philippe phil", "guillaume guigui", "benoit ben",
    "jacqueline jacquie", "jacques jacquot", "jean pierre jp", "jean baptiste jb", "marie mimi",
    "michel mimi", "nathalie nath", "sylvie sylvou", "olivier olive", "thierry titi",
)
NICKNAMES: dict[str, str] = {}
for _group in _NICKNAME_GROUPS:
    _canon, *_others = _group.split()
    for _n in (_canon, *_others):
        NICKNAMES.setdefault(_n, _canon)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
_STREET_WORDS = {
    "street": "st", "st": "st", "road": "rd", "rd": "rd", "avenue": "av", "ave": "av", "av": "av",
    "rue": "rue", "boulevard": "bd", "bd": "bd", "bvd": "bd", "place": "pl", "pl": "pl", "chemin": "ch",
    "allee": "all", "impasse": "imp", "route": "rte", "rte": "rte", "crescent": "cr", "cres": "cr",
    "circuit": "cct", "cct": "cct", "drive": "dr", "dr": "dr", "court": "ct", "ct": "ct", "lane": "ln",
    "place ": "pl", "close": "cl", "terrace": "tce", "parade": "pde",
}


# --- records -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PartyRecord:
    """The fields the matcher compares. Any may be empty; `key` identifies the record (a party id,
    or a row number for an import). `national_id` is any personal identifier (customer number...)."""

    key: Any = None
    kind: str = "person"
    first_name: str = ""
    last_name: str = ""
    name: str = ""  # organisation name (or display name when first/last are unknown)
    birth_date: dt.date | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    siren: str = ""
    siret: str = ""
    national_id: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict on a pair: a score in [0, 1] and the reasons (short codes, see `REASON_LABELS`).
    `party_id` is set by `candidates_for`; `a`/`b` by `scan`."""

    score: float
    reasons: tuple[str, ...]
    party_id: int | None = None
    a: Any = None
    b: Any = None


REASON_LABELS = {
    "name": _("same name"), "name_similar": _("similar name"), "name_swapped": _("first and last name swapped"),
    "nickname": _("nickname of the same first name"), "birth_date": _("same birth date"),
    "birth_date_typo": _("birth date with a typo"), "street": _("same street address"),
    "postcode": _("same postcode"), "city": _("same city"), "email": _("same e-mail"), "phone": _("same phone"),
    "siren": _("same SIREN"), "siret": _("same SIRET"), "national_id": _("same identifier"),
    "national_id_typo": _("identifier with a typo"),
}


@dataclass(frozen=True)
class Thresholds:
    """When a pair is reported. `person` and `organisation` are the minimum scores for each kind;
    `max_block` bounds the records compared exhaustively in one block (larger blocks are compared
    within a sliding window of `window` records sorted by name), so a scan stays near-linear.
    Set from the `FIDELIA_DEDUP` setting, e.g. `{"person": 0.6, "workers": 2}`."""

    person: float = 0.6
    organisation: float = 0.6
    max_block: int = 60
    window: int = 12
    workers: int = 1  # processes sharing a whole-base scan (2 on a two-core server)

    def minimum(self, kind: str) -> float:
        return self.organisation if kind == "organisation" else self.person


def thresholds() -> Thresholds:
    """Thresholds from the `FIDELIA_DEDUP` setting (a dict of `Thresholds` fields), else the defaults."""
    return replace(Thresholds(), **getattr(settings, "FIDELIA_DEDUP", {}))


# --- normalisation ------------------------------------------------------------------------------

@lru_cache(maxsize=262_144)  # names and towns repeat: a scan of a million files folds each once
def norm_name(value: str) -> str:
    """Folded name with hyphens and apostrophes as spaces: 'Le-Goff' -> 'le goff'."""
    return fold(value.replace("'", " ").replace("-", " ")).replace(".", " ").strip()


@lru_cache(maxsize=65_536)
def canonical_first(value: str) -> str:
    """A first name with every word replaced by its canonical form ('Bob' -> 'robert')."""
    words = norm_name(value).split()
    joined = " ".join(words)
    if joined in NICKNAMES:
        return NICKNAMES[joined]
    return " ".join(NICKNAMES.get(w, w) for w in words)


@lru_cache(maxsize=65_536)  # a street line repeats across a file and across the batches that score it
def norm_street(value: str) -> str:
    return " ".join(_STREET_WORDS.get(w, w) for w in fold(value).replace(".", " ").split())


def norm_email(value: str) -> str:
    value = (value or "").strip().lower()
    return value if _EMAIL_RE.match(value) else ""


def norm_phone(value: str) -> str:
    """Last nine digits: '+33 6 12 34 56 78' and '06 12 34 56 78' agree."""
    d = digits(value)
    return d[-9:] if len(d) >= 8 else ""


_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


@lru_cache(maxsize=262_144)
def phonetic(word: str) -> str:
    """A short sound-alike code (Soundex-like, tolerant of French spellings: 'ph'→'f', silent 'h',
    doubled letters): 'Philippe' and 'Filipe' share it."""
    w = re.sub(r"[^a-z]", "", word)
    if not w:
        return ""
    w = w.replace("ph", "f").replace("ck", "k").replace("qu", "k").replace("gn", "n")
    head = w[0]
    coded = w.translate(_SOUNDEX)
    out, last = [], coded[0]
    for ch in coded[1:]:
        if ch.isdigit() and ch != last:
            out.append(ch)
        if ch not in "hw":
            last = ch
    return (head + "".join(out))[:4]


@dataclass(slots=True)
class _Prepared:
    """A record normalised once, so comparing it to many others costs only the comparisons."""

    rec: PartyRecord
    first: str
    last: str
    org: str
    full: str
    birth: dt.date | None
    street: str
    postcode: str
    city: str
    email: str
    phone: str
    siren: str
    siret: str
    national_id: str
    first_raw: str = ""  # folded first name before nicknames were resolved
    birth_s: str = ""
    keys: list[str] = field(default_factory=list)


def prepare(rec: PartyRecord) -> _Prepared:
    first, last = canonical_first(rec.first_name), norm_name(rec.last_name)
    org = norm_name(rec.name) if rec.kind == "organisation" or not (first or last) else ""
    siret = digits(rec.siret)
    p = _Prepared(
        rec=rec, first=first, last=last, org=org, full=" ".join(x for x in (first, last, org) if x),
        birth=rec.birth_date, street=norm_street(rec.street), postcode=fold(rec.postcode).replace(" ", ""),
        city=norm_name(rec.city), email=norm_email(rec.email), phone=norm_phone(rec.phone),
        siren=digits(rec.siren) or siret[:9], siret=siret, national_id=fold(rec.national_id).replace(" ", ""),
        first_raw=norm_name(rec.first_name), birth_s=rec.birth_date.strftime("%Y%m%d") if rec.birth_date else "",
    )
    p.keys = blocking_keys(p)
    return p


# --- blocking -------------------------------------------------------------------------------------

def blocking_keys(p: _Prepared) -> list[str]:
    """The blocks a record falls in; two records are compared only if they share one.

    Several independent keys so that a true pair survives a typo in any single field: sound of the
    last name with the first initial, the two name sounds sorted (swapped first/last names), birth
    date, postcode with the sorted initials, e-mail, phone, SIREN and identifier.
    """
    keys: list[str] = []
    sf, sl = phonetic(p.first.replace(" ", "")), phonetic(p.last.replace(" ", ""))
    if sl:
        keys.append(f"n:{sl}:{p.first[:1]}")
    if sf and sl:
        keys.append("s:" + ":".join(sorted((sf, sl))))
    if p.org:
        words = p.org.split()
        keys.append(f"o:{phonetic(words[0])}:{''.join(w[0] for w in words[1:3])}")
    if p.birth:
        # The birth date alone gathers ~40 strangers per day in a million files: with an initial.
        for initial in sorted({x[:1] for x in (p.first, p.last, p.org) if x} or {"-"}):
            keys.append(f"b:{p.birth.isoformat()}:{initial}")
        if sl or sf:
            keys.append(f"y:{p.birth.year}:{min(sl or sf, sf or sl)}")
    if p.postcode and (p.first or p.last or p.org):
        initials = "".join(sorted(x[:1] for x in (p.first, p.last, p.org) if x))
        keys.append(f"p:{p.postcode}:{initials}")
    if p.street and p.postcode:
        keys.append(f"a:{p.postcode}:{p.street[:12]}")
    for prefix, value in (("e", p.email), ("t", p.phone), ("i", p.siren), ("x", p.national_id)):
        if value:
            keys.append(f"{prefix}:{value}")
    return keys


# --- similarity -----------------------------------------------------------------------------------

def _jw(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(a, b)


def _lerp(sim: float, agree: float, disagree: float, low: float = 0.75, high: float = 0.95) -> float:
    """Weight for a similarity: `agree` from `high` up, `disagree` under `low`, linear between."""
    if sim >= high:
        return agree
    if sim <= low:
        return disagree
    return disagree + (agree - disagree) * (sim - low) / (high - low)


def _name_sim(a: str, b: str) -> float:
    if not a or not b:
        return -1.0
    if a == b:
        return 1.0
    if " " not in a and " " not in b:  # one word each: word order and spacing do not matter
        return _jw(a, b)
    return max(_jw(a, b), token_set_ratio(a, b) / 100, _jw(a.replace(" ", ""), b.replace(" ", "")))


def _street_sim(a: str, b: str) -> float:
    """Street similarity; two different house numbers make two different addresses."""
    na, _, ra = a.partition(" ")
    nb, _, rb = b.partition(" ")
    if na.isdigit() and nb.isdigit():
        return 0.0 if na != nb else token_set_ratio(ra, rb) / 100
    return token_set_ratio(a, b) / 100


def _date_sim(a: dt.date, b: dt.date, sa: str = "", sb: str = "") -> tuple[float, str]:
    """1 for the same date; 0.8 for a typical typo (day and month swapped, one digit off, one part
    off); 0 otherwise. `sa`/`sb` are the dates as YYYYMMDD when already known."""
    if a == b:
        return 1.0, "birth_date"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 0.8, "birth_date_typo"
    sa, sb = sa or a.strftime("%Y%m%d"), sb or b.strftime("%Y%m%d")
    # One digit mistyped, or two neighbouring digits swapped (1946 / 1964 is not: it moves a decade).
    diff = Hamming.distance(sa, sb)
    swapped = diff == 2 and any(sa[i] == sb[i + 1] and sa[i + 1] == sb[i] and sa[i] != sb[i] for i in range(7))
    if diff == 1 or swapped:
        return 0.8, "birth_date_typo"
    return 0.0, ""


def _evidence(a: _Prepared, b: _Prepared) -> tuple[float, list[str]]:
    total, reasons = 0.0, []
    # Names: the best of direct and swapped (first <-> last).
    if a.org or b.org:
        s = _name_sim(a.full, b.full)
        if s >= 0:
            total += _lerp(s, 6.0, -5.0, 0.8, 0.95)
            if s >= 0.9:
                reasons.append("name" if s == 1.0 else "name_similar")
    else:
        f, l_ = _name_sim(a.first, b.first), _name_sim(a.last, b.last)
        direct = (_lerp(f, 2.5, -2.5) if f >= 0 else 0.0) + (_lerp(l_, 4.0, -4.0) if l_ >= 0 else 0.0)
        swapped, sf, sl = -99.0, 0.0, 0.0
        if direct < 6.0:  # names not alike as they are: try first and last name swapped
            sf, sl = _name_sim(a.first, b.last), _name_sim(a.last, b.first)
            swapped = (_lerp(sf, 2.5, -2.5) if sf >= 0 else 0.0) + (_lerp(sl, 4.0, -4.0) if sl >= 0 else 0.0)
        if swapped > direct + 1.0 and min(sf, sl) >= 0.9:
            total += swapped - 0.5
            reasons.append("name_swapped")
        else:
            total += direct
            if f >= 0.9 and l_ >= 0.9:
                reasons.append("name" if f == 1.0 and l_ == 1.0 else "name_similar")
                if a.first == b.first and a.first_raw != b.first_raw:
                    reasons.append("nickname")
    if a.birth and b.birth:
        s, why = _date_sim(a.birth, b.birth, a.birth_s, b.birth_s)
        total += 4.0 if s == 1.0 else (1.5 if s > 0 else -6.0)
        if why:
            reasons.append(why)
    if a.street and b.street:
        s = _street_sim(a.street, b.street)
        total += _lerp(s, 2.0, -1.0, 0.6, 0.9)
        if s >= 0.9:
            reasons.append("street")
    if a.postcode and b.postcode:
        same = a.postcode == b.postcode
        total += 1.5 if same else (0.5 if Levenshtein.distance(a.postcode, b.postcode) == 1 else -1.0)
        if same:
            reasons.append("postcode")
    if a.city and b.city:
        s = _jw(a.city, b.city)
        total += _lerp(s, 1.0, -0.5, 0.8, 0.95)
        if s >= 0.95:
            reasons.append("city")
    if a.email and b.email:
        total += 6.0 if a.email == b.email else -1.0
        if a.email == b.email:
            reasons.append("email")
    if a.phone and b.phone:
        total += 4.0 if a.phone == b.phone else -0.75
        if a.phone == b.phone:
            reasons.append("phone")
    if a.siren and b.siren:
        total += 6.0 if a.siren == b.siren else -6.0
        if a.siren == b.siren:
            reasons.append("siren")
    if a.siret and b.siret and a.siret == b.siret:
        total += 1.0
        reasons.append("siret")
    if a.national_id and b.national_id:
        d = Levenshtein.distance(a.national_id, b.national_id, score_cutoff=2)
        total += 5.0 if d == 0 else (2.5 if d == 1 else -3.0)
        if d <= 1:
            reasons.append("national_id" if d == 0 else "national_id_typo")
    return total, reasons


SCORE_CENTRE = 3.0


def _may_match(a: _Prepared, b: _Prepared) -> bool:
    """A cheap test run before scoring a pair in a scan: False only when no name of one resembles
    any name of the other and no identifier or contact point is shared. Such a pair needs nearly
    every other field to agree to reach the default threshold (twins at one address do)."""
    if (a.email and a.email == b.email) or (a.phone and a.phone == b.phone) or (a.siren and a.siren == b.siren) \
            or (a.national_id and a.national_id == b.national_id):
        return True
    if a.org or b.org or not (a.first or a.last) or not (b.first or b.last):
        return _jw(a.full, b.full) >= 0.7
    return max(_jw(a.first, b.first), _jw(a.last, b.last), _jw(a.first, b.last), _jw(a.last, b.first)) >= 0.8


def _score(a: _Prepared, b: _Prepared) -> Match:
    total, reasons = _evidence(a, b)
    # Centred (tuned on FEBRL) so that the default threshold 0.6 needs names alike and little
    # against them, or names somewhat alike and corroborating fields (birth date, address, ids).
    score = 1.0 / (1.0 + math.exp(-(total - SCORE_CENTRE) / 2.0))
    return Match(score=round(score, 4), reasons=tuple(reasons), a=a.rec.key, b=b.rec.key)


def score_pair(a: PartyRecord, b: PartyRecord) -> Match:
    """How likely `a` and `b` are the same party: score in [0, 1] and the reasons."""
    return _score(prepare(a), prepare(b))


def is_duplicate(match: Match, kind: str = "person", limits: Thresholds | None = None) -> bool:
    return match.score >= (limits or thresholds()).minimum(kind)


# --- whole-set scan ------------------------------------------------------------------------------

def _block_pairs(members: list[_Prepared], limits: Thresholds) -> Iterator[tuple[_Prepared, _Prepared]]:
    if len(members) <= limits.max_block:
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield a, b
        return
    # Oversized block (a common name, a shared switchboard number): sorted neighbourhood.
    members = sorted(members, key=lambda p: (p.last, p.first, p.org))
    for i, a in enumerate(members):
        for b in members[i + 1:i + 1 + limits.window]:
            yield a, b


@dataclass
class ScanStats:
    """What a scan did: records, blocks, pairs screened (cheap test), scored and reported."""

    records: int = 0
    blocks: int = 0
    screened: int = 0
    compared: int = 0
    reported: int = 0


def scan(records: Iterable[PartyRecord], *, limits: Thresholds | None = None, progress: Any = None,
         stats: ScanStats | None = None, only: set[Any] | None = None, workers: int = 1) -> Iterator[Match]:
    """Every pair of `records` likely to be the same party (score at or above the threshold),
    each pair once, as `Match(a=key, b=key)`.

    Near-linear: records are compared only within their blocks (see `blocking_keys`), each pair
    only in the first block the two records share. `progress`, if given, is called now and then
    with the number of blocks processed and the total. With `only`, a pair is scored only if one
    of its records has a key in `only` (incremental re-scan of changed files against the whole
    base). With `workers` > 1 the blocks are shared out between forked processes (POSIX only; the
    children only compute, they never touch the database).
    """
    limits = limits or thresholds()
    prepared = [prepare(r) for r in records]
    index: dict[str, list[_Prepared]] = defaultdict(list)
    for p in prepared:
        for k in p.keys:
            index[k].append(p)
    stats = stats if stats is not None else ScanStats()
    stats.records, stats.blocks = len(prepared), len(index)
    blocks = [(k, m) for k, m in index.items() if len(m) > 1]
    big = frozenset(k for k, m in blocks if len(m) > limits.max_block)
    del index
    if workers <= 1 or not hasattr(os, "fork"):
        yield from _unique(_scan_part(blocks, big, 0, 1, limits, only, stats, progress), stats)
        return
    children = []
    for part in range(1, workers):
        fd, path = tempfile.mkstemp(prefix="fidelia-scan-")
        os.close(fd)
        pid = os.fork()
        if pid == 0:  # child: compute its share, write it, leave without running any cleanup
            code = 1
            try:
                part_stats = ScanStats()
                found = list(_scan_part(blocks, big, part, workers, limits, only, part_stats, None))
                with open(path, "wb") as fh:
                    pickle.dump((found, part_stats), fh, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)
        children.append((pid, path))
    try:
        yield from _unique(_gather(_scan_part(blocks, big, 0, workers, limits, only, stats, progress),
                                   children, stats), stats)
    finally:
        for pid, path in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def _unique(matches: Iterator[Match], stats: ScanStats) -> Iterator[Match]:
    """Each reported pair once (a pair sharing only oversized blocks may meet in several windows)."""
    seen: set[tuple[Any, Any]] = set()
    stats.reported = 0
    for m in matches:
        pair = (m.a, m.b) if str(m.a) <= str(m.b) else (m.b, m.a)
        if pair not in seen:
            seen.add(pair)
            stats.reported += 1
            yield m


def _gather(own: Iterator[Match], children: list[tuple[int, str]], stats: ScanStats) -> Iterator[Match]:
    """This process's matches, then each forked worker's (waiting for it)."""
    yield from own
    for pid, path in children:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise RuntimeError(f"duplicate scan worker {pid} failed (status {status})")
        with open(path, "rb") as fh:
            found, part_stats = pickle.load(fh)  # noqa: S301  # our own child's output
        stats.screened += part_stats.screened
        stats.compared += part_stats.compared
        yield from found


def _scan_part(blocks: list[tuple[str, list[_Prepared]]], big: frozenset[str], part: int, parts: int,
               limits: Thresholds, only: set[Any] | None, stats: ScanStats, progress: Any) -> Iterator[Match]:
    """The pairs of every `parts`-th block starting at `part` (all of them when `parts` is 1).

    A pair is scored in the first block the two records share among those compared exhaustively;
    a pair sharing only oversized blocks is scored in the windows where it meets.
    """
    total = len(blocks)
    for done in range(part, total, parts):
        if progress and done % 5000 < parts:
            progress(done, total)
        key, members = blocks[done]
        windowed = key in big
        for a, b in _block_pairs(members, limits):
            if a.rec.key == b.rec.key or _first_shared(a.keys, b.keys, big) != (None if windowed else key):
                continue
            if only is not None and a.rec.key not in only and b.rec.key not in only:
                continue
            stats.screened += 1
            if not _may_match(a, b):
                continue
            stats.compared += 1
            m = _score(a, b)
            if m.score >= limits.minimum(a.rec.kind):
                yield m
    if progress:
        progress(total, total)


def _first_shared(a: list[str], b: list[str], skip: frozenset[str] = frozenset()) -> str | None:
    """The first key of `a` not in `skip` that `b` also has: a pair is scored in that block only."""
    for k in a:
        if k in b and k not in skip:
            return k
    return None


def block_count(records: Iterable[PartyRecord]) -> int:
    keys: set[str] = set()
    for r in records:
        keys.update(prepare(r).keys)
    return len(keys)


@lru_cache(maxsize=65_536)
def _prepared(rec: PartyRecord) -> _Prepared:
    """`prepare` remembered by the record's value (never mutated once made): an import meets the
    same candidates (common names) batch after batch, and its dry run's rows again."""
    return prepare(rec)


def link(new: Sequence[PartyRecord], existing: Iterable[PartyRecord], *, limits: Thresholds | None = None,
         limit: int = 5) -> dict[Any, list[Match]]:
    """For each record of `new`, its best matches among `existing` (each `Match.b` an existing key),
    best first, at most `limit`. Used by imports to check a whole file against the base at once."""
    limits = limits or thresholds()
    index: dict[str, list[_Prepared]] = defaultdict(list)
    for p in map(_prepared, existing):
        for k in p.keys:
            index[k].append(p)
    out: dict[Any, list[Match]] = {}
    for rec in new:
        out[rec.key] = _best(_prepared(rec), index, limits, limit)
    return out


def _best(p: _Prepared, index: dict[str, list[_Prepared]], limits: Thresholds, limit: int) -> list[Match]:
    seen: set[Any] = set()
    found: list[Match] = []
    for k in p.keys:
        block = index.get(k, ())
        if len(block) > limits.max_block * 4:
            block = sorted(block, key=lambda o: -_jw(o.full, p.full))[:limits.max_block]
        for other in block:
            if other.rec.key in seen or other.rec.key == p.rec.key:
                continue
            seen.add(other.rec.key)
            m = _score(p, other)
            if m.score >= limits.minimum(p.rec.kind):
                found.append(m)
    found.sort(key=lambda m: -m.score)
    return found[:limit]


# --- database -------------------------------------------------------------------------------------

RECORD_FIELDS = ("id", "kind", "first_name", "last_name", "display_name", "legal_name", "birth_date",
                 "postcode", "city", "email", "phone", "siren", "siret")


def _record_from_row(row: dict[str, Any]) -> PartyRecord:
    kind = row["kind"]
    return PartyRecord(
        key=row["id"], kind=kind, first_name=row["first_name"] or "", last_name=row["last_name"] or "",
        name=(row.get("legal_name") or row["display_name"] or "") if kind == "organisation" or not (
            row["first_name"] or row["last_name"]) else "",
        birth_date=row["birth_date"], street=row.get("street") or "", postcode=row["postcode"] or "",
        city=row["city"] or "", email=row["email"] or "", phone=row["phone"] or "",
        siren=row["siren"] or "", siret=row["siret"] or "",
    )


def record_from_party(party: Party) -> PartyRecord:
    """The matcher's view of a party (its primary address for the street)."""
    address = party.addresses.order_by("-is_primary", "id").first()
    row = {f: getattr(party, f if f != "id" else "pk") for f in RECORD_FIELDS}
    row["street"] = " ".join(x for x in (address.line1, address.line2) if x) if address else ""
    return _record_from_row(row)


def records_from_queryset(qs: QuerySet[Party], *, chunk_size: int = 5000) -> Iterator[PartyRecord]:
    """Matcher records for a queryset of parties, streamed (one query plus the primary addresses'
    subquery; erased and merged parties should be excluded by the caller)."""
    from django.db.models import OuterRef, Subquery

    from fidelia.parties.models import Address

    street = Address.objects.filter(party=OuterRef("pk")).order_by("-is_primary", "id").values("line1")[:1]
    rows = qs.annotate(street=Subquery(street)).values(*RECORD_FIELDS, "street")
    for row in rows.iterator(chunk_size=chunk_size):
        yield _record_from_row(row)


def records_for_ids(ids: Iterable[int]) -> list[PartyRecord]:
    """Matcher records of the active parties among `ids`, in the order of `records_from_queryset`
    (sort name, id). On PostgreSQL the ids are joined as one array, so each party is found by its
    key: `id IN (…)` over thousands of ids let the planner, whose statistics lag behind a table a
    large import is filling, test every id against every party (seconds per import batch)."""
    from django.db import connection

    from fidelia.dedup.selectors import active_parties
    from fidelia.parties.models import Address, Party

    ids = sorted(set(ids))
    if connection.vendor != "postgresql":
        return list(records_from_queryset(active_parties().filter(pk__in=ids)))
    if not ids:
        return []
    party, address = (connection.ops.quote_name(m._meta.db_table) for m in (Party, Address))
    columns = ", ".join(f"p.{connection.ops.quote_name(f)}" for f in RECORD_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, (SELECT a.line1 FROM {address} a WHERE a.party_id = p.id"  # noqa: S608 (constants)
            f" ORDER BY a.is_primary DESC, a.id LIMIT 1) FROM unnest(%s::bigint[]) AS v(id) JOIN {party} p ON p.id = v.id"
            " WHERE p.erased_at IS NULL AND p.merged_into_id IS NULL ORDER BY p.sort_name, p.id", [ids])
        return [_record_from_row(dict(zip((*RECORD_FIELDS, "street"), row, strict=True))) for row in cursor.fetchall()]


def candidates_for(record: PartyRecord, *, limit: int = 5, exclude: Iterable[int] = (),
                   limits: Thresholds | None = None, shared_contacts: bool = False) -> list[Match]:
    """Parties in the database likely to be `record`, best first, each `Match.party_id` set.

    Any portfolio: callers check access before naming them. Merged and anonymised parties are
    skipped. With `shared_contacts`, a party sharing the e-mail, phone or SIREN is reported whatever
    its score (the creation warning: a shared contact point deserves a look before a new file).
    A handful of indexed queries; the queries are the blocking, every party they return is scored.
    """
    from django.db.models import Q

    from fidelia.dedup.selectors import active_parties

    p = prepare(record)
    q = Q()
    if p.birth:
        q |= Q(birth_date=p.birth)
    if record.postcode.strip():
        q |= Q(postcode=record.postcode.strip())
    for value in (record.last_name.strip(), record.first_name.strip()):
        if value:
            q |= Q(last_name__iexact=value)
    if p.full:
        q |= Q(sort_name=p.full) | Q(sort_name=fold(record.name or f"{record.first_name} {record.last_name}"))
    if p.email:
        q |= Q(email__iexact=p.email) | Q(emails__normalized=p.email)
    if record.phone.strip():
        q |= Q(phone=record.phone.strip()) | Q(phones__number=record.phone.strip())
    if p.siren:
        q |= Q(siren=p.siren)
    if not q:
        return []
    excluded = {pk for pk in exclude if pk is not None}
    if isinstance(record.key, int):
        excluded.add(record.key)
    ids = active_parties().filter(q).exclude(pk__in=excluded).values_list("id", flat=True).distinct()[:2000]
    limits = limits or thresholds()
    found = []
    for other in map(prepare, records_from_queryset(active_parties().filter(pk__in=list(ids)))):
        m = _score(p, other)
        shared = shared_contacts and bool({"email", "phone", "siren"} & set(m.reasons))
        if shared or m.score >= limits.minimum(record.kind):
            found.append(replace(m, party_id=other.rec.key))
    found.sort(key=lambda m: -m.score)
    return found[:limit]
