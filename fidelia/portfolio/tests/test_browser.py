"""The portfolio pages in a real browser: the bubble matrix with a customer's path and the RADAR chart
draw (SVG), a bubble opens the customer's file, nothing is logged to the console.

Needs Debian's Chromium and the front-end packages; screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.parties.tests.factories import person
from fidelia.portfolio import services
from fidelia.portfolio.models import ScoringGrid
from fidelia.portfolio.tests.factories import buy, course_grid, enter, product
from fidelia.sales import services as sales
from tests.browser.conftest import SHOTS, page  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
# the course's sample positions; the young driver (A) starts bottom left and climbs over three months
SAMPLE = {"A": (5, 4, 36), "B": (4, 4, 25), "C": (3, 3, 16), "D": (2, 1, 9), "E": (1, 5, 14)}
PATH = [(1, 2), (3, 2), (5, 4)]


def test_matrix_and_radar_draw(page, live_server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    personas = make_personas()
    grid = course_grid(personas.manager)
    ScoringGrid.objects.update(is_default=False)
    ScoringGrid.objects.filter(pk=grid.pk).update(is_default=True)  # RADAR segments follow the default grid
    family = sales.family_create(actor=personas.admin, name="Assurance auto")
    item = product(personas.admin, family)
    parties = {name: person(owner=personas.alice, last_name=f"Client {name}") for name in SAMPLE}
    for name, (_pot, _perf, revenue) in SAMPLE.items():
        buy(parties[name], item, revenue * 100, TODAY - dt.timedelta(days=5))
        services.purchase_potential_set(actor=personas.alice, party=parties[name], family=family, year=TODAY.year,
                                        amount=revenue * 100 * (1 + len(name) + ord(name) % 4))
    for months_ago, (pot, perf) in zip((65, 33, 0), PATH, strict=True):
        for name, (p, q, _revenue) in SAMPLE.items():
            values = (pot, perf) if name == "A" else (p, q)
            enter(personas.alice, parties[name], grid, [values[0]] * 5, [values[1]] * 5)
        services.portfolio_run(as_of=TODAY - dt.timedelta(days=months_ago), grids=[grid])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/portfolio/?grid={grid.code}&party={parties['A'].pk}")
    chart = page.locator("[data-testid=portfolio-matrix]")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    assert chart.locator("svg").count() == 1
    page.screenshot(path=SHOTS / "portfolio-matrix.png", full_page=True)

    page.goto(f"{base}/portfolio/radar/")
    radar = page.locator("[data-testid=radar-segments]")
    expect(radar).to_have_attribute("data-chart-ready", "true")
    page.screenshot(path=SHOTS / "portfolio-radar.png", full_page=True)

    page.goto(f"{base}/portfolio/customers/{parties['A'].pk}/")
    expect(page.locator("h1")).to_contain_text("Client A".upper().split()[1])
    page.screenshot(path=SHOTS / "portfolio-customer.png", full_page=True)
    assert errors == [], errors
