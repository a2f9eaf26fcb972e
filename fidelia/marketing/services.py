"""Writes of marketing: `<entity>_<verb>`, keyword-only, atomic, audited in the same transaction.

Sending is idempotent per recipient: planning inserts one `CampaignRecipient` per (campaign,
party) (unique), a batch claims its rows (planned → sending) before delivering, and each delivery
writes one `Solicitation` keyed by campaign and party. Consent, suppression and pressure are
checked again when the batch is sent, not only when the campaign is planned.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.actions.compiler import compile_condition
from fidelia.core import events
from fidelia.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from fidelia.marketing import content
from fidelia.marketing.channels import OutboundMessage, plugin
from fidelia.marketing.eligibility import CONSENT_CHANNEL, evaluate, plan_decisions
from fidelia.marketing.enums import (
    CampaignChannel,
    CampaignStatus,
    RecipientGroup,
    RecipientStatus,
    ResponseKind,
)
from fidelia.marketing.models import (
    Campaign,
    CampaignRecipient,
    CampaignResponse,
    Segment,
    SegmentVersion,
    Solicitation,
)
from fidelia.marketing.rules import send_window_open
from fidelia.marketing.selectors import segment_evaluate
from fidelia.parties.enums import ConsentPurpose, ConsentSource
from fidelia.parties.models import Party
from fidelia.parties.services import consent_record
from fidelia.sales.models import Transaction

if TYPE_CHECKING:
    from fidelia.accounts.models import User

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "fidelia.marketing.unsubscribe"
CLICK_SALT = "fidelia.marketing.click"
REPLY_SALT = "fidelia.marketing.reply"
FORM_SALT = "fidelia.marketing.form"
FORM_TOKEN_MAX_AGE = 366 * 24 * 3600   # the campaign's attribution window is the real limit
# "<mk.<recipient>.<signature>@domain>": the Message-ID of a campaign e-mail, found again in the
# In-Reply-To/References of a reply (or in a plus-addressed recipient, "service+mk.<id>.<sig>@").
REPLY_TOKEN_RE = re.compile(r"\bmk\.(\d{1,19})\.([A-Za-z0-9_-]{10,64})@")
INSERT_CHUNK = 2000


def _require(user: User | None) -> None:
    if user is not None and not policies.can_run_campaigns(user):
        raise PermissionDenied(_("You may not build segments or run campaigns."))


def _check_version(obj: Any, version: int | None) -> None:
    if obj.pk and version is not None and obj.version != version:
        raise StaleVersion(_("Someone changed this record since you opened it; reload and try again."))


# --- segments ---

@transaction.atomic
def segment_save(*, actor: User, name: str, definition: Any, description: str = "",
                 segment: Segment | None = None, version: int | None = None) -> Segment:
    """Create or update a segment; every saved definition is kept in its history."""
    _require(actor)
    name = (name or "").strip()
    if not name or len(name) > 120:
        message = _("The name is required (at most 120 characters).")
        raise ValidationFailed(message, fields={"name": [message]})
    compile_condition(definition, as_of=timezone.localdate())  # names the faulty clause
    segment = segment or Segment()
    _check_version(segment, version)
    creating = segment.pk is None
    segment.name, segment.description, segment.definition = name, (description or "").strip()[:300], definition
    if creating:
        segment.created_by = actor
    else:
        segment.version += 1
    segment.save()
    SegmentVersion.objects.create(segment=segment, version=segment.version, definition=definition, saved_by=actor)
    events.record(actor=actor, action="segment.created" if creating else "segment.updated", obj=segment,
                  party_id=None, changes={"name": name})
    return segment


# --- campaigns ---

CAMPAIGN_TEXT = ("name", "subject_fr", "subject_en", "body_fr", "body_en", "variant_b_subject", "script")


def _decimal(value: Any, where: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not low <= number <= high:
        message = _("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high}
        raise ValidationFailed(message, fields={where: [message]})
    return number


def _campaign_errors(c: Campaign) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not c.name.strip():
        errors["name"] = [_("The name is required.")]
    if c.channel not in CampaignChannel.values:
        errors["channel"] = [_("Choose a channel.")]
    if c.purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Choose a purpose.")]
    if c.starts_on and c.ends_on and c.ends_on < c.starts_on:
        errors["ends_on"] = [_("The end is before the start.")]
    if c.send_from >= c.send_until:
        errors["send_until"] = [_("The send window must end after it starts.")]
    if c.channel in {CampaignChannel.EMAIL} and not (c.subject_fr or c.subject_en):
        errors["subject_fr"] = [_("An e-mail needs a subject.")]
    if not (c.body_fr or c.body_en):
        errors["body_fr"] = [_("Write the message in French or English.")]
    if not 1 <= c.attribution_days <= 365:
        errors["attribution_days"] = [_("The attribution window is 1 to 365 days.")]
    return errors


@transaction.atomic
def campaign_save(*, actor: User, campaign: Campaign | None = None, version: int | None = None,
                  **values: Any) -> Campaign:
    """Create or change a draft campaign; templates with an unknown personalisation field are refused."""
    _require(actor)
    campaign = campaign or Campaign(created_by=actor)
    _check_version(campaign, version)
    if campaign.pk and campaign.status != CampaignStatus.DRAFT:
        raise ValidationFailed(_("Only a draft campaign can be changed."))
    for key, value in values.items():
        if key in {"control_share"}:
            value = _decimal(value, key, Decimal(0), Decimal("0.5"))
        elif key in {"fixed_cost", "cost_per_message"}:
            value = _decimal(value, key, Decimal(0), Decimal("1e9"))
        elif key == "margin_rate":
            value = _decimal(value, key, Decimal(0), Decimal(1))
        elif key in CAMPAIGN_TEXT:
            value = (value or "").strip()
        elif key not in {"channel", "segment", "purpose", "starts_on", "ends_on", "wave_size", "send_from",
                         "send_until", "seed", "attribution_days", "winner_rule", "trigger"}:
            raise ValidationFailed(f"Unknown campaign field {key!r}.")
        setattr(campaign, key, value)
    for key in ("subject_fr", "subject_en", "body_fr", "body_en", "variant_b_subject", "script"):
        content.validate_template(getattr(campaign, key), where=key)
    errors = _campaign_errors(campaign)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    creating = campaign.pk is None
    if not creating:
        campaign.version += 1
    campaign.save()
    events.record(actor=actor, action="campaign.created" if creating else "campaign.updated", obj=campaign,
                  party_id=None, changes={"name": campaign.name, "channel": campaign.channel})
    return campaign


@dataclass
class PlanReport:
    targeted: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    test: int = 0
    control: int = 0


def _stratum(row: dict) -> str:
    return f"{row['owner_id'] or '-'}|{row['kind']}"


def split_control(eligible: list[tuple[int, str]], *, share: Decimal, seed: int) -> set[int]:
    """Stratified random hold-out: in each stratum (owner × kind), round(n × share) parties drawn
    with a seeded generator, so the control mirrors the test group and a re-plan draws the same."""
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for pid, stratum in eligible:
        by_stratum[stratum].append(pid)
    control: set[int] = set()
    rng = random.Random(seed)
    carry = 0.0
    for stratum in sorted(by_stratum):
        ids = sorted(by_stratum[stratum])
        exact = len(ids) * float(share) + carry
        k = int(exact + 0.5)
        carry = exact - k  # keeps the overall share exact across many small strata
        control.update(rng.sample(ids, min(k, len(ids))))
    return control


@transaction.atomic
def campaign_plan(*, campaign: Campaign, actor: User | None, now: dt.datetime | None = None) -> PlanReport:
    """Snapshot the segment's members as recipients, exclude who may not be contacted (with the
    reason), and draw the control group. Idempotent: planning an already planned campaign changes nothing."""
    _require(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        return campaign_plan_report(campaign)
    if campaign.segment is None:
        raise ValidationFailed(_("Choose a segment before planning."), fields={"segment": [_("Required.")]})
    now = now or timezone.now()
    ids = list(segment_evaluate(definition=campaign.segment.definition, user=actor, as_of=timezone.localdate(now))
               .values_list("pk", flat=True)) if actor else list(
        segment_evaluate_all(campaign.segment.definition, timezone.localdate(now)))
    materialise_recipients(campaign=campaign, party_ids=ids, now=now)
    campaign.status, campaign.planned_at = CampaignStatus.PLANNED, now
    campaign.version += 1
    campaign.save(update_fields=["status", "planned_at", "version", "updated_at"])
    report = campaign_plan_report(campaign)
    events.record(actor=actor, action="campaign.planned", obj=campaign, party_id=None,
                  changes={"targeted": report.targeted, "control": report.control})
    return report


def materialise_recipients(*, campaign: Campaign, party_ids: list[int], now: dt.datetime) -> None:
    """Insert one recipient row per party (existing rows untouched): excluded with the reason,
    held out (control), or to send; used by planning and by the daily triggers. The rules are
    decided in SQL (`plan_decisions`) and the rows written in one INSERT per chunk."""
    decisions = plan_decisions(party_ids, channel=campaign.channel, purpose=campaign.purpose, now=now)
    strata = {pid: f"{owner or '-'}|{kind}" for pid, _r, owner, kind, _l in decisions}
    control = split_control([(pid, strata[pid]) for pid, reason, _o, _k, _l in decisions if not reason],
                            share=campaign.control_share, seed=campaign.seed)
    rng = random.Random(campaign.seed + 1)
    rows = []
    for pid, reason, _o, _k, language in decisions:  # ordered by party id: the variants are drawn reproducibly
        group = RecipientGroup.CONTROL if pid in control else RecipientGroup.TEST
        status = (RecipientStatus.EXCLUDED if reason else
                  RecipientStatus.HELD_OUT if group == RecipientGroup.CONTROL else RecipientStatus.PLANNED)
        variant = "B" if campaign.variant_b_subject and rng.random() < 0.5 else "A"
        rows.append((pid, str(group), str(status), reason, strata[pid], variant, language))
    _insert_recipients(campaign, rows)


def _insert_recipients(campaign: Campaign, rows: list[tuple[int, str, str, str, str, str, str]]) -> None:
    """(party, group, status, reason, stratum, variant, language) rows; PostgreSQL: INSERT … SELECT
    over arrays."""
    if connection.vendor != "postgresql":
        CampaignRecipient.objects.bulk_create(
            [CampaignRecipient(campaign=campaign, party_id=p, group=g, status=s, reason=r, stratum=st, variant=v,
                               language=lang)
             for p, g, s, r, st, v, lang in rows], batch_size=INSERT_CHUNK, ignore_conflicts=True)
        return
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            columns = list(zip(*rows[start:start + 50_000], strict=True))
            cursor.execute(
                f'INSERT INTO {table} (campaign_id, party_id, "group", status, reason, stratum, variant, address, '
                "language, attempts, sent_at, error, claim) "
                "SELECT %s, p, g, s, r, st, v, '', l, 0, NULL, '', '' "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
                "AS t(p, g, s, r, st, v, l) ON CONFLICT (campaign_id, party_id) DO NOTHING",
                [campaign.pk, *(list(c) for c in columns)])


def segment_evaluate_all(definition: Any, as_of: dt.date) -> Any:
    """Members without a user's visibility (triggers and system jobs only)."""
    from fidelia.actions.compiler import matching_parties

    return matching_parties(definition, as_of=as_of).values_list("pk", flat=True)


def campaign_plan_report(campaign: Campaign) -> PlanReport:
    from django.db.models import Count

    report = PlanReport()
    for row in CampaignRecipient.objects.filter(campaign=campaign).values("status", "reason").annotate(n=Count("id")):
        report.targeted += row["n"]
        if row["status"] == RecipientStatus.EXCLUDED:
            report.excluded[row["reason"]] = report.excluded.get(row["reason"], 0) + row["n"]
        elif row["status"] == RecipientStatus.HELD_OUT:
            report.control += row["n"]
        else:
            report.test += row["n"]
    return report


def _set_status(campaign: Campaign, status: str, actor: User | None, **extra: Any) -> Campaign:
    campaign.status = status
    for key, value in extra.items():
        setattr(campaign, key, value)
    campaign.version += 1
    campaign.save(update_fields=["status", "version", "updated_at", *extra])
    events.record(actor=actor, action=f"campaign.{status}", obj=campaign, party_id=None)
    return campaign


@transaction.atomic
def campaign_launch(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Start sending a planned campaign; launching again (a double click) changes nothing."""
    _require(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.DRAFT:
        raise ValidationFailed(_("Plan the campaign before launching it."))
    if campaign.status != CampaignStatus.PLANNED:
        return campaign
    _set_status(campaign, CampaignStatus.SENDING, actor, launched_at=timezone.now())
    _dispatch_after_commit(campaign.pk)
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Stop sending: batches already claimed finish, nothing new starts."""
    _require(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.SENDING:
        _set_status(campaign, CampaignStatus.PAUSED, actor)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Resume a paused campaign: only rows still to send are sent (never twice)."""
    _require(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.PAUSED:
        _set_status(campaign, CampaignStatus.SENDING, actor)
        _dispatch_after_commit(campaign.pk)
    return campaign


def _dispatch_after_commit(campaign_id: int) -> None:
    from fidelia.marketing.tasks import campaign_dispatch_task

    transaction.on_commit(lambda: campaign_dispatch_task.delay(campaign_id))


def campaign_dispatch(*, campaign_id: int, now: dt.datetime | None = None) -> list[list[int]]:
    """The batches of recipient ids to send now: nothing outside the send window or beyond the
    campaign's end, at most the day's wave. Marks the campaign done when nothing is left."""
    campaign = Campaign.objects.get(pk=campaign_id)
    now = now or timezone.now()
    local = timezone.localtime(now)
    if campaign.status != CampaignStatus.SENDING:
        return []
    pending = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PLANNED)
    if campaign.ends_on and local.date() > campaign.ends_on:
        pending.update(status=RecipientStatus.EXCLUDED, reason="")
    if not pending.exists():
        if not CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.SENDING).exists():
            _set_status(campaign, CampaignStatus.DONE, None)
        return []
    if (campaign.starts_on and local.date() < campaign.starts_on) or not send_window_open(
            local, campaign.send_from, campaign.send_until):
        return []
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    if campaign.wave_size:
        today = timezone.make_aware(dt.datetime.combine(local.date(), dt.time.min))
        done_today = CampaignRecipient.objects.filter(campaign=campaign, sent_at__gte=today).count()
        ids = ids[:max(0, campaign.wave_size - done_today)]
    size = settings.FIDELIA_MARKETING_BATCH_SIZE
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def unsubscribe_token(recipient_id: int) -> str:
    return signing.dumps(recipient_id, salt=UNSUBSCRIBE_SALT, compress=True)


def click_token(recipient_id: int, url: str) -> str:
    return signing.dumps([recipient_id, url], salt=CLICK_SALT, compress=True)


def reply_signer() -> signing.Signer:
    return signing.Signer(salt=REPLY_SALT, sep=".")


def reply_message_id(recipient_id: int) -> str:
    """The Message-ID of a recipient's e-mail: it carries the signed recipient id, so a reply's
    In-Reply-To names the recipient without any lookup table."""
    domain = settings.FIDELIA_MARKETING_FROM_EMAIL.rpartition("@")[2] or "fidelia.invalid"
    return f"<mk.{reply_signer().sign(str(recipient_id))}@{domain}>"


def form_token(recipient_id: int) -> str:
    return signing.dumps(recipient_id, salt=FORM_SALT, compress=True)


def _absolute(path: str) -> str:
    return settings.FIDELIA_MARKETING_PUBLIC_URL + path


def personal_values(row: dict, recipient_id: int, owner_names: dict[int, str]) -> dict[str, str]:
    token = unsubscribe_token(recipient_id)
    return {"civility": row.get("civility") or "", "first_name": row.get("first_name") or "",
            "last_name": row.get("last_name") or "", "display_name": row.get("display_name") or "",
            "city": row.get("city") or "", "owner_name": owner_names.get(row.get("owner_id") or 0, ""),
            "unsubscribe_url": _absolute(reverse("marketing:unsubscribe", args=[token])),
            "tracked_url": _absolute(reverse("marketing:click", args=[click_token(recipient_id, "/")]))}


def build_message(campaign: Campaign, recipient: CampaignRecipient, row: dict, address: str,
                  owner_names: dict[int, str]) -> OutboundMessage:
    """The personalised message of one recipient, in their language (French by default)."""
    values = personal_values(row, recipient.pk, owner_names)
    english = recipient.language == "en" and (campaign.body_en or campaign.subject_en)
    subject = campaign.subject_en if english else (campaign.subject_fr or campaign.subject_en)
    if recipient.variant == "B" and campaign.variant_b_subject:
        subject = campaign.variant_b_subject
    body = campaign.body_en if english else (campaign.body_fr or campaign.body_en)
    if campaign.channel == CampaignChannel.PHONE and campaign.script:
        body = campaign.script
    text = content.render(body, values)
    if campaign.channel == CampaignChannel.EMAIL and "unsubscribe_url" not in content.template_fields(body):
        with translation.override("en" if english else "fr"):   # the language of the message, not the worker's
            text += "\n\n" + _("To stop receiving these messages: %(url)s") % {"url": values["unsubscribe_url"]}
    return OutboundMessage(recipient_id=recipient.pk, party_id=recipient.party_id, address=address,
                           subject=content.render(subject, values), body=text,
                           unsubscribe_url=values["unsubscribe_url"],
                           extra={"campaign_id": campaign.pk, "message_id": reply_message_id(recipient.pk),
                                  "reply_to": settings.FIDELIA_MARKETING_REPLY_TO,
                                  "language": recipient.language if english else "fr"})


def _claim(campaign: Campaign, ids: list[int]) -> list[CampaignRecipient]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        CampaignRecipient.objects.filter(pk__in=ids, campaign=campaign, status=RecipientStatus.PLANNED).update(
            status=RecipientStatus.SENDING, claim=token)
    return list(CampaignRecipient.objects.filter(pk__in=ids, claim=token, status=RecipientStatus.SENDING))


def campaign_send_batch(*, campaign_id: int, recipient_ids: list[int], now: dt.datetime | None = None) -> dict[str, int]:
    """Send one batch: claim the rows, check consent, suppression and pressure again, deliver
    through the channel plug-in, record each solicitation. Safe to retry and to run concurrently."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != CampaignStatus.SENDING:
        return {"sent": 0}
    claimed = _claim(campaign, recipient_ids)
    if not claimed:
        return {"sent": 0}
    now = now or timezone.now()
    decisions = evaluate([r.party_id for r in claimed], channel=campaign.channel, purpose=campaign.purpose, now=now)
    owner_ids = {row["owner_id"] for _r, row in decisions.values() if row["owner_id"]}
    from fidelia.accounts.models import User as UserModel

    owner_names = {u.pk: u.get_full_name() or u.username for u in UserModel.objects.filter(pk__in=owner_ids)}
    messages, excluded = [], []
    for r in claimed:
        reason, row = decisions.get(r.party_id, ("erased", {}))
        if reason:
            r.status, r.reason = RecipientStatus.EXCLUDED, reason
            excluded.append(r)
            continue
        from fidelia.marketing.eligibility import address_of

        address = address_of(campaign.channel, row)
        r.address, r.language = address, row.get("language") or r.language
        messages.append(build_message(campaign, r, row, address, owner_names))
    CampaignRecipient.objects.bulk_update(excluded, ["status", "reason"])
    results = plugin(campaign.channel).deliver(messages) if messages else []
    rate = settings.FIDELIA_MARKETING_RATE_PER_SECOND
    if rate:
        time.sleep(len(messages) / rate)
    return _record_deliveries(campaign, {r.pk: r for r in claimed}, results)


@transaction.atomic
def _record_deliveries(campaign: Campaign, rows: dict[int, CampaignRecipient], results: list) -> dict[str, int]:
    sent_at = timezone.now()
    updated, ledger = [], []
    counts = {"sent": 0, "failed": 0, "bounced": 0}
    for d in results:
        r = rows[d.recipient_id]
        r.attempts += 1
        if d.ok:
            r.status, r.sent_at, r.error = RecipientStatus.SENT, sent_at, ""
            ledger.append(Solicitation(party_id=r.party_id, channel=campaign.channel, campaign=campaign, at=sent_at,
                                       key=f"c{campaign.pk}:p{r.party_id}"))
            counts["sent"] += 1
        elif d.bounced:
            r.status, r.error = RecipientStatus.BOUNCED, d.error
            counts["bounced"] += 1
        else:
            retry = r.attempts < settings.FIDELIA_MARKETING_MAX_RETRIES
            r.status, r.error = (RecipientStatus.PLANNED if retry else RecipientStatus.FAILED), d.error
            counts["failed"] += 1
        updated.append(r)
    CampaignRecipient.objects.bulk_update(updated, ["status", "sent_at", "error", "attempts", "address", "language"],
                                          batch_size=INSERT_CHUNK)
    # The solicitation ledger counts the message; the customer's "last contact we made" stays that of a
    # person (a rep's call, visit or e-mail), so a mass mailing does not reset "not contacted for N days".
    Solicitation.objects.bulk_create(ledger, batch_size=INSERT_CHUNK, ignore_conflicts=True)
    return counts


# --- responses ---

def _recipient_from(token: str, salt: str) -> Any:
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None


@transaction.atomic
def recipient_unsubscribe(*, token: str) -> CampaignRecipient | None:
    """One-click unsubscribe: withdraws the consent of the campaign's channel and purpose (a new
    consent record) and notes the answer. Idempotent; None for an invalid or tampered token."""
    rid = _recipient_from(token, UNSUBSCRIBE_SALT)
    recipient = (CampaignRecipient.objects.select_related("campaign", "party").filter(pk=rid).first()
                 if isinstance(rid, int) else None)
    if recipient is None:
        return None
    if CampaignResponse.objects.filter(recipient=recipient, key="unsubscribe").exists():
        return recipient
    campaign = recipient.campaign
    consent_record(party=recipient.party, actor=None, channel=CONSENT_CHANNEL[campaign.channel],
                   purpose=campaign.purpose, granted=False, source=ConsentSource.EMAIL,
                   wording=_("One-click unsubscribe from the campaign “%(name)s”.") % {"name": campaign.name})
    CampaignResponse.objects.create(recipient=recipient, kind=ResponseKind.UNSUBSCRIBE, at=timezone.now(),
                                    key="unsubscribe")
    return recipient


@dataclass(frozen=True)
class Click:
    target: str          # where to send the browser, with the signed `c` token of the recipient
    form_token: str      # the same token, for the short-lived cookie read by the web form
    language: str


def click_record(*, token: str) -> Click | None:
    """Record a click on a tracked link; the target (a local path) gets a signed `c=` token naming the
    recipient, so a web form reached through it counts as a response. None if the token is invalid."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    data = _recipient_from(token, CLICK_SALT)
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) and isinstance(data[1], str)):
        return None
    recipient = CampaignRecipient.objects.filter(pk=data[0]).first()
    if recipient is None:
        return None
    CampaignResponse.objects.create(recipient=recipient, kind=ResponseKind.CLICK, at=timezone.now(), url=data[1][:500])
    ftoken = form_token(recipient.pk)
    parts = urlsplit(data[1])
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "c"] + [("c", ftoken)]
    return Click(urlunsplit(parts._replace(query=urlencode(query))), ftoken, recipient.language)


def unsubscribe_recipient(token: str) -> CampaignRecipient | None:
    """The recipient an unsubscribe link names (None if invalid), to show the page in their language."""
    rid = _recipient_from(token, UNSUBSCRIBE_SALT)
    return CampaignRecipient.objects.filter(pk=rid).first() if isinstance(rid, int) else None


@transaction.atomic
def campaign_response_record(*, recipient: CampaignRecipient, kind: str, actor: User | None,
                             at: dt.datetime | None = None) -> CampaignResponse:
    """A reply or a refusal noted by hand (or by the inbound mail listener)."""
    if kind not in {ResponseKind.REPLY, ResponseKind.REFUSAL}:
        raise ValidationFailed(_("Only a reply or a refusal can be recorded by hand."))
    row = CampaignResponse.objects.create(recipient=recipient, kind=kind, at=at or timezone.now())
    events.record(actor=actor, action=f"campaign.response.{kind}", obj=row, party_id=recipient.party_id)
    return row


# --- attribution: orders, opportunities, replies, web forms ---
#
# Rule (docs/marketing.md): a response is attributed to the campaigns whose window covers it —
# launched on or before its day, at most `attribution_days` days before — among those that reached
# the party (sent to, or held out as control). When several qualify, the LAST TOUCH wins: the most
# recently launched one. So an order is counted once, in one campaign, and campaigns compared side by
# side never share revenue. Each response has a key ("tx:<id>", "opp:<id>", "form:<lead>",
# "mail:<digest>"); recording again changes nothing.

ATTRIBUTED = (RecipientStatus.SENT, RecipientStatus.HELD_OUT)
ATTRIBUTION_CHUNK = 2000


@dataclass(frozen=True)
class Touch:
    """A party reached by a launched campaign, and the window in which its responses count."""
    recipient_id: int
    party_id: int
    campaign_id: int
    launched_at: dt.datetime
    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _touches(party_ids: Any, campaign_ids: Any = None) -> dict[int, list[Touch]]:
    """party_id → the launched campaigns that reached them (one query; ids may be a subquery)."""
    rows = CampaignRecipient.objects.filter(party_id__in=party_ids, status__in=ATTRIBUTED,
                                            campaign__launched_at__isnull=False)
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=campaign_ids)
    out: dict[int, list[Touch]] = defaultdict(list)
    for rid, pid, cid, launched, days in rows.values_list(
            "pk", "party_id", "campaign_id", "campaign__launched_at", "campaign__attribution_days"):
        start = timezone.localdate(launched)
        out[pid].append(Touch(rid, pid, cid, launched, start, start + dt.timedelta(days=days)))
    return out


def last_touch(touches: list[Touch], day: dt.date) -> Touch | None:
    """The campaign a response of `day` belongs to: the most recently launched whose window covers it."""
    covering = [t for t in touches if t.covers(day)]
    return max(covering, key=lambda t: (t.launched_at, t.campaign_id)) if covering else None


def _attribute(items: list[tuple[str, int, dt.date, dt.datetime, Decimal, Decimal]], kind: str,
               touches: dict[int, list[Touch]]) -> int:
    """(key, party, day, at, amount, margin) → new responses, skipping keys already attributed to
    any campaign (an attribution is never moved or doubled)."""
    done = set(CampaignResponse.objects.filter(kind=kind, key__in=[i[0] for i in items])
               .values_list("key", flat=True))
    rows = []
    for key, pid, day, at, amount, margin in items:
        touch = None if key in done else last_touch(touches.get(pid, []), day)
        if touch is not None:
            rows.append((touch.recipient_id, kind, at, amount, margin, key))
    _insert_responses(rows)
    return len(rows)


def _insert_responses(rows: list[tuple[int, str, dt.datetime, Decimal, Decimal, str]]) -> None:
    """(recipient, kind, at, amount, margin, key) rows, existing keys left alone; PostgreSQL: one
    INSERT … SELECT over arrays (no model instance per row)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        CampaignResponse.objects.bulk_create(
            [CampaignResponse(recipient_id=r, kind=k, at=at, amount=a, margin=m, key=key) for r, k, at, a, m, key in rows],
            batch_size=INSERT_CHUNK, ignore_conflicts=True)
        return
    table = CampaignResponse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (created_at, updated_at, recipient_id, kind, at, amount, margin, url, key) "
            "SELECT now(), now(), r, k, a, m1, m2, '', y FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], "
            "%s::numeric[], %s::numeric[], %s::text[]) AS t(r, k, a, m1, m2, y) ON CONFLICT DO NOTHING",
            [list(c) for c in zip(*rows, strict=True)])


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@transaction.atomic
def orders_attribute(*, transactions: Any, campaign_ids: Any = None) -> int:
    """Attribute purchases (a queryset of `sales.Transaction`, refunds ignored) to the campaigns that
    reached their buyer — test AND control, for the uplift — by the last-touch rule. A few queries per
    2,000 purchases, whatever the number of campaigns. Returns the number of orders attributed."""
    new = 0
    rows = list(transactions.filter(amount__gt=0).order_by("pk").values_list("pk", "party_id", "amount", "margin",
                                                                            "date"))
    for start in range(0, len(rows), ATTRIBUTION_CHUNK):
        chunk = rows[start:start + ATTRIBUTION_CHUNK]
        touches = _touches({r[1] for r in chunk}, campaign_ids)
        items = [(f"tx:{tx}", pid, day, _noon(day), amount, margin) for tx, pid, amount, margin, day in chunk]
        new += _attribute(items, ResponseKind.ORDER, touches)
    return new


@transaction.atomic
def opportunities_attribute(*, opportunities: Any, campaign_ids: Any = None) -> int:
    """An opportunity opened for a party within a campaign's window is a response of that campaign
    (last touch; its amount is not revenue: the sale counts when it is recorded as a purchase)."""
    new = 0
    rows = list(opportunities.order_by("pk").values_list("pk", "party_id", "created_at"))
    for start in range(0, len(rows), ATTRIBUTION_CHUNK):
        chunk = rows[start:start + ATTRIBUTION_CHUNK]
        touches = _touches({r[1] for r in chunk}, campaign_ids)
        items = [(f"opp:{pk}", pid, timezone.localdate(at), at, Decimal(0), Decimal(0)) for pk, pid, at in chunk]
        new += _attribute(items, ResponseKind.OPPORTUNITY, touches)
    return new


def _attribution_open(today: dt.date) -> list[int]:
    """Campaigns whose attribution window is open, or closed within the last day (one query over
    the campaigns launched in the last 367 days: a window is at most 365 days)."""
    horizon = today - dt.timedelta(days=1)
    oldest = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=367), dt.time.min))
    launched = Campaign.objects.filter(launched_at__gte=oldest, launched_at__lte=timezone.now())
    return [pk for pk, at, days in launched.values_list("pk", "launched_at", "attribution_days")
            if timezone.localdate(at) + dt.timedelta(days=days) >= horizon]


def attribution_catch_up(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: attribute what the live signals missed (a failed receiver, purchases loaded by SQL,
    a window reopened by a late launch) for the campaigns whose window is open or just closed."""
    from fidelia.sales.models import Opportunity

    today = today or timezone.localdate()
    campaign_ids = _attribution_open(today)
    if not campaign_ids:
        return {"campaigns": 0, "orders": 0, "opportunities": 0}
    first = min(timezone.localdate(at) for at in Campaign.objects.filter(pk__in=campaign_ids)
                .values_list("launched_at", flat=True))
    parties = CampaignRecipient.objects.filter(campaign_id__in=campaign_ids, status__in=ATTRIBUTED).values("party_id")
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    orders = orders_attribute(transactions=Transaction.objects.filter(party_id__in=parties, date__gte=first,
                                                                      date__lte=today))
    opps = opportunities_attribute(opportunities=Opportunity.objects.filter(party_id__in=parties,
                                                                            created_at__gte=since))
    return {"campaigns": len(campaign_ids), "orders": orders, "opportunities": opps}


@transaction.atomic
def campaign_attribute(*, campaign: Campaign, until: dt.date | None = None) -> int:
    """Attribute the purchases of one campaign's recipients made in its window (the same last-touch
    rule as the live attribution). Returns the number of new orders of this campaign."""
    if campaign.launched_at is None:
        return 0
    start = timezone.localdate(campaign.launched_at)
    end = min(start + dt.timedelta(days=campaign.attribution_days), until or timezone.localdate())
    parties = CampaignRecipient.objects.filter(campaign=campaign, status__in=ATTRIBUTED).values("party_id")
    before = CampaignResponse.objects.filter(recipient__campaign=campaign, kind=ResponseKind.ORDER).count()
    orders_attribute(transactions=Transaction.objects.filter(party_id__in=parties, date__gte=start, date__lte=end))
    return CampaignResponse.objects.filter(recipient__campaign=campaign, kind=ResponseKind.ORDER).count() - before


def reply_recipient(texts: list[str]) -> CampaignRecipient | None:
    """The recipient named by a campaign Message-ID (or plus address) in `texts`, if its signature holds."""
    for text in texts:
        for rid, sig in REPLY_TOKEN_RE.findall(text or ""):
            try:
                value = reply_signer().unsign(f"{rid}.{sig}")
            except signing.BadSignature:
                continue
            recipient = CampaignRecipient.objects.filter(pk=int(value)).first()
            if recipient is not None:
                return recipient
    return None


def campaign_reply_capture(*, message_id: str, references: list[str], recipients: list[str] = (),  # type: ignore[assignment]
                           at: dt.datetime | None = None, raw: bytes = b"") -> CampaignResponse | None:
    """An inbound e-mail answering a campaign message is a REPLY of its recipient (once per inbound
    message: the key is a digest of its Message-ID). None when it answers no campaign message."""
    try:
        with transaction.atomic():  # a savepoint: a failure here never loses the inbound message's case
            recipient = reply_recipient([*reversed(references[-50:]), *recipients])
            if recipient is None:
                return None
            digest = hashlib.sha256((message_id or "").encode() or raw).hexdigest()[:40]
            row, created = CampaignResponse.objects.get_or_create(
                recipient=recipient, key=f"mail:{digest}",
                defaults={"kind": ResponseKind.REPLY, "at": at or timezone.now()})
            if created:
                events.record(actor=None, action="campaign.response.reply", obj=row, party_id=recipient.party_id)
            return row
    except Exception:
        log.exception("recording a campaign reply failed (message %s)", message_id[:100])
        return None


def form_response_capture(*, lead_id: int, email: str, token: str = "", at: dt.datetime | None = None
                          ) -> CampaignResponse | None:
    """A public web-form lead is a FORM response: of the recipient named by the signed `c` token of
    the tracked link that led to the form, else of the campaign (last touch) that reached a person
    with the same e-mail, within the window. A tampered or stale token is ignored, never an error."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    touch = None
    rid = None
    if token:
        try:
            rid = signing.loads(token, salt=FORM_SALT, max_age=FORM_TOKEN_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError):
            rid = None
    if isinstance(rid, int) and not isinstance(rid, bool):
        pid = CampaignRecipient.objects.filter(pk=rid).values_list("party_id", flat=True).first()
        if pid is not None:
            touch = next((t for t in _touches([pid]).get(pid, []) if t.recipient_id == rid and t.covers(day)), None)
    if touch is None and email:
        from fidelia.core.validation import email_match_key

        parties = Party.objects.filter(email__iexact=email_match_key(email), erased_at__isnull=True).values("pk")
        touches = [t for ts in _touches(parties).values() for t in ts]
        touch = last_touch(touches, day)
    if touch is None:
        return None
    existing = CampaignResponse.objects.filter(kind=ResponseKind.FORM, key=f"form:{lead_id}").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        row, created = CampaignResponse.objects.get_or_create(
            recipient_id=touch.recipient_id, key=f"form:{lead_id}", defaults={"kind": ResponseKind.FORM, "at": at})
        if created:
            events.record(actor=None, action="campaign.response.form", obj=row, party_id=touch.party_id)
    return row


def unsubscribe_token_valid(token: str) -> bool:
    rid = _recipient_from(token, UNSUBSCRIBE_SALT)
    return isinstance(rid, int) and CampaignRecipient.objects.filter(pk=rid).exists()
