"""Each role starts where it can work, and the navigation offers only what the role may open."""
import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import PASSWORD


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("who, landing", [
    ("alice", "parties:list"), ("manager", "parties:list"), ("service", "parties:list"),
    ("admin", "parties:list"), ("analyst", "sales:product_list"),
])
def test_home_sends_each_role_where_it_can_work(personas, who, landing):
    response = client_for(personas.by_role()[who]).get("/")
    assert response.status_code == 302 and response["Location"] == reverse(landing)


def test_home_asks_anonymous_visitors_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_analyst_navigation_has_no_customer_entry_points(personas):
    page = client_for(personas.analyst).get(reverse("sales:product_list")).content.decode()
    assert reverse("parties:list") not in page and reverse("parties:search") not in page
    assert reverse("sales:contract_list") not in page


def test_rep_navigation_offers_customers_contracts_and_transactions(personas):
    page = client_for(personas.alice).get(reverse("parties:list")).content.decode()
    for name in ("parties:list", "parties:search", "sales:product_list", "sales:contract_list", "sales:transaction_list"):
        assert reverse(name) in page, name
