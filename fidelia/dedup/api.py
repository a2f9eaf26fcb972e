"""REST API of deduplication: the review queue, merges and their undo, scans.

Data stewards only (`policies.can_review_duplicates`); pairs and merges are visible when the caller
may change both files. Anything else answers 404, like the pages. Scans are for administrators.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import PageIn, RowId, current_user, errors, paginate
from fidelia.core.errors import ValidationFailed
from fidelia.dedup import selectors, services
from fidelia.dedup.models import DuplicateCandidate, DuplicateScan, Merge
from fidelia.dedup.schemas import (
    CandidateDetailOut,
    CandidateFiltersIn,
    CandidatePage,
    MergeIn,
    MergeOut,
    MergePage,
    ScanIn,
    ScanOut,
)

router = Router(tags=["Deduplication"])


def _reviewer(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_review_duplicates(user):
        raise Http404
    return user


@router.get("/duplicates", response={200: CandidatePage, **errors(404)}, summary="List possible duplicates")
def list_candidates(request: HttpRequest, filters: Query[CandidateFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """Pairs of files the caller may change, best score first (open ones by default)."""
    user = _reviewer(request)
    return paginate(selectors.candidate_list(user=user, status=filters.status, min_score=filters.min_score), page)


@router.get("/duplicates/merges", response={200: MergePage, **errors(404)}, summary="List merges")
def list_merges(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return paginate(selectors.merge_list(user=_reviewer(request)), page)


@router.post("/duplicates/merges/{merge_id}/undo", response={200: MergeOut, **errors(404, 409)},
             summary="Undo a merge")
def undo_merge(request: HttpRequest, merge_id: int = RowId) -> Merge:
    """Both files back as before; 409 with the reasons when something conflicting happened since."""
    user = _reviewer(request)
    merge = selectors.merge_get_for_user(user=user, pk=merge_id)
    return services.party_merge_undo(merge=merge, actor=user)


@router.post("/duplicates/scans", response={202: ScanOut, **errors(404)}, summary="Start a duplicate scan")
def start_scan(request: HttpRequest, payload: ScanIn) -> Status[DuplicateScan]:
    """Administrators: queue a whole-base (or changed-files) scan; poll it with GET."""
    user = current_user(request)
    if not policies.can_run_duplicate_scan(user):
        raise Http404
    run = services.duplicate_scan_request(actor=user, scope=payload.scope)
    return Status(202, run)


@router.get("/duplicates/scans/{scan_id}", response={200: ScanOut, **errors(404)}, summary="A duplicate scan")
def get_scan(request: HttpRequest, scan_id: int = RowId) -> DuplicateScan:
    run = selectors.scan_list(user=current_user(request)).filter(pk=scan_id).first()
    if run is None:
        raise Http404
    return run


def _detail(pair: DuplicateCandidate) -> DuplicateCandidate:
    pair.fields = [{"name": r.name, "label": r.label, "a": _jsonable(r.a), "b": _jsonable(r.b), "differs": r.differs}
                   for r in selectors.comparison(pair)]
    return pair


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


@router.get("/duplicates/{pair_id}", response={200: CandidateDetailOut, **errors(404)}, summary="A possible duplicate")
def get_candidate(request: HttpRequest, pair_id: int = RowId) -> DuplicateCandidate:
    """The pair with both files' values side by side."""
    return _detail(selectors.candidate_get_for_user(user=_reviewer(request), pk=pair_id))


@router.post("/duplicates/{pair_id}/merge", response={200: MergeOut, **errors(403, 404, 409)},
             summary="Merge a pair")
def merge_candidate(request: HttpRequest, payload: MergeIn, pair_id: int = RowId) -> Merge:
    """Merge the pair into `survivor_id`, with the values chosen per field; one transaction."""
    user = _reviewer(request)
    pair = selectors.candidate_get_for_user(user=user, pk=pair_id)
    ids = {pair.party_a_id: pair.party_a, pair.party_b_id: pair.party_b}
    if payload.survivor_id not in ids:
        why = _("%(value)s is not one of the pair's files (%(a)s or %(b)s).") % {
            "value": payload.survivor_id, "a": pair.party_a_id, "b": pair.party_b_id}
        raise ValidationFailed(why, fields={"survivor_id": [why]})
    survivor = ids.pop(payload.survivor_id)
    [loser] = ids.values()
    return services.party_merge(survivor=survivor, loser=loser, actor=user, choices=payload.choices, candidate=pair)


@router.post("/duplicates/{pair_id}/dismiss", response={200: CandidateDetailOut, **errors(404, 409)},
             summary="Mark a pair as not a duplicate")
def dismiss_candidate(request: HttpRequest, pair_id: int = RowId) -> DuplicateCandidate:
    """Later scans will not propose the pair again."""
    user = _reviewer(request)
    pair = selectors.candidate_get_for_user(user=user, pk=pair_id)
    return _detail(services.duplicate_dismiss(candidate=pair, actor=user))
