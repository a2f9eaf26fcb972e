import pytest
from django.urls import reverse

from fidelia.core.pagination import CappedPaginator
from fidelia.parties.models import Party
from fidelia.parties.tests import factories


def test_counts_stop_at_the_cap_and_pages_follow(personas):
    for i in range(7):
        factories.person(owner=personas.alice, last_name=f"Nom{i}")
    capped = CappedPaginator(Party.objects.order_by("id"), 2, cap=5)
    assert capped.count == 6 and capped.is_capped and capped.num_pages == 3
    assert len(capped.page(3).object_list) == 2
    exact = CappedPaginator(Party.objects.order_by("id"), 2, cap=50)
    assert exact.count == 7 and not exact.is_capped and exact.num_pages == 4
    assert CappedPaginator(Party.objects.none(), 2).num_pages == 1


@pytest.mark.parametrize("cap, expected", [(3, "More than 3 customers"), (100, "4 customers")])
def test_the_list_says_when_it_stopped_counting(personas, client, settings, cap, expected):
    for i in range(4):
        factories.person(owner=personas.alice, last_name=f"Nom{i}")
    settings.FIDELIA_LIST_COUNT_CAP = cap
    client.force_login(personas.alice)
    assert expected in client.get(reverse("parties:list")).content.decode()
