import pytest

from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.imports import services
from fidelia.imports.enums import RunStatus
from fidelia.imports.models import ImportedRecord
from fidelia.imports.tests.helpers import DATA, dry_run, full_import, upload
from fidelia.parties.models import Email, Party
from fidelia.parties.services import AddressInput, party_create
from fidelia.privacy.suppression import suppression_add

pytestmark = pytest.mark.django_db
MESSY = (DATA / "messy_parties.csv").read_bytes()


def test_messy_file_is_read_and_mapped_by_its_french_headers(personas):
    run = upload(personas.admin, MESSY, filename="messy_parties.csv")
    assert run.delimiter == ";"
    assert run.encoding.lower().replace("_", "-") in {"cp1252", "windows-1252", "iso-8859-1", "latin-1", "iso8859-1"} \
        or "125" in run.encoding
    assert run.mapping["Code client"] == "external_id"
    assert run.mapping["Civilité"] == "civility"
    assert run.mapping["Date de naissance"] == "birth_date"
    assert run.mapping["Téléphone"] == "phone"
    assert run.mapping["Code postal"] == "postcode"
    assert run.total_rows == 6


def test_dry_run_reports_each_problem_and_writes_nothing(personas):
    run = dry_run(personas.admin, MESSY, filename="messy_parties.csv")
    assert run.status == RunStatus.CHECKED
    assert run.dry_run_counts["create"] == 3
    assert run.dry_run_counts["error"] == 2
    assert run.dry_run_counts["duplicate"] == 1
    by_row = {(r, c): m for r, c, _v, m in run.errors}
    assert "not a real date" in by_row[(4, "Date de naissance")]
    assert "31/02/2024" in by_row[(4, "Date de naissance")]
    assert "e-mail" in by_row[(5, "Email")]
    assert any(r == 7 and "row 2" in m for r, _c, _v, m in run.errors)
    assert Party.objects.count() == 0
    assert ActivityEvent.objects.count() == 0


def test_import_creates_parties_with_contact_points_provenance_and_history(personas):
    run = full_import(personas.manager, MESSY, filename="messy_parties.csv")
    assert run.status == RunStatus.DONE
    assert run.counts["create"] == 3
    jean = Party.objects.get(last_name="Dupont")
    assert jean.civility == "mr" and str(jean.birth_date) == "1980-12-31"
    assert jean.phone == "+33612345678" and jean.email == "jean.dupont@example.fr"
    assert jean.city == "Paris" and jean.postcode == "75002"
    assert "rappeler en janvier" in jean.notes
    assert jean.owner == personas.manager and jean.team == personas.lyon  # the importer's portfolio
    elodie = Party.objects.get(last_name="Lefèvre")
    assert str(elodie.birth_date) == "1975-01-03" and elodie.civility == "mrs"
    assert Party.objects.get(last_name="Bernard").civility == "mrs"  # INSEE code 2
    record = ImportedRecord.objects.get(object_id=jean.pk, target="parties")
    assert (record.external_id, record.row, record.run_id) == ("C001", 2, run.pk)
    assert ActivityEvent.objects.filter(action="party.created", party_id=jean.pk).exists()


def test_same_file_twice_changes_nothing(personas):
    full_import(personas.admin, MESSY, filename="messy_parties.csv")
    before = (Party.objects.count(), Email.objects.count(), ActivityEvent.objects.count())
    again = full_import(personas.admin, MESSY, filename="messy_parties.csv")
    assert again.counts["create"] == 0 and again.counts["update"] == 0
    assert again.counts["unchanged"] == 3
    assert (Party.objects.count(), Email.objects.count(), ActivityEvent.objects.count()) == before


def test_a_changed_row_updates_through_the_service(personas):
    full_import(personas.admin, MESSY, filename="messy_parties.csv")
    changed = MESSY.replace(b"Paris;", b"Paris;VIP")
    run = full_import(personas.admin, changed, filename="messy_parties.csv")
    assert run.counts["update"] == 1
    jean = Party.objects.get(last_name="Dupont")
    assert "VIP" in jean.notes and jean.version == 2
    assert ActivityEvent.objects.filter(action="party.updated", party_id=jean.pk).exists()


def test_without_external_id_rows_match_by_email_then_content(personas):
    csv = "Prénom;Nom;Email\nJean;Dupont;jean@example.fr\nAnne;Sans;\n"
    full_import(personas.admin, csv)
    again = full_import(personas.admin, csv)
    assert again.counts == {**again.counts, "create": 0, "unchanged": 2}
    assert Party.objects.count() == 2


def test_all_or_nothing_writes_nothing_when_a_row_fails(personas):
    run = full_import(personas.admin, MESSY, filename="messy_parties.csv", config={"batch_mode": "all", "batch_size": 2})
    assert run.status == RunStatus.FAILED
    assert Party.objects.count() == 0 and ImportedRecord.objects.count() == 0
    assert run.error_count == 2


def test_per_batch_keeps_good_rows_and_lists_bad_ones(personas):
    run = full_import(personas.admin, MESSY, filename="messy_parties.csv", config={"batch_size": 2})
    assert run.status == RunStatus.DONE
    assert Party.objects.count() == 3
    assert run.committed_rows == 6


def test_an_exact_email_is_the_same_person_and_is_updated(personas):
    party_create(actor=personas.admin, kind="person", first_name="Jean", last_name="Dupont", email="jean@example.fr")
    run = full_import(personas.admin, "Prénom;Nom;Téléphone;Email\nJean;Dupont;0612345678;JEAN@example.fr\n")
    assert run.counts["update"] == 1 and Party.objects.count() == 1
    assert Party.objects.get().phone == "+33612345678"


@pytest.mark.parametrize("policy,expected_parties,flagged", [("skip", 1, 0), ("flag", 2, 1), ("create", 2, 0)])
def test_duplicates_of_the_base_follow_the_users_choice(personas, policy, expected_parties, flagged):
    party_create(actor=personas.admin, kind="person", first_name="Jean", last_name="Dupont", email="jean@example.fr",
                 address=AddressInput(line1="1 rue X", postcode="75002", city="Paris"))
    csv = "Prénom;Nom;Email;Code postal;Adresse;Ville\nJean;Dupont;jean.d@third.fr;75002;2 rue Y;Paris\n"
    run = full_import(personas.admin, csv, config={"duplicates": policy})
    assert Party.objects.count() == expected_parties
    assert ImportedRecord.objects.filter(flagged=True).count() == flagged
    assert run.counts["duplicate"] == (1 if policy == "skip" else 0)
    if policy == "flag":
        assert Party.objects.filter(tags__name="import: possible duplicate").count() == 1


def test_suppressed_persons_are_skipped_with_a_reason(personas):
    suppression_add(kind="email", value="stop@example.fr", reason="objection")
    run = full_import(personas.admin, "Nom;Email\nStop;stop@example.fr\nGo;go@example.fr\n")
    assert run.counts["skipped"] == 1 and run.counts["create"] == 1
    assert any("suppression" in m for _r, _c, _v, m in run.errors)
    assert not Party.objects.filter(last_name="Stop").exists()


def test_the_import_digest_is_the_suppression_lists_digest():
    from fidelia.imports.target_parties import normalised_digest
    from fidelia.privacy.suppression import suppression_digest

    assert normalised_digest("phone", "+33612345678") == suppression_digest("phone", "06 12 34 56 78")
    assert normalised_digest("email", "Jean.Dupont@example.fr") == suppression_digest("email", " jean.dupont@EXAMPLE.fr ")


def test_who_may_import(personas):
    for user in (personas.alice, personas.service, personas.analyst, personas.dpo):
        with pytest.raises(PermissionDenied):
            upload(user, "Nom\nX\n")
    upload(personas.marketing, "Nom\nX\n")


def test_a_user_cannot_import_fields_they_may_not_write(personas):
    run = upload(personas.marketing, "Nom;Tranche de revenus\nX;lt20\n")
    assert run.mapping.get("Tranche de revenus") == "income_bracket"
    with pytest.raises(ValidationFailed) as exc:
        services.import_run_configure(run=run, actor=personas.marketing)
    assert "income_bracket" in exc.value.fields
    full_import(personas.manager, "Nom;Tranche de revenus\nX;lt20\n")
    assert Party.objects.get().income_bracket == "lt20"


def test_updates_only_reach_the_importers_portfolio(personas):
    other = party_create(actor=personas.outsider, kind="person", last_name="Ailleurs", email="a@paris.fr")
    run = full_import(personas.manager, "Nom;Email;Notes\nAilleurs;a@paris.fr;changed\n")
    assert run.counts["duplicate"] == 1 and run.counts["update"] == 0
    other.refresh_from_db()
    assert other.notes == ""
    # the report does not reveal the other agency's customer
    assert not any(str(other.pk) in m for _r, _c, _v, m in run.errors)


def test_mapping_errors_name_the_problem(personas):
    run = upload(personas.admin, "Nom;Nom de famille\nA;B\n")
    with pytest.raises(ValidationFailed) as exc:
        services.import_run_configure(run=run, actor=personas.admin, mapping={"Nom": "last_name", "Nom de famille": "last_name"})
    assert "last_name" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.import_run_configure(run=run, actor=personas.admin, mapping={"Absent": "last_name"})


def test_import_needs_a_dry_run_first(personas):
    run = upload(personas.admin, "Nom\nX\n")
    with pytest.raises(ValidationFailed):
        services.import_run_start(run=run, actor=personas.admin)


def test_cancel_stops_before_the_next_batch(personas):
    run = dry_run(personas.admin, "Nom\n" + "\n".join(f"N{i}" for i in range(10)) + "\n", config={"batch_size": 3})
    run = services.import_run_start(run=run, actor=personas.admin)
    services.import_run_cancel(run=run, actor=personas.admin)
    run = services.import_run_execute(run_id=run.pk)
    assert run.status == RunStatus.CANCELLED and Party.objects.count() == 0


def test_the_deduplication_matcher_sees_swapped_names_and_typos(personas):
    import datetime as dt

    party_create(actor=personas.admin, kind="person", first_name="Jean", last_name="Dupont",
                 birth_date=dt.date(1980, 12, 31))
    csv = "Prénom;Nom;Date de naissance\nDupont;Jean;31/12/1980\nJean;Dupond;31/12/1980\nMarie;Curie;07/11/1967\n"
    run = dry_run(personas.admin, csv)
    assert run.dry_run_counts["duplicate"] == 2 and run.dry_run_counts["create"] == 1
    notes = [m for _r, _c, _v, m in run.errors]
    assert all("#" in n for n in notes)  # the admin sees which customer it is
