"""The suppression list: e-mail addresses and phone numbers that must never be contacted again.

A person who objects to direct marketing (GDPR art. 21) must stay out of every campaign, even
after their customer file is erased or re-imported. Fidelia keeps only a keyed digest
(HMAC-SHA256 with `settings.FIDELIA_SUPPRESSION_SALT`) of the normalised value — never the clear
e-mail or number — so the list proves nothing about who is on it, yet any candidate value can be
checked against it.

Normalisation: e-mails are stripped and lower-cased; phones are turned into E.164
(`fidelia.core.validation.normalize_phone`, French numbering by default), so "06 12 34 56 78" and
"+33612345678" are the same entry.

For other apps:
- `is_suppressed(email=..., phone=...)` before contacting one person (a trigger, a single send);
- `suppressed_filter(values)` before a campaign or an import: one query per 500 values, it returns
  the subset of `values` that is on the list (e-mails and phones may be mixed: a value with "@"
  is an e-mail);
- `suppression_add(kind=..., value=...)` when a person objects outside a data-subject request.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fidelia.core.errors import ValidationFailed
from fidelia.core.validation import normalize_phone
from fidelia.privacy.enums import SuppressionKind
from fidelia.privacy.models import SubjectRequest, SuppressionEntry

CHUNK = 500


def normalise(kind: str, value: str) -> str:
    """The canonical form of a contact value; ValidationFailed when it cannot be one."""
    text = (value or "").strip()
    if kind == SuppressionKind.EMAIL:
        if "@" not in text or len(text) > 254:
            raise ValidationFailed(_("“%(value)s” is not an e-mail address.") % {"value": text},
                                   fields={"value": [_("Enter an e-mail address.")]})
        return text.lower()
    if kind == SuppressionKind.PHONE:
        return normalize_phone(text, field="value")
    raise ValidationFailed(_("Unknown kind of contact point."), fields={"kind": [_("Choose e-mail or phone.")]})


def suppression_digest(kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised value, keyed with the suppression salt."""
    key = settings.FIDELIA_SUPPRESSION_SALT.encode()
    message = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _kind_of(value: str) -> str:
    return SuppressionKind.EMAIL if "@" in value else SuppressionKind.PHONE


def suppression_add(*, kind: str, value: str, reason: str = "",
                    request: SubjectRequest | None = None) -> tuple[SuppressionEntry, bool]:
    """Put a value on the list; (entry, created). Adding a value already there changes nothing."""
    digest = suppression_digest(kind, value)
    existing = SuppressionEntry.objects.filter(kind=kind, digest=digest).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint, so that losing a race with another process leaves the caller's transaction usable.
        with transaction.atomic():
            return SuppressionEntry.objects.create(kind=kind, digest=digest, reason=reason[:200],
                                                   request=request), True
    except IntegrityError:
        return SuppressionEntry.objects.get(kind=kind, digest=digest), False


def _digests(kind: str, value: str) -> str | None:
    try:
        return suppression_digest(kind, value)
    except ValidationFailed:
        return None  # a value that cannot be normalised cannot be contacted nor listed


def is_suppressed(*, email: str | None = None, phone: str | None = None) -> bool:
    """Whether the e-mail or the phone (any given) is on the suppression list."""
    candidates = [(SuppressionKind.EMAIL, email), (SuppressionKind.PHONE, phone)]
    pairs = [(kind, _digests(kind, value)) for kind, value in candidates if value]
    pairs = [(kind, digest) for kind, digest in pairs if digest]
    return any(SuppressionEntry.objects.filter(kind=kind, digest=digest).exists() for kind, digest in pairs)


def suppressed_filter(values: Iterable[str]) -> set[str]:
    """The given values (e-mails and/or phones, as written) that are on the suppression list."""
    by_digest: dict[str, list[str]] = {}
    for value in values:
        if value:
            digest = _digests(_kind_of(value), value)
            if digest:
                by_digest.setdefault(digest, []).append(value)
    found: set[str] = set()
    digests = list(by_digest)
    for start in range(0, len(digests), CHUNK):
        chunk = digests[start:start + CHUNK]
        for digest in SuppressionEntry.objects.filter(digest__in=chunk).values_list("digest", flat=True):
            found.update(by_digest[digest])
    return found


def suppression_counts() -> dict[str, int]:
    """How many entries of each kind the list holds (for the DPO's pages)."""
    counts = dict.fromkeys(SuppressionKind.values, 0)
    for kind in counts:
        counts[kind] = SuppressionEntry.objects.filter(kind=kind).count()
    return counts
