"""A data steward in a real browser: open the duplicate queue, compare two files side by side,
keep a value from the other file, merge, land on the surviving file, then undo the merge.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import pytest

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.dedup.models import Merge
from fidelia.dedup.tests import factories as f
from fidelia.parties.models import Party
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_review_and_merge_a_duplicate(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    a, b = f.pair(personas.alice, job_title="Médecin")
    pair = f.candidate(a, b)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/")

    page.goto(f"{base}/duplicates/")
    queue = page.locator("[data-testid=duplicate-queue]")
    assert "Le Goff".upper() in queue.inner_text().upper() and "same birth date" in queue.inner_text()
    page.screenshot(path=SHOTS / "dedup-01-queue.png", full_page=True)
    queue.get_by_role("link", name="Compare").click()
    page.wait_for_url(f"{base}/duplicates/{pair.pk}/")
    page.screenshot(path=SHOTS / "dedup-02-compare.png", full_page=True)

    # Keep file A (the older one), but take the job title from the other file.
    survivor_side = "a" if pair.party_a_id == a.pk else "b"
    other_side = "b" if survivor_side == "a" else "a"
    page.check(f"input[name=survivor][value={survivor_side}]")
    page.check(f"input[name=keep_job_title][value={other_side}]")
    page.get_by_role("button", name="Merge the two files").click()
    page.wait_for_url(f"{base}/customers/{a.pk}/")
    assert "Files merged" in page.content()
    page.screenshot(path=SHOTS / "dedup-03-merged.png", full_page=True)
    assert Party.objects.get(pk=b.pk).merged_into_id == a.pk
    assert Party.objects.get(pk=a.pk).job_title == "Médecin"

    # The merged file's old address leads to the survivor; the merge can be undone.
    page.goto(f"{base}/customers/{b.pk}/")
    page.wait_for_url(f"{base}/customers/{a.pk}/")
    page.goto(f"{base}/duplicates/merges/")
    page.get_by_role("button", name="Undo").click()
    page.wait_for_url(f"{base}/duplicates/merges/")
    assert "both files are back" in page.content()
    assert Merge.objects.get().undone_at is not None
    assert Party.objects.get(pk=b.pk).merged_into_id is None
