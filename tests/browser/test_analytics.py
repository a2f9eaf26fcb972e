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
from tests.browser.conftest import SHOTS

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
    with page.expect_response(lambda r: "/analytics/pareto/?" in r.url and r.request.headers.get("hx-request")):
        page.select_option("#id_months", "6")  # one change event, one request
    expect(page.locator("[data-testid=analytics-meta]")).to_contain_text("Recomputed for these filters")
    expect(page.locator("[data-testid=chart-pareto]")).to_have_attribute("data-chart-ready", "true")
    assert "months=6" in page.url
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


# Every chart kind of static/js/chart.js with the JSON its views render, the bubble matrix with the
# contract portfolio pages use (quadrants at the averages, a trajectory path, a clickable bubble).
CHART_KINDS_DEMO = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/css/app.css">
<style>.chart{height:320px;width:600px;display:inline-block;margin:8px;background:#fff}</style></head><body>
""" + """<script type="application/json" id="d-pareto">{"labels":{"curve":"Cumulative revenue","diagonal":"Equality","top20":"Top 20%","at80":"80% of revenue","customers":"Customers","revenue":"Revenue","bars":"Decile"},"points":[[0,0],[5,45],[10,60],[20,80],[40,92],[60,97],[100,100]],"top20_share":80,"customers_for_80":20,"bars":[[5,45],[15,15],[25,10]]}</script>
<div class="chart" data-chart="pareto" data-chart-source="d-pareto" data-chart-lib="/static/vendor/echarts.min.js"></div>
<script type="application/json" id="d-class">{"classes":["A","B","C"],"series":[{"name":"Customers","values":[10,30,60]},{"name":"Revenue","values":[60,31.5,8.5]}],"counts":[2,6,12],"amounts":[600000,315000,85000],"labels":{"count":"Customers","amount":"Revenue"}}</script>
<div class="chart" data-chart="class-bars" data-chart-source="d-class" data-chart-lib="/static/vendor/echarts.min.js"></div>
<script type="application/json" id="d-seg">{"labels":{"count":"Customers","revenue":"Revenue"},"segments":[{"label":"Champions","count":120,"revenue":500000,"share":12,"revenue_share":50,"color":"#16a34a"},{"label":"Loyal","count":200,"revenue":200000,"share":20,"revenue_share":20,"color":"#65a30d"},{"label":"At risk","count":150,"revenue":100000,"share":15,"revenue_share":10,"color":"#f59e0b"},{"label":"Hibernating","count":400,"revenue":50000,"share":40,"revenue_share":5,"color":"#94a3b8"},{"label":"New","count":130,"revenue":150000,"share":13,"revenue_share":15,"color":"#0891b2"}]}</script>
<div class="chart" data-chart="segment-map" data-chart-source="d-seg" data-chart-lib="/static/vendor/echarts.min.js"></div>
<script type="application/json" id="d-hist">{"title":"Average delay between purchases","bins":["0–30","30–60","60–90","90–180","180–365","365+"],"counts":[40,120,200,150,80,20],"x_label":"days","y_label":"Customers"}</script>
<div class="chart" data-chart="histogram" data-chart-source="d-hist" data-chart-lib="/static/vendor/echarts.min.js"></div>
<script type="application/json" id="d-mig">{"from":["A","B","C","—"],"to":["A","B","C","—"],"labels":{"from":"2026-05","to":"2026-10","count":"Customers"},"cells":[[0,0,80,80],[1,0,15,15],[2,0,5,5],[0,1,20,7],[1,1,240,80],[2,1,40,13],[1,2,50,8],[2,2,500,85],[3,2,40,7],[2,3,10,50],[3,3,10,50]]}</script>
<div class="chart" data-chart="migration" data-chart-source="d-mig" data-chart-lib="/static/vendor/echarts.min.js"></div>
<script type="application/json" id="d-bub">{"x_label":"Potential","y_label":"Performance","x_mean":3,"y_mean":3.4,"x_range":[1,5],"y_range":[1,5],"quadrants":{"tl":"Keep","tr":"Develop","bl":"Abandon","br":"Invest"},"points":[{"name":"A","x":5,"y":4,"size":7.9,"url":"/customers/1/","group":null},{"name":"B","x":4,"y":4,"size":5,"url":null,"group":null},{"name":"C","x":3,"y":3,"size":3,"url":null,"group":null},{"name":"D","x":2,"y":1,"size":1,"url":null,"group":null},{"name":"E","x":1,"y":5,"size":2,"url":null,"group":null}],"paths":[{"name":"Young driver","points":[[1.5,1.5,"2020"],[2.5,2,"2022"],[3.5,3.5,"2024"],[4.5,4.2,"2026"]]}]}</script>
<div class="chart" data-chart="bubble-matrix" data-chart-source="d-bub" data-chart-lib="/static/vendor/echarts.min.js"></div>
<script type="application/json" id="d-tl">{"months":["2026-01","2026-02","2026-03","2026-04","2026-05"],"series":[{"name":"ABC","categories":["C","B","A"],"values":["C","C","B","B","A"]},{"name":"RFM","categories":["Hibernating","At risk","Loyal","Champions"],"values":["At risk","Loyal","Loyal","Champions",null]}]}</script>
<div class="chart" data-chart="class-timeline" data-chart-source="d-tl" data-chart-lib="/static/vendor/echarts.min.js"></div>""" + """
<script type="module">import { bindChart } from "/static/js/chart.js";
document.querySelectorAll("[data-chart]").forEach(bindChart);</script></body></html>"""


def test_every_chart_kind_draws(page, live_server) -> None:  # noqa: ANN001, F811
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    demo = f"{live_server.url}/__chart-kinds__"
    page.route(demo, lambda route: route.fulfill(body=CHART_KINDS_DEMO, content_type="text/html"))
    page.goto(demo)
    charts = page.locator("[data-chart]")
    assert charts.count() == 7
    for i in range(7):
        expect(charts.nth(i)).to_have_attribute("data-chart-ready", "true")
        assert charts.nth(i).locator("svg").count() == 1
    # the bubble matrix: five bubbles, the four quadrant names, and the path's labels
    matrix = page.locator("[data-chart=bubble-matrix]")
    for text in ("Keep", "Develop", "Abandon", "Invest", "2020", "2026"):
        expect(matrix.locator("svg text", has_text=text).first).to_be_attached()
    page.screenshot(path=SHOTS / "analytics-chart-kinds.png", full_page=True)
    assert errors == [], errors
