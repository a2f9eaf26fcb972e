"""REST API of marketing: segments (count, preview), campaigns, their steps and results.

Readers of campaign results (`can_view_campaigns`) may list and read; building segments and
running campaigns is for marketers (`can_run_campaigns`). Anything else answers 404. Members and
counts are restricted to the parties the caller may read.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from fidelia.accounts import policies
from fidelia.core.api import PageIn, RowId, current_user, errors, paginate
from fidelia.marketing import selectors, services
from fidelia.marketing.models import Campaign, Segment
from fidelia.marketing.schemas import (
    CampaignOut,
    CampaignPage,
    CountOut,
    DefinitionIn,
    MemberOut,
    ResultsOut,
    SegmentIn,
    SegmentOut,
    SegmentPage,
    StepOut,
)

router = Router(tags=["Marketing"])
PREVIEW_MAX = 20


def _viewer(request: HttpRequest) -> Any:
    user = current_user(request)
    if not (policies.can_view_campaigns(user) or policies.can_run_campaigns(user)):
        raise Http404
    return user


def _runner(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_run_campaigns(user):
        raise Http404
    return user


@router.get("/marketing/segments", response={200: SegmentPage, **errors(404)}, summary="List segments")
def list_segments(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return paginate(selectors.segments_for_user(_viewer(request)).order_by("name", "pk"), page)


@router.post("/marketing/segments", response={201: SegmentOut, **errors(404, 422)}, summary="Create a segment")
def create_segment(request: HttpRequest, payload: SegmentIn) -> tuple[int, Segment]:
    """422 names the faulty clause ("Clause 2.1: unknown fact ...")."""
    return 201, services.segment_save(actor=_runner(request), **payload.dict())


@router.post("/marketing/segments/count", response={200: CountOut, **errors(404, 422)},
             summary="Count the members of criteria")
def count_definition(request: HttpRequest, payload: DefinitionIn) -> dict[str, int]:
    """The live count while editing: one COUNT query, within the caller's visibility."""
    user = _viewer(request)
    return {"count": selectors.segment_evaluate(definition=payload.definition, user=user).count()}


@router.get("/marketing/segments/{segment_id}", response={200: SegmentOut, **errors(404)}, summary="A segment")
def get_segment(request: HttpRequest, segment_id: int = RowId) -> Segment:
    return selectors.segment_get_for_user(user=_viewer(request), pk=segment_id)


@router.get("/marketing/segments/{segment_id}/count", response={200: CountOut, **errors(404)},
            summary="Count a segment's members")
def count_segment(request: HttpRequest, segment_id: int = RowId) -> dict[str, int]:
    user = _viewer(request)
    segment = selectors.segment_get_for_user(user=user, pk=segment_id)
    return {"count": selectors.segment_members(segment_id=segment.pk, user=user).count()}


@router.get("/marketing/segments/{segment_id}/preview", response={200: list[MemberOut], **errors(404)},
            summary="A sample of a segment's members")
def preview_segment(request: HttpRequest, segment_id: int = RowId) -> list[Any]:
    user = _runner(request)
    segment = selectors.segment_get_for_user(user=user, pk=segment_id)
    return list(selectors.segment_members(segment_id=segment.pk, user=user).order_by("sort_name", "pk")[:PREVIEW_MAX])


@router.get("/marketing/campaigns", response={200: CampaignPage, **errors(404)}, summary="List campaigns")
def list_campaigns(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return paginate(selectors.campaigns_for_user(_viewer(request)).order_by("-created_at", "-pk"), page)


@router.get("/marketing/campaigns/{campaign_id}", response={200: CampaignOut, **errors(404)}, summary="A campaign")
def get_campaign(request: HttpRequest, campaign_id: int = RowId) -> Campaign:
    return selectors.campaign_get_for_user(user=_viewer(request), pk=campaign_id)


@router.get("/marketing/campaigns/{campaign_id}/results", response={200: ResultsOut, **errors(404)},
            summary="A campaign's KPIs and uplift")
def campaign_results(request: HttpRequest, campaign_id: int = RowId) -> dict[str, Any]:
    """Figures, the DOMAIN.md indicators, and the uplift against the control with 95 % intervals."""
    campaign = selectors.campaign_get_for_user(user=_viewer(request), pk=campaign_id)
    r = selectors.campaign_results(campaign=campaign)
    return {**{k: getattr(r, k) for k in ("targeted", "excluded", "sent", "control", "bounced", "failed",
                                          "responders", "clicks", "unsubscribes", "replies", "forms",
                                          "opportunities", "orders", "revenue", "margin",
                                          "total_cost", "kpis", "response_uplift", "revenue_uplift", "winner")},
            "campaign_id": campaign.pk}


def _step(request: HttpRequest, campaign_id: int, step: str) -> Campaign:
    user = _runner(request)
    campaign = selectors.campaign_get_for_user(user=user, pk=campaign_id)
    {"plan": services.campaign_plan, "launch": services.campaign_launch, "pause": services.campaign_pause,
     "resume": services.campaign_resume}[step](campaign=campaign, actor=user)
    return Campaign.objects.get(pk=campaign.pk)


@router.post("/marketing/campaigns/{campaign_id}/plan", response={200: StepOut, **errors(404, 422)},
             summary="Plan a campaign (recipients, exclusions, control group)")
def plan_campaign(request: HttpRequest, campaign_id: int = RowId) -> Campaign:
    return _step(request, campaign_id, "plan")


@router.post("/marketing/campaigns/{campaign_id}/launch", response={200: StepOut, **errors(404, 422)},
             summary="Send a planned campaign (idempotent)")
def launch_campaign(request: HttpRequest, campaign_id: int = RowId) -> Campaign:
    return _step(request, campaign_id, "launch")


@router.post("/marketing/campaigns/{campaign_id}/pause", response={200: StepOut, **errors(404, 422)},
             summary="Pause sending")
def pause_campaign(request: HttpRequest, campaign_id: int = RowId) -> Campaign:
    return _step(request, campaign_id, "pause")


@router.post("/marketing/campaigns/{campaign_id}/resume", response={200: StepOut, **errors(404, 422)},
             summary="Resume sending")
def resume_campaign(request: HttpRequest, campaign_id: int = RowId) -> Campaign:
    return _step(request, campaign_id, "resume")
