"""``make bench-instructions``: instructions per request (valgrind's callgrind), fake vs bare.

Time on a shared machine swings by 20 % from one minute to the next; the number of
instructions a request executes does not. This counts them, deterministically, for the same
requests ``make bench`` times, next to the same bare Starlette side:

* **app-only ASGI**: ``GET /v2/bookings``, a refresh and a code exchange, the app called
  directly in-process. The process runs twice with different request counts and the
  difference is divided, so imports and set-up cancel out.
* **start-up**: ``mock-calcom serve`` from spawn to its first 200 (``GET /_mock/clock``), all
  threads, next to the bare uvicorn app ``make bench`` starts (its first ``GET /``).
* **live**: ``GET /v2/bookings``, a refresh chain and code exchanges sent over one kept-alive
  connection to the fake on ``serve``'s stack and to the bare app on uvicorn's stack
  (the ``_serve-fake`` and ``_serve-bare`` servers of ``bench_perf.py``). Only the server
  process is counted, between two callgrind dumps taken after a warm-up.

Instructions are not time. uvloop's and httptools' C runs more instructions per cycle than
the fake's Python, so a live ratio in instructions is the best the same code can reach in
time; ``make bench`` gives the time. Needs valgrind (``sudo apt-get install valgrind``);
about two minutes.

    python benchmarks/bench_instructions.py [--only asgi,startup,live]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_perf as perf

#: Requests per measured stretch: the two in-process runs differ by this many requests.
ASGI_SPAN = (50, 350)
LIVE_REQUESTS = 300
_COLLECTED = re.compile(r"Collected : (\d+)")


def _valgrind() -> str:
    found = shutil.which("valgrind")
    if found is None:
        raise SystemExit("valgrind is not installed: sudo apt-get install valgrind")
    return found


# -- in-process --------------------------------------------------------------------------------

def _asgi_operations(what: str, count: int) -> Callable[[], Awaitable[None]]:
    subject = perf._FakeUnderTest.build(users=1, bookings_each=5, codes=0, refresh_rows=0,
                                        bench_codes=count + 10 if what == "exchange" else 0)
    operations = {"get": subject.bookings, "refresh": subject.do_refresh, "exchange": subject.exchange}
    if what in operations:
        return operations[what]

    async def bare_side() -> Callable[[], Awaitable[None]]:
        await subject.bookings()
        bookings_body = bytes(subject.asgi.body)
        await subject.do_refresh()
        bare = perf._Asgi(perf._bare_app(bookings_body, bytes(subject.asgi.body)))
        form = subject.refresh_prefix + subject.refresh.encode()

        async def bare_get() -> None:
            await bare.call("GET", "/v2/bookings", subject.auth)
            if bare.status != 200:
                raise SystemExit(f"bare GET: {bare.status}")

        async def bare_post() -> None:
            await bare.call("POST", "/token", perf._FORM, form)
            if bare.status != 200:
                raise SystemExit(f"bare POST: {bare.status}")

        return bare_get if what == "bare-get" else bare_post

    return asyncio.run(bare_side())


#: What the in-process part counts, each run alone in its own process.
ASGI_KINDS = ("get", "refresh", "exchange", "bare-get", "bare-post")


def _run_asgi(what: str, count: int) -> None:
    """The measured process: ``count`` requests of one kind."""
    operation = _asgi_operations(what, count)

    async def loop() -> None:
        for _ in range(count):
            await operation()

    asyncio.run(loop())


def _asgi_instructions(what: str) -> float:
    low, high = ASGI_SPAN
    totals = []
    for count in (low, high):
        done = subprocess.run(  # noqa: S603
            [_valgrind(), "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             __file__, "_run-asgi", what, str(count)],
            capture_output=True, text=True, timeout=600, cwd=perf.ROOT, check=False)
        found = _COLLECTED.search(done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"{what}: callgrind run failed: {done.stderr[-1500:]}")
        totals.append(int(found.group(1)))
    return (totals[1] - totals[0]) / (high - low)


# -- live --------------------------------------------------------------------------------------

def _dump_total(pid: int, out: Path) -> int:
    """Dump the server's counters (callgrind then zeroes them); the dump's instruction total."""
    before = set(out.parent.glob(out.name + ".*"))
    subprocess.run(["callgrind_control", "-d", str(pid)], capture_output=True, check=True,  # noqa: S603,S607
                   timeout=120)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for path in set(out.parent.glob(out.name + ".*")) - before:
            text = path.read_text(errors="replace")
            found = re.search(r"^(?:totals|summary): (\d+)", text, re.MULTILINE)
            if found:
                return int(found.group(1))
        time.sleep(0.2)
    raise SystemExit("callgrind wrote no dump")


class _Client:
    """One kept-alive connection, sending one kind of request."""

    def __init__(self, port: int, kind: str, creds: dict[str, object] | None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.kind = kind
        self.creds = creds or {}
        tokens = self.creds.get("refresh_tokens")
        self.refresh_token = tokens[0] if isinstance(tokens, list) else ""
        codes = self.creds.get("codes")
        self.codes = list(codes) if isinstance(codes, list) else []

    def _form(self, **values: str) -> str:
        from urllib.parse import urlencode

        return urlencode(values)

    def send(self) -> int:
        c = self.connection
        if self.kind == "get":
            c.request("GET", "/v2/bookings", headers={
                "Authorization": f"Bearer {self.creds.get('access_token', 'x')}",
                "cal-api-version": perf.API_VERSION})
        elif not self.creds:  # the bare side: POST /token, body read, same answer each time
            c.request("POST", "/token", body="grant_type=refresh_token&refresh_token=x",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            client = {"client_id": str(self.creds["client_id"]),
                      "client_secret": str(self.creds["client_secret"])}
            if self.kind == "refresh":
                body = self._form(grant_type="refresh_token", refresh_token=self.refresh_token, **client)
            else:
                body = self._form(grant_type="authorization_code", code=self.codes.pop(),
                                  redirect_uri=perf.REDIRECT_URI, **client)
            c.request("POST", "/v2/auth/oauth2/token", body=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        answer = c.getresponse()
        data = answer.read()
        if answer.status == 200 and self.kind == "refresh" and self.creds:
            self.refresh_token = json.loads(data)["refresh_token"]
        return answer.status


def _live_instructions(side: str, kind: str, tmp: Path) -> float:
    port = perf._free_port()
    out = tmp / f"cg-{side}-{kind}.out"
    creds_file = tmp / f"creds-{side}-{kind}.json"
    if side == "fake":
        args = ["_serve-fake", str(port), str(creds_file), "2", str(LIVE_REQUESTS + 100)]
    else:
        bodies = tmp / "bodies.json"
        bodies.write_text(json.dumps({"bookings": "x" * 5171, "token": "y" * 1204}))
        args = ["_serve-bare", str(port), str(bodies)]
    server = subprocess.Popen(  # noqa: S603
        [_valgrind(), "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
         str(Path(perf.__file__)), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=perf.ROOT,
        start_new_session=True)
    try:
        perf._wait_ready(port, "/_mock/clock" if side == "fake" else "/", timeout=300)
        if side == "fake":
            deadline = time.monotonic() + 120
            while not creds_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        creds = json.loads(creds_file.read_text()) if side == "fake" else None
        client = _Client(port, kind, creds)
        for _ in range(50):
            status = client.send()
        _dump_total(server.pid, out)
        for _ in range(LIVE_REQUESTS):
            status = client.send()
        if status != 200:
            raise SystemExit(f"live {side} {kind}: answered {status}")
        return _dump_total(server.pid, out) / LIVE_REQUESTS
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)


# -- start-up ----------------------------------------------------------------------------------

def _startup_instructions(command: list[str], path: str, tmp: Path, name: str) -> int:
    """Instructions of one process, every thread, from its spawn to its first answer on
    ``path`` (a dump right then: the server idles until it, so nothing after is counted)."""
    import http.client

    port = perf._free_port()
    out = tmp / f"cg-start-{name}.out"
    server = subprocess.Popen(  # noqa: S603
        [_valgrind(), "--tool=callgrind", f"--callgrind-out-file={out}", *command, str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=perf.ROOT,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:  # one request answered: a long timeout, so a slow first answer is not sent twice
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                connection.request("GET", path)
                status = connection.getresponse().status
                connection.close()
                break
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not start under callgrind") from None
                time.sleep(0.05)
        if status != 200:
            raise SystemExit(f"{name}: first answer {status}")
        return _dump_total(server.pid, out)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)


# -- report ------------------------------------------------------------------------------------

def _line(name: str, fake: float, bare: float) -> None:
    print(f"  {name:<44} fake {fake / 1000:7.0f} k   bare {bare / 1000:7.0f} k   "
          f"bare / fake {bare / fake:5.2f}   fake / bare {fake / bare:5.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_run-asgi":
        _run_asgi(argv[1], int(argv[2]))
        return 0
    perf._check_checkout()
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--only", default="asgi,startup,live",
                        help="comma-separated: asgi, startup, live")
    chosen = {part.strip() for part in parser.parse_args(argv).only.split(",")}
    _valgrind()
    print("instructions per request (callgrind; deterministic)", flush=True)
    if "asgi" in chosen:
        print("app-only ASGI (in-process):", flush=True)
        bare_get, bare_post = _asgi_instructions("bare-get"), _asgi_instructions("bare-post")
        _line("GET /v2/bookings vs bare app", _asgi_instructions("get"), bare_get)
        _line("refresh vs bare POST", _asgi_instructions("refresh"), bare_post)
        _line("code exchange vs bare POST", _asgi_instructions("exchange"), bare_post)
    if chosen & {"startup", "live"} and shutil.which("callgrind_control") is None:
        raise SystemExit("callgrind_control (part of valgrind) is missing")
    if "startup" in chosen:
        perf._compile_package()  # as make bench does: an installed package starts from bytecode
        with tempfile.TemporaryDirectory() as name:
            serve = [str(Path(sys.executable).with_name("mock-calcom")), "serve", "--port"]
            fake = _startup_instructions(serve, "/_mock/clock", Path(name), "serve")
            bare = _startup_instructions([sys.executable, "-c", perf._BARE_UVICORN], "/",
                                         Path(name), "bare uvicorn")
        print("start-up, spawn to first 200 (the whole process):", flush=True)
        print(f"  {'mock-calcom serve vs bare uvicorn':<44} fake {fake / 1e6:7.0f} M   "
              f"bare {bare / 1e6:7.0f} M   fake / bare {fake / bare:5.2f}", flush=True)
    if "live" in chosen:
        print("live server, one kept-alive connection (server process only):", flush=True)
        with tempfile.TemporaryDirectory() as name:
            tmp = Path(name)
            bare_get = _live_instructions("bare", "get", tmp)
            bare_post = _live_instructions("bare", "post", tmp)
            _line("GET /v2/bookings vs bare Starlette", _live_instructions("fake", "get", tmp), bare_get)
            _line("refresh chain vs bare POST /token", _live_instructions("fake", "refresh", tmp), bare_post)
            _line("code exchange vs bare POST /token", _live_instructions("fake", "exchange", tmp), bare_post)
    return 0


if __name__ == "__main__":
    sys.exit(main())
