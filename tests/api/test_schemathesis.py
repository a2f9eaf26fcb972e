"""Fuzz the API against its own OpenAPI schema, in-process through the WSGI app.

Every operation gets a bounded, derandomised set of generated requests (valid and invalid), sent
with an administrator's token over some data. Whatever the input, the API must never answer 5xx
and every response must match the documented schema (the error shape included). Some generated
ids are swapped for ids that exist, and some If-Match headers for the current version, so the
services themselves are fuzzed, not just the 404 and 412 paths.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from config.wsgi import application
from fidelia.accounts.services import api_token_create
from fidelia.core.testing import make_personas
from fidelia.interactions.services import interaction_log
from fidelia.parties.tests import factories
from fidelia.sales.models import Contract, Product, ProductFamily
from fidelia.sales.services import contract_create, transaction_record

# A bounded run by default (about a minute); raise it for a deeper nightly run.
MAX_EXAMPLES = int(os.environ.get("FIDELIA_FUZZ_EXAMPLES", "15"))
BODY_REFERENCES = {"product": "product_id", "family": "family_id", "owner": "user_id", "team": "team_id",
                   "organisation": "organisation_id", "parent": "organisation_id", "member_party": "party_id",
                   "reward_id": "reward_id", "programme_id": "programme_id", "referred_party_id": "party_id"}

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES, deterministic=True,
)


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection across WSGI requests, as Django's test client does.

    Django closes a connection whose autocommit differs from its settings at each request's start
    and end, which is always the case inside the test transaction (and fatal on PostgreSQL).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db, in_test_transaction: None) -> dict[str, Any]:
    """A few customers with contracts, purchases and contacts, and an administrator's token."""
    personas = make_personas()
    family = ProductFamily.objects.create(name="Épargne")
    product = Product.objects.create(code="LIVA", name="Livret A", family=family, kind="tactical",
                                     price=Decimal("10.00"), margin_rate=Decimal("0.0100"))
    parties = [factories.person(owner=personas.alice) for _ in range(3)]
    organisation = factories.organisation(owner=personas.outsider)
    parties.append(organisation)
    for party in parties:
        contract_create(party=party, actor=personas.admin, product=product, start_date=dt.date(2024, 1, 1))
        transaction_record(party=party, actor=personas.admin, product=product, date=dt.date(2024, 3, 1),
                           amount=Decimal("50"), channel="web")
        interaction_log(party=party, actor=personas.admin, channel="phone", direction="inbound", subject="Appel")
    from fidelia.sales.tests.factories import sales_world  # the pipeline endpoints' rows
    pipeline = sales_world(personas, parties[0], product)
    _token, raw = api_token_create(user=personas.admin, name="schemathesis")
    from fidelia.actions.models import ActionRule  # actions to take: aim at real actions and rules
    from fidelia.actions.services import action_propose
    actions = {"action_id": [action_propose(party=p, kind="call", title="Appel", source="manual", source_key=f"fuzz:{p.pk}",
                                            due_on=dt.date(2026, 1, 5))[0].pk for p in parties],
               "rule_id": list(ActionRule.objects.values_list("pk", flat=True)[:3])}
    from fidelia.service.models import SlaPolicy  # service desk: aim at real cases and SLA policies
    from fidelia.service.services import case_create
    actions["policy_id"] = [SlaPolicy.objects.create(name="Normal", priority="normal", first_response_hours=8,
                                                     resolution_hours=40).pk]
    actions["case_id"] = [case_create(actor=personas.admin, party=p, subject="Réclamation", kind="complaint").pk
                          for p in parties[:2]]
    from fidelia.knowledge.services import (
        article_create,  # knowledge base and surveys: aim at real rows
    )
    from fidelia.surveys.services import survey_create
    actions["article_id"] = [article_create(actor=personas.admin, title="Ouvrir un compte", body="Pièces à fournir.",
                                            status="published").pk]
    actions["survey_id"] = [survey_create(actor=personas.admin, name="NPS", kind="nps", status="active").pk]
    from fidelia.clv.services import (  # customer value: real rows
        retention_effort_create,
        value_model_run,
    )
    actions["effort_id"] = [retention_effort_create(party=parties[0], kind="gift", amount=Decimal("20"),
                                                    date=dt.date(2024, 4, 1), actor=personas.admin).pk]
    actions["run_id"] = [value_model_run(as_of=dt.date(2024, 6, 1), actor=None).pk]
    from fidelia.marketing.services import (  # marketing: real segments, campaigns
        campaign_save,
        segment_save,
    )
    segment = segment_save(actor=personas.admin, name="Clients", definition={"all": [
        {"fact": "parties.stage", "operator": "eq", "value": "customer"}]})
    actions["segment_id"] = [segment.pk]
    actions["campaign_id"] = [campaign_save(actor=personas.admin, name="Offre", channel="email", segment=segment,
                                            subject_fr="Offre", body_fr="Bonjour {{ first_name }}").pk]
    from fidelia.loyalty import services as loyalty  # loyalty: two programmes, members, rewards
    programmes = [loyalty.programme_create(actor=None, name=name) for name in ("Privilèges", "Partenaires")]
    for programme, party in zip(programmes * 2, parties[:3], strict=False):
        loyalty.points_adjust(membership=loyalty.membership_enrol(programme=programme, party=party, actor=None),
                              points=2000, reason="Reprise", actor=None)
    actions["programme_id"] = [p.pk for p in programmes]
    actions["reward_id"] = [loyalty.reward_create(programme=p, name="Bon", cost=500, actor=None).pk for p in programmes]
    return {**actions, "token": raw, "party_id": [p.pk for p in parties], "product_id": [product.pk],
            "contract_id": list(Contract.objects.values_list("pk", flat=True)), "family_id": [family.pk],
            "user_id": [personas.admin.pk, personas.alice.pk, personas.manager.pk],
            "team_id": [personas.lyon.pk, personas.paris.pk], "organisation_id": [organisation.pk],
            **pipeline}


def _aim_at_real_rows(case: Any, world: dict[str, Any]) -> None:
    """Point two generated ids in three at rows that exist, and half the PATCHes at the current version."""
    for name, value in list(case.path_parameters.items()):
        ids = world.get(name)
        if ids and isinstance(value, int) and value % 3:
            case.path_parameters[name] = ids[value % len(ids)]
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            ids = world.get(BODY_REFERENCES.get(name, ""))
            if ids and isinstance(value, int) and not isinstance(value, bool) and value % 3:
                case.body[name] = ids[value % len(ids)]
    if case.method.upper() == "PATCH" and len(repr(case.body)) % 2 == 0:
        target = next((v for k, v in case.path_parameters.items() if k in world), None)
        version = _current_version(case.operation.path, target) if isinstance(target, int) else None
        if version is not None:
            case.headers = {**(case.headers or {}), "If-Match": f'"{version}"'}


def _current_version(path: str, pk: int) -> int | None:
    from fidelia.parties.models import Party
    model = Party if "{party_id}" in path else Product if "{product_id}" in path else Contract
    return model.objects.filter(pk=pk).values_list("version", flat=True).first()


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, fuzz_world: dict[str, Any]) -> None:
    _aim_at_real_rows(case, fuzz_world)
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_world['token']}"},
                           checks=[not_a_server_error, response_schema_conformance])
