"""Rate limits: beyond the configured rate the API answers 429 in its error shape with a
Retry-After header, exports get a 429 page; the window resets; with Redis the count is shared
by every process."""
from __future__ import annotations

import datetime as dt
import math
import time
import uuid

import pytest
import time_machine
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from fidelia.core.ratelimit import Rate, client_ip, hit, parse_rate, rate_limited
from fidelia.core.testing import make_token
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db
REDIS_URL = "redis://127.0.0.1:6379/14"


def _start_of_a_window(period: int) -> dt.datetime:
    """A moment just after a window starts, so a test's requests all fall in one window."""
    now = time.time()
    return dt.datetime.fromtimestamp((math.floor(now / period) + 1) * period + 0.5, tz=dt.UTC)


def test_the_api_answers_429_with_retry_after_then_the_window_resets(personas, api_as, settings):
    settings.FIDELIA_API_RATE = "3/min"
    client = api_as(personas.alice)
    start = _start_of_a_window(60)
    with time_machine.travel(start, tick=False):
        assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/api/me")
        error = assert_error(refused, 429, "rate_limited")
        assert "retry" in error["message"].lower()
        assert refused["Retry-After"] == "60"
        # Another token (even of the same user) has its own count.
        assert api_as(personas.alice).get("/api/me").status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=45), tick=False):
        assert client.get("/api/me")["Retry-After"] == "15"
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert client.get("/api/me").status_code == 200


def test_failing_tokens_are_counted_per_address(personas, settings):
    settings.FIDELIA_API_FAILURE_RATE = "2/min"
    with time_machine.travel(_start_of_a_window(60), tick=False):
        for attempt in range(2):
            assert_error(ApiClient(f"fid_guess-{attempt}").get("/api/me"), 401, "unauthenticated")
        assert_error(ApiClient("fid_guess-3").get("/api/me"), 429, "rate_limited")
        # Another address is not slowed down, nor is a valid token from the same one.
        other = Client(REMOTE_ADDR="198.51.100.9", headers={"Authorization": "Bearer fid_guess-4"})
        assert other.get("/api/me").status_code == 401
        assert ApiClient(make_token(personas.alice)).get("/api/me").status_code == 200


def test_the_session_is_counted_per_user(personas, settings, client):
    settings.FIDELIA_API_RATE = "2/min"
    client.force_login(personas.alice)
    # (a window of a minute: travelling further would end the session for idleness)
    with time_machine.travel(_start_of_a_window(60), tick=False):
        assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 429]


def test_the_view_decorator_for_exports(personas, settings):
    settings.FIDELIA_EXPORT_RATE = "2/hour"

    @rate_limited("export")
    def export(request: HttpRequest) -> HttpResponse:
        return HttpResponse("file")

    factory = RequestFactory()

    def call(user) -> HttpResponse:
        request = factory.get("/customers/export/")
        request.user = user
        return export(request)

    with time_machine.travel(_start_of_a_window(3600), tick=False):
        assert [call(personas.alice).status_code for _ in range(2)] == [200, 200]
        refused = call(personas.alice)
        assert refused.status_code == 429 and refused["Retry-After"] == "3600"
        assert "Try again in 60 minutes" in refused.content.decode()
        assert call(personas.bob).status_code == 200  # per user


@pytest.mark.parametrize(("text", "rate"), [
    ("600/min", Rate(600, 60)), ("20/hour", Rate(20, 3600)), ("5 / s", Rate(5, 1)), ("100/days", Rate(100, 86400)),
    ("off", None), ("", None),
])
def test_rates_are_parsed(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["600", "ten/min", "5/fortnight", "-1/min"])
def test_bad_rates_are_configuration_errors(text):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)


def test_the_client_address_comes_from_the_proxy_only_behind_one(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.FIDELIA_BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.1"
    settings.FIDELIA_BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.5"  # the entry our proxy added, not what the client claimed
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip")
    assert client_ip(garbage) == "10.0.0.1"
    internal = RequestFactory().get("/")
    internal.META.pop("REMOTE_ADDR")
    assert client_ip(internal) is None


@pytest.fixture
def redis_cache() -> RedisCache:
    cache = RedisCache(REDIS_URL, {})
    try:
        cache.get("ping")
    except Exception:  # noqa: BLE001 - any connection error means no Redis here
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return cache


def test_with_redis_the_count_is_shared_by_processes(redis_cache, personas, api_as, settings):
    # Two independent clients of the same Redis stand for two web processes.
    other_process = RedisCache(REDIS_URL, {})
    key, rate = uuid.uuid4().hex, Rate(limit=4, period=60)
    with time_machine.travel(_start_of_a_window(60), tick=False):
        decisions = [hit("api", key, rate=rate, backend=b) for b in (redis_cache, other_process) * 3]
    assert [d.count for d in decisions] == [1, 2, 3, 4, 5, 6]
    assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2
    assert decisions[-1].retry_after == 60

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": uuid.uuid4().hex}}
    settings.FIDELIA_API_RATE = "2/min"
    client = api_as(personas.alice)
    with time_machine.travel(_start_of_a_window(60), tick=False):
        assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 429]
