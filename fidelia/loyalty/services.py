"""Every write of the loyalty programme. The ledger only ever grows: earning, expiring, redeeming and
correcting each add entries, keyed by a unique `source_key` so a re-run adds nothing twice.

Whatever may take points away (a redemption, a negative correction, an expiry) runs under a row lock
on the member (`SELECT … FOR UPDATE`), so two concurrent redemptions cannot overdraw a balance.
"""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    CharField,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts.models import User
from fidelia.core import events
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.core.text import fold
from fidelia.loyalty.enums import EARNING_KINDS, EntryKind, ReferralStatus
from fidelia.loyalty.models import (
    BonusEvent,
    Club,
    ClubEnrolment,
    FamilyRule,
    LedgerEntry,
    Membership,
    Programme,
    Redemption,
    Referral,
    Reward,
    Tier,
)
from fidelia.parties.enums import PartyKind, Stage
from fidelia.parties.models import HouseholdMember, Party
from fidelia.sales.models import Contract, ProductFamily, Transaction

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
TIER_WINDOW_DAYS = 365


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def balance_of(membership_id: int) -> int:
    """The balance: the sum of the member's ledger, nothing else."""
    return LedgerEntry.objects.filter(membership_id=membership_id).aggregate(s=Coalesce(Sum("points"), 0))["s"]


def _lock(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().get(pk=membership.pk)


# --- enrolment ---------------------------------------------------------------------------------

def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))


@transaction.atomic
def membership_enrol(*, programme: Programme, party: Party, actor: User | None,
                     joined_on: dt.date | None = None) -> Membership:
    """Enrol `party` (idempotent: an existing member is returned unchanged)."""
    existing = Membership.objects.filter(programme=programme, party=party).first()
    if existing is not None:
        return existing
    if not programme.is_active:
        raise ValidationFailed(_("This programme is closed to new members."))
    if party.erased_at is not None or party.kind != PartyKind.PERSON:
        raise ValidationFailed(_("Only a person can join a loyalty programme."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                member = Membership.objects.create(programme=programme, party=party, referral_code=_new_code(),
                                                   joined_on=joined_on or timezone.localdate())
            break
        except IntegrityError:
            if Membership.objects.filter(programme=programme, party=party).exists():
                return Membership.objects.get(programme=programme, party=party)
    else:  # pragma: no cover - 32^8 codes
        raise ValidationFailed(_("Could not draw a free referral code; try again."))
    events.record(actor=actor, action="loyalty.enrolled", obj=member, party_id=party.pk,
                  changes={"programme": programme.name})
    return member


# --- earning -----------------------------------------------------------------------------------

EARN_COLUMNS = ("membership_id", "kind", "points", "occurred_on", "label", "source_key", "created_at")


def _earn_rows(programme: Programme, since: dt.date | None, until: dt.date | None,
               transaction_ids: list[int] | None = None) -> Any:
    """One query shaped as ledger rows: each purchase of a member since they joined, at the family's
    rate (or the programme's), times the best bonus event of its day, rounded down. Either a date
    window or exactly the purchases `transaction_ids` (whatever their date)."""
    rate = Coalesce(Subquery(FamilyRule.objects.filter(programme=programme, family_id=OuterRef("product__family_id"))
                             .values("points_per_euro")[:1]), Value(programme.points_per_euro),
                    output_field=DecimalField(max_digits=8, decimal_places=2))
    bonus = Coalesce(Subquery(BonusEvent.objects.filter(programme=programme, starts_on__lte=OuterRef("date"),
                                                        ends_on__gte=OuterRef("date"))
                              .order_by("-multiplier").values("multiplier")[:1]), Value(Decimal(1)),
                     output_field=DecimalField(max_digits=5, decimal_places=2))
    points = Cast(Floor(F("amount") * rate * bonus), IntegerField())
    key = Concat(Value(f"tx:{programme.pk}:"), Cast("pk", CharField()), output_field=CharField())
    columns = {
        "membership_id": F("party__loyalty_memberships__id"), "kind": Value(EntryKind.EARN),
        "points": points, "occurred_on": F("date"), "label": F("product__name"),  # the kind says "purchase"
        "source_key": key, "created_at": Value(timezone.now(), output_field=DateTimeField()),
    }
    qs = (Transaction.objects.filter(amount__gt=0, archived_at__isnull=True,
                                     party__loyalty_memberships__programme=programme,
                                     party__loyalty_memberships__joined_on__lte=F("date"))
          .order_by())
    if transaction_ids is not None:
        qs = qs.filter(pk__in=transaction_ids)
    else:
        qs = qs.filter(date__gte=since, date__lte=until)
    qs = qs.annotate(**{f"c_{name}": expr for name, expr in columns.items()}).filter(c_points__gt=0)
    return qs.values(*(f"c_{name}" for name in EARN_COLUMNS))


def _earn_insert(rows: Any) -> int:
    """INSERT … SELECT … ON CONFLICT (source_key) DO NOTHING: the number of entries added."""
    sql, params = rows.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # the SELECT always has a WHERE, which SQLite needs before ON CONFLICT
        cursor.execute(f"INSERT INTO {LedgerEntry._meta.db_table} ({', '.join(EARN_COLUMNS)}) {sql} "
                       f"ON CONFLICT (source_key) DO NOTHING", params)
        return max(cursor.rowcount, 0)


def points_earn_for_transactions(*, since: dt.date, until: dt.date | None = None,
                                 programme: Programme | None = None) -> int:
    """Earn the points of every member's purchases dated since `since`, with ONE statement per programme
    (INSERT … SELECT … ON CONFLICT (source_key) DO NOTHING): a re-run earns nothing twice. Returns the
    number of entries added. Refunds do not take points back (a correction does, if wanted)."""
    until = until or timezone.localdate()
    programmes = [programme] if programme else list(Programme.objects.filter(is_active=True))
    return sum(_earn_insert(_earn_rows(prog, since, until)) for prog in programmes)


EARN_CHUNK = 500  # ids per statement: well under SQLite's and PostgreSQL's parameter limits


def points_earn_for_transaction_ids(transaction_ids: list[int]) -> int:
    """Earn the points of exactly these purchases in every active programme their buyer belongs to,
    by the same set-based statement as the daily run and with the same source keys, so neither this
    nor the daily run ever earns a purchase twice. Returns the number of entries added."""
    ids = sorted({int(pk) for pk in transaction_ids})
    programmes = list(Programme.objects.filter(is_active=True))
    return sum(_earn_insert(_earn_rows(prog, None, None, ids[i:i + EARN_CHUNK]))
               for i in range(0, len(ids), EARN_CHUNK) for prog in programmes)


# --- expiry --------------------------------------------------------------------------------------

def _expiry_due(membership_id: int, cutoff: dt.date) -> int:
    """Points earned before `cutoff` not yet consumed, oldest first, by redemptions, expiries or
    negative corrections: what expires now. Never more than the balance."""
    rows = LedgerEntry.objects.filter(membership_id=membership_id).aggregate(
        old=Coalesce(Sum("points", filter=Q(points__gt=0, occurred_on__lt=cutoff)), 0),
        spent=Coalesce(Sum("points", filter=Q(points__lt=0)), 0))
    return max(0, rows["old"] + rows["spent"])


def points_expire(*, today: dt.date | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Expire, by one negative entry per member and day, the points older than the programme's validity
    that were not spent. Idempotent (a second run the same day finds nothing due). Returns entries added."""
    today = today or timezone.localdate()
    added = 0
    for prog in Programme.objects.all():
        cutoff = _months_before(today, prog.validity_months)
        candidates = list(Membership.objects.filter(programme=prog, entries__points__gt=0,
                                                    entries__occurred_on__lt=cutoff).distinct().values_list("pk", flat=True))
        for pk in candidates:
            with transaction.atomic():
                member = Membership.objects.select_for_update().get(pk=pk)
                due = _expiry_due(member.pk, cutoff)
                if due > 0:
                    _entry, created = _append(member, kind=EntryKind.EXPIRE, points=-due, occurred_on=today,
                                         key=f"expire:{member.pk}:{today.isoformat()}",
                                         label=_("Points earned before %(date)s") % {"date": cutoff.isoformat()})
                    added += created
            if progress:
                progress(1)
    return added


def _append(member: Membership, *, kind: str, points: int, occurred_on: dt.date, key: str,
            label: str = "") -> tuple[LedgerEntry | None, int]:
    """Add one entry unless its source key already exists: (entry, 1) or (None, 0)."""
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(membership=member, kind=kind, points=points, occurred_on=occurred_on,
                                              source_key=key, label=label[:200]), 1
    except IntegrityError:
        return None, 0


# --- tiers ---------------------------------------------------------------------------------------

def tiers_recompute(*, today: dt.date | None = None) -> int:
    """Give each member the highest tier whose threshold their points earned over the last 12 months
    reach (None below the first); returns how many members changed tier."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=TIER_WINDOW_DAYS)
    changed = 0
    for prog in Programme.objects.prefetch_related("tiers"):
        tiers = sorted(prog.tiers.all(), key=lambda t: t.threshold, reverse=True)
        earned = Membership.objects.filter(programme=prog).annotate(
            earned=Coalesce(Sum("entries__points", filter=Q(entries__points__gt=0, entries__kind__in=EARNING_KINDS,
                                                            entries__occurred_on__gt=since,
                                                            entries__occurred_on__lte=today)), 0))
        updates = []
        for member in earned.only("pk", "tier_id"):
            tier = next((t for t in tiers if member.earned >= t.threshold), None)
            if member.tier_id != (tier.pk if tier else None):
                member.tier = tier
                updates.append(member)
        Membership.objects.bulk_update(updates, ["tier"], batch_size=1000)
        changed += len(updates)
    return changed


# --- redemption and corrections ------------------------------------------------------------------

@transaction.atomic
def reward_redeem(*, membership: Membership, reward: Reward, actor: User | None, version: int,
                  today: dt.date | None = None) -> Redemption:
    """Spend `reward.cost` points: refused for a stale form (the member's version moved since it was
    shown), an unavailable reward or a balance too small. One negative entry and one Redemption row."""
    member = _lock(membership)
    if member.version != version:
        raise StaleVersion(_("The balance changed since this page was shown. Reload and try again."))
    if not reward.is_active or reward.programme_id != member.programme_id:
        raise ValidationFailed(_("This reward is not available."), fields={"reward": [_("This reward is not available.")]})
    balance = balance_of(member.pk)
    if balance < reward.cost:
        message = _("Not enough points: %(balance)s available, %(cost)s needed.") % {"balance": balance, "cost": reward.cost}
        raise ValidationFailed(message, fields={"reward": [message]})
    day = today or timezone.localdate()
    entry, _created = _append(member, kind=EntryKind.REDEEM, points=-reward.cost, occurred_on=day,
                              key=f"redeem:{uuid.uuid4().hex}", label=reward.name)
    redemption = Redemption.objects.create(membership=member, reward=reward, entry=entry, points=reward.cost,
                                           created_by=actor if getattr(actor, "pk", None) else None)
    Membership.objects.filter(pk=member.pk).update(version=F("version") + 1, updated_at=timezone.now())
    membership.refresh_from_db()
    events.record(actor=actor, action="loyalty.redeemed", obj=redemption, party_id=member.party_id,
                  changes={"reward": reward.name, "points": reward.cost})
    return redemption


@transaction.atomic
def points_adjust(*, membership: Membership, points: int, reason: str, actor: User | None,
                  occurred_on: dt.date | None = None) -> LedgerEntry:
    """A correction: a new entry (never an edit). A negative one may not take the balance below zero."""
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if points == 0:
        errors["points"] = [_("A correction cannot be zero.")]
    if not reason:
        errors["reason"] = [_("Say why the points are corrected.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    member = _lock(membership)
    if points < 0 and balance_of(member.pk) + points < 0:
        raise ValidationFailed(_("A correction cannot make the balance negative."),
                               fields={"points": [_("A correction cannot make the balance negative.")]})
    entry, _created = _append(member, kind=EntryKind.CORRECTION, points=points,
                              occurred_on=occurred_on or timezone.localdate(), key=f"adjust:{uuid.uuid4().hex}",
                              label=reason)
    Membership.objects.filter(pk=member.pk).update(version=F("version") + 1, updated_at=timezone.now())
    events.record(actor=actor, action="loyalty.adjusted", obj=member, party_id=member.party_id,
                  changes={"points": points})
    assert entry is not None
    return entry


# --- referral ------------------------------------------------------------------------------------

def _same_person(a: Party, b: Party) -> str | None:
    """Why `b` looks like `a` under another file (None when it does not)."""
    if a.email and b.email and a.email.strip().lower() == b.email.strip().lower():
        return _("The referred person has the same e-mail address as the referrer.")
    if a.phone and b.phone and a.phone == b.phone:
        return _("The referred person has the same phone number as the referrer.")
    if (a.birth_date and a.birth_date == b.birth_date and fold(a.first_name) == fold(b.first_name)
            and fold(a.last_name) == fold(b.last_name)):
        return _("The referred person has the same name and birth date as the referrer.")
    return None


def _same_household(a: Party, b: Party) -> bool:
    if HouseholdMember.objects.filter(Q(party=a, member_party=b) | Q(party=b, member_party=a)).exists():
        return True
    if b.first_name and b.birth_date:
        for m in HouseholdMember.objects.filter(party=a, birth_date=b.birth_date):
            if fold(m.first_name) == fold(b.first_name) and (not m.last_name or fold(m.last_name) == fold(b.last_name)):
                return True
    return False


@transaction.atomic
def referral_register(*, code: str, referred: Party, actor: User | None) -> Referral:
    """Record that the member owning `code` referred `referred`, a prospect. Refused, with the reason,
    for an unknown code, a self-referral, the same person under another file (same e-mail, phone, or
    name and birth date), a member of the referrer's household, someone already a customer or
    already referred."""
    referrer = (Membership.objects.select_related("party", "programme")
                .filter(referral_code=(code or "").strip().upper()).first())
    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={"code": [message]})
    if referrer is None:
        raise refuse(_("This referral code does not exist."))
    if not referrer.programme.is_active:
        raise refuse(_("This programme is closed."))
    if referrer.party_id == referred.pk:
        raise refuse(_("A member cannot refer themselves."))
    reason = _same_person(referrer.party, referred)
    if reason:
        raise refuse(reason)
    if _same_household(referrer.party, referred):
        raise refuse(_("The referred person belongs to the referrer's household."))
    if referred.stage not in (Stage.SUSPECT, Stage.PROSPECT):
        raise refuse(_("Only a prospect can be referred: this person is already or was a customer."))
    if Referral.objects.filter(referred=referred).exists():
        raise refuse(_("This person has already been referred."))
    referral = Referral.objects.create(referrer=referrer, referred=referred)
    events.record(actor=actor, action="loyalty.referred", obj=referral, party_id=referred.pk,
                  changes={"referrer": referrer.party_id})
    return referral


def referrals_reward(*, today: dt.date | None = None, party_ids: list[int] | None = None) -> int:
    """Reward both sides of each pending referral whose prospect became a customer (a contract or a
    purchase). Idempotent: run daily and at each purchase or contract (`party_ids`: only these
    prospects); each side's entry has its own key. The referred person is enrolled in the referrer's
    programme. Returns referrals rewarded."""
    today = today or timezone.localdate()
    contracts, purchases = Contract.objects.all(), Transaction.objects.filter(amount__gt=0)
    pending = Referral.objects.filter(status=ReferralStatus.PENDING, referred__stage=Stage.CUSTOMER,
                                      referred__erased_at__isnull=True,
                                      referrer__programme__is_active=True)  # a closed one enrols nobody
    if party_ids is not None:
        pending = pending.filter(referred_id__in=party_ids)
        contracts, purchases = contracts.filter(party_id__in=party_ids), purchases.filter(party_id__in=party_ids)
    pending = (pending.filter(Q(referred__in=contracts.values("party_id")) | Q(referred__in=purchases.values("party_id")))
               .select_related("referrer__programme", "referred"))
    done = 0
    for referral in pending:
        with transaction.atomic():
            row = Referral.objects.select_for_update().get(pk=referral.pk)
            if row.status != ReferralStatus.PENDING:
                continue
            prog = referral.referrer.programme
            newcomer = membership_enrol(programme=prog, party=referral.referred, actor=None, joined_on=today)
            _append(referral.referrer, kind=EntryKind.REFERRAL, points=prog.referrer_points, occurred_on=today,
                    key=f"referral:{row.pk}:referrer", label=_("Referral of a new customer"))
            _append(newcomer, kind=EntryKind.REFERRAL, points=prog.referred_points, occurred_on=today,
                    key=f"referral:{row.pk}:referred", label=_("Welcome bonus (referred)"))
            Referral.objects.filter(pk=row.pk).update(status=ReferralStatus.REWARDED, rewarded_on=today,
                                                      updated_at=timezone.now())
            events.record(actor=None, action="loyalty.referral_rewarded", obj=row, party_id=row.referred_id,
                          changes={"status": [ReferralStatus.PENDING, ReferralStatus.REWARDED]})
            done += 1
    return done


# --- at purchase time ----------------------------------------------------------------------------

def loyalty_on_sales(*, party_ids: Sequence[int], transaction_ids: Sequence[int] = (),
                     today: dt.date | None = None) -> tuple[int, int]:
    """What sales announced (purchases or contracts, after commit): reward the pending referrals of
    these parties, then earn the points of these purchases. Referrals first, so a referred newcomer's
    first purchase earns at once. Idempotent like the daily run, which catches up whatever this missed.
    Returns (referrals rewarded, entries earned)."""
    parties = sorted({int(pk) for pk in party_ids})
    rewarded = sum(referrals_reward(today=today, party_ids=parties[i:i + EARN_CHUNK])
                   for i in range(0, len(parties), EARN_CHUNK))
    return rewarded, points_earn_for_transaction_ids(list(transaction_ids)) if transaction_ids else 0


# --- the daily run -------------------------------------------------------------------------------

@dataclass
class DailyReport:
    earned: int = 0
    referrals: int = 0
    expired: int = 0
    tiers_changed: int = 0


def loyalty_daily(*, today: dt.date | None = None, since_days: int = 7,
                  progress: Callable[[str], None] | None = None) -> DailyReport:
    """Earn the last `since_days` days of purchases (late recordings included), reward referrals, expire
    old points, recompute tiers. Every step is idempotent, so the job is safe to retry."""
    today = today or timezone.localdate()
    report = DailyReport()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("earn", lambda: setattr(report, "earned", points_earn_for_transactions(
            since=today - dt.timedelta(days=since_days), until=today))),
        ("referrals", lambda: setattr(report, "referrals", referrals_reward(today=today))),
        ("expire", lambda: setattr(report, "expired", points_expire(today=today))),
        ("tiers", lambda: setattr(report, "tiers_changed", tiers_recompute(today=today))),
    ]
    for label, step in steps:
        step()
        if progress:
            progress(label)
    return report


# --- settings of the programme -------------------------------------------------------------------

MAX_POINTS_PER_EURO = Decimal(100)
MAX_MULTIPLIER = Decimal(10)
MAX_VALIDITY_MONTHS = 120
MAX_REFERRAL_POINTS = 1_000_000
PROGRAMME_FIELDS = ("name", "is_active", "points_per_euro", "validity_months", "referrer_points", "referred_points")


def _invalid(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def _check_rate(value: object, errors: dict[str, list[str]], field: str = "points_per_euro") -> Decimal | None:
    rate = _decimal(value)
    if rate is None:
        errors[field] = [_("Enter a number of points per euro.")]
    elif not Decimal(0) <= rate <= MAX_POINTS_PER_EURO:
        errors[field] = [_("Points per euro go from 0 to %(max)s.") % {"max": MAX_POINTS_PER_EURO}]
    elif rate != rate.quantize(Decimal("0.01")):
        errors[field] = [_("At most two decimals.")]
    return rate


def _check_programme(values: dict[str, Any]) -> dict[str, Any]:
    """The programme's settings, checked field by field; returns them cleaned."""
    errors: dict[str, list[str]] = {}
    clean = dict(values)
    if "name" in values:
        clean["name"] = str(values["name"] or "").strip()
        if not clean["name"]:
            errors["name"] = [_("A name is required.")]
        elif len(clean["name"]) > 120:
            errors["name"] = [_("At most 120 characters.")]
    if "points_per_euro" in values:
        clean["points_per_euro"] = _check_rate(values["points_per_euro"], errors)
    bounds = {"validity_months": (1, MAX_VALIDITY_MONTHS), "referrer_points": (0, MAX_REFERRAL_POINTS),
              "referred_points": (0, MAX_REFERRAL_POINTS)}
    for field, (low, high) in bounds.items():
        if field in values:
            value = values[field]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[field] = [_("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}]
    if "is_active" in values:
        clean["is_active"] = bool(values["is_active"])
    _invalid(errors)
    return clean


@transaction.atomic
def programme_create(*, actor: User | None, name: str, points_per_euro: Decimal | int = 1,
                     validity_months: int = 24, referrer_points: int = 500, referred_points: int = 250,
                     is_active: bool = True) -> Programme:
    """A new programme (another brand, a partner's card…): its own rates, tiers, rewards and members."""
    values = _check_programme({"name": name, "points_per_euro": points_per_euro, "validity_months": validity_months,
                               "referrer_points": referrer_points, "referred_points": referred_points,
                               "is_active": is_active})
    if Programme.objects.filter(name__iexact=values["name"]).exists():
        raise ValidationFailed(_("A programme already has this name."),
                               fields={"name": [_("A programme already has this name.")]})
    programme = Programme.objects.create(**values)
    events.record(actor=actor, action="loyalty.programme_created", obj=programme, party_id=None,
                  changes={"name": programme.name})
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor: User, version: int, **values: object) -> Programme:
    changes = _check_programme({k: v for k, v in values.items() if k in PROGRAMME_FIELDS})
    if "name" in changes and Programme.objects.filter(name__iexact=changes["name"]).exclude(pk=programme.pk).exists():
        raise ValidationFailed(_("A programme already has this name."),
                               fields={"name": [_("A programme already has this name.")]})
    diff = events.diff(programme, changes)
    if not Programme.objects.filter(pk=programme.pk, version=version).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()):
        raise StaleVersion(_("The programme was changed by someone else meanwhile. Reload and try again."))
    programme.refresh_from_db()
    events.record(actor=actor, action="loyalty.programme_updated", obj=programme, party_id=None, changes=diff)
    return programme


def tier_create(*, programme: Programme, name: str, threshold: int, benefits: str = "", actor: User) -> Tier:
    if Tier.objects.filter(programme=programme, threshold=threshold).exists():
        raise ValidationFailed(_("Another tier has this threshold."),
                               fields={"threshold": [_("Another tier has this threshold.")]})
    tier = Tier.objects.create(programme=programme, name=name.strip(), threshold=threshold, benefits=benefits)
    events.record(actor=actor, action="loyalty.tier_created", obj=tier, party_id=None, changes={"name": tier.name})
    return tier


def reward_create(*, programme: Programme, name: str, cost: int, description: str = "", actor: User) -> Reward:
    if cost < 1:
        raise ValidationFailed(_("Some fields are not valid."), fields={"cost": [_("A reward costs at least 1 point.")]})
    reward = Reward.objects.create(programme=programme, name=name.strip(), cost=cost, description=description)
    events.record(actor=actor, action="loyalty.reward_created", obj=reward, party_id=None, changes={"name": reward.name})
    return reward


def reward_set_active(*, reward: Reward, is_active: bool, actor: User) -> Reward:
    Reward.objects.filter(pk=reward.pk).update(is_active=is_active, version=F("version") + 1, updated_at=timezone.now())
    reward.refresh_from_db()
    events.record(actor=actor, action="loyalty.reward_updated", obj=reward, party_id=None,
                  changes={"is_active": is_active})
    return reward


# --- earning rules per product family and bonus events (future earning only: the ledger stays) -----

def _check_family_rule(programme: Programme, family: object, points_per_euro: object,
                       rule: FamilyRule | None = None) -> tuple[ProductFamily, Decimal]:
    errors: dict[str, list[str]] = {}
    family_id = getattr(family, "pk", family)
    found = (ProductFamily.objects.filter(pk=family_id).first()
             if str(family_id or "").isdigit() else None)
    if found is None:
        errors["family"] = [_("Choose an existing product family.")]
    elif (FamilyRule.objects.filter(programme=programme, family=found)
          .exclude(pk=getattr(rule, "pk", None)).exists()):
        errors["family"] = [_("This family already has a rule in this programme: edit it instead.")]
    rate = _check_rate(points_per_euro, errors)
    _invalid(errors)
    assert found is not None and rate is not None
    return found, rate


@transaction.atomic
def family_rule_create(*, programme: Programme, family: ProductFamily | int, points_per_euro: Decimal,
                       actor: User | None) -> FamilyRule:
    """Points per euro on a product family instead of the programme's base rate (one rule per family)."""
    found, rate = _check_family_rule(programme, family, points_per_euro)
    try:
        with transaction.atomic():
            rule = FamilyRule.objects.create(programme=programme, family=found, points_per_euro=rate)
    except IntegrityError:  # a concurrent twin
        raise ValidationFailed(_("Some fields are not valid."), fields={"family": [
            _("This family already has a rule in this programme: edit it instead.")]}) from None
    events.record(actor=actor, action="loyalty.family_rule_created", obj=rule, party_id=None,
                  changes={"programme": programme.name, "family": found.name, "points_per_euro": rate})
    return rule


@transaction.atomic
def family_rule_update(*, rule: FamilyRule, points_per_euro: Decimal, actor: User | None,
                       family: ProductFamily | int | None = None) -> FamilyRule:
    found, rate = _check_family_rule(rule.programme, family if family is not None else rule.family_id,
                                     points_per_euro, rule)
    diff = events.diff(rule, {"family_id": found.pk, "points_per_euro": rate})
    FamilyRule.objects.filter(pk=rule.pk).update(family=found, points_per_euro=rate)
    rule.refresh_from_db()
    events.record(actor=actor, action="loyalty.family_rule_updated", obj=rule, party_id=None, changes=diff)
    return rule


@transaction.atomic
def family_rule_delete(*, rule: FamilyRule, actor: User | None) -> None:
    """The family earns the base rate again from now on; points already earned stay."""
    events.record(actor=actor, action="loyalty.family_rule_deleted", obj=rule, party_id=None,
                  changes={"family": rule.family.name, "points_per_euro": rule.points_per_euro})
    rule.delete()


def _check_bonus(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > 120:
        errors["name"] = [_("At most 120 characters.")]
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts, dt.date):
        errors["starts_on"] = [_("Enter the first day of the event.")]
    if not isinstance(ends, dt.date):
        errors["ends_on"] = [_("Enter the last day of the event.")]
    elif isinstance(starts, dt.date) and ends < starts:
        errors["ends_on"] = [_("The event cannot end before it starts.")]
    multiplier = _decimal(values.get("multiplier"))
    if multiplier is None or not Decimal(1) < multiplier <= MAX_MULTIPLIER:
        errors["multiplier"] = [_("The multiplier must be above 1 and at most %(max)s.") % {"max": MAX_MULTIPLIER}]
    elif multiplier != multiplier.quantize(Decimal("0.01")):
        errors["multiplier"] = [_("At most two decimals.")]
    _invalid(errors)
    return {"name": name, "starts_on": starts, "ends_on": ends, "multiplier": multiplier}


@transaction.atomic
def bonus_event_create(*, programme: Programme, name: str, starts_on: dt.date, ends_on: dt.date,
                       multiplier: Decimal, actor: User | None) -> BonusEvent:
    """Purchases dated within [starts_on, ends_on] earn `multiplier` times the points. Events may
    overlap: a purchase gets the highest multiplier of its day."""
    values = _check_bonus({"name": name, "starts_on": starts_on, "ends_on": ends_on, "multiplier": multiplier})
    event = BonusEvent.objects.create(programme=programme, **values)
    events.record(actor=actor, action="loyalty.bonus_event_created", obj=event, party_id=None,
                  changes={"programme": programme.name, **values})
    return event


@transaction.atomic
def bonus_event_update(*, event: BonusEvent, actor: User | None, **values: Any) -> BonusEvent:
    fields = ("name", "starts_on", "ends_on", "multiplier")
    clean = _check_bonus({k: values.get(k, getattr(event, k)) for k in fields})
    diff = events.diff(event, clean)
    BonusEvent.objects.filter(pk=event.pk).update(**clean)
    event.refresh_from_db()
    events.record(actor=actor, action="loyalty.bonus_event_updated", obj=event, party_id=None, changes=diff)
    return event


@transaction.atomic
def bonus_event_delete(*, event: BonusEvent, actor: User | None) -> None:
    """Future earning ignores the event; points already earned with it stay."""
    events.record(actor=actor, action="loyalty.bonus_event_deleted", obj=event, party_id=None,
                  changes={"name": event.name})
    event.delete()


# --- clubs ---------------------------------------------------------------------------------------

def club_create(*, name: str, description: str = "", actor: User) -> Club:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Some fields are not valid."), fields={"name": [_("A name is required.")]})
    if Club.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(_("A club already has this name."), fields={"name": [_("A club already has this name.")]})
    club = Club.objects.create(name=name, description=description)
    events.record(actor=actor, action="loyalty.club_created", obj=club, party_id=None, changes={"name": name})
    return club


def club_enrol(*, club: Club, party: Party, consent_at: dt.datetime | None = None, actor: User | None) -> ClubEnrolment:
    """Enrol `party` in `club`, recording when they agreed to join (idempotent)."""
    enrolment, created = ClubEnrolment.objects.get_or_create(
        club=club, party=party, defaults={"consent_at": consent_at or timezone.now()})
    if created:
        events.record(actor=actor, action="loyalty.club_joined", obj=enrolment, party_id=party.pk,
                      changes={"club": club.name})
    return enrolment


def club_leave(*, club: Club, party: Party, actor: User | None) -> None:
    if ClubEnrolment.objects.filter(club=club, party=party).delete()[0]:
        events.record(actor=actor, action="loyalty.club_left", obj=club, party_id=party.pk, changes={"club": club.name})
