"""In a real browser: filter the customer list, export it from the menu, get exactly the filtered rows
(the export menu sends the filter form's current fields, not the ones the page was loaded with).

Needs Debian's Chromium and the front-end packages, as tests/browser."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from fidelia.core.testing import PASSWORD
from tests.browser.conftest import page  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_menu_downloads_the_filtered_list(page: Any, live_server: Any, personas: Any, world: Any) -> None:  # noqa: F811
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/")
    with page.expect_response(lambda r: "stage=prospect" in r.url):
        page.select_option("form.filters select[name=stage]", "prospect")
    with page.expect_download() as download:
        page.click(".export-menu button[value=csv]")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [int(r["Id"]) for r in rows] == [world["mine"][1].pk]
