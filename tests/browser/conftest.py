"""The browser every UI test drives: Debian's Chromium through Playwright (never a downloaded one).

Tests skip, and say why, when Chromium or the front-end packages (`bash scripts/vendor.sh`) are
missing. Screenshots for people to look at go to artifacts/screenshots/ (SHOTS).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
HTMX = Path(settings.BASE_DIR) / "static" / "vendor" / "htmx.min.js"
SHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def page(live_server, transactional_db) -> Iterator:  # noqa: ANN001
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    if not HTMX.exists():
        pytest.skip("static/vendor/htmx.min.js is missing: run `bash scripts/vendor.sh` first")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()
