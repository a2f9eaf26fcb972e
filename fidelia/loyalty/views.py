"""Pages of loyalty: the programme page (settings, tiers, rewards, clubs, members) and the
customer-file panel (balance, tier, last entries, referral code, redeem form)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fidelia.accounts import policies
from fidelia.core.errors import DomainError, StaleVersion
from fidelia.loyalty import selectors, services
from fidelia.loyalty.forms import (
    BonusEventForm,
    ClubForm,
    ClubJoinForm,
    FamilyRateForm,
    FamilyRuleForm,
    ProgrammeCreateForm,
    ProgrammeForm,
    RedeemForm,
    ReferralForm,
    RewardForm,
    TierForm,
)
from fidelia.loyalty.models import BonusEvent, Club, FamilyRule, Programme, Reward
from fidelia.parties.enums import Stage
from fidelia.parties.selectors import party_get_for_user

MEMBERS_PER_PAGE = 50


def _viewer(request: HttpRequest) -> None:
    if not policies.can_view_loyalty(request.user):
        raise Http404


def _manager(request: HttpRequest) -> Programme:
    """The programme a settings form acts on (its `programme` field, else the default one), for a
    user who may set loyalty up; 404 for anyone else."""
    if not policies.can_manage_loyalty(request.user):
        raise Http404
    programme = selectors.programme_selected(request.POST.get("programme") or request.GET.get("programme"))
    if programme is None:
        programme = services.programme_create(actor=request.user, name=_("Loyalty programme"))
    return programme


def _page(programme: Programme | None) -> str:
    url = reverse("loyalty:index")
    return f"{url}?programme={programme.pk}" if programme else url


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, " ".join([exc.message, *(m for ms in exc.fields.values() for m in ms if m != exc.message)]))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    programme = selectors.programme_selected(request.GET.get("programme"))
    members = Paginator(selectors.members_for_user(request.user, programme=programme), MEMBERS_PER_PAGE)
    context: dict[str, Any] = {
        "programme": programme, "programmes": selectors.programmes_all(),
        "page": members.get_page(request.GET.get("page")),
        "tiers": programme.tiers.all() if programme else [], "clubs": selectors.clubs_with_counts(),
        "rewards": selectors.rewards_of(programme, active_only=False) if programme else [],
        "family_rules": selectors.family_rules_of(programme) if programme else [],
        "can_manage": policies.can_manage_loyalty(request.user),
    }
    context["bonus_rows"] = [{"event": e, "form": BonusEventForm(instance=e, prefix=f"bonus-{e.pk}")
                              if context["can_manage"] else None}
                             for e in (selectors.bonus_events_of(programme) if programme else [])]
    if context["can_manage"]:
        context |= {"programme_form": ProgrammeForm(instance=programme, initial={"version": programme.version})
                    if programme else None, "tier_form": TierForm(), "reward_form": RewardForm(), "club_form": ClubForm(),
                    "new_programme_form": ProgrammeCreateForm(prefix="new"), "family_form": FamilyRuleForm(),
                    "bonus_form": BonusEventForm()}
    return render(request, "loyalty/index.html", context)


def _apply(request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], object], done: str,
           programme: Programme | None) -> HttpResponse:
    """The settings forms of the Loyalty page: save through the service, say how it went, back to the
    page of the programme acted on."""
    if form.is_valid():
        try:
            saved = save(form.cleaned_data)
            messages.success(request, done)
            programme = saved if isinstance(saved, Programme) else programme
        except DomainError as exc:
            _error(request, exc)
    else:
        details = [f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
                   for name, errors in form.errors.items()]
        messages.error(request, " ".join([_("Some fields are not valid."), *details]))
    return redirect(_page(programme))


@login_required
@require_POST
def programme_add(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_loyalty(request.user):
        raise Http404
    return _apply(request, ProgrammeCreateForm(request.POST, prefix="new"), lambda data: services.programme_create(
        actor=request.user, **data), _("Programme created."), selectors.programme_selected(None))


@login_required
@require_POST
def programme_edit(request: HttpRequest) -> HttpResponse:
    programme = _manager(request)
    form = ProgrammeForm(request.POST, instance=Programme.objects.get(pk=programme.pk))
    return _apply(request, form, lambda data: services.programme_update(
        programme=programme, actor=request.user, **data), _("Programme saved."), programme)


@login_required
@require_POST
def tier_add(request: HttpRequest) -> HttpResponse:
    programme = _manager(request)
    return _apply(request, TierForm(request.POST), lambda data: services.tier_create(
        programme=programme, actor=request.user, **data), _("Tier added."), programme)


@login_required
@require_POST
def reward_add(request: HttpRequest) -> HttpResponse:
    programme = _manager(request)
    return _apply(request, RewardForm(request.POST), lambda data: services.reward_create(
        programme=programme, actor=request.user, **data), _("Reward added."), programme)


@login_required
@require_POST
def reward_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    reward = get_object_or_404(Reward, pk=pk)
    services.reward_set_active(reward=reward, is_active=not reward.is_active, actor=request.user)
    return redirect(_page(reward.programme))


@login_required
@require_POST
def club_add(request: HttpRequest) -> HttpResponse:
    programme = _manager(request)
    return _apply(request, ClubForm(request.POST), lambda data: services.club_create(actor=request.user, **data),
                  _("Club created."), programme)


# --- earning rules per product family and bonus events -------------------------------------------

@login_required
@require_POST
def family_rule_add(request: HttpRequest) -> HttpResponse:
    programme = _manager(request)
    return _apply(request, FamilyRuleForm(request.POST), lambda data: services.family_rule_create(
        programme=programme, actor=request.user, **data), _("Earning rule added."), programme)


@login_required
@require_POST
def family_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    rule = get_object_or_404(FamilyRule.objects.select_related("programme"), pk=pk)
    return _apply(request, FamilyRateForm(request.POST), lambda data: services.family_rule_update(
        rule=rule, actor=request.user, **data), _("Earning rule saved."), rule.programme)


@login_required
@require_POST
def family_rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    rule = get_object_or_404(FamilyRule.objects.select_related("programme", "family"), pk=pk)
    services.family_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Earning rule removed: the family earns the base rate again."))
    return redirect(_page(rule.programme))


@login_required
@require_POST
def bonus_add(request: HttpRequest) -> HttpResponse:
    programme = _manager(request)
    return _apply(request, BonusEventForm(request.POST), lambda data: services.bonus_event_create(
        programme=programme, actor=request.user, **data), _("Bonus event added."), programme)


@login_required
@require_POST
def bonus_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    event = get_object_or_404(BonusEvent.objects.select_related("programme"), pk=pk)
    form = BonusEventForm(request.POST, prefix=f"bonus-{event.pk}")
    return _apply(request, form, lambda data: services.bonus_event_update(
        event=event, actor=request.user, **data), _("Bonus event saved."), event.programme)


@login_required
@require_POST
def bonus_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    event = get_object_or_404(BonusEvent.objects.select_related("programme"), pk=pk)
    services.bonus_event_delete(event=event, actor=request.user)
    messages.success(request, _("Bonus event removed."))
    return redirect(_page(event.programme))


# --- the customer-file panel ---------------------------------------------------------------------

def _panel(request: HttpRequest, party: Any, *, status: int = 200, **extra: Any) -> HttpResponse:
    """The customer's memberships in every programme (balance, tier, last entries, a redeem form each)
    and the programmes they may still join."""
    can_use = policies.can_use_loyalty(request.user)
    memberships = selectors.memberships_of_party(party)
    blocks = [{
        "member": m, "entries": selectors.ledger_of(m),
        "redeem_form": RedeemForm(rewards=selectors.rewards_of(m.programme), auto_id=f"id_m{m.pk}_%s",
                                  initial={"version": m.version, "programme": m.programme_id}) if can_use else None,
    } for m in memberships]
    joined = {m.programme_id for m in memberships}
    programmes = selectors.programmes_all()
    context = {
        "party": party, "programmes": programmes, "blocks": blocks, "can_use": can_use,
        "joinable": [p for p in programmes if p.is_active and p.pk not in joined] if can_use else [],
        "referral_form": ReferralForm() if can_use and party.stage in (Stage.SUSPECT, Stage.PROSPECT)
        and not hasattr(party, "loyalty_referral") else None,
        "club_form": ClubJoinForm() if can_use else None,
        "clubs": party.loyalty_clubs.order_by("name"),
    } | extra
    return render(request, "loyalty/partials/party_panel_body.html", context, status=status)


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, party_get_for_user(user=request.user, pk=pk))


def _panel_party(request: HttpRequest, pk: int) -> Any:
    party = party_get_for_user(user=request.user, pk=pk)
    if not policies.can_use_loyalty(request.user):
        raise Http404
    return party


@login_required
@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    party = _panel_party(request, pk)
    programme = selectors.programme_selected(request.POST.get("programme"))
    if programme is None:
        raise Http404
    try:
        services.membership_enrol(programme=programme, party=party, actor=request.user)
    except DomainError as exc:
        return _panel(request, party, status=422, error=exc.message)
    return _panel(request, party, notice=_("Enrolled in %(programme)s.") % {"programme": programme.name})


@login_required
@require_POST
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    party = _panel_party(request, pk)
    member = selectors.member_get_for_user(user=request.user, party_id=party.pk,
                                           programme_id=request.POST.get("programme") or None)
    form = RedeemForm(request.POST, rewards=selectors.rewards_of(member.programme))
    if not form.is_valid():
        return _panel(request, party, status=422, error=_("Choose an available reward."))
    try:
        services.reward_redeem(membership=member, reward=form.cleaned_data["reward"], actor=request.user,
                               version=form.cleaned_data["version"])
    except StaleVersion as exc:
        return _panel(request, party, status=409, error=exc.message)
    except DomainError as exc:
        return _panel(request, party, status=422, error=exc.message)
    return _panel(request, party, notice=_("Reward redeemed."))


@login_required
@require_POST
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    party = _panel_party(request, pk)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        return _panel(request, party, status=422, error=_("Enter the referrer's code."))
    try:
        services.referral_register(code=form.cleaned_data["code"], referred=party, actor=request.user)
    except DomainError as exc:
        return _panel(request, party, status=422, error=exc.message)
    return _panel(request, party, notice=_("Referral recorded: both will earn points at the first purchase."))


@login_required
@require_POST
def club_join(request: HttpRequest, pk: int) -> HttpResponse:
    party = _panel_party(request, pk)
    form = ClubJoinForm(request.POST)
    if not form.is_valid():
        return _panel(request, party, status=422, error=_("Choose a club and confirm the customer's consent."))
    services.club_enrol(club=form.cleaned_data["club"], party=party, actor=request.user)
    return _panel(request, party, notice=_("Enrolled in the club."))


@login_required
@require_POST
def club_leave(request: HttpRequest, pk: int, club_pk: int) -> HttpResponse:
    party = _panel_party(request, pk)
    services.club_leave(club=get_object_or_404(Club, pk=club_pk), party=party, actor=request.user)
    return _panel(request, party, notice=_("Left the club."))
