"""The import wizard in a real browser: upload a messy CSV (Windows-1252, semicolons, French
headers, a quoted newline, a 31/02 date, a broken e-mail, a repeated person), check the suggested
mapping, change one column, read the dry-run report, import, and read the final report.

Needs Debian's Chromium (/usr/bin/chromium) and the front-end packages (`bash scripts/vendor.sh`).
Screenshots go to docs/img/import-*.png (the import guide shows them).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.imports.models import ImportRun
from fidelia.parties.models import Party

pytestmark = pytest.mark.browser

SHOTS = Path(settings.BASE_DIR) / "docs" / "img"
MESSY = Path(settings.BASE_DIR) / "fidelia" / "imports" / "tests" / "data" / "messy_parties.csv"


def test_import_a_messy_csv(page, live_server) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    personas = make_personas()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", personas.manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    # 1. Upload.
    page.goto(f"{base}/imports/")
    form = page.locator("[data-upload-form]")
    form.locator("input[type=file]").set_input_files(str(MESSY))
    form.locator("select[name=target]").select_option("parties")
    form.locator("input[name=source]").fill("old-crm")
    page.screenshot(path=SHOTS / "import-1-upload.png")
    form.locator("button[type=submit]").click()

    # 2. Mapping: suggested from the French headers; the notes column is left out on purpose.
    mapping = page.locator("[data-mapping-form]")
    expect(mapping).to_be_visible()
    expect(mapping.locator("select[data-column='Civilité']")).to_have_value("civility")
    expect(mapping.locator("select[data-column='Date de naissance']")).to_have_value("birth_date")
    expect(mapping.locator("select[data-column='Téléphone']")).to_have_value("phone")
    assert "Lefèvre" in mapping.inner_text()  # Windows-1252 decoded
    mapping.locator("select[data-column='Notes']").select_option("")
    page.screenshot(path=SHOTS / "import-2-mapping.png", full_page=True)
    mapping.locator("button[type=submit]").click()

    # 3. Dry-run report: counts, each problem with its row, column and value; nothing written.
    report = page.locator("[data-dry-run-report]")
    expect(report).to_be_visible()
    text = report.inner_text()
    assert "31/02/2024" in text and "pas-un-email" in text and "same as row 2" in text
    assert Party.objects.count() == 0
    page.screenshot(path=SHOTS / "import-3-dry-run.png", full_page=True)

    # 4. Import and read the report.
    report.locator("[data-start-import]").click()
    final = page.locator("[data-import-report]")
    expect(final).to_be_visible()
    expect(final.locator("[data-status]")).to_have_attribute("data-status", "done")
    page.screenshot(path=SHOTS / "import-4-report.png", full_page=True)
    assert Party.objects.count() == 3
    assert not Party.objects.exclude(notes="").exists()  # the ignored column was not imported
    run = ImportRun.objects.get()
    assert run.counts["create"] == 3 and run.source == "old-crm"
