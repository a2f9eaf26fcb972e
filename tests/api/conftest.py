"""API test helpers: a client per persona, authenticated with a personal token."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from fidelia.accounts.models import User
from fidelia.core.testing import Personas, make_token
from fidelia.sales.models import Product, ProductFamily


class ApiClient(Client):
    """A test client that speaks JSON to /api/ with a bearer token."""

    def __init__(self, token: str | None) -> None:
        super().__init__(headers={"Authorization": f"Bearer {token}"} if token else {})

    def post_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.post(path, data, content_type="application/json", **extra)

    def patch_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.patch(path, data, content_type="application/json", **extra)


@pytest.fixture
def api_as(db) -> Callable[[User], ApiClient]:
    def make(user: User, *, read_only: bool = False, apps: list[str] | None = None) -> ApiClient:
        return ApiClient(make_token(user, read_only=read_only, apps=apps))

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def product(personas: Personas) -> Product:
    family = ProductFamily.objects.create(name="Assurance")
    return Product.objects.create(code="AUTO", name="Assurance auto", family=family, kind="strategic",
                                  price=Decimal("600.00"), margin_rate=Decimal("0.2500"))


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error shape, with the expected status and code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    for messages in error["fields"].values():
        assert messages and all(isinstance(m, str) for m in messages)
    return error
