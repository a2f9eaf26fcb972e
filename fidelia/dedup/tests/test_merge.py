"""Merging duplicate files: everything moves, consents stay protective, audited, undoable, atomic."""
from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.http import Http404
from django.utils import timezone

from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.dedup import services
from fidelia.dedup.enums import PairStatus
from fidelia.dedup.services import MergeRefused, party_merge, party_merge_undo
from fidelia.dedup.tests import factories as f
from fidelia.parties.models import ConsentRecord, Party
from fidelia.parties.selectors import parties_for_user
from fidelia.parties.services import consent_record, party_update
from fidelia.parties.tests import factories as pf
from fidelia.privacy.models import AuditEntry


def state(party_id: int) -> dict[str, Any]:
    """Everything about a file that a merge and its undo may touch, comparable with ==."""
    party = Party.objects.get(pk=party_id)
    values = {fld.attname: getattr(party, fld.attname) for fld in Party._meta.concrete_fields
              if fld.attname not in {"version", "updated_at"}}
    related = {}
    for rel in services._relations():
        if rel.many_to_many:
            continue
        model = rel.related_model
        related[model._meta.label] = sorted(model._default_manager.filter(**{rel.field.attname: party_id})
                                            .values_list("pk", flat=True))
    related["tags"] = sorted(party.tags.values_list("pk", flat=True))
    related["events"] = sorted(ActivityEvent.objects.filter(party_id=party_id, action__in=[
        "consent.recorded", "party.created"]).values_list("pk", flat=True))
    related["primaries"] = sorted((e.address, e.is_primary) for e in party.emails.all())
    return {"values": values, "related": related}


@pytest.fixture
def run_scan(django_capture_on_commit_callbacks):
    """Request a scan and run it as the queue would after the commit."""

    def run(actor: Any, scope: str = "full") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            scan = services.duplicate_scan_request(actor=actor, scope=scope)
        scan.refresh_from_db()
        return scan

    return run


def rows_pointing_to(party_id: int) -> dict[str, int]:
    counts = {}
    for rel in services._relations():
        counts[f"{rel.related_model._meta.label}.{rel.field.name}"] = (
            rel.related_model._default_manager.filter(**{rel.field.attname: party_id}).count())
    for app_label, model_name in services.INTEGER_REFERENCES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        counts[model._meta.label] = model.objects.filter(party_id=party_id).count()
    return counts


@pytest.mark.django_db
def test_merge_moves_every_related_row_to_the_survivor(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    relative, other = pf.person(owner=personas.alice), pf.person(owner=personas.alice)
    f.everything_on(survivor, personas.alice)
    f.everything_on(loser, personas.alice, relative=relative, pointing=other)
    before = rows_pointing_to(loser.pk)
    # Every relation to a party (including ones added later by other apps) had a row to move;
    # import provenance rows are the import wizard's to test.
    # (Apps built on the customer file since — actions, agenda, sales force, service, surveys,
    # marketing, value, attrition and loyalty — are covered by `left` below: nothing may stay on the
    # loser; loyalty's own merge test creates its rows.)
    later = ("imports.", "actions.", "agenda.", "service.", "surveys.", "marketing.", "clv.", "attrition.", "loyalty.",
             "sales.Lead", "sales.Opportunity", "sales.Quote", "sales.Order", "knowledge.")
    missing = [k for k, v in before.items() if not v and not k.startswith(later)]
    assert not missing, missing

    merge = party_merge(survivor=survivor, loser=loser, actor=personas.manager)

    left = {k: v for k, v in rows_pointing_to(loser.pk).items() if v}
    assert left == {"core.ActivityEvent": 1}  # only the "merged into" line of its own history
    assert Party.objects.get(pk=loser.pk).merged_into_id == survivor.pk
    assert not parties_for_user(personas.alice).filter(pk=loser.pk).exists()
    assert survivor.tags.count() == 2
    assert set(survivor.emails.values_list("address", flat=True)) == {"elodie.legoff@example.fr", "e.legoff@example.org"}
    assert survivor.emails.filter(is_primary=True).count() == 1
    assert len(merge.snapshot["moved"]) >= sum(before.values())
    assert Party.objects.get(pk=other.pk).organisation_id == survivor.pk


@pytest.mark.django_db
def test_chosen_values_survive_and_the_rest_is_the_survivors(personas) -> None:
    survivor, loser = f.pair(personas.alice, job_title="Médecin")
    Party.objects.filter(pk=loser.pk).update(language="en")
    party_merge(survivor=survivor, loser=loser, actor=personas.manager,
                choices={"last_name": loser.pk, "job_title": loser.pk, "first_name": survivor.pk, "language": loser.pk})
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.last_name, survivor.job_title) == ("Élodie", "Le Gof", "Médecin")
    assert survivor.language == "en"  # the steward kept the language the customer is written to in
    assert survivor.display_name == "Élodie LE GOF"


@pytest.mark.django_db
def test_bad_choices_are_field_errors(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    with pytest.raises(ValidationFailed) as exc:
        party_merge(survivor=survivor, loser=loser, actor=personas.manager,
                    choices={"first_name": 999999, "search_text": loser.pk})
    assert set(exc.value.fields) == {"first_name", "search_text"}
    with pytest.raises(MergeRefused):
        party_merge(survivor=survivor, loser=survivor, actor=personas.manager)


@pytest.mark.django_db
def test_the_most_protective_consent_wins_and_is_recorded(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    consent_record(party=survivor, actor=personas.alice, channel="sms", purpose="prospecting", granted=True)
    consent_record(party=loser, actor=personas.alice, channel="sms", purpose="prospecting", granted=False)
    consent_record(party=survivor, actor=personas.alice, channel="email", purpose="newsletter", granted=False)
    consent_record(party=loser, actor=personas.alice, channel="email", purpose="newsletter", granted=True)
    consent_record(party=loser, actor=personas.alice, channel="post", purpose="partners", granted=True)
    merge = party_merge(survivor=survivor, loser=loser, actor=personas.manager)

    def current(channel: str, purpose: str) -> bool:
        return ConsentRecord.objects.filter(party=survivor, channel=channel, purpose=purpose) \
            .order_by("recorded_at", "id").last().granted

    assert current("sms", "prospecting") is False
    assert current("email", "newsletter") is False  # the loser's later grant does not undo a refusal
    assert current("post", "partners") is True
    assert len(merge.snapshot["consents_added"]) == 1  # the e-mail refusal had to be recorded again
    added = ConsentRecord.objects.get(pk=merge.snapshot["consents_added"][0])
    assert "merging duplicate files" in added.wording


@pytest.mark.django_db
def test_merge_is_audited_and_on_both_timelines(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    party_merge(survivor=survivor, loser=loser, actor=personas.manager, choices={"last_name": loser.pk})
    entries = [e for e in AuditEntry.objects.all() if "merge" in e.fields]
    assert {e.party_id for e in entries} == {survivor.pk, loser.pk}
    assert all(e.actor_id == personas.manager.pk for e in entries)
    assert ActivityEvent.objects.filter(party_id=survivor.pk, action="party.merged").exists()
    assert ActivityEvent.objects.filter(party_id=loser.pk, action="party.merged_into").exists()


@pytest.mark.django_db
def test_undo_restores_both_files_exactly(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    f.everything_on(survivor, personas.alice)
    f.everything_on(loser, personas.alice, relative=pf.person(owner=personas.alice),
                    pointing=pf.person(owner=personas.alice))
    consent_record(party=loser, actor=personas.alice, channel="email", purpose="newsletter", granted=False)
    consent_record(party=survivor, actor=personas.alice, channel="email", purpose="newsletter", granted=True)
    pair = f.candidate(survivor, loser)
    before = state(survivor.pk), state(loser.pk)

    merge = party_merge(survivor=survivor, loser=loser, actor=personas.manager, candidate=pair,
                        choices={"last_name": loser.pk, "birth_date": loser.pk})
    assert merge.snapshot["consents_added"]
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED
    undone = party_merge_undo(merge=merge, actor=personas.manager)

    assert undone.undone_at is not None and undone.undone_by == personas.manager
    assert (state(survivor.pk), state(loser.pk)) == before
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    assert parties_for_user(personas.alice).filter(pk=loser.pk).exists()
    with pytest.raises(MergeRefused):
        party_merge_undo(merge=merge, actor=personas.manager)


@pytest.mark.django_db
def test_undo_is_refused_when_the_survivor_changed_since(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    merge = party_merge(survivor=survivor, loser=loser, actor=personas.manager)
    fresh = Party.objects.get(pk=survivor.pk)
    party_update(party=fresh, actor=personas.alice, version=fresh.version, job_title="Avocate")
    with pytest.raises(MergeRefused) as exc:
        party_merge_undo(merge=merge, actor=personas.manager)
    assert "edited since the merge" in exc.value.message
    assert Party.objects.get(pk=loser.pk).merged_into_id == survivor.pk


@pytest.mark.django_db
def test_outsider_gets_404_and_a_reader_without_write_right_is_refused(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    with pytest.raises(PermissionDenied):  # reps do not review duplicates
        party_merge(survivor=survivor, loser=loser, actor=personas.outsider)
    # The Lyon manager may; the same pair in another team's portfolio is not found.
    other_a, other_b = f.pair(personas.outsider)
    with pytest.raises(Http404):
        party_merge(survivor=other_a, loser=other_b, actor=personas.manager)
    # Bob (a rep of the same team) reads Alice's files but may not change them: were he a
    # reviewer, the merge would still be refused.
    personas.lyon.reps_read_team = True
    personas.lyon.save()
    with mock.patch("fidelia.accounts.policies.can_review_duplicates", return_value=True):
        with pytest.raises(PermissionDenied):
            party_merge(survivor=survivor, loser=loser, actor=personas.bob)
    assert Party.objects.filter(pk=loser.pk, merged_into__isnull=True).exists()


@pytest.mark.django_db
def test_manager_merges_in_the_team(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    merge = party_merge(survivor=survivor, loser=loser, actor=personas.manager)
    assert merge.merged_by == personas.manager


@pytest.mark.django_db(transaction=True)
def test_a_failure_mid_merge_leaves_both_files_unchanged(personas) -> None:
    survivor, loser = f.pair(personas.alice)
    f.everything_on(loser, personas.alice)
    before = state(survivor.pk), state(loser.pk), rows_pointing_to(loser.pk)
    with mock.patch.object(services, "_most_protective_consents", side_effect=RuntimeError("connection lost")):
        with pytest.raises(RuntimeError):
            party_merge(survivor=survivor, loser=loser, actor=personas.manager)
    assert (state(survivor.pk), state(loser.pk), rows_pointing_to(loser.pk)) == before
    assert not [e for e in AuditEntry.objects.all() if "merge" in e.fields]


@pytest.mark.django_db
def test_dismissed_pairs_do_not_come_back(personas, run_scan) -> None:
    survivor, loser = f.pair(personas.alice)
    pair = f.candidate(survivor, loser)
    services.duplicate_dismiss(candidate=pair, actor=personas.manager)
    run = run_scan(personas.admin)
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED and pair.reviewed_by == personas.manager
    assert run.status == "done"


@pytest.mark.django_db
def test_scan_stores_pairs_once_and_updates_them(personas, run_scan) -> None:
    survivor, loser = f.pair(personas.alice)
    pf.person(owner=personas.alice, first_name="Jean", last_name="Dupont")
    run = run_scan(personas.admin)
    assert (run.status, run.found, run.new) == ("done", 1, 1)
    from fidelia.dedup.models import DuplicateCandidate
    [pair] = DuplicateCandidate.objects.all()
    assert {pair.party_a_id, pair.party_b_id} == {survivor.pk, loser.pk} and "birth_date" in pair.reasons
    again = run_scan(personas.admin)
    assert (again.found, again.new, DuplicateCandidate.objects.count()) == (1, 0, 1)
    # After a merge, the pair is reviewed; the merged file is no longer scanned.
    party_merge(survivor=survivor, loser=loser, actor=personas.admin)
    third = run_scan(personas.admin)
    assert third.found == 0 and DuplicateCandidate.objects.get().status == PairStatus.MERGED


@pytest.mark.django_db
def test_only_admins_start_scans(personas) -> None:
    with pytest.raises(PermissionDenied):
        services.duplicate_scan_request(actor=personas.manager)


@pytest.mark.django_db
def test_incremental_scan_compares_only_changed_files(personas, run_scan) -> None:
    survivor, loser = f.pair(personas.alice)
    run_scan(personas.admin)
    from fidelia.dedup.models import DuplicateCandidate
    DuplicateCandidate.objects.all().delete()
    Party.objects.update(updated_at=timezone.now() - dt.timedelta(days=1))
    run = run_scan(personas.admin, "changed")
    assert run.found == 0  # nothing changed since the last scan
    Party.objects.filter(pk=loser.pk).update(updated_at=timezone.now())
    run = run_scan(personas.admin, "changed")
    assert run.found == 1


@pytest.mark.django_db
def test_command_scans_and_shows(personas) -> None:
    import io

    from django.core.management import call_command

    f.pair(personas.alice)
    out = io.StringIO()
    call_command("duplicates", "scan", stdout=out, stderr=io.StringIO())
    assert "1 possible duplicates (1 new)" in out.getvalue()
    out = io.StringIO()
    call_command("duplicates", "show", stdout=out)
    assert "to review: 1" in out.getvalue()
