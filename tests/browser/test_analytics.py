"""The analytics dashboards in a real browser: the Pareto and RFM pages draw their charts (SVG),
a filter refreshes them in place, the PNG download works, and nothing is logged to the console.

Needs Debian's Chromium (/usr/bin/chromium) and the front-end packages (`bash scripts/vendor.sh`).
Screenshots go to artifacts/screenshots/ for a human to look at.
"""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.analytics.services import analytics_run
from fidelia.analytics.tests.factories import buy, customers_with_revenues
from fidelia.core.testing import PASSWORD, make_personas
from tests.browser.test_journey import SHOTS, page  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser

REFERENCE = dt.date(2026, 6, 30)


def _sign_in(page, base: str, username: str) -> None:  # noqa: ANN001, F811
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_pareto_and_rfm_dashboards_draw_their_charts(page, live_server) -> None:  # noqa: ANN001, F811
    from playwright.sync_api import expect

    personas = make_personas()
    parties = customers_with_revenues([1000 * (i % 17 + 1) for i in range(40)], owner=personas.alice, prefix="Client")
    for i, party in enumerate(parties[:25]):
        buy(party, [(dt.date(2026, 1 + i % 5, 3), 200 + 10 * i), (dt.date(2026, 6, 1 + i % 20), 100)])
    analytics_run(actor=None, reference_date=REFERENCE)
    errors: list[str] = []
    # the browser's own request for /favicon.ico (no icon is served) is not an error of these pages
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    _sign_in(page, base, "manager")

    page.goto(f"{base}/analytics/pareto/")
    chart = page.locator("[data-testid=chart-pareto]")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    assert chart.locator("svg").count() == 1 and chart.locator("svg path").count() > 5
    page.screenshot(path=SHOTS / "analytics-pareto.png", full_page=True)

    # A filter refreshes the results in place (HTMX) and the new chart is drawn too.
    page.evaluate("window.__sameDocument = true")
    page.fill("#id_date_from", "2026-01-01")
    page.locator("#id_date_from").dispatch_event("change")
    expect(page.locator("[data-testid=analytics-meta]")).to_contain_text("Recomputed for these filters")
    expect(page.locator("[data-testid=chart-pareto]")).to_have_attribute("data-chart-ready", "true")
    assert page.evaluate("window.__sameDocument") is True

    # The toolbox downloads the chart as a PNG (drawn by an off-screen canvas instance).
    with page.expect_download() as download:
        page.evaluate("""() => {
          const chart = window.echarts.getInstanceByDom(document.querySelector('[data-testid=chart-pareto]'));
          chart.getOption().toolbox[0].feature.myPng.onclick();
        }""")
    assert download.value.suggested_filename == "pareto.png"

    page.goto(f"{base}/analytics/rfm/")
    segment_map = page.locator("[data-testid=chart-rfm]")
    expect(segment_map).to_have_attribute("data-chart-ready", "true")
    assert segment_map.locator("svg").count() == 1
    expect(page.locator("[data-testid=rfm-grid]")).to_be_visible()
    page.screenshot(path=SHOTS / "analytics-rfm.png", full_page=True)

    assert errors == [], errors
