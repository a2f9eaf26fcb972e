"""A customer's export in each format: it downloads, parses, holds the person's data and nobody
else's, is audited, and is refused (404) to whoever is not the DPO or an administrator."""
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fidelia.parties import services
from fidelia.parties.tests import factories
from fidelia.privacy import exports
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry

SPOUSE = ("Voisinetmari", "voisin.mari@exemple.fr")
CONTACT = ("Contactorga", "contact.orga@exemple.fr")
OTHERS = SPOUSE + CONTACT


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    """Export rate counters live in the cache: each test starts from zero."""
    cache.clear()


@pytest.fixture
def family(personas):
    """Élodie, whose husband is himself a customer, and who works for an organisation with another contact."""
    alice = personas.alice
    org = factories.organisation(owner=alice, legal_name="Brasserie Lumière")
    subject = factories.person(owner=alice, first_name="Élodie", last_name="Sujetexport", email="elodie@exemple.fr",
                               phone="06 10 20 30 40", organisation=org, notes="Prêt de 15 000 € accordé")
    husband = factories.person(owner=alice, first_name="Hugo", last_name=SPOUSE[0], email=SPOUSE[1])
    services.household_member_add(party=subject, actor=alice, role="spouse", first_name="Hugo", last_name=SPOUSE[0],
                                  member_party=husband)
    services.household_member_add(party=subject, actor=alice, role="child", first_name="Léa",
                                  birth_date=dt.date(2015, 6, 1))
    factories.person(owner=alice, first_name="Carl", last_name=CONTACT[0], email=CONTACT[1], organisation=org)
    return subject


def download(client, user, party, fmt):
    client.force_login(user)
    return client.get(reverse("privacy:subject_export", args=[party.pk]), {"format": fmt})


def assert_only_the_subject(text: str, others: tuple[str, ...] = CONTACT) -> None:
    assert "Sujetexport" in text and "elodie@exemple.fr" in text
    for other in others:
        assert other.lower() not in text.lower(), other


@pytest.mark.django_db
def test_a_relative_who_is_a_customer_appears_by_role_only(client, personas, family):
    for fmt in ("json", "html"):
        assert_only_the_subject(download(client, personas.dpo, family, fmt).content.decode(), SPOUSE)


@pytest.mark.django_db
def test_json(client, personas, family):
    response = download(client, personas.dpo, family, "json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    assert data["subject"] == family.pk and data["data"]["parties.identity"][0]["last_name"] == "Sujetexport"
    assert_only_the_subject(response.content.decode())


@pytest.mark.django_db
def test_csv_zip_has_one_formula_safe_csv_per_section(client, personas, family):
    services.party_update(party=family, actor=personas.alice, version=family.version, notes="=HYPERLINK(\"x\")")
    response = download(client, personas.admin, family, "csv")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"parties.identity.csv", "parties.emails.csv", "parties.household.csv", "README.txt"} <= names
    identity = archive.read("parties.identity.csv").decode("utf-8-sig")
    assert "Sujetexport" in identity and "'=HYPERLINK" in identity and ";=HYPERLINK" not in identity
    assert_only_the_subject("\n".join(archive.read(n).decode("utf-8-sig") for n in names))


@pytest.mark.django_db
def test_html_summary_in_english_and_french(client, personas, family):
    response = download(client, personas.dpo, family, "html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Élodie Sujetexport" in html and "Personal data held about" in html and "<table" in html
    assert "15 000 €" in html
    assert_only_the_subject(html)
    client.cookies["django_language"] = "fr"
    french = client.get(reverse("privacy:subject_export", args=[family.pk]), {"format": "html"},
                        headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="fr">' in french


@pytest.mark.django_db
def test_pdf_with_dejavu_and_with_core_fonts(client, personas, family, monkeypatch, tmp_path):
    response = download(client, personas.dpo, family, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"DejaVu" in response.content
    monkeypatch.setattr(exports, "FONT_DIR", tmp_path)  # no TTF there: core fonts, € spelt out
    fallback = exports.render_pdf(exports.subject_export(party_id=family.pk))
    assert fallback.startswith(b"%PDF") and b"DejaVu" not in fallback and b"Helvetica" in fallback


@pytest.mark.django_db
def test_every_export_is_audited_and_a_bad_format_is_a_clear_400(client, personas, family):
    for fmt in exports.FORMATS:
        assert download(client, personas.dpo, family, fmt).status_code == 200
    rows = AuditEntry.objects.filter(action=AuditAction.EXPORT, party_id=family.pk, actor_id=personas.dpo.pk)
    assert sorted(f for row in rows for f in row.fields if f.startswith("format:")) == [
        "format:csv", "format:html", "format:json", "format:pdf"]
    bad = download(client, personas.dpo, family, "docx")
    assert bad.status_code == 400 and "json, csv, html, pdf" in bad.content.decode()
    assert rows.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["manager", "alice", "bob", "outsider", "marketing", "service", "analyst"])
def test_export_is_404_for_everyone_but_the_dpo_and_admin(client, personas, family, name):
    assert download(client, getattr(personas, name), family, "json").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.django_db
def test_unknown_customer_is_404(client, personas):
    client.force_login(personas.dpo)
    assert client.get(reverse("privacy:subject_export", args=[999999]), {"format": "pdf"}).status_code == 404


@pytest.mark.django_db
def test_command_writes_each_format(personas, family, tmp_path):
    for fmt in ("csv", "pdf"):
        target = tmp_path / f"out.{fmt}"
        call_command("subject_export", family.pk, "--as", "dpo", "--format", fmt, "--output", str(target))
        assert target.read_bytes()[:2] in (b"PK", b"%P")
    with pytest.raises(CommandError, match="Unknown format"):
        call_command("subject_export", family.pk, "--as", "dpo", "--format", "docx", "--output", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="--output"):
        call_command("subject_export", family.pk, "--as", "dpo", "--format", "pdf")
    with pytest.raises(CommandError, match="not an active DPO"):
        call_command("subject_export", family.pk, "--as", "marketing", "--format", "json")
    out = io.StringIO()
    call_command("subject_export", family.pk, "--as", "admin", "--format", "html", "--language", "en", stdout=out)
    assert "Élodie Sujetexport" in out.getvalue()
    rows = AuditEntry.objects.filter(action=AuditAction.EXPORT, party_id=family.pk)
    assert rows.count() == 3 and {r.channel for r in rows} == {"cli"}


@pytest.mark.django_db
def test_exports_are_rate_limited_per_user(client, personas, family, settings):
    settings.FIDELIA_EXPORT_RATE = "2/hour"
    assert [download(client, personas.dpo, family, "json").status_code for _ in range(3)] == [200, 200, 429]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 2
    assert download(client, personas.admin, family, "json").status_code == 200
