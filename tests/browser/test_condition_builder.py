"""A manager and a marketer build conditions by pointing and clicking, in a real browser: criteria,
operators and values chosen from lists, a nested "any of" group; the live count follows every change,
the form saves the JSON the builder wrote, and reopening the page shows the same tree.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fidelia.actions.models import ActionRule
from fidelia.actions.tests import factories as f
from fidelia.core.testing import PASSWORD, make_personas
from fidelia.marketing.models import Segment
from fidelia.parties.services import AddressInput
from fidelia.parties.tests.factories import person
from tests.browser.conftest import SHOTS
from tests.browser.test_actions import login

pytestmark = pytest.mark.browser

RULE = {"all": [
    {"fact": "sales.contract_renewal", "operator": "within_next_days", "value": 60},
    {"any": [
        {"fact": "parties.stage", "operator": "eq", "value": "customer"},
        {"fact": "parties.stage", "operator": "in", "value": ["prospect", "former"]}]}]}

SEGMENT = {"any": [
    {"fact": "parties.stage", "operator": "eq", "value": "prospect"},
    {"all": [
        {"fact": "parties.postcode", "operator": "in", "value": ["69001", "38000"]},
        {"fact": "marketing.email_optin", "operator": "is_false"}]}]}


def condition_in(page, selector: str) -> dict:  # noqa: ANN001
    return json.loads(page.locator(selector).input_value())


def test_build_a_rule_condition_with_a_nested_group(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    soon = timezone.localdate() + dt.timedelta(days=20)
    for stage in ("customer", "prospect", "suspect"):
        f.contract(person(owner=personas.alice, stage=stage), renewal=soon)
    base = live_server.url
    login(page, base, "manager")
    page.goto(f"{base}/actions/rules/new")
    page.fill("#id_name", "Renouvellements à préparer")
    page.fill("#id_title_template", "Préparer le renouvellement de {name}")
    builder = page.locator("[data-cb-builder]")
    expect(builder).to_be_visible()
    expect(page.locator("#id_condition")).to_be_visible()  # under the "JSON" disclosure, open until folded

    builder.get_by_role("button", name="Add a condition").click()
    row = builder.get_by_role("group", name="Condition 1")
    row.get_by_label("Criterion").select_option(label="A contract's renewal date")
    row.get_by_label("Operator").select_option(label="within the next N days")
    row.get_by_label("Value").fill("60")
    preview = page.locator("[data-testid=preview-count]")
    expect(preview).to_contain_text("3 customers")

    builder.get_by_role("button", name="Add a group").click()
    group = builder.get_by_role("group", name="Group 2")
    expect(group.get_by_role("radio", name="Any of")).to_be_checked()  # the opposite of its parent
    first = group.get_by_role("group", name="Condition 2.1")
    expect(first.get_by_label("Criterion")).to_be_focused()
    first.get_by_label("Criterion").select_option(label="Stage")
    first.get_by_label("Value").select_option(label="Customer")
    expect(preview).to_contain_text("1 customer matches")
    group.get_by_role("button", name="Add a condition").click()
    second = group.get_by_role("group", name="Condition 2.2")
    second.get_by_label("Criterion").select_option(label="Stage")
    second.get_by_label("Operator").select_option(label="is one of")
    second.get_by_label("Add a value…").select_option(label="Prospect")
    second.get_by_label("Add a value…").select_option(label="Former customer")
    expect(second.get_by_role("button", name="Remove Prospect")).to_be_visible()
    expect(preview).to_contain_text("2 customers")
    assert condition_in(page, "#id_condition") == RULE
    page.screenshot(path=SHOTS / "condition-builder-01-rule.png", full_page=True)

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{base}/actions/rules/")
    rule = ActionRule.objects.get(name="Renouvellements à préparer")
    assert rule.condition == RULE

    page.goto(f"{base}/actions/rules/{rule.pk}")
    group = builder.get_by_role("group", name="Group 2")
    expect(builder.get_by_role("radio", name="All of").first).to_be_checked()
    expect(group.get_by_role("radio", name="Any of")).to_be_checked()
    expect(builder.get_by_role("group", name="Condition 1").get_by_label("Criterion")).to_have_value("sales.contract_renewal")
    expect(builder.get_by_role("group", name="Condition 1").get_by_label("Value")).to_have_value("60")
    expect(group.get_by_role("group", name="Condition 2.1").get_by_label("Value")).to_have_value("customer")
    expect(group.get_by_role("group", name="Condition 2.2").get_by_role("button", name="Remove Former customer")).to_be_visible()
    expect(preview).to_contain_text("2 customers")
    assert condition_in(page, "#id_condition") == RULE

    # JSON the builder cannot show is left exactly as typed, and the builder says so.
    odd = '{"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer", "note": "kept"}]}'
    page.fill("#id_condition", odd)
    expect(page.locator("[data-cb-notice]")).to_contain_text("cannot show")
    expect(builder).to_be_hidden()
    assert page.locator("#id_condition").input_value() == odd
    page.fill("#id_condition", json.dumps(RULE))
    expect(builder).to_be_visible()
    expect(page.locator("[data-cb-notice]")).to_be_hidden()


def test_build_a_segment_with_a_nested_group(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    person(owner=personas.alice, stage="prospect")
    person(owner=personas.alice, stage="customer", address=AddressInput(line1="1 rue de la Ré", postcode="69001", city="Lyon"))
    person(owner=personas.alice, stage="customer", address=AddressInput(line1="2 rue de Rivoli", postcode="75001", city="Paris"))
    base = live_server.url
    login(page, base, "marketing")
    page.goto(f"{base}/marketing/segments/new/")
    page.fill("#id_name", "Prospects et Rhône-Alpes")
    builder = page.locator("[data-cb-builder]")

    builder.get_by_role("radio", name="Any of").check()
    builder.get_by_role("button", name="Add a condition").click()
    row = builder.get_by_role("group", name="Condition 1")
    row.get_by_label("Criterion").select_option(label="Stage")
    row.get_by_label("Value").select_option(label="Prospect")
    count = page.locator("[data-testid=segment-total]")
    expect(count).to_contain_text("1 customer")

    builder.get_by_role("button", name="Add a group").click()
    group = builder.get_by_role("group", name="Group 2")
    expect(group.get_by_role("radio", name="All of")).to_be_checked()
    first = group.get_by_role("group", name="Condition 2.1")
    first.get_by_label("Criterion").select_option(label="Postcode")
    first.get_by_label("Operator").select_option(label="is one of")
    values = first.get_by_label("Value")
    values.fill("69001")
    values.press("Enter")
    first.get_by_label("Value").fill("38000")
    first.get_by_label("Value").press("Enter")
    expect(count).to_contain_text("2 customers")
    group.get_by_role("button", name="Add a condition").click()
    second = group.get_by_role("group", name="Condition 2.2")
    second.get_by_label("Criterion").select_option(label="Agreed to e-mail offers")
    second.get_by_label("Operator").select_option(label="is false")
    expect(second.get_by_label("Value")).to_have_count(0)  # nothing to type for "is false"
    assert condition_in(page, "#id_definition") == SEGMENT
    expect(count).to_contain_text("2 customers")
    page.screenshot(path=SHOTS / "condition-builder-02-segment.png", full_page=True)

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{base}/marketing/segments/*/")
    segment = Segment.objects.get(name="Prospects et Rhône-Alpes")
    assert segment.definition == SEGMENT
    page.reload()
    expect(builder.get_by_role("radio", name="Any of").first).to_be_checked()
    group = builder.get_by_role("group", name="Group 2")
    expect(group.get_by_role("radio", name="All of")).to_be_checked()
    expect(group.get_by_role("group", name="Condition 2.1").get_by_role("button", name="Remove 38000")).to_be_visible()
    expect(group.get_by_role("group", name="Condition 2.2").get_by_label("Operator")).to_have_value("is_false")
    assert condition_in(page, "#id_definition") == SEGMENT


@pytest.mark.parametrize("language", ["fr", "en"])
def test_saved_conditions_draw_in_the_builder(page, live_server, language: str) -> None:  # noqa: ANN001
    """Both editors draw a saved tree in either language without a script error (screenshots for the guides)."""
    personas = make_personas()
    soon = timezone.localdate() + dt.timedelta(days=20)
    for stage in ("customer", "prospect", "suspect"):
        f.contract(person(owner=personas.alice, stage=stage), renewal=soon)
    rule = ActionRule.objects.create(key="renewals", name="Renouvellements", condition=RULE, title_template="{name}",
                                     kind="call", priority=3, due_days=7, action_valid_days=30, period="year")
    segment = Segment.objects.create(name="Prospects et Rhône-Alpes", definition=SEGMENT, created_by=personas.marketing)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for username, url, name in (("manager", f"/actions/rules/{rule.pk}", "rule"),
                                ("marketing", f"/marketing/segments/{segment.pk}/", "segment")):
        page.context.clear_cookies(name="sessionid")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server.url + url)
        builder = page.locator("[data-cb-builder]")
        expect(builder.locator(".cb-row")).to_have_count(3)
        expect(page.locator("[data-testid=preview-count], [data-testid=segment-total]")).to_be_visible()
        if page.locator("[data-cb-json] textarea").is_visible():  # folded once, it stays folded on the next page
            page.locator("[data-cb-json] > summary").click()  # the guides show the builder
        expect(page.locator("[data-cb-json] textarea")).to_be_hidden()
        box = page.locator(".cb").bounding_box()
        page.screenshot(path=SHOTS / f"condition-builder-{name}-{language}.png",
                        clip={"x": 0, "y": 0, "width": 1440, "height": box["y"] + box["height"] + 24})
    assert errors == []
