"""Property-based: no message is ever allowed without consent, to a suppressed person, beyond the
pressure cap, or (phone) outside the legal windows; plus the windows themselves."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from fidelia.marketing.enums import CampaignChannel
from fidelia.marketing.rules import (
    Candidate,
    Pressure,
    exclusion_reason,
    is_public_holiday,
    next_phone_slot,
    phone_window_open,
)

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
candidates = st.builds(
    Candidate, is_b2b=st.booleans(), is_customer=st.booleans(), consent=st.sampled_from([True, False, None]),
    address=st.sampled_from(["", "a@b.fr", "+33612345678"]), suppressed=st.booleans(), erased=st.booleans(),
    sent_total=st.integers(0, 10), sent_channel=st.integers(0, 10), calls_30d=st.integers(0, 8),
    last_refusal=st.one_of(st.none(), st.integers(0, 200).map(lambda d: NOW - dt.timedelta(days=d))))
pressures = st.builds(Pressure, days=st.just(30), total=st.integers(0, 6),
                      per_channel=st.dictionaries(st.sampled_from(CampaignChannel.values), st.integers(0, 5)))


@settings(deadline=None)
@given(channel=st.sampled_from(CampaignChannel.values), c=candidates, pressure=pressures)
def test_an_allowed_message_respects_every_rule(channel: str, c: Candidate, pressure: Pressure) -> None:
    if exclusion_reason(channel, c, pressure=pressure, now=NOW) is not None:
        return
    assert c.address and not c.suppressed and not c.erased
    assert c.consent is not False
    if channel in {CampaignChannel.EMAIL, CampaignChannel.SMS} and c.consent is None:
        # without an explicit yes: only the soft opt-in of a customer, or B2B professional e-mail
        assert c.is_customer or (channel == CampaignChannel.EMAIL and c.is_b2b)
    assert c.sent_total < pressure.total
    cap = pressure.per_channel.get(channel)
    assert cap is None or c.sent_channel < cap
    if channel == CampaignChannel.PHONE and not c.is_b2b:
        assert c.calls_30d < 4
        assert c.last_refusal is None or NOW - c.last_refusal >= dt.timedelta(days=60)


@settings(deadline=None)
@given(st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)))
def test_phone_slots_are_always_legal(moment: dt.datetime) -> None:
    slot = next_phone_slot(moment)
    assert slot >= moment.replace(second=0, microsecond=0)
    assert phone_window_open(slot)
    assert slot.weekday() < 5 and not is_public_holiday(slot.date())


def test_phone_windows() -> None:
    assert phone_window_open(dt.datetime(2026, 6, 10, 10, 0))
    assert not phone_window_open(dt.datetime(2026, 6, 10, 13, 30))  # lunch break
    assert not phone_window_open(dt.datetime(2026, 6, 10, 20, 0))
    assert not phone_window_open(dt.datetime(2026, 6, 13, 11, 0))  # Saturday
    assert not phone_window_open(dt.datetime(2026, 7, 14, 11, 0))  # Bastille Day
    assert next_phone_slot(dt.datetime(2026, 7, 13, 20, 30)) == dt.datetime(2026, 7, 15, 10, 0)


def test_consent_matrix() -> None:
    p = Pressure(total=10)
    base = {"is_b2b": False, "is_customer": False, "consent": None, "address": "a@b.fr"}
    assert exclusion_reason("email", Candidate(**base), pressure=p, now=NOW) == "no_consent"
    assert exclusion_reason("email", Candidate(**{**base, "is_customer": True}), pressure=p, now=NOW) is None
    assert exclusion_reason("email", Candidate(**{**base, "is_b2b": True}), pressure=p, now=NOW) is None
    assert exclusion_reason("sms", Candidate(**{**base, "is_b2b": True}), pressure=p, now=NOW) == "no_consent"
    assert exclusion_reason("email", Candidate(**{**base, "consent": False, "is_customer": True}), pressure=p,
                            now=NOW) == "withdrawn"
    assert exclusion_reason("email", Candidate(**{**base, "consent": True, "suppressed": True}), pressure=p,
                            now=NOW) == "suppressed"
    assert exclusion_reason("postal", Candidate(**base), pressure=p, now=NOW) is None
