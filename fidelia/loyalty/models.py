"""Loyalty programmes: earning rules, tiers, rewards, members, the points ledger, referrals, clubs.

The ledger is append-only: a member's balance is the sum of their entries, never a stored counter,
and a mistake is corrected by a new entry. Each entry carries a unique `source_key` (the purchase,
the expiry day, the referral, the redemption), so every job can be re-run without earning twice.
The ORM refuses to update an entry and a database trigger (migration 0002) refuses it too; rows are
only deleted with the member when the person is erased.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.loyalty.enums import EntryKind, ReferralStatus


class Programme(VersionedModel):
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    points_per_euro = models.DecimalField(_("points per euro"), max_digits=8, decimal_places=2, default=1,
                                          validators=[MinValueValidator(0)])
    validity_months = models.PositiveSmallIntegerField(_("points valid for (months)"), default=24)
    referrer_points = models.PositiveIntegerField(_("points for the referrer"), default=500)
    referred_points = models.PositiveIntegerField(_("points for the referred customer"), default=250)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")

    def __str__(self) -> str:
        return self.name


class FamilyRule(models.Model):
    """Points per euro on a product family, replacing the programme's base rate."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="family_rules")
    family = models.ForeignKey("sales.ProductFamily", verbose_name=_("product family"), on_delete=models.CASCADE,
                               related_name="+")
    points_per_euro = models.DecimalField(_("points per euro"), max_digits=8, decimal_places=2,
                                          validators=[MinValueValidator(0)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "family"], name="loyalty_family_rule_unique")]
        verbose_name = _("family earning rule")
        verbose_name_plural = _("family earning rules")

    def __str__(self) -> str:
        return f"{self.family_id}: {self.points_per_euro}"


class BonusEvent(models.Model):
    """Purchases dated within [starts_on, ends_on] earn `multiplier` times the points (the highest applies)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="bonus_events")
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2, default=2,
                                     validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("bonus event")
        verbose_name_plural = _("bonus events")

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A level reached by the points earned over the last 12 months."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=60)
    threshold = models.PositiveIntegerField(_("points earned over 12 months"))
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        ordering = ["programme", "threshold"]
        constraints = [models.UniqueConstraint(fields=["programme", "threshold"], name="loyalty_tier_threshold_unique")]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.name


class Reward(VersionedModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rewards")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveIntegerField(_("cost in points"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        ordering = ["programme", "cost", "id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")

    def __str__(self) -> str:
        return self.name


class Membership(VersionedModel):
    """A party enrolled in a programme. `version` moves at each redemption, so a stale form is refused."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="loyalty_memberships")
    joined_on = models.DateField(_("member since"))
    referral_code = models.CharField(_("referral code"), max_length=12, unique=True)
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members")

    class Meta:
        ordering = ["-joined_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["programme", "party"], name="loyalty_membership_unique")]
        verbose_name = _("loyalty member")
        verbose_name_plural = _("loyalty members")


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The points ledger is append-only: add a correcting entry instead.")


class LedgerEntry(models.Model):
    """One movement of points (positive: earned; negative: redeemed, expired, corrected)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    occurred_on = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=200, blank=True)
    source_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["membership", "occurred_on"])]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind} {self.points:+d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("The points ledger is append-only: add a correcting entry instead.")
        super().save(*args, **kwargs)


class Redemption(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="redemptions")
    reward = models.ForeignKey(Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.CASCADE, related_name="redemption")
    points = models.PositiveIntegerField(_("points"))
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.reward_id} −{self.points}"


class Referral(TimeStampedModel):
    """A member (the referrer, through their code) brought a prospect; both earn once the prospect buys."""

    referrer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="referrals")
    referred = models.OneToOneField("parties.Party", on_delete=models.CASCADE, related_name="loyalty_referral")
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.PENDING, db_index=True)
    rewarded_on = models.DateField(_("rewarded on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")


class Club(TimeStampedModel):
    """A community of customers (a tagged group) with its own communications, targeted through the
    `loyalty.club` fact."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField("parties.Party", through="ClubEnrolment", related_name="loyalty_clubs")

    class Meta:
        ordering = ["name"]
        verbose_name = _("club")
        verbose_name_plural = _("clubs")

    def __str__(self) -> str:
        return self.name


class ClubEnrolment(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="enrolments")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="loyalty_club_enrolments")
    consent_at = models.DateTimeField(_("consent given on"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["club", "party"], name="loyalty_club_enrolment_unique")]
        verbose_name = _("club enrolment")
        verbose_name_plural = _("club enrolments")

    def __str__(self) -> str:
        return f"{self.club_id}/{self.party_id}"
