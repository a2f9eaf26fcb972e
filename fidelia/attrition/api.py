"""REST API of attrition: a customer's risk, reasons, loyalty type and records; recording a loss;
monthly rates; the dashboard summary; the settings (ETag / If-Match).

Reads follow the analytics policies (404 without analytics or outside the user's portfolio);
recording a loss needs write access to the customer (403 when read-only); settings changes need
`can_configure_analytics` (403)."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.attrition import selectors, services
from fidelia.attrition.phrases import reasons_text
from fidelia.attrition.schemas import (
    CustomerAttritionOut,
    RatesOut,
    RecordIn,
    RecordOut,
    SettingsIn,
    SettingsOut,
    SummaryOut,
)
from fidelia.core.api import (
    IF_MATCH,
    PartyId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    set_etag,
)
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.sales.models import Contract

router = Router(tags=["Attrition"])


def _customer(data: dict[str, Any]) -> dict[str, Any]:
    risk = data["risk"]
    return {"party_id": data["party"].pk, "risk": risk.risk if risk else None,
            "reasons": reasons_text(risk.reasons) if risk else [],
            "reason_codes": [r.get("code", "") for r in risk.reasons] if risk else [],
            "loyalty_type": risk.loyalty_type if risk else None,
            "repurchase_rate": risk.repurchase_rate if risk else None, "attitude": risk.attitude if risk else None,
            "computed_at": risk.computed_at if risk else None, "records": data["records"]}


@router.get("/attrition/customers/{party_id}", response={200: CustomerAttritionOut, **errors(404)},
            summary="A customer's attrition risk, reasons, loyalty type and lost-customer records")
def customer(request: HttpRequest, party_id: int = PartyId) -> Any:
    return _customer(selectors.party_attrition(user=current_user(request), pk=party_id))


@router.post("/attrition/customers/{party_id}/lost", response={201: RecordOut, **errors(403, 404, 422)},
             summary="Record a lost customer (or confirm the suggested record)")
def record_lost(request: HttpRequest, payload: RecordIn, party_id: int = PartyId) -> Any:
    """Empty `type`: the type suggested from the reason and the signals before the loss."""
    user = current_user(request)
    data = selectors.party_attrition(user=user, pk=party_id)
    if not data["can_write"]:
        raise PermissionDenied(_("You may not change this customer."))
    contract = None
    if payload.contract_id is not None:
        contract = Contract.objects.filter(pk=payload.contract_id, party=data["party"]).first()
        if contract is None:
            raise ValidationFailed(_("Unknown contract."), fields={"contract_id": [_("Not a contract of this customer.")]})
    record = services.record_create(party=data["party"], actor=user, date=payload.date, reason=payload.reason,
                                    type=payload.type, note=payload.note, contract=contract)
    return Status(201, record)


@router.get("/attrition/rates", response={200: RatesOut, **errors(404, 422)}, summary="Monthly attrition rates")
def rates(request: HttpRequest, months: int = 12, dimension: str = "all") -> Any:
    """Rates by the course's definition over the last `months` complete months (1–36), split by `dimension`:
    all, segment, abc, owner, channel or family."""
    if not 1 <= months <= 36:
        raise ValidationFailed(_("Choose between 1 and 36 months."), fields={"months": [_("Between 1 and 36.")]})
    if dimension not in selectors.DIMENSIONS:
        raise ValidationFailed(_("Unknown dimension."), fields={"dimension": [_("Unknown dimension.")]})
    r = selectors.attrition_rates(user=current_user(request), today=timezone.localdate(), months=months,
                                  dimension=dimension)
    rate = r.rate()
    return {"months": r.months, "groups": r.groups, "base": r.base.tolist(), "churned": r.churned.tolist(),
            "rates": [[None if v != v else round(float(v), 3) for v in row] for row in rate]}


@router.get("/attrition/summary", response={200: SummaryOut, **errors(404)},
            summary="Lost customers by type and reason, loyalty types, the last model run's metrics")
def summary(request: HttpRequest) -> Any:
    user = current_user(request)
    records, run = selectors.records_summary(user=user), selectors.latest_run()
    return {**records, "loyalty": selectors.loyalty_summary(user=user), "run_id": run.pk if run else None,
            "metrics": run.metrics if run else None}


@router.get("/attrition/settings", response={200: SettingsOut, **errors(404)}, summary="The attrition settings",
            openapi_extra=etag_documented())
def read_settings(request: HttpRequest, response: HttpResponse) -> Any:
    selectors.require_analytics(current_user(request))
    current = services.settings_get()
    set_etag(response, current.version)
    return current


@router.put("/attrition/settings", response={200: SettingsOut, **errors(403, 404, 412, 422, 428)},
            summary="Change the attrition settings", openapi_extra=etag_documented())
def update_settings(request: HttpRequest, response: HttpResponse, payload: SettingsIn,
                    if_match: str | None = IF_MATCH) -> Any:
    user = current_user(request)
    selectors.require_analytics(user)
    if not policies.can_configure_analytics(user):
        raise PermissionDenied(_("You may not change the attrition settings."))
    current = services.settings_update(actor=user, version=if_match_version(if_match), **payload.dict())
    set_etag(response, current.version)
    return current
