"""``make bench``: the fake's speed as ratios to bare Starlette, each measured side by side in
one run, with its target.

* **live** (wrk, ``-t2 -c50``, one uvicorn worker on serve's stack: uvloop and httptools
  where installed; access log off on both sides): ``GET /v2/bookings`` with a valid token vs
  a bare Starlette endpoint serving the same body; refresh-token chains (one user per
  connection: rotation revokes a user's other tokens) and code exchanges vs a bare
  ``POST /token`` that reads its body and answers a token response of the same size.
  Target >= 0.6. Printed beside them, with no target: a plain refresh endpoint on bare
  Starlette that does only a refresh's checks and signing (``floor_token.py``) vs the same
  bare ``POST /token``, and the fake's refresh vs that endpoint.
* **start-up**: spawn to first 200 of ``mock-calcom serve`` vs a bare uvicorn app; < 300 ms.
* **state growth**: app-only cost of a bookings list, a code exchange and a refresh with
  1 000 users x 20 bookings, 10 000 outstanding codes and 30 000 refresh rows vs an empty
  fake. Target <= 1.5.
* **app-only ASGI**: the fake's app called directly (no client, no socket) for
  ``GET /v2/bookings`` and a refresh vs a bare Starlette app with the same body. Target <= 4.
* ``verify --profile dev`` on the reference provider: < 30 s.

* the in-process OAuth dance (``bench_oauth.py``, run from here) vs one bare in-process
  request: target <= 4.

Each side is measured in short alternating rounds so machine noise hits both; the best round
of each side is compared (the least disturbed estimate), the median is shown too. Every loop
is bounded in count and time. The load settings (rate limit off, long lifetimes) are given to
the fake when it is created, before any traffic.

    python benchmarks/bench_perf.py [--only live,startup,growth,asgi,verify] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WRK_INSTALL = "sudo apt-get install wrk   (Debian/Ubuntu; macOS: brew install wrk)"
WRK_THREADS = 2
WRK_CONNECTIONS = 50
#: Refresh chains per round: one per connection, plus one spare per wrk thread. wrk calls
#: the first thread's ``request()`` once before any connection opens, to check the script
#: (``script_verify_request`` in wrk.c), and throws that request away: without the spare,
#: that thread's queue is one token short for the whole run, and the connection that finds
#: it empty keeps sending a placeholder (the 100-200 "non-2xx" of earlier runs: every one a
#: 400 for the placeholder, none for a real token).
CHAINS_PER_ROUND = WRK_CONNECTIONS + WRK_THREADS
API_VERSION = "2024-08-13"
REDIRECT_URI = "https://bench.example/callback"
#: Every figure of this run, printed together at the end.
FIGURES: list[Figure] = []


@dataclass
class Figure:
    name: str
    value: float
    target: str
    ok: bool
    detail: str = ""
    unit: str = "x"


def record(name: str, value: float, *, at_least: float | None = None, at_most: float | None = None,
           below: float | None = None, detail: str = "", unit: str = "x") -> None:
    if at_least is not None:
        ok, target = value >= at_least, f">= {at_least:g}"
    elif at_most is not None:
        ok, target = value <= at_most, f"<= {at_most:g}"
    else:
        assert below is not None
        ok, target = value < below, f"< {below:g}"
    FIGURES.append(Figure(name, value, target, ok, detail, unit))
    mark = "ok " if ok else "MISS"
    print(f"  [{mark}] {name:<52} {value:8.2f} {unit:<3} (target {target}{unit}) {detail}",
          flush=True)


def measured_checkout(package_file: str, root: Path = ROOT) -> str | None:
    """Why a run would measure some other copy of the fake than the checkout at ``root``
    (``None`` when it would not). The benchmark's servers import the package as this script
    does: through whatever the environment installed, since ``benchmarks/`` is not the
    checkout. An editable install made from another worktree sharing the environment points
    elsewhere, and every figure would then be that worktree's."""
    found = Path(package_file).resolve().parent.parent
    if found == root.resolve():
        return None
    return (f"this run would measure the mock_calcom at {found}, not the checkout at {root}: "
            f"reinstall it from here ({Path(sys.executable).parent}/pip install --no-deps -e .)")


def _check_checkout() -> None:
    import mock_calcom

    problem = measured_checkout(mock_calcom.__file__)
    if problem is not None:
        raise SystemExit(problem)


# -- servers run by this script in a subprocess ----------------------------------------------

def _cpu_ticks() -> tuple[int, int] | None:
    """All CPUs' ticks so far, and those stolen by the hypervisor (Linux ``/proc/stat``;
    ``None`` elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if fields[0] != "cpu" or len(fields) < 9:
        return None
    ticks = [int(value) for value in fields[1:9]]  # user .. steal (guest time is in user)
    return sum(ticks), ticks[7]


def stolen_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of the CPUs' time between two :func:`_cpu_ticks` readings that the
    hypervisor gave to other machines: time a virtual CPU was ready to run and did not.
    Figures measured then are noisy, whatever the load average says."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    return (after[1] - before[1]) / (after[0] - before[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _bare_app(body: bytes, token_body: bytes) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def bookings(request: Request) -> Response:
        return Response(body, media_type="application/json")

    async def token(request: Request) -> Response:
        await request.body()
        return Response(token_body, media_type="application/json",
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def ok(request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(routes=[Route("/v2/bookings", bookings), Route("/token", token, methods=["POST"]),
                             Route("/", ok)])


def _serve_bare(port: int, body_file: str) -> None:
    """A bare Starlette app on the same uvicorn stack as ``serve``."""
    import logging

    import uvicorn

    from mock_calcom.server import fastest_http, fastest_loop

    bodies = json.loads(Path(body_file).read_text())
    app = _bare_app(bodies["bookings"].encode(), bodies["token"].encode())
    # serve's stack: uvloop and httptools where installed, else asyncio and h11 (serve's
    # protocol adds only a read deadline to uvicorn's).
    uvicorn.run(app, host="127.0.0.1", port=port, loop=fastest_loop(), http=fastest_http(), ws="none",
                lifespan="off", access_log=False, log_level=logging.WARNING)


def _load_settings() -> Any:
    from mock_calcom.settings import Settings

    # For load: no throttling, nothing expires during the run, and room for every code the
    # bench issues before traffic (the default cap of pending codes, 10 000, would delete
    # the oldest of the live run's pool: their exchanges then fail as unknown codes).
    return Settings(seed=7, rate_limit_enabled=False, access_token_ttl=86_400,
                    code_ttl=86_400, refresh_token_ttl=30 * 86_400, max_pending_codes=1_000_000)


def _serve_fake(port: int, out_file: str, users: int, codes: int) -> None:
    """The fake on a LiveServer (what ``serve`` runs), with its load settings given at creation,
    ``users`` users each with a refresh token, and ``codes`` outstanding codes to exchange."""
    from mock_calcom.fake import MockCalcom
    from mock_calcom.model.clock import WallClock
    from mock_calcom.model.scopes import USER_SCOPES
    from mock_calcom.model.tokens import Grant
    from mock_calcom.server import LiveServer

    fake = MockCalcom(_load_settings(), clock=WallClock())
    people = [fake.create_user(f"user{i}") for i in range(users)]
    client = fake.create_client("bench", [REDIRECT_URI], list(USER_SCOPES))
    model = fake.model
    scopes = tuple(USER_SCOPES)
    with model.lock:
        refresh = [model.tokens.mint_pair(Grant(client.client_id, u.id, None, scopes)).refresh_token
                   for u in people]
        access = model.tokens.mint_pair(Grant(client.client_id, people[0].id, None, scopes)).access_token
        issued = [model.codes.issue(client_id=client.client_id, user_id=people[i % users].id,
                                    scopes=scopes).code for i in range(codes)]
    # The code-exchange user must not be a refresh-chain user: an exchange mints a new
    # refresh row without revoking, but keep the chains' users to themselves anyway.
    server = LiveServer(fake, "127.0.0.1", port).start()
    # Written whole, then renamed: the bench reads it as soon as the name appears.
    partial = Path(out_file + ".partial")
    partial.write_text(json.dumps({
        "client_id": client.client_id, "client_secret": client.client_secret,
        "access_token": access, "refresh_tokens": refresh, "codes": issued}))
    os.replace(partial, out_file)
    try:
        threading.Event().wait()
    finally:
        server.stop()


@contextlib.contextmanager
def _spawn(*args: str, script: str = __file__) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, script, *args], cwd=ROOT)  # noqa: S603
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_ready(port: int, path: str = "/", timeout: float = 60.0) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"a benchmark server on port {port} did not come up")


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- live: wrk ---------------------------------------------------------------------------------

#: Each wrk thread takes its share of a pool of one-use values (refresh tokens or codes) from
#: the file in BENCH_POOL and posts ``BENCH_PREFIX .. value`` to BENCH_PATH.
_POOL_LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  pool = {}
  exhausted = 0
  local n = tonumber(os.getenv("BENCH_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("BENCH_POOL")) do
    if i % n == id then table.insert(pool, line) end
    i = i + 1
  end
  prefix = os.getenv("BENCH_PREFIX")
end
function request()
  local value = table.remove(pool)
  if value == nil then
    exhausted = exhausted + 1
    value = "exhausted"
  end
  return wrk.format("POST", os.getenv("BENCH_PATH"),
    {["Content-Type"] = "application/x-www-form-urlencoded"}, prefix .. value)
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("exhausted") end
  io.write(string.format("pool exhausted: %d\n", total))
end
"""

#: A refresh chain: each answer's new refresh token goes back into the pool.
_REFRESH_LUA = _POOL_LUA + r"""
function response(status, headers, body)
  if status == 200 then
    local t = body:match('"refresh_token":"([^"]+)"')
    if t then table.insert(pool, t) end
  end
end
"""

_STATIC_POST_LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("BENCH_BODY")
"""


@dataclass
class WrkResult:
    rps: float
    non_2xx: int
    errors: int
    requests: int
    #: The server process's CPU seconds per request during the run (0 when unknown).
    cpu_per_request: float = 0.0
    #: Requests a pool script sent with no value left in its thread's share of the pool.
    exhausted: int = 0


def _wrk(url: str, seconds: float, *, script: str | None = None, headers: dict[str, str] | None = None,
         env: dict[str, str] | None = None, tmp: Path, pid: int = 0) -> WrkResult:
    # A long timeout: a refresh chain whose answer wrk gave up on would lose its token.
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{max(1, round(seconds))}s",
            "--timeout", "30s"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    if script is not None:
        path = tmp / f"script{abs(hash(script))}.lua"
        path.write_text(script)
        args += ["-s", str(path)]
    args.append(url)
    cpu_before = _cpu_seconds(pid) if pid else 0.0
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60,  # noqa: S603
                          env={**os.environ, "BENCH_THREADS": str(WRK_THREADS), **(env or {})},
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    exhausted = re.search(r"pool exhausted: (\d+)", out)
    cpu = (_cpu_seconds(pid) - cpu_before) / max(requests, 1) if pid else 0.0
    return WrkResult(rps, int(non_2xx.group(1)) if non_2xx else 0,
                     sum(int(g) for g in errors.groups()) if errors else 0, requests, cpu,
                     int(exhausted.group(1)) if exhausted else 0)


def bench_live(rounds: int, seconds: float) -> None:
    if shutil.which("wrk") is None:
        print(f"  live benchmarks need wrk, a load generator faster than the server: {WRK_INSTALL}")
        raise SystemExit(2)
    # One fresh user per chain per round: the tokens a round leaves rotated are unknown.
    users = CHAINS_PER_ROUND * (rounds + 1)
    # Enough codes for every exchange round, at a generous rate, plus slack. Each wrk
    # thread takes only its half of a round's pool, and one thread may send more than half
    # of the round's requests: 6 000 a second ran a thread's half out once exchanges
    # passed 5 500 (the pool script counts what it sent without a code, and a round that
    # ran out stops the bench).
    codes_needed = int(rounds * seconds * 12_000) + 5_000
    with tempfile.TemporaryDirectory(prefix="mock-calcom-bench-") as tmpdir:
        tmp = Path(tmpdir)
        fake_port, bare_port = _free_port(), _free_port()
        creds_file = tmp / "creds.json"
        with _spawn("_serve-fake", str(fake_port), str(creds_file), str(users),
                    str(codes_needed)) as fake_process:
            deadline = time.monotonic() + 120
            while not creds_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            if not creds_file.exists():
                raise SystemExit("the fake's benchmark server did not start")
            creds = json.loads(creds_file.read_text())
            auth = {"Authorization": f"Bearer {creds['access_token']}", "cal-api-version": API_VERSION}
            status, body = _get(fake_port, "/v2/bookings", auth)
            if status != 200:
                raise SystemExit(f"GET /v2/bookings answered {status}: {body[:200]!r}")
            # A token response of the size the fake sends (same token lengths).
            token_body = json.dumps({"access_token": creds["access_token"], "token_type": "bearer",
                                     "refresh_token": creds["refresh_tokens"][0], "expires_in": 1800,
                                     "scope": "x" * 200}, separators=(",", ":"))
            bodies_file = tmp / "bodies.json"
            bodies_file.write_text(json.dumps({"bookings": body.decode(), "token": token_body}))
            floor_port, floor_file = _free_port(), tmp / "floor.json"
            with _spawn("_serve-bare", str(bare_port), str(bodies_file)) as bare_process, \
                    _spawn(str(floor_port), str(floor_file), str(users),
                           script=str(Path(__file__).with_name("floor_token.py"))) as floor_process:
                _wait_ready(bare_port)
                _wait_ready(floor_port)
                floor = (floor_port, floor_process.pid, json.loads(floor_file.read_text()))
                _live_rounds(creds, auth, (fake_port, fake_process.pid), (bare_port, bare_process.pid),
                             rounds, seconds, tmp, len(body), floor)


def _live_rounds(creds: dict[str, Any], auth: dict[str, str], fake_server: tuple[int, int],
                 bare_server: tuple[int, int], rounds: int, seconds: float, tmp: Path,
                 body_size: int, floor: tuple[int, int, dict[str, Any]]) -> None:
    (fake_port, fake_pid), (bare_port, bare_pid) = fake_server, bare_server
    floor_port, floor_pid, floor_creds = floor
    fake, bare = f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{bare_port}"
    secret = creds["client_secret"]
    codes_dir = tmp / "codes"
    codes_dir.mkdir()
    codes: list[str] = creds["codes"]
    refresh_prefix = (f"grant_type=refresh_token&client_id={creds['client_id']}"
                      f"&client_secret={secret}&refresh_token=")
    code_prefix = (f"grant_type=authorization_code&client_id={creds['client_id']}"
                   f"&client_secret={secret}&redirect_uri={REDIRECT_URI}&code=")
    bare_body = refresh_prefix + creds["refresh_tokens"][0]
    floor_prefix = (f"grant_type=refresh_token&client_id={floor_creds['client_id']}"
                    f"&client_secret={floor_creds['client_secret']}&refresh_token=")
    results: dict[str, list[WrkResult]] = {k: [] for k in
                                          ("bare_get", "get", "bare_post", "refresh", "exchange",
                                           "floor")}
    # Warm-up (imports on first use, caches), not counted.
    _wrk(f"{bare}/v2/bookings", 1, headers=auth, tmp=tmp)
    _wrk(f"{fake}/v2/bookings", 1, headers=auth, tmp=tmp)
    for _ in range(rounds):
        results["bare_get"].append(_wrk(f"{bare}/v2/bookings", seconds, headers=auth, tmp=tmp,
                                        pid=bare_pid))
        results["get"].append(_wrk(f"{fake}/v2/bookings", seconds, headers=auth, tmp=tmp, pid=fake_pid))
        results["bare_post"].append(_wrk(f"{bare}/token", seconds, script=_STATIC_POST_LUA,
                                         env={"BENCH_BODY": bare_body}, tmp=tmp, pid=bare_pid))
        index = len(results["refresh"])
        tokens_file = codes_dir / f"tokens{index}.txt"
        chains = creds["refresh_tokens"][index * CHAINS_PER_ROUND:(index + 1) * CHAINS_PER_ROUND]
        tokens_file.write_text("\n".join(chains) + "\n")
        refresh = _wrk(f"{fake}/v2/auth/oauth2/token", seconds, script=_REFRESH_LUA, tmp=tmp,
                       pid=fake_pid, env={
            "BENCH_POOL": str(tokens_file), "BENCH_PREFIX": refresh_prefix,
            "BENCH_PATH": "/v2/auth/oauth2/token"})
        results["refresh"].append(refresh)
        floor_file = codes_dir / f"floor{index}.txt"
        floor_file.write_text("\n".join(
            floor_creds["refresh_tokens"][index * CHAINS_PER_ROUND:(index + 1) * CHAINS_PER_ROUND]) + "\n")
        results["floor"].append(_wrk(f"http://127.0.0.1:{floor_port}/v2/auth/oauth2/token", seconds,
                                     script=_REFRESH_LUA, tmp=tmp, pid=floor_pid, env={
            "BENCH_POOL": str(floor_file), "BENCH_PREFIX": floor_prefix,
            "BENCH_PATH": "/v2/auth/oauth2/token"}))
        # Each round its own slice of the pool: no code is offered twice.
        per_round = len(codes) // rounds
        chunk = codes[index * per_round:(index + 1) * per_round]
        codes_file = codes_dir / f"round{index}.txt"
        codes_file.write_text("\n".join(chunk) + "\n")
        exchange = _wrk(f"{fake}/v2/auth/oauth2/token", seconds, script=_POOL_LUA, tmp=tmp,
                        pid=fake_pid, env={
            "BENCH_POOL": str(codes_file), "BENCH_PREFIX": code_prefix,
            "BENCH_PATH": "/v2/auth/oauth2/token"})
        results["exchange"].append(exchange)
        if exchange.exhausted or refresh.exhausted:
            raise SystemExit("a wrk thread ran out of its share of codes (raise codes_needed) "
                             "or of refresh tokens (a chain broke: an answer was not a 200)")
    _report_live(results, body_size)


def _report_live(results: dict[str, list[WrkResult]], body_size: int) -> None:
    def best(key: str) -> float:
        return max(r.rps for r in results[key])

    def med(key: str) -> float:
        return statistics.median(r.rps for r in results[key])

    for key, runs in results.items():
        bad = sum(r.non_2xx + r.errors for r in runs)
        if bad:
            print(f"  !! {key}: {bad} non-2xx answers or socket errors")
    print(f"  rps (best): bare GET {best('bare_get'):.0f}, fake GET {best('get'):.0f}, "
          f"bare POST {best('bare_post'):.0f}, refresh {best('refresh'):.0f}, "
          f"exchange {best('exchange'):.0f}; body {body_size} B")
    def cpu(key: str) -> float:
        return min(r.cpu_per_request for r in results[key])

    print(f"  server CPU per request (best): bare GET {cpu('bare_get') * 1e6:.0f} us, fake GET "
          f"{cpu('get') * 1e6:.0f} us, bare POST {cpu('bare_post') * 1e6:.0f} us, refresh "
          f"{cpu('refresh') * 1e6:.0f} us, exchange {cpu('exchange') * 1e6:.0f} us")
    for name, key, base in (("live GET /v2/bookings vs bare Starlette", "get", "bare_get"),
                            ("live refresh chains vs bare POST /token", "refresh", "bare_post"),
                            ("live code exchanges vs bare POST /token", "exchange", "bare_post")):
        failures = sum(r.non_2xx + r.errors for r in results[key])
        cpu_ratio = cpu(base) / cpu(key) if cpu(key) else 0.0
        record(f"{name} (rps)", best(key) / best(base), at_least=0.6,
               detail=f"median {med(key) / med(base):.2f}" + (f", {failures} FAILED" if failures else ""))
        # Throughput as the server's CPU allows it: what the rps ratio is on an idle machine.
        record(f"{name} (CPU)", cpu_ratio, at_least=0.6, detail="bare / fake CPU per request")
    # No target: a yardstick for the token lines (floor_token.py says what it leaves out).
    print(f"  reference, no target: a plain refresh endpoint on bare Starlette "
          f"(floor_token.py) runs at {cpu('bare_post') / cpu('floor'):.2f} x bare POST /token "
          f"(CPU; {best('floor') / best('bare_post'):.2f} x by rps, {cpu('floor') * 1e6:.0f} us); "
          f"the fake's refresh chains at {cpu('floor') / cpu('refresh'):.2f} x that endpoint", flush=True)


# -- start-up ----------------------------------------------------------------------------------

_BARE_UVICORN = """
import sys, uvicorn
async def app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), lifespan="off", access_log=False,
            log_level="warning")
"""


def _time_to_first_200(command: list[str], port: int, path: str,
                       timeout: float = 30.0) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process) from spawn to its first 200."""
    import http.client

    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)  # noqa: S603
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - started, _cpu_seconds(process.pid)
            except OSError:
                time.sleep(0.002)
        raise SystemExit(f"{command[0]} did not answer 200 within {timeout:g} s")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _compile_package() -> None:
    """Byte-compile the package as ``pip install`` does: an installed fake starts from its
    bytecode, and so does the bare side (site-packages is compiled at install). An editable
    install under ``PYTHONDONTWRITEBYTECODE`` (this machine) would otherwise compile every
    module from source at every start, which no user's second start does."""
    import compileall

    for package in ("mock_calcom",):
        if not compileall.compile_dir(ROOT / package, quiet=1):
            raise SystemExit(f"could not byte-compile {package}")


def bench_startup(rounds: int) -> None:
    serve = str(Path(sys.executable).with_name("mock-calcom"))
    _compile_package()
    fake_runs, bare_runs = [], []
    for _ in range(max(rounds, 5)):
        port = _free_port()
        bare_runs.append(_time_to_first_200([sys.executable, "-c", _BARE_UVICORN, str(port)], port, "/"))
        port = _free_port()
        fake_runs.append(_time_to_first_200([serve, "serve", "--port", str(port)], port, "/_mock/clock"))
    fake_times, bare_times = [w for w, _ in fake_runs], [w for w, _ in bare_runs]
    fake, bare = min(fake_times), min(bare_times)
    fake_cpu, bare_cpu = min(c for _, c in fake_runs), min(c for _, c in bare_runs)
    print(f"  spawn to first 200 (best of {len(fake_times)}): serve {fake * 1000:.0f} ms, "
          f"bare uvicorn {bare * 1000:.0f} ms (medians {statistics.median(fake_times) * 1000:.0f} / "
          f"{statistics.median(bare_times) * 1000:.0f} ms)")
    record("start-up: serve vs bare uvicorn", fake / bare, at_most=3.0,
           detail=f"({fake * 1000:.0f} ms vs {bare * 1000:.0f} ms)")
    record("start-up: serve, spawn to first 200 (wall)", fake * 1000, below=300, unit="ms")
    # The CPU the start-up took: its wall time on an idle machine, whatever the load now.
    record("start-up: serve, spawn to first 200 (CPU)", fake_cpu * 1000, below=300, unit="ms",
           detail=f"bare uvicorn {bare_cpu * 1000:.0f} ms CPU")


# -- in-process, app only ------------------------------------------------------------------------

@dataclass
class _Asgi:
    """Calls an ASGI app directly: the cost of the app alone, no client, no socket."""

    app: Any
    status: int = 0
    body: bytearray = field(default_factory=bytearray)

    async def call(self, method: str, path: str, headers: list[tuple[bytes, bytes]],
                   body: bytes = b"", query: bytes = b"") -> bytes:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 8765)}
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)  # pragma: no cover - nothing reads past the body
            return {"type": "http.disconnect"}

        self.body = bytearray()

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")

        await self.app(scope, receive, send)
        return bytes(self.body)


def _form(**values: str) -> bytes:
    from urllib.parse import urlencode

    return urlencode(values).encode()


_FORM = [(b"content-type", b"application/x-www-form-urlencoded")]


@dataclass
class _FakeUnderTest:
    """A fake with one bench user (20 bookings) and client, ready for the three requests."""

    fake: Any
    asgi: _Asgi
    client_id: str
    secret: str
    access: str
    refresh: str
    codes: list[str]

    @classmethod
    def build(cls, *, users: int, bookings_each: int, codes: int, refresh_rows: int,
              bench_codes: int) -> _FakeUnderTest:
        from mock_calcom.fake import MockCalcom
        from mock_calcom.model.scopes import USER_SCOPES
        from mock_calcom.model.tokens import Grant

        fake = MockCalcom(_load_settings())
        model = fake.model
        client = fake.create_client("bench", [REDIRECT_URI], list(USER_SCOPES))
        scopes = tuple(USER_SCOPES)
        people = [fake.create_user(f"user{i}") for i in range(max(users, 1))]
        with model.lock:
            for person in people:
                _add_bookings(model, person, bookings_each)
            for i in range(codes):
                model.codes.issue(client_id=client.client_id, user_id=people[i % len(people)].id,
                                  scopes=scopes)
            for i in range(refresh_rows):
                # Rows of many users (rotation keeps one row per user and client).
                model.tokens.mint_pair(Grant(client.client_id, 10_000 + i, None, scopes))
            me = people[0]
            pair = model.tokens.mint_pair(Grant(client.client_id, me.id, None, scopes))
            mine = [model.codes.issue(client_id=client.client_id, user_id=me.id, scopes=scopes).code
                    for _ in range(bench_codes)]
        return cls(fake, _Asgi(fake.app), client.client_id, client.client_secret or "",
                   pair.access_token, pair.refresh_token, mine)

    def __post_init__(self) -> None:
        self.refresh_prefix = _form(grant_type="refresh_token", client_id=self.client_id,
                                    client_secret=self.secret) + b"&refresh_token="
        self.code_prefix = _form(grant_type="authorization_code", client_id=self.client_id,
                                 client_secret=self.secret, redirect_uri=REDIRECT_URI) + b"&code="

    @property
    def auth(self) -> list[tuple[bytes, bytes]]:
        return [(b"authorization", f"Bearer {self.access}".encode()),
                (b"cal-api-version", API_VERSION.encode())]

    async def bookings(self) -> None:
        await self.asgi.call("GET", "/v2/bookings", self.auth)
        if self.asgi.status != 200:
            raise SystemExit(f"GET /v2/bookings: {self.asgi.status} {bytes(self.asgi.body[:200])!r}")

    async def do_refresh(self) -> None:
        # Tokens are URL-safe: the form is built by concatenation, as cheaply as the bare side's.
        body = await self.asgi.call("POST", "/v2/auth/oauth2/token", _FORM,
                                    self.refresh_prefix + self.refresh.encode())
        if self.asgi.status != 200:
            raise SystemExit(f"refresh: {self.asgi.status} {body[:200]!r}")
        # The next token, cut out of the answer as wrk's Lua does (a JSON parse here is the
        # bench client's work, which the bare side does not do, so it stays out of the timing).
        self.refresh = body.split(b'"refresh_token":"', 1)[1].split(b'"', 1)[0].decode()


    async def exchange(self) -> None:
        body = await self.asgi.call("POST", "/v2/auth/oauth2/token", _FORM, self.code_prefix
                                    + self.codes.pop().encode())
        if self.asgi.status != 200:
            raise SystemExit(f"exchange: {self.asgi.status} {body[:200]!r}")


def _add_bookings(model: Any, user: Any, total: int) -> None:
    """Top the user's seeded bookings up to ``total`` with copies an hour apart."""
    import dataclasses

    from mock_calcom.model.resources.ids import booking_uid

    store = model.resources.bookings
    mine = [b for b in store.involving(user) if b.host_id == user.id]
    template = mine[0]
    for i in range(total - len(mine)):
        start = template.start + (i + 1) * 3600 * 24 * 7
        uid = booking_uid(model.rng.fork(f"bench:{user.id}:{i}"))
        store.add(dataclasses.replace(template, id=store.new_id(), uid=uid, start=start,
                                      end=start + (template.end - template.start),
                                      attendees=[dataclasses.replace(a) for a in template.attendees]))


async def _timed(count: int, operation: Callable[[], Awaitable[None]]) -> float:
    """Mean CPU time of one ``operation`` (process CPU time: on a machine shared with other
    work, wall time mostly measures the scheduler)."""
    start = time.process_time()
    for _ in range(count):
        await operation()
    return (time.process_time() - start) / count


async def _side_by_side(sides: dict[str, Callable[[], Awaitable[None]]], rounds: int, per_round: int,
                        budget: float = 40.0) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in sides}
    for operation in sides.values():  # warm-up
        await _timed(max(per_round // 4, 5), operation)
    deadline = time.monotonic() + budget
    for _ in range(rounds):
        for name, operation in sides.items():
            times[name].append(await _timed(per_round, operation))
        if time.monotonic() > deadline:
            break
    return times


def _ratio(times: dict[str, list[float]], side: str, base: str) -> tuple[float, float]:
    return (min(times[side]) / min(times[base]),
            statistics.median(times[side]) / statistics.median(times[base]))


def bench_growth(rounds: int) -> None:
    per_round = 150
    bench_codes = per_round * (rounds * 2 + 2)
    print("  building the crowded fake (1 000 users x 20 bookings, 10 000 codes, 30 000 refresh rows)...",
          flush=True)
    crowded = _FakeUnderTest.build(users=1_000, bookings_each=20, codes=10_000, refresh_rows=30_000,
                                   bench_codes=bench_codes)
    empty = _FakeUnderTest.build(users=1, bookings_each=20, codes=0, refresh_rows=0,
                                 bench_codes=bench_codes)
    sizes = (len(crowded.fake.model.resources.bookings), len(crowded.fake.model.codes),
             len(crowded.fake.model.tokens))
    print(f"  crowded: {sizes[0]} bookings, {sizes[1]} codes, {sizes[2]} refresh rows", flush=True)

    async def run() -> dict[str, list[float]]:
        return await _side_by_side({
            "empty bookings": empty.bookings, "crowded bookings": crowded.bookings,
            "empty exchange": empty.exchange, "crowded exchange": crowded.exchange,
            "empty refresh": empty.do_refresh, "crowded refresh": crowded.do_refresh,
        }, rounds * 2, per_round)

    times = asyncio.run(run())
    for what in ("bookings", "exchange", "refresh"):
        best, median = _ratio(times, f"crowded {what}", f"empty {what}")
        record(f"state growth: {what}, crowded vs empty fake", best, at_most=1.5,
               detail=f"median {median:.2f}; {min(times[f'empty {what}']) * 1e6:.0f} us empty")


def bench_asgi(rounds: int) -> None:
    from starlette.applications import Starlette  # noqa: F401  (the bare side's framework)

    subject = _FakeUnderTest.build(users=1, bookings_each=5, codes=0, refresh_rows=0, bench_codes=0)

    async def run() -> dict[str, list[float]]:
        await subject.bookings()
        bookings_body = bytes(subject.asgi.body)
        await subject.do_refresh()
        token_body = bytes(subject.asgi.body)
        bare = _Asgi(_bare_app(bookings_body, token_body))
        refresh_form = subject.refresh_prefix + subject.refresh.encode()

        async def bare_get() -> None:
            await bare.call("GET", "/v2/bookings", subject.auth)

        async def bare_post() -> None:
            await bare.call("POST", "/token", _FORM, refresh_form)

        return await _side_by_side({"bare get": bare_get, "get": subject.bookings,
                                    "bare post": bare_post, "refresh": subject.do_refresh},
                                   rounds * 2, 300)

    times = asyncio.run(run())
    for name, side, base in (("app-only ASGI: GET /v2/bookings vs bare app", "get", "bare get"),
                             ("app-only ASGI: refresh vs bare app", "refresh", "bare post")):
        best, median = _ratio(times, side, base)
        record(name, best, at_most=4.0,
               detail=f"median {median:.2f}; {min(times[side]) * 1e6:.0f} us vs "
                      f"{min(times[base]) * 1e6:.0f} us")


def bench_dance() -> None:
    """bench_oauth.py (the in-process OAuth dance vs one bare in-process request), its ratio
    collected here with the others."""
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("bench_oauth.py"))],  # noqa: S603
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    print("\n".join("  " + line for line in done.stdout.splitlines()))
    found = re.search(r"dance / bare\s+([\d.]+) x", done.stdout)
    if found is None:
        raise SystemExit(f"bench_oauth.py failed: {done.stderr[-2000:]}")
    record("in-process OAuth dance vs one bare request", float(found.group(1)), at_most=4.0)
    floor = re.search(r"floor / bare\s+([\d.]+) x.*the fake's own is ([\d.]+) x", done.stdout)
    if floor is not None:
        print(f"  reference, no target: the fake's three answers replayed by a stub app cost "
              f"{floor.group(1)} bare requests; the fake's own share of the dance is {floor.group(2)}")


def bench_verify() -> None:
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("mock-calcom")), "verify", "--provider",  # noqa: S603
                           "mock_calcom_contracts.reference:make_provider", "--profile", "dev"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
    record("verify --profile dev on the reference", elapsed, below=30.0, unit="s",
           detail="" if done.returncode == 0 else f"(exit {done.returncode})")


# -- entry point ---------------------------------------------------------------------------------

PARTS = ("dance", "asgi", "growth", "startup", "live", "verify")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_serve-bare":
        _serve_bare(int(argv[1]), argv[2])
        return 0
    if argv and argv[0] == "_serve-fake":
        _serve_fake(int(argv[1]), argv[2], int(argv[3]), int(argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one wrk run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    rounds = min(max(args.rounds, 1), 10)
    seconds = min(max(args.seconds, 1.0), 30.0)
    chosen = [p.strip() for p in args.only.split(",") if p.strip()]
    for part in chosen:
        if part not in PARTS:
            parser.error(f"unknown part {part!r}")
    _check_checkout()
    load = os.getloadavg()[0]
    print(f"mock-calcom benchmarks (load average {load:.1f} on {os.cpu_count()} CPUs"
          f"{'; busy machine, figures are noisy: repeat' if load > (os.cpu_count() or 1) else ''})",
          flush=True)
    runners: dict[str, Callable[[], None]] = {
        "asgi": lambda: bench_asgi(rounds), "growth": lambda: bench_growth(rounds),
        "startup": lambda: bench_startup(rounds), "live": lambda: bench_live(rounds, seconds),
        "verify": bench_verify, "dance": bench_dance,
    }
    ticks = _cpu_ticks()
    for part in chosen:
        print(f"{part}:", flush=True)
        runners[part]()
    print("summary:")
    stolen = stolen_share(ticks, _cpu_ticks())
    if stolen is not None:
        print(f"  the hypervisor took {stolen:.0%} of the CPUs' time during the run"
              f"{' (over 5 %: figures are noisy, repeat)' if stolen > 0.05 else ''}")
    for figure in FIGURES:
        print(f"  {'ok  ' if figure.ok else 'MISS'} {figure.name:<52} {figure.value:8.2f} {figure.unit:<3}"
              f" target {figure.target}{figure.unit}")
    return 1 if args.strict and not all(f.ok for f in FIGURES) else 0


if __name__ == "__main__":
    sys.exit(main())
