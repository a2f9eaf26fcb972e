"""Every write of the loyalty programme. The ledger only ever grows: earning, expiring, redeeming and
correcting each add entries, keyed by a unique `source_key` so a re-run adds nothing twice.

Whatever may take points away (a redemption, a negative correction, an expiry) runs under a row lock
on the member (`SELECT … FOR UPDATE`), so two concurrent redemptions cannot overdraw a balance.
"""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
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
from fidelia.sales.models import Contract, Transaction

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


def _earn_rows(programme: Programme, since: dt.date, until: dt.date) -> Any:
    """One query shaped as ledger rows: each purchase of a member since they joined, at the family's
    rate (or the programme's), times the best bonus event of its day, rounded down."""
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
        "points": points, "occurred_on": F("date"), "label": Concat(Value("Achat "), F("product__name"),
                                                                   output_field=CharField()),
        "source_key": key, "created_at": Value(timezone.now(), output_field=DateTimeField()),
    }
    qs = (Transaction.objects.filter(date__gte=since, date__lte=until, amount__gt=0, archived_at__isnull=True,
                                     party__loyalty_memberships__programme=programme,
                                     party__loyalty_memberships__joined_on__lte=F("date"))
          .order_by())
    qs = qs.annotate(**{f"c_{name}": expr for name, expr in columns.items()}).filter(c_points__gt=0)
    return qs.values(*(f"c_{name}" for name in EARN_COLUMNS))


def points_earn_for_transactions(*, since: dt.date, until: dt.date | None = None,
                                 programme: Programme | None = None) -> int:
    """Earn the points of every member's purchases dated since `since`, with ONE statement per programme
    (INSERT … SELECT … ON CONFLICT (source_key) DO NOTHING): a re-run earns nothing twice. Returns the
    number of entries added. Refunds do not take points back (a correction does, if wanted)."""
    until = until or timezone.localdate()
    programmes = [programme] if programme else list(Programme.objects.filter(is_active=True))
    table = LedgerEntry._meta.db_table
    added = 0
    for prog in programmes:
        sql, params = _earn_rows(prog, since, until).query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            # the SELECT always has a WHERE, which SQLite needs before ON CONFLICT
            cursor.execute(f"INSERT INTO {table} ({', '.join(EARN_COLUMNS)}) {sql} "
                           f"ON CONFLICT (source_key) DO NOTHING", params)
            added += max(cursor.rowcount, 0)
    return added


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


def referrals_reward(*, today: dt.date | None = None) -> int:
    """Reward both sides of each pending referral whose prospect became a customer (a contract or a
    purchase). Idempotent: run daily (and after each earning run); each side's entry has its own key.
    The referred person is enrolled in the referrer's programme. Returns referrals rewarded."""
    today = today or timezone.localdate()
    pending = (Referral.objects.filter(status=ReferralStatus.PENDING, referred__stage=Stage.CUSTOMER,
                                       referred__erased_at__isnull=True)
               .filter(Q(referred__in=Contract.objects.values("party_id"))
                       | Q(referred__in=Transaction.objects.filter(amount__gt=0).values("party_id")))
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

@transaction.atomic
def programme_update(*, programme: Programme, actor: User, version: int, **values: object) -> Programme:
    fields = ("name", "is_active", "points_per_euro", "validity_months", "referrer_points", "referred_points")
    changes = {k: v for k, v in values.items() if k in fields}
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationFailed(_("Some fields are not valid."), fields={"name": [_("A name is required.")]})
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
