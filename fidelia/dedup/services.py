"""Writes of deduplication: scans that store candidate pairs, dismissals, merges and their undo.

A merge keeps both rows. Every row pointing to the losing party is re-pointed to the survivor
(found by walking `Party._meta.related_objects`, so a relation added later by another app is moved
too, or the merge is refused loudly if moving it would break a uniqueness rule); the loser is
marked `merged_into` and disappears from lists and reads. `Merge.snapshot` records what moved and
the values replaced, so `party_merge_undo` can put both files back exactly as they were.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core import serializers
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core import events
from fidelia.core.errors import DomainError, PermissionDenied, ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.dedup.enums import DedupErrorCode, PairStatus, ScanScope, ScanStatus
from fidelia.dedup.matching import ScanStats, Thresholds, records_from_queryset, scan, thresholds
from fidelia.dedup.models import DuplicateCandidate, DuplicateScan, Merge
from fidelia.dedup.selectors import active_parties, party_for_merge
from fidelia.parties import services as party_services
from fidelia.parties.models import ConsentRecord, Email, Party, Phone
from fidelia.parties.services import consent_record
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction

# Fields whose surviving value the steward chooses (either party's), by party kind.
COMMON_FIELDS = ("stage", "preferred_channel", "language", "owner", "team", "notes", "customer_since")
PERSON_FIELDS = ("civility", "first_name", "last_name", "birth_date", "csp", "income_bracket", "job_title",
                 "organisation")
ORGANISATION_FIELDS = ("legal_name", "siren", "siret", "vat_number", "sector", "employees", "parent")
# Rows of these apps are computed from the file (scores, positions, pseudonyms): they stay with the
# merged-away file and are recomputed for the survivor by their own jobs.
DERIVED_APPS = frozenset({"analytics", "portfolio", "bi", "dedup"})
# Single models of other apps that are computed the same way (one row per customer, refitted nightly).
DERIVED_MODELS = frozenset({"clv.customervalue", "attrition.attritionrisk"})
# Tables that name a party by a plain integer (no foreign key); the audit log is never rewritten.
INTEGER_REFERENCES = (("core", "activityevent"), ("privacy", "subjectrequest"), ("imports", "importedrecord"))
PRIMARY_FLAG_MODELS = ("parties.email", "parties.phone", "parties.address")


class MergeRefused(DomainError):
    """A merge or its undo that cannot be done: nothing was written."""

    status = 409

    def __init__(self, message: str, *, code: str = DedupErrorCode.MERGE_CONFLICT,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, fields=fields)
        self.code = code  # type: ignore[assignment]  # a deduplication code, rendered as a string


def merge_fields(kind: str) -> tuple[str, ...]:
    return (PERSON_FIELDS if kind == "person" else ORGANISATION_FIELDS) + COMMON_FIELDS


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _field_values(party: Party, names: tuple[str, ...]) -> dict[str, Any]:
    """Values as stored (foreign keys by id), JSON-ready."""
    out = {}
    for name in names:
        f = Party._meta.get_field(name)
        out[name] = _plain(getattr(party, f.attname))
    return out


def _from_plain(name: str, value: Any) -> Any:
    f = Party._meta.get_field(name)
    if isinstance(f, models.DateField) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


# --- scans ----------------------------------------------------------------------------------------

@transaction.atomic
def duplicate_scan_request(*, actor: User | None, scope: str = ScanScope.FULL) -> DuplicateScan:
    """Queue a scan (run after commit by `duplicate_scan_task`; at once in the embedded set-up)."""
    if actor is not None and not policies.can_run_duplicate_scan(actor):
        raise PermissionDenied(_("Only an administrator may start a duplicate scan."))
    if scope not in ScanScope.values:
        raise ValidationFailed(_("Unknown scan scope."), fields={"scope": [_("Choose “full” or “changed”.")]})
    run = DuplicateScan.objects.create(scope=scope, requested_by=actor)
    audit_record(action=AuditAction.CREATE, actor=actor, obj=run, fields=["duplicate_scan", f"scope:{scope}"])

    def enqueue() -> None:
        from fidelia.dedup.tasks import duplicate_scan_task

        duplicate_scan_task.delay(run.pk)

    transaction.on_commit(enqueue)
    return run


def _changed_since_last_scan(run: DuplicateScan) -> set[int] | None:
    last = (DuplicateScan.objects.filter(status=ScanStatus.DONE, started_at__isnull=False)
            .exclude(pk=run.pk).order_by("-started_at").first())
    if last is None:
        return None  # never scanned: everything is new
    return set(active_parties().filter(updated_at__gte=last.started_at).values_list("pk", flat=True))


def duplicate_scan_run(*, scan_id: int, progress: Callable[[int, int], Any] | None = None,
                       limits: Thresholds | None = None) -> DuplicateScan:
    """Run a queued scan: match the active parties and store the pairs found.

    Pairs already reviewed (dismissed or merged) are never reopened; open pairs get their new
    score; on a full scan, open pairs no longer found (the files were corrected) are removed.
    Safe to retry: a second run stores the same pairs. Marked failed (with the error) on error.
    """
    run = DuplicateScan.objects.get(pk=scan_id)
    if run.status == ScanStatus.DONE:
        return run
    DuplicateScan.objects.filter(pk=run.pk).update(status=ScanStatus.RUNNING, started_at=timezone.now())
    run.refresh_from_db()
    try:
        stats = ScanStats()
        only = _changed_since_last_scan(run) if run.scope == ScanScope.CHANGED else None
        found = {}
        if only is None or only:
            limits = limits or thresholds()
            for m in scan(records_from_queryset(active_parties().order_by()), limits=limits,
                          progress=progress, stats=stats, only=only, workers=limits.workers):
                a, b = sorted((m.a, m.b))
                found[(a, b)] = m
        new = _store_pairs(found, full=run.scope == ScanScope.FULL)
    except Exception as exc:
        DuplicateScan.objects.filter(pk=run.pk).update(status=ScanStatus.FAILED, finished_at=timezone.now(),
                                                       error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    DuplicateScan.objects.filter(pk=run.pk).update(
        status=ScanStatus.DONE, finished_at=timezone.now(), parties=stats.records, compared=stats.compared,
        found=len(found), new=new)
    run.refresh_from_db()
    return run


@transaction.atomic
def _store_pairs(found: dict[tuple[int, int], Any], *, full: bool) -> int:
    """Upsert the pairs found; returns how many are new. One transaction: the queue never shows a
    half-stored scan."""
    existing = {(a, b): (pk, status) for pk, a, b, status in
                DuplicateCandidate.objects.values_list("pk", "party_a_id", "party_b_id", "status").iterator()}
    now = timezone.now()
    create, update = [], []
    for key, m in found.items():
        if key not in existing:
            create.append(DuplicateCandidate(party_a_id=key[0], party_b_id=key[1], score=m.score,
                                             reasons=list(m.reasons), created_at=now, updated_at=now))
        elif existing[key][1] == PairStatus.OPEN:
            update.append(DuplicateCandidate(pk=existing[key][0], score=m.score, reasons=list(m.reasons), updated_at=now))
    DuplicateCandidate.objects.bulk_create(create, batch_size=5000, ignore_conflicts=True)
    DuplicateCandidate.objects.bulk_update(update, ["score", "reasons", "updated_at"], batch_size=5000)
    if full:
        gone = [pk for key, (pk, status) in existing.items() if status == PairStatus.OPEN and key not in found]
        for i in range(0, len(gone), 5000):
            DuplicateCandidate.objects.filter(pk__in=gone[i:i + 5000]).delete()
    return len(create)


# --- review ---------------------------------------------------------------------------------------

def _check_reviewer(actor: User) -> None:
    if not policies.can_review_duplicates(actor):
        raise PermissionDenied(_("You may not review duplicates."))


@transaction.atomic
def duplicate_dismiss(*, candidate: DuplicateCandidate, actor: User) -> DuplicateCandidate:
    """Mark a pair "not a duplicate": later scans leave it alone. Both files must be writable."""
    _check_reviewer(actor)
    party_for_merge(user=actor, pk=candidate.party_a_id)
    party_for_merge(user=actor, pk=candidate.party_b_id)
    if candidate.status != PairStatus.OPEN:
        raise MergeRefused(_("This pair was already reviewed."), code=DedupErrorCode.ALREADY_MERGED)
    candidate.status, candidate.reviewed_by, candidate.reviewed_at = PairStatus.DISMISSED, actor, timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(action=AuditAction.UPDATE, actor=actor, obj=candidate, party_id=candidate.party_a_id,
                 fields=["duplicate_dismissed", f"pair:{candidate.party_a_id}:{candidate.party_b_id}"])
    return candidate


@dataclass
class _Moves:
    moved: list[list[Any]]
    primary_reset: list[list[Any]]
    deleted: list[str]


def _relations() -> list[Any]:
    """Every relation pointing to Party that a merge must carry over (see `DERIVED_APPS`)."""
    rels = []
    for rel in Party._meta.related_objects:
        model = rel.related_model
        if model is Party and rel.field.name == "merged_into":
            continue  # earlier merges into the loser keep pointing at it: undo follows them
        if model._meta.app_label in DERIVED_APPS or model._meta.label_lower in DERIVED_MODELS:
            continue
        rels.append(rel)
    return rels


def _serialise(rows: Any) -> str:
    return serializers.serialize("json", rows)


def _dedupe_contact_points(survivor: Party, loser: Party, moves: _Moves) -> None:
    """The loser's e-mails and phones the survivor already has are deleted rather than doubled."""
    emails = set(Email.objects.filter(party=survivor).values_list("normalized", flat=True))
    phones = set(Phone.objects.filter(party=survivor).values_list("number", flat=True))
    doubles = [list(Email.objects.filter(party=loser, normalized__in=emails)),
               list(Phone.objects.filter(party=loser, number__in=phones))]
    for rows in doubles:
        if rows:
            moves.deleted.append(_serialise(rows))
            type(rows[0]).objects.filter(pk__in=[r.pk for r in rows]).delete()


def _move(model: type[models.Model], field: str, survivor: Party, loser: Party, moves: _Moves,
          label: str) -> None:
    pks = list(model._default_manager.filter(**{field: loser.pk}).values_list("pk", flat=True))
    if not pks:
        return
    try:
        with transaction.atomic():
            model._default_manager.filter(pk__in=pks).update(**{field: survivor.pk})
    except IntegrityError as exc:
        raise MergeRefused(
            _("The two files cannot be merged: their %(what)s would break a uniqueness rule (%(error)s).")
            % {"what": model._meta.verbose_name_plural, "error": exc}) from exc
    moves.moved.extend([model._meta.label_lower, pk, field] for pk in pks)


def _move_relations(survivor: Party, loser: Party, moves: _Moves) -> None:
    for rel in _relations():
        if rel.many_to_many:
            through = rel.through
            party_field = rel.field.m2m_reverse_field_name()
            other_field = rel.field.m2m_field_name()
            already = set(through.objects.filter(**{party_field: survivor.pk}).values_list(other_field + "_id", flat=True))
            doubles = list(through.objects.filter(**{party_field: loser.pk, other_field + "__in": already}))
            if doubles:
                moves.deleted.append(_serialise(doubles))
                through.objects.filter(pk__in=[d.pk for d in doubles]).delete()
            _move(through, party_field + "_id", survivor, loser, moves, rel.name)
            continue
        model, field = rel.related_model, rel.field.attname
        if rel.one_to_one and model._default_manager.filter(**{field: survivor.pk}).exists() \
                and model._default_manager.filter(**{field: loser.pk}).exists():
            raise MergeRefused(_("The two files cannot be merged: both have their own %(what)s.")
                               % {"what": model._meta.verbose_name})
        _move(model, field, survivor, loser, moves, rel.name)
    for app_label, model_name in INTEGER_REFERENCES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        _move(model, "party_id", survivor, loser, moves, model_name)


def _reset_primaries(survivor: Party, moves: _Moves) -> None:
    """A moved contact point stays primary only if the survivor had none of that kind."""
    moved: dict[str, list[int]] = {}
    for label, pk, _field in moves.moved:
        if label in PRIMARY_FLAG_MODELS:
            moved.setdefault(label, []).append(pk)
    for label, pks in moved.items():
        model = apps.get_model(label)
        if model.objects.filter(party=survivor, is_primary=True).exclude(pk__in=pks).exists():
            reset = list(model.objects.filter(pk__in=pks, is_primary=True).values_list("pk", flat=True))
            model.objects.filter(pk__in=reset).update(is_primary=False)
            moves.primary_reset.extend([label, pk] for pk in reset)


def _current_consents(party_id: int) -> dict[tuple[str, str], ConsentRecord]:
    current: dict[tuple[str, str], ConsentRecord] = {}
    for row in ConsentRecord.objects.filter(party_id=party_id).order_by("recorded_at", "id"):
        current[(row.channel, row.purpose)] = row
    return current


def _most_protective_consents(*, survivor: Party, before: dict[tuple[str, str], ConsentRecord],
                              loser_before: dict[tuple[str, str], ConsentRecord], actor: User) -> list[int]:
    """After the move, for each channel and purpose: if either file had refused, the survivor's
    current decision must be a refusal; when it is not, a refusal is recorded (and its id returned)."""
    added = []
    after = _current_consents(survivor.pk)
    for key in sorted(set(before) | set(loser_before)):
        refusal = next((r for r in (before.get(key), loser_before.get(key)) if r is not None and not r.granted), None)
        current = after.get(key)
        if refusal is not None and current is not None and current.granted:
            row = consent_record(
                party=survivor, actor=actor, channel=key[0], purpose=key[1], granted=False, source=refusal.source,
                wording=_("Refusal kept when merging duplicate files (recorded on %(date)s).")
                % {"date": refusal.recorded_at.date().isoformat()})
            added.append(row.pk)
    return added


def _validate_choices(choices: dict[str, int], fields: tuple[str, ...], survivor: Party, loser: Party) -> None:
    errors = {}
    for name, source in choices.items():
        if name not in fields:
            errors[name] = [_("This field cannot be chosen in a merge.")]
        elif source not in (survivor.pk, loser.pk):
            errors[name] = [_("Choose the value of one of the two files (%(a)s or %(b)s), not %(value)s.")
                            % {"a": survivor.pk, "b": loser.pk, "value": source}]
    if errors:
        raise ValidationFailed(_("Some chosen values are not valid."), fields=errors)


def _lock(*pks: int) -> dict[int, Party]:
    """Lock both files in a fixed order (no deadlock between two merges of overlapping pairs)."""
    return {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=sorted(pks)).order_by("pk")}


@transaction.atomic
def party_merge(*, survivor: Party, loser: Party, actor: User, choices: dict[str, int] | None = None,
                candidate: DuplicateCandidate | None = None) -> Merge:
    """Merge `loser` into `survivor`, all or nothing.

    `choices` maps a field (see `merge_fields`) to the id of the party whose value survives; the
    survivor's own value is kept for fields not listed. Every related row moves to the survivor;
    consents keep the most protective decision; tags are united; the loser is marked merged.
    Needs `can_review_duplicates` and write access to both files (Http404 for a file the actor may
    not read, PermissionDenied for one they may only read). Audited and on both timelines.
    """
    _check_reviewer(actor)
    if survivor.pk == loser.pk:
        raise MergeRefused(_("A file cannot be merged with itself."), code=DedupErrorCode.SAME_PARTY)
    party_for_merge(user=actor, pk=survivor.pk)
    party_for_merge(user=actor, pk=loser.pk)
    locked = _lock(survivor.pk, loser.pk)
    survivor, loser = locked[survivor.pk], locked[loser.pk]
    if survivor.merged_into_id or loser.merged_into_id or survivor.erased_at or loser.erased_at:
        raise MergeRefused(_("One of the files was already merged or anonymised."), code=DedupErrorCode.ALREADY_MERGED)
    if survivor.kind != loser.kind:
        raise MergeRefused(_("A person cannot be merged with an organisation."))
    if survivor.parent_id == loser.pk or loser.parent_id == survivor.pk \
            or survivor.organisation_id == loser.pk or loser.organisation_id == survivor.pk:
        raise MergeRefused(_("A company cannot be merged with its own parent company or contact."))
    fields = merge_fields(survivor.kind)
    choices = dict(choices or {})
    _validate_choices(choices, fields, survivor, loser)
    survivor_before = _field_values(survivor, fields)
    loser_values = _field_values(loser, fields)
    consents_before, loser_consents = _current_consents(survivor.pk), _current_consents(loser.pk)
    tags_before = set(survivor.tags.values_list("pk", flat=True))
    tags_added = sorted(set(loser.tags.values_list("pk", flat=True)) - tags_before)

    moves = _Moves(moved=[], primary_reset=[], deleted=[])
    _dedupe_contact_points(survivor, loser, moves)
    _move_relations(survivor, loser, moves)
    _reset_primaries(survivor, moves)
    survivor.tags.add(*tags_added)

    changed = {}
    for name, source in choices.items():
        if source == loser.pk and survivor_before[name] != loser_values[name]:
            f = Party._meta.get_field(name)
            setattr(survivor, f.attname, getattr(loser, f.attname))
            changed[name] = [survivor_before[name], loser_values[name]]
    if survivor.stage != "customer" and loser.stage == "customer" and "stage" not in choices:
        # A customer stays a customer: the merged file cannot demote them to prospect.
        survivor.stage, changed["stage"] = "customer", [survivor.stage, "customer"]
    survivor.version += 1
    survivor.save()
    party_services._sync(survivor)  # derived columns: display name, contact mirrors, search text
    now = timezone.now()
    Party.objects.filter(pk=loser.pk).update(merged_into=survivor, merged_at=now, version=F("version") + 1)
    consents_added = _most_protective_consents(survivor=survivor, before=consents_before,
                                               loser_before=loser_consents, actor=actor)
    if candidate is None:
        a, b = sorted((survivor.pk, loser.pk))
        candidate = DuplicateCandidate.objects.filter(party_a_id=a, party_b_id=b).first()
    if candidate is not None:
        DuplicateCandidate.objects.filter(pk=candidate.pk).update(
            status=PairStatus.MERGED, reviewed_by=actor, reviewed_at=now, updated_at=now)
    merge = Merge.objects.create(survivor=survivor, loser=loser, candidate=candidate, merged_by=actor, snapshot={
        "survivor_before": survivor_before, "loser_values": loser_values, "choices": choices,
        "moved": moves.moved, "primary_reset": moves.primary_reset, "deleted": moves.deleted,
        "consents_added": consents_added, "tags_added": tags_added,
        "survivor_version": survivor.version, "loser_version": loser.version + 1,
    })
    summary = {"merged_party": loser.pk, "moved_rows": len(moves.moved), **changed}
    events.record(actor=actor, action="party.merged", obj=merge, party_id=survivor.pk, changes=summary)
    events.record(actor=actor, action="party.merged_into", obj=merge, party_id=loser.pk,
                  changes={"survivor": survivor.pk})
    for party_id in (survivor.pk, loser.pk):
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=merge, party_id=party_id,
                     fields=["merge", f"survivor:{survivor.pk}", f"merged:{loser.pk}", *sorted(changed)])
    return merge


# --- undo -----------------------------------------------------------------------------------------

def _undo_conflicts(merge: Merge, survivor: Party, loser: Party) -> list[str]:
    snap = merge.snapshot
    problems = []
    if loser.merged_into_id != survivor.pk:
        problems.append(_("the merged file is no longer merged into the survivor"))
    if survivor.merged_into_id:
        problems.append(_("the surviving file was merged into another since: undo that merge first"))
    if survivor.erased_at or loser.erased_at:
        problems.append(_("one of the files was anonymised"))
    if survivor.version != snap["survivor_version"]:
        problems.append(_("the surviving file was edited since the merge"))
    by_model: dict[tuple[str, str], list[int]] = {}
    for label, pk, field in snap["moved"]:
        by_model.setdefault((label, field), []).append(pk)
    for (label, field), pks in by_model.items():
        model = apps.get_model(label)
        still = model._default_manager.filter(pk__in=pks, **{field: survivor.pk}).count()
        if still != len(pks):
            problems.append(_("%(n)s moved %(what)s were changed or deleted since")
                            % {"n": len(pks) - still, "what": model._meta.verbose_name_plural})
    if ConsentRecord.objects.filter(pk__in=snap["consents_added"]).count() != len(snap["consents_added"]):
        problems.append(_("a consent decision recorded by the merge was removed"))
    return problems


@transaction.atomic
def party_merge_undo(*, merge: Merge, actor: User) -> Merge:
    """Put both files back exactly as before `merge` (rows moved back, values restored, the loser
    visible again), or refuse with the reasons if something conflicting happened since. Needs the
    same rights as the merge."""
    _check_reviewer(actor)
    party_for_merge(user=actor, pk=merge.survivor_id)
    party_for_merge(user=actor, pk=merge.loser_id, merged=True)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise MergeRefused(_("This merge was already undone."), code=DedupErrorCode.ALREADY_UNDONE)
    locked = _lock(merge.survivor_id, merge.loser_id)
    survivor, loser = locked[merge.survivor_id], locked[merge.loser_id]
    problems = _undo_conflicts(merge, survivor, loser)
    if problems:
        raise MergeRefused(_("The merge cannot be undone: %(why)s.") % {"why": "; ".join(problems)},
                           code=DedupErrorCode.UNDO_CONFLICT)
    snap = merge.snapshot
    consent_events = ActivityEvent.objects.filter(object_type="parties.consentrecord",
                                                  object_id__in=snap["consents_added"])
    consent_events.delete()
    ConsentRecord.objects.filter(pk__in=snap["consents_added"]).delete()
    for label, pk in snap["primary_reset"]:
        apps.get_model(label).objects.filter(pk=pk).update(is_primary=True)
    by_model: dict[tuple[str, str], list[int]] = {}
    for label, pk, field in snap["moved"]:
        by_model.setdefault((label, field), []).append(pk)
    for (label, field), pks in by_model.items():
        apps.get_model(label)._default_manager.filter(pk__in=pks).update(**{field: loser.pk})
    for payload in snap["deleted"]:
        for obj in serializers.deserialize("json", payload):
            obj.save()
    survivor.tags.remove(*snap["tags_added"])
    for name, value in snap["survivor_before"].items():
        setattr(survivor, Party._meta.get_field(name).attname, _from_plain(name, value))
    survivor.version += 1
    survivor.save()
    party_services._sync(survivor)  # derived columns: display name, contact mirrors, search text
    Party.objects.filter(pk=loser.pk).update(merged_into=None, merged_at=None, version=F("version") + 1)
    now = timezone.now()
    Merge.objects.filter(pk=merge.pk).update(undone_at=now, undone_by=actor)
    if merge.candidate_id:
        DuplicateCandidate.objects.filter(pk=merge.candidate_id).update(
            status=PairStatus.OPEN, reviewed_by=None, reviewed_at=None, updated_at=now)
    for party_id in (survivor.pk, loser.pk):
        events.record(actor=actor, action="party.merge_undone", obj=merge, party_id=party_id,
                      changes={"survivor": survivor.pk, "merged_party": loser.pk})
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=merge, party_id=party_id,
                     fields=["merge_undone", f"survivor:{survivor.pk}", f"merged:{loser.pk}"])
    merge.refresh_from_db()
    return merge


def merges_for_party_delete(party_id: int) -> int:
    """Erasure: pairs and merge records naming the party go (their snapshots hold its values)."""
    n = DuplicateCandidate.objects.filter(Q(party_a_id=party_id) | Q(party_b_id=party_id)).delete()[0]
    n += Merge.objects.filter(Q(survivor_id=party_id) | Q(loser_id=party_id)).delete()[0]
    return n
