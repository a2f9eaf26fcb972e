"""The DPO's pages: register, request life cycle through the forms, suppression list, dashboard —
and 404 for every other persona."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fidelia.parties.services import consent_record
from fidelia.parties.tests import factories
from fidelia.privacy.models import SubjectRequest, SuppressionEntry
from fidelia.privacy.services import add_months, subject_request_create
from fidelia.privacy.suppression import is_suppressed, suppression_add

OTHERS = ["manager", "alice", "bob", "outsider", "marketing", "service", "analyst"]


def make_request(personas, *, days_ago=0, kind="access", party=None):
    return subject_request_create(actor=personas.dpo, kind=kind, requester_name=f"Req {kind} {days_ago}",
                                  channel="email", received_on=timezone.localdate() - dt.timedelta(days=days_ago),
                                  party_id=party.pk if party else None)


@pytest.fixture
def urls(personas):
    request = make_request(personas)
    return [reverse("privacy:dashboard"), reverse("privacy:request_list"), reverse("privacy:request_create"),
            reverse("privacy:request_detail", args=[request.pk]), reverse("privacy:suppression")]


@pytest.mark.django_db
@pytest.mark.parametrize("name", OTHERS)
def test_pages_are_404_for_everyone_but_the_dpo_and_admin(client, personas, urls, name):
    client.force_login(getattr(personas, name))
    for url in urls:
        assert client.get(url).status_code == 404, url
    request = SubjectRequest.objects.get()
    assert client.post(reverse("privacy:request_action", args=[request.pk, "refuse"]),
                       {"version": request.version, "reason": "no"}).status_code == 404
    assert client.post(reverse("privacy:suppression"), {"add-kind": "email", "add-value": "x@exemple.fr"}).status_code == 404
    request.refresh_from_db()
    assert request.status == "received" and not SuppressionEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dpo", "admin"])
def test_pages_open_for_dpo_and_admin(client, personas, urls, name):
    client.force_login(getattr(personas, name))
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, personas, urls):
    assert client.get(urls[0]).status_code == 302


@pytest.mark.django_db
def test_register_colours_deadlines_and_filters(client, personas):
    overdue = make_request(personas, days_ago=45)
    soon = make_request(personas, days_ago=(timezone.localdate() - add_months(timezone.localdate(), -1)).days - 3)
    later = make_request(personas, days_ago=0, kind="erasure")
    client.force_login(personas.dpo)
    page = client.get(reverse("privacy:request_list")).content.decode()
    assert page.index(overdue.requester_name) < page.index(soon.requester_name) < page.index(later.requester_name)
    assert 'data-deadline="overdue"' in page and "badge--former" in page and "badge--prospect" in page
    only_erasure = client.get(reverse("privacy:request_list"), {"kind": "erasure"}, headers={"HX-Request": "true"})
    body = only_erasure.content.decode()
    assert later.requester_name in body and overdue.requester_name not in body and "<html" not in body
    assert client.get(reverse("privacy:request_list"), {"status": "bogus"}).status_code == 200


@pytest.mark.django_db
def test_create_form_checks_the_customer_and_the_dates(client, personas):
    party = factories.person(owner=personas.alice)
    client.force_login(personas.dpo)
    url = reverse("privacy:request_create")
    base = {"kind": "access", "requester_name": "Jeanne", "channel": "letter",
            "received_on": timezone.localdate().isoformat()}
    assert client.post(url, {**base, "party": 987654}).status_code == 422
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.post(url, {**base, "received_on": future})
    assert response.status_code == 422 and "future" in response.content.decode()
    assert client.post(url, {**base, "received_on": "31/02/2026"}).status_code == 422
    assert not SubjectRequest.objects.exists()
    response = client.post(url, {**base, "party": party.pk})
    created = SubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("privacy:request_detail", args=[created.pk])
    assert created.party_id == party.pk and created.due_on == add_months(timezone.localdate(), 1)


@pytest.mark.django_db
def test_life_cycle_through_the_forms(client, personas):
    party = factories.person(owner=personas.alice, email="objecteur@exemple.fr")
    request = make_request(personas, kind="objection", party=party, days_ago=5)
    client.force_login(personas.dpo)

    def act(action, **data):
        request.refresh_from_db()
        return client.post(reverse("privacy:request_action", args=[request.pk, action]), {"version": request.version, **data})

    assert act("start").status_code == 302
    stale = client.post(reverse("privacy:request_action", args=[request.pk, "extend"]),
                        {"version": 1, "reason": "x", "notified_on": timezone.localdate().isoformat()})
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
    no_notice = act("extend", reason="Complex")
    assert no_notice.status_code == 422 and "told of the extension" in no_notice.content.decode()
    assert act("extend", reason="Complex", notified_on=timezone.localdate().isoformat()).status_code == 302
    assert act("frobnicate").status_code == 404
    assert act("complete", outcome="").status_code == 422
    assert act("complete", outcome="No more marketing").status_code == 302
    request.refresh_from_db()
    assert request.status == "completed" and request.extended
    assert is_suppressed(email="Objecteur@exemple.fr")
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).content.decode()
    for step in ("Received", "Handling started", "Deadline extended", "Completed"):
        assert step in page
    assert act("refuse", reason="late").status_code == 422  # closed: nothing changes
    request.refresh_from_db()
    assert request.status == "completed"


@pytest.mark.django_db
def test_only_the_dpo_completes_an_erasure_request(client, personas):
    party = factories.person(owner=personas.alice, last_name="Aeffacer")
    request = make_request(personas, kind="erasure", party=party)
    client.force_login(personas.admin)
    response = client.post(reverse("privacy:request_action", args=[request.pk, "complete"]),
                           {"version": request.version, "outcome": "done"})
    assert response.status_code == 422 and "data-protection officer" in response.content.decode()
    party.refresh_from_db()
    assert party.last_name == "Aeffacer"
    client.force_login(personas.dpo)
    assert client.post(reverse("privacy:request_action", args=[request.pk, "complete"]),
                       {"version": request.version, "outcome": "done"}).status_code == 302
    party.refresh_from_db()
    assert party.last_name == "" and party.erased_at


@pytest.mark.django_db
def test_suppression_page_adds_and_checks_without_listing_values(client, personas):
    suppression_add(kind="email", value="deja@exemple.fr")
    client.force_login(personas.dpo)
    url = reverse("privacy:suppression")
    assert client.post(url, {"add-kind": "phone", "add-value": "06 12 34 56 78", "add-reason": "call"}).status_code == 302
    bad = client.post(url, {"add-kind": "phone", "add-value": "12"})
    assert bad.status_code == 422 and "phone number" in bad.content.decode()
    page = client.get(url).content.decode()
    assert "deja@exemple.fr" not in page and "612345678" not in page
    assert 'data-count="email"><strong>1<' in page and 'data-count="phone"><strong>1<' in page
    assert 'data-checked="yes"' in client.post(url, {"check-value": "+33612345678"}).content.decode()
    assert 'data-checked="no"' in client.post(url, {"check-value": "autre@exemple.fr"}).content.decode()


@pytest.mark.django_db
def test_dashboard_shows_deadlines_retention_and_consent_coverage(client, personas):
    make_request(personas, days_ago=40)
    make_request(personas, days_ago=0)
    customers = [factories.person(owner=personas.alice) for _ in range(4)]
    consent_record(party=customers[0], actor=personas.alice, channel="email", purpose="newsletter", granted=True)
    consent_record(party=customers[1], actor=personas.alice, channel="email", purpose="newsletter", granted=True)
    consent_record(party=customers[1], actor=personas.alice, channel="email", purpose="newsletter", granted=False)
    client.force_login(personas.dpo)
    response = client.get(reverse("privacy:dashboard"))
    assert response.status_code == 200
    deadline = response.context["deadline_chart"]
    assert deadline["values"] == [1, 0, 1]
    row = next(r for r in response.context["coverage"] if (r["channel"], r["purpose"]) == ("email", "newsletter"))
    assert (row["customers"], row["decided"], row["granted"]) == (4, 2, 1)
    cells = response.context["coverage_chart"]["cells"]
    assert [50, 50] in [cell[2:] for cell in cells]
    page = response.content.decode()
    assert 'id="deadline-data"' in page and 'id="coverage-data"' in page and 'data-chart="heatmap"' in page


@pytest.mark.django_db
def test_out_of_range_ids_are_404_not_500(client, personas):
    client.force_login(personas.dpo)
    huge = 2**64
    assert client.get(f"/privacy/requests/{huge}/").status_code == 404
    assert client.post(f"/privacy/requests/{huge}/start/", {"version": 1}).status_code == 404
    assert client.get(f"/privacy/customers/{huge}/export/", {"format": "json"}).status_code == 404


@pytest.mark.django_db
def test_register_and_dashboard_queries_do_not_grow_with_the_requests(client, personas, django_assert_max_num_queries):
    client.force_login(personas.dpo)
    make_request(personas, days_ago=3)
    client.get(reverse("privacy:request_list"))  # warm up (session, sign-in bookkeeping)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("privacy:request_list"))
    for days in range(30):
        make_request(personas, days_ago=days)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("privacy:request_list")).status_code == 200
    client.get(reverse("privacy:dashboard"))
    with django_assert_max_num_queries(_register_budget()) as dashboard:  # a few overdue counts per retention policy (the budget follows the register's size)
        client.get(reverse("privacy:dashboard"))
    for days in range(30):
        make_request(personas, days_ago=days)
    with django_assert_max_num_queries(len(dashboard.captured_queries)):
        assert client.get(reverse("privacy:dashboard")).status_code == 200


def _register_budget() -> int:
    """A few overdue counts per line of the retention register, plus the page's fixed queries."""
    from fidelia.privacy.registry import retention_keys

    return 4 * len(retention_keys()) + 10
