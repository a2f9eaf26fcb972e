"""Customer value in a real browser: the dashboard draws its charts, the file's Info tab loads the
value panel lazily and a retention effort recorded there lowers the capital shown."""
from __future__ import annotations

import pytest

from fidelia.clv import services
from fidelia.clv.models import CustomerValue
from fidelia.clv.tests.factories import AS_OF, base, product
from fidelia.core.testing import PASSWORD, make_personas


@pytest.mark.browser
def test_value_dashboard_and_file_panel(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    base(personas.alice, product(personas.admin), customers=20)
    services.value_model_run(as_of=AS_OF, actor=None)
    top = CustomerValue.objects.order_by("-clv_12m").first()
    url = live_server.url
    page.set_default_timeout(60_000)  # the shared CI machine can be slow to serve the first page
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state("networkidle")
    page.goto(f"{url}/value/")
    page.wait_for_selector("[data-chart='clv-histogram'] svg")
    assert page.locator("[data-testid=clv-top] tbody tr").count() == 15
    page.goto(f"{url}/value/diagnostics/")
    page.wait_for_selector("[data-testid=clv-params]")
    page.goto(f"{url}/customers/{top.party_id}/")
    page.locator("[data-testid=clv-slot]").scroll_into_view_if_needed()
    page.wait_for_selector("[data-testid=clv-panel]")
    form = page.locator("[data-testid=clv-effort-form]")
    form.locator("input[name=amount]").fill("30")
    form.locator("input[name=note]").fill("Coffret")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=clv-efforts] >> text=Coffret")
    assert CustomerValue.objects.get(party_id=top.party_id).capital == top.capital - 30
