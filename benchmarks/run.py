#!/usr/bin/env python
"""Fidelia benchmark: seed PostgreSQL with `fidelia seed`, then time the pages users wait on.

    python benchmarks/run.py --database-url postgres://postgres@127.0.0.1:5432/fidelia_bench --customers 1000000

Steps: migrate; seed up to N customers (×10 transactions) with the real CLI and time it; start the
app with a real HTTP server on 127.0.0.1 (gunicorn if installed, else `runserver --noreload`,
DEBUG off); log in over HTTP as the administrator (who sees the whole base); time search
type-ahead, the customer 360 page and the customer list for a bounded number of requests each;
print p50 / p95 / max per endpoint against its target, and the raw SQL of the same searches
timed directly with psycopg, with the ratio app / raw.

Only 127.0.0.1 is contacted. Exit status: 0 unless something crashes; with --strict, 1 when a
target is missed or an endpoint is missing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {"search": 100.0, "detail": 150.0, "list": 150.0}
ENDPOINT_LABELS = {
    "search": "search type-ahead",
    "detail": "customer 360 page",
    "list": "customer list page",
}
ADMIN_USERNAME = "admin"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL database to benchmark (default: $DATABASE_URL).",
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=0,
        help="Seed until the database holds this many customers (0: use what is there).",
    )
    parser.add_argument("--seed", type=int, default=42, help="Random seed for data and requests.")
    parser.add_argument(
        "--iterations", type=int, default=200, help="Timed requests per endpoint (default 200)."
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=180.0,
        help="Seconds at most per endpoint; fewer requests are made if it is reached.",
    )
    parser.add_argument(
        "--password", default=None, help="Password of the admin login (default: the demo password)."
    )
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a target is missed.")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error(
            "--database-url (or DATABASE_URL) must be a postgres:// URL: the benchmark measures PostgreSQL"
        )
    if args.customers < 0 or args.iterations < 1 or args.time_limit <= 0:
        parser.error("--customers must be ≥ 0, --iterations ≥ 1 and --time-limit > 0")
    return args


# --- measurements -------------------------------------------------------------------------------
@dataclass
class Series:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    errors: int = 0
    note: str = ""

    def pct(self, q: float) -> float:
        if not self.samples_ms:
            return float("nan")
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms) if self.samples_ms else float("nan")


def _fmt(ms: float) -> str:
    return "—" if ms != ms else f"{ms:8.1f}"


# --- HTTP client (stdlib, keep-alive, cookies, CSRF) ---------------------------------------------
class Client:
    """A tiny browser: one keep-alive connection to 127.0.0.1, cookies, CSRF on POST."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "User-Agent": "fidelia-benchmark",
            "Accept-Language": "fr",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=sent)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str]]:
        """GET the form for its CSRF token, then POST `fields` to it."""
        _status, _headers, page = self.request("GET", path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = match.group(1).decode() if match else self.cookies.get("csrftoken", "")
        status, headers, _ = self.request(
            "POST", path, {**fields, "csrfmiddlewaretoken": token}, headers={"X-CSRFToken": token}
        )
        return status, headers

    def login(self, login_path: str, username: str, password: str, otp_code: Callable[[], str]) -> bool:
        """Sign in; when the account owes a second factor (administrators do), give the TOTP code."""
        status, headers = self.post_form(login_path, {"username": username, "password": password})
        if status in (302, 303) and "two-factor" in headers.get("location", ""):
            status, headers = self.post_form(headers["location"], {"code": otp_code()})
        return status in (302, 303) and "sessionid" in self.cookies


# --- steps ----------------------------------------------------------------------------------------
def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "FIDELIA_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FIDELIA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FIDELIA_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _manage(
    args: list[str], env: dict[str, str], **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        text=True,
        check=True,
        **kwargs,
    )  # type: ignore[call-overload]


def seed(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float] | None:
    from fidelia.parties.models import Party

    existing = Party.objects.count()
    if args.customers <= existing:
        print(
            f"• {existing:,} customers already in the database: no seeding"
            + (f" (asked for {args.customers:,})" if args.customers else "")
        )
        return None
    missing = args.customers - existing
    print(f"• seeding {missing:,} customers with `fidelia seed` …", flush=True)
    started = time.perf_counter()
    done = _manage(
        ["seed", "--customers", str(missing), "--seed", str(args.seed), "--no-progress"],
        env,
        stdout=subprocess.PIPE,
    )
    seconds = time.perf_counter() - started
    print(done.stdout, end="")
    match = re.search(r"Seeded ([\d,]+) customers, ([\d,]+) rows in", done.stdout)
    rows = int(match.group(2).replace(",", "")) if match else 0
    return {"customers": missing, "rows": rows, "seconds": seconds}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    port = _free_port()
    try:
        import gunicorn  # noqa: F401

        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(max(2, (os.cpu_count() or 1))),
            "--log-level",
            "warning",
        ]
        kind = "gunicorn"
    except ImportError:
        command = [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--skip-checks",
        ]
        kind = "runserver --noreload (gunicorn is not installed)"
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}); see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port, kind
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the server did not listen on port {port} within a minute; see {log}")


def _route(name: str, *args: object) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


def _fold(value: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)
    ).lower()


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice([word[:i] + word[i + 1 :], word[:i] + word[i + 1] + word[i] + word[i + 2 :]])


def search_queries(rng: random.Random, n: int) -> list[str]:
    """Realistic type-ahead input: surnames, first name + surname start, typos, phones, companies."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM parties_party")
        low, high = cur.fetchone()
        ids = [rng.randint(low, high) for _ in range(n * 2)]
        cur.execute(
            "SELECT kind, first_name, last_name, legal_name, phone, city FROM parties_party WHERE id = ANY(%s)",
            [ids],
        )
        rows = cur.fetchall()
    rng.shuffle(rows)
    queries: list[str] = []
    for kind, first, last, legal, phone, city in rows:
        shape = rng.random()
        if kind == "organisation":
            word = (legal.split() or ["sa"])[0]
            queries.append(word if shape < 0.7 else _typo(_fold(word), rng))
        elif shape < 0.25:
            queries.append(last)
        elif shape < 0.45:
            queries.append(f"{first} {last[: rng.randint(2, max(2, len(last)))]}")
        elif shape < 0.65:
            queries.append(_typo(_fold(last), rng))
        elif shape < 0.75:
            queries.append(f"{_fold(first)} {_typo(_fold(last), rng)}")
        elif shape < 0.85 and phone:
            national = "0" + phone[3:]
            queries.append(f"{national[:2]} {national[2:4]} {national[4:6]}")
        elif shape < 0.92:
            queries.append(f"{last.upper()} {city}")
        else:
            queries.append(last[:3])
        if len(queries) >= n:
            break
    return queries


def list_requests(rng: random.Random, n: int, path: str) -> list[str]:
    """The list as people use it: first pages mostly, some filters and sorts."""
    cities = ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille"]
    out = []
    for _ in range(n):
        params: dict[str, str] = {}
        page = 1 if rng.random() < 0.4 else min(int(rng.paretovariate(1.2)) + 1, 200)
        if page > 1:
            params["page"] = str(page)
        draw = rng.random()
        if draw < 0.2:
            params["stage"] = rng.choice(["customer", "prospect", "former", "suspect"])
        elif draw < 0.3:
            params["city"] = rng.choice(cities)
        elif draw < 0.4:
            params["sort"] = rng.choice(["-created", "city", "-name", "stage"])
        elif draw < 0.45:
            params["kind"] = "organisation"
        out.append(path + (f"?{urlencode(params)}" if params else ""))
    return out


def timed(
    client: Client,
    series: Series,
    paths: list[str],
    limit_s: float,
    headers: dict[str, str] | None = None,
) -> None:
    for path in paths[:5]:  # warm-up: caches, connections
        client.request("GET", path, headers=headers)
    deadline = time.monotonic() + limit_s
    for path in paths:
        if time.monotonic() > deadline:
            series.note = f"time limit reached after {len(series.samples_ms)} requests"
            break
        started = time.perf_counter()
        status, _, _ = client.request("GET", path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            series.errors += 1
        series.samples_ms.append(elapsed)
        series.paths.append(path)


def raw_search(
    database_url: str, queries: list[str], user_pk: int, limit_s: float
) -> tuple[Series, int]:
    """The SQL the search selector runs for each query, captured in-process, then timed on psycopg."""
    import psycopg
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fidelia.accounts.models import User
    from fidelia.parties.selectors import party_search

    user = User.objects.get(pk=user_pk)
    plans: list[list[str]] = []
    for q in queries:
        with CaptureQueriesContext(connection) as ctx:
            party_search(user=user, q=q)
        plans.append([c["sql"] for c in ctx.captured_queries])
    series = Series("raw SQL search")
    parsed = urlparse(database_url)
    statements = 0
    with psycopg.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname=parsed.path.lstrip("/"),
        autocommit=True,
    ) as conn:
        with conn.cursor() as cur:
            for plan in plans[:5]:
                for sql in plan:
                    cur.execute(sql.encode())
            deadline = time.monotonic() + limit_s
            for plan in plans:
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                for sql in plan:
                    cur.execute(sql.encode())
                    if cur.description:
                        cur.fetchall()
                series.samples_ms.append((time.perf_counter() - started) * 1000)
                statements += len(plan)
    return series, statements


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = _env(args.database_url)
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "FIDELIA_DEBUG", "DJANGO_SETTINGS_MODULE")}
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("The benchmark needs PostgreSQL.", file=sys.stderr)
        return 2
    print(f"Fidelia benchmark on {connection.settings_dict['NAME']} ({os.cpu_count()} CPUs)")
    print("• migrate", flush=True)
    _manage(["migrate", "--noinput", "-v", "0"], env)
    seeding = seed(args, env)
    connection.close()

    from fidelia.accounts.models import User
    from fidelia.core.testing import confirmed_totp_device, totp_code
    from fidelia.demo.services import DEMO_PASSWORD, seed_reference_data
    from fidelia.parties.models import Party

    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        seed_reference_data(seed=args.seed)
    admin = User.objects.get(username=ADMIN_USERNAME)
    total = Party.objects.count()
    if not total:
        print("The database holds no customer: pass --customers N.", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    routes = {
        "login": _route("accounts:login"),
        "list": _route("parties:list"),
        "search": _route("parties:search"),
        "detail": _route(
            "parties:detail", Party.objects.order_by("id").values_list("id", flat=True).first()
        ),
    }
    missing = [name for name, path in routes.items() if path is None]
    if missing:
        print(f"! URL names not available yet (views not built?): {', '.join(missing)}")

    results: dict[str, Series] = {key: Series(ENDPOINT_LABELS[key]) for key in TARGETS_MS}
    queries = search_queries(rng, args.iterations)
    log = Path(os.environ.get("FIDELIA_BENCH_LOG", "/tmp/fidelia-bench-server.log"))
    server, port, kind = start_server(env, log)
    try:
        print(f"• server: {kind} on 127.0.0.1:{port} (log: {log})", flush=True)
        client = Client(port)
        device = confirmed_totp_device(admin)
        if routes["login"] is None or not client.login(
            routes["login"], ADMIN_USERNAME, args.password or DEMO_PASSWORD,
            otp_code=lambda: totp_code(device),
        ):
            print("! could not log in as the administrator over HTTP: pages are not timed")
        else:
            if routes["search"]:
                paths = [f"{routes['search']}?{urlencode({'q': q})}" for q in queries]
                timed(
                    client,
                    results["search"],
                    paths,
                    args.time_limit,
                    headers={"HX-Request": "true"},
                )
            if routes["detail"]:
                with connection.cursor() as cur:
                    cur.execute("SELECT min(id), max(id) FROM parties_party")
                    low, high = cur.fetchone()
                pks = [rng.randint(low, high) for _ in range(args.iterations)]
                prefix = routes["detail"].rsplit("/", 2)[0]
                tail = "/" if routes["detail"].endswith("/") else ""
                timed(
                    client,
                    results["detail"],
                    [f"{prefix}/{pk}{tail}" for pk in pks],
                    args.time_limit,
                )
            if routes["list"]:
                timed(
                    client,
                    results["list"],
                    list_requests(rng, args.iterations, routes["list"]),
                    args.time_limit,
                )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    raw, statements = raw_search(args.database_url, queries, admin.pk, args.time_limit)
    return report(args, total, seeding, results, raw, statements, missing)


def report(
    args: argparse.Namespace,
    total: int,
    seeding: dict[str, float] | None,
    results: dict[str, Series],
    raw: Series,
    statements: int,
    missing: list[str],
) -> int:
    print()
    print(f"Customers in the database: {total:,}")
    if seeding:
        rate = seeding["rows"] / seeding["seconds"] if seeding["seconds"] else 0
        verdict = (
            ("PASS" if seeding["seconds"] < 600 else "FAIL")
            if seeding["customers"] >= 1_000_000
            else "n/a below 1,000,000"
        )
        print(
            f"Seeding: {seeding['customers']:,.0f} customers, {seeding['rows']:,.0f} rows in {seeding['seconds']:.1f} s "
            f"({rate:,.0f} rows/s; target < 600 s for 1,000,000 customers: {verdict})"
        )
    print()
    print(
        f"{'endpoint':<22} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>7}  result"
    )
    failed = bool(missing)
    for key, series in results.items():
        target = TARGETS_MS[key]
        if not series.samples_ms:
            verdict = "SKIPPED"
            failed = True
        else:
            ok = series.pct(0.95) < target and not series.errors
            verdict = "PASS" if ok else "FAIL"
            failed |= not ok
        print(
            f"{series.name:<22} {len(series.samples_ms):>5} {series.errors:>4} {_fmt(series.p50)} "
            f"{_fmt(series.pct(0.95))} {_fmt(max(series.samples_ms, default=float('nan')))} {target:>5.0f}ms  {verdict}"
            + (f"  ({series.note})" if series.note else "")
        )
    print(
        f"{raw.name:<22} {len(raw.samples_ms):>5} {'':>4} {_fmt(raw.p50)} {_fmt(raw.pct(0.95))} "
        f"{_fmt(max(raw.samples_ms, default=float('nan')))}          ({statements} statements)"
    )
    slowest = sorted(
        (ms, path)
        for series in results.values()
        for ms, path in zip(series.samples_ms, series.paths, strict=True)
    )
    if slowest:
        print(
            "slowest requests: " + "; ".join(f"{path} {ms:.0f} ms" for ms, path in slowest[:-6:-1])
        )
    app = results["search"]
    if app.samples_ms and raw.samples_ms:
        print(
            f"search app / raw SQL: p50 {app.p50 / raw.p50:.1f}×, p95 {app.pct(0.95) / raw.pct(0.95):.1f}× "
            f"(the difference is HTTP, session, auth, ORM and template time)"
        )
    if args.strict and failed:
        print("\nstrict: at least one target missed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
