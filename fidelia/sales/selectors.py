from __future__ import annotations

from django.db.models import QuerySet

from fidelia.accounts.models import User
from fidelia.parties.selectors import parties_for_user
from fidelia.sales.models import Contract, Product, Transaction


def products_for_user(user: User) -> QuerySet[Product]:
    """The catalogue is readable by every active user."""
    if not (user and user.is_authenticated and user.is_active):
        return Product.objects.none()
    return Product.objects.select_related("family")


def contracts_for_user(user: User) -> QuerySet[Contract]:
    return Contract.objects.filter(party__in=parties_for_user(user).values("pk")).select_related("product", "party")


def transactions_for_user(user: User) -> QuerySet[Transaction]:
    return Transaction.objects.filter(party__in=parties_for_user(user).values("pk")).select_related("product", "party")
