"""A small fixed-window rate limiter on the cache, for the API and for exports.

A rate reads "N/period" ("600/min", "20/hour"; periods: s, sec, second, m, min, minute, h, hour,
d, day; "off" disables it). Each (scope, key, window) has one counter: `cache.add` creates it
(atomic, with an expiry), `cache.incr` counts (atomic on Redis and on the local-memory cache), so
several processes sharing a Redis cache share the limit. A fixed window lets at most twice the
rate through around a window boundary, which is acceptable for abuse protection and costs one
round trip.
"""
from __future__ import annotations

import functools
import ipaddress
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import BaseCache, cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
           "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$")
OFF = {"", "off", "none", "0"}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def parse_rate(value: str) -> Rate | None:
    """"600/min" → Rate(600, 60); "off" → None. A malformed rate is a configuration error."""
    if value.strip().lower() in OFF:
        return None
    match = _RATE.match(value.lower())
    unit = match.group(2) if match else ""
    if unit not in PERIODS and unit.endswith("s"):
        unit = unit[:-1]  # "hours", "mins"
    if match is None or unit not in PERIODS:
        raise ImproperlyConfigured(f"Rate {value!r} must read N/period, period one of {sorted(PERIODS)}")
    return Rate(limit=int(match.group(1)), period=PERIODS[unit])


def rate_for(scope: str) -> Rate | None:
    """The configured rate of a scope: settings.FIDELIA_<SCOPE>_RATE ("api" → FIDELIA_API_RATE)."""
    return parse_rate(str(getattr(settings, f"FIDELIA_{scope.upper()}_RATE", "off")))


def hit(scope: str, key: str, *, rate: Rate | None = None, backend: BaseCache | None = None) -> Decision:
    """Count one request of `key` in `scope` and say whether it is within the rate.

    `rate` defaults to the scope's setting; with no rate everything is allowed (nothing counted).
    """
    rate = rate if rate is not None else rate_for(scope)
    if rate is None:
        return Decision(allowed=True, count=0, limit=0, retry_after=0)
    backend = backend or cache
    now = time.time()
    window = int(now // rate.period)
    cache_key = f"fidelia:rl:{scope}:{key}:{window}"
    # add() is a no-op when another process created the counter first; the expiry outlives the
    # window a little so a late incr() never meets a vanished key.
    backend.add(cache_key, 0, timeout=rate.period + 5)
    try:
        count = backend.incr(cache_key)
    except ValueError:  # evicted between add and incr: start again
        backend.add(cache_key, 1, timeout=rate.period + 5)
        count = 1
    if count <= rate.limit:
        return Decision(allowed=True, count=count, limit=rate.limit, retry_after=0)
    retry_after = max(1, math.ceil((window + 1) * rate.period - now))
    return Decision(allowed=False, count=count, limit=rate.limit, retry_after=retry_after)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when there is no valid one (an internal request).

    Behind a proxy (FIDELIA_BEHIND_PROXY) the right-most X-Forwarded-For entry is the one our
    proxy saw; the left-most ones are whatever the client claimed. Also django-axes' address
    (AXES_CLIENT_IP_CALLABLE), which stores it in an IP column: never anything but an address.
    """
    candidates = [str(request.META.get("REMOTE_ADDR") or "")]
    if getattr(settings, "FIDELIA_BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        candidates.insert(0, forwarded[-1])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def request_key(request: HttpRequest) -> str:
    """Who a web request counts against: the signed-in user, otherwise the address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request) or 'unknown'}"


V = TypeVar("V", bound=Callable[..., HttpResponse])


def rate_limited(scope: str) -> Callable[[V], V]:
    """Decorate a Django view: beyond FIDELIA_<SCOPE>_RATE per user (or address), answer 429 with
    a Retry-After header and a page saying when to retry, without running the view.

        @login_required
        @rate_limited("export")
        def party_export(request): ...
    """

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            decision = hit(scope, request_key(request))
            if not decision.allowed:
                return too_many_requests(request, decision.retry_after)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page of the web UI."""
    response = TemplateResponse(request, "accounts/rate_limited.html",
                                {"retry_after": retry_after, "retry_minutes": math.ceil(retry_after / 60)},
                                status=429)
    response["Retry-After"] = str(retry_after)
    return response.render()
