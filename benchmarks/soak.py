"""``make soak``: a long mixed load through ``mock-calcom serve``, watching its memory.

Starts ``mock-calcom serve --demo --consent approve --quiet`` (rate limits off) in a child
process and drives ``--requests`` requests (default 10**6) over keep-alive connections from
``benchmarks/soak_driver.mjs`` (Node's own http client: the load costs a fraction of what
the server spends, so the server is what is measured). Each round: authorize (a code), the
code exchange for nine codes in ten (one in ten is never exchanged, so it must expire or be
capped by the fake on its own), ``GET /v2/me``, a bookings list, an unknown route, a bad
bearer and a malformed token request.

Reports the child's RSS at start, when the journal is full (``journal_limit`` entries), on
the plateau (every bounded structure full: the journal, the newest 20 000 secret values,
1 000 refresh rows, caches, and the codes never exchanged, which ``serve``'s wall clock
expires after 10 minutes, so the plateau comes after 160 000 requests *and* 630 s), at
every tenth of the run and at the end, and the growth from plateau to end. Target: flat
after the plateau.

Bounded in time (``--max-seconds``, default 1800): on a slow machine the run stops early and
says how many requests it sent. Without Node.js, ``--driver python`` uses an httpx driver
(about ten times slower per request; fine for a short run).

    python benchmarks/soak.py [--requests 1000000] [--concurrency 16] [--max-seconds 1800]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "demo-client-id"
CLIENT_SECRET = "15a970e50c303e00e6897c184f0cd6c8d589b3bd300bb3d95f5e1418727970a8"
JOURNAL_LIMIT = 10_000
#: Requests after which every bounded structure is full: the secret-value registry keeps the
#: newest 20 000 values and a round (about 6.7 requests) adds about one (its code).
PLATEAU_REQUESTS = 160_000
#: Seconds after which the codes never exchanged stop piling up: ``code_ttl`` (600 s on the
#: wall clock of ``serve``) and a margin; before it they grow by one per ten rounds.
PLATEAU_SECONDS = 630.0
DRIVER = Path(__file__).with_name("soak_driver.mjs")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


class Progress:
    """What the load has done so far (updated by the driver's thread)."""

    def __init__(self) -> None:
        self.sent = 0
        self.errors = 0
        self.failures = 0
        self.statuses: dict[str, int] = {}
        self.done = False


def node_driver(base: str, redirect_uri: str, args: argparse.Namespace,
                progress: Progress) -> Callable[[], None]:
    """Start the Node driver; returns a function that waits for it to finish."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("soak: Node.js not found (install it, or pass --driver python)")
    child = subprocess.Popen(  # noqa: S603  (our own script, fixed arguments)
        [node, str(DRIVER), "--base", base, "--requests", str(args.requests),
         "--concurrency", str(args.concurrency), "--max-seconds", str(args.max_seconds),
         "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
         "--redirect-uri", redirect_uri],
        stdout=subprocess.PIPE, text=True)

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            report = json.loads(line)
            progress.sent, progress.errors = report["sent"], report["errors"]
            progress.failures = report["failures"]
            if report.get("done"):
                progress.statuses = report["statuses"]
        progress.done = True

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def wait() -> None:
        try:
            child.wait(args.max_seconds + 60)
        finally:
            if child.poll() is None:
                child.kill()
            reader.join(10)

    return wait


def python_driver(base: str, redirect_uri: str, args: argparse.Namespace,
                  progress: Progress) -> Callable[[], None]:
    """The same rounds with httpx, in a thread (slow: for machines without Node.js)."""
    import httpx

    deadline = time.monotonic() + args.max_seconds
    total: int = args.requests
    tickets = itertools.count()
    counts: dict[str, int] = {}

    def count(response: httpx.Response) -> None:
        progress.sent += 1
        key = str(response.status_code)
        counts[key] = counts.get(key, 0) + 1
        progress.errors += response.status_code >= 500

    def more() -> bool:
        return progress.sent < total and time.monotonic() < deadline

    async def worker(http: httpx.AsyncClient) -> None:
        authorize = (f"{base}/auth/oauth2/authorize?client_id={CLIENT_ID}"
                     f"&redirect_uri={redirect_uri}&response_type=code&state=s"
                     "&scope=PROFILE_READ%20BOOKING_READ")
        while more():
            round_no = next(tickets)
            response = await http.get(authorize)
            count(response)
            code = parse_qs(urlsplit(response.headers.get("location", "")).query).get(
                "code", [""])[0]
            token = ""
            if code and round_no % 10 != 9:  # one code in ten is never exchanged
                response = await http.post(f"{base}/v2/auth/oauth2/token", data={
                    "grant_type": "authorization_code", "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET, "code": code, "redirect_uri": redirect_uri})
                count(response)
                token = response.json().get("access_token", "") if response.is_success else ""
            bearer = {"authorization": f"Bearer {token or 'nope'}"}
            for path, headers in (("/v2/me", bearer), ("/v2/bookings", {
                    **bearer, "cal-api-version": "2024-08-13"}), ("/v2/nowhere", {}),
                    ("/v2/me", {"authorization": "Bearer eyJ.bad.token"})):
                count(await http.get(f"{base}{path}", headers=headers))
            count(await http.post(f"{base}/v2/auth/oauth2/token",
                                  data={"grant_type": "authorization_code"}))

    async def drive() -> None:
        limits = httpx.Limits(max_connections=args.concurrency,
                              max_keepalive_connections=args.concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:
            await asyncio.gather(*(worker(http) for _ in range(args.concurrency)))

    def run() -> None:
        asyncio.run(drive())
        progress.statuses = counts
        progress.done = True

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return lambda: thread.join(args.max_seconds + 60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--driver", choices=("node", "python"), default="node")
    parser.add_argument("--journal-limit", type=int, default=JOURNAL_LIMIT,
                        help="the served fake's journal_limit")
    args = parser.parse_args()
    journal_limit = args.journal_limit
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("mock-calcom")
    child = subprocess.Popen(  # noqa: S603  (our own console script, fixed arguments)
        [str(exe), "serve", "--demo", "--consent", "approve", "--quiet", "--port", str(port),
         "--set", "rate_limit_enabled=false", "--set", f"journal_limit={journal_limit}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ})
    progress = Progress()
    try:
        banner = ""
        start_wait = time.monotonic()
        while "Press Ctrl+C" not in banner:
            line = child.stdout.readline() if child.stdout else ""
            if not line or time.monotonic() - start_wait > 30:
                print(f"serve did not start:\n{banner}{line}", file=sys.stderr)
                return 1
            banner += line
        redirect_uri = f"{base}/_mock/callback"
        samples: list[tuple[str, int, float, float]] = []
        start_rss = rss_mib(child.pid)
        started = time.monotonic()
        start = node_driver if args.driver == "node" else python_driver
        wait = start(base, redirect_uri, args, progress)
        marks = [("journal full", journal_limit)]
        marks += [(f"{i}/10", args.requests * i // 10) for i in range(1, 10)]
        marks.sort(key=lambda mark: mark[1])
        plateau_due = True
        while not progress.done:
            time.sleep(0.25)
            now = time.monotonic() - started
            while marks and progress.sent >= marks[0][1]:
                label, _ = marks.pop(0)
                samples.append((label, progress.sent, now, rss_mib(child.pid)))
            if plateau_due and progress.sent >= PLATEAU_REQUESTS and now >= PLATEAU_SECONDS:
                plateau_due = False
                samples.append(("plateau", progress.sent, now, rss_mib(child.pid)))
        samples.sort(key=lambda sample: sample[1])
        wait()
        elapsed = time.monotonic() - started
        end_rss = rss_mib(child.pid)
    finally:
        child.terminate()
        child.wait(20)
    sent = progress.sent
    print(f"soak: {sent} requests in {elapsed:.0f} s ({sent / elapsed:.0f}/s), {progress.errors} "
          f"server errors, {progress.failures} without an answer, concurrency "
          f"{args.concurrency}, {args.driver} driver, journal_limit {journal_limit}")
    if sent < args.requests:
        print(f"  stopped at --max-seconds {args.max_seconds:g} before {args.requests} requests")
    print(f"  RSS {'start':<13} {start_rss:7.1f} MiB")
    plateau: tuple[int, float] | None = None
    for label, at_sent, at, rss in samples:
        print(f"  RSS {label:<13} {rss:7.1f} MiB  at {at_sent:>8} requests ({at:5.0f} s)")
        if label == "plateau":
            plateau = (at_sent, rss)
    print(f"  RSS {'end':<13} {end_rss:7.1f} MiB  at {sent:>8} requests ({elapsed:5.0f} s)")
    if plateau is not None and sent > plateau[0]:
        grown = end_rss - plateau[1]
        print(f"  plateau -> end: {grown:+.1f} MiB over {sent - plateau[0]} requests "
              f"({grown * 1024 * 1024 / (sent - plateau[0]):+.1f} bytes/request)")
    print(f"  statuses {dict(sorted(progress.statuses.items()))}")
    return 1 if progress.errors or progress.failures else 0


if __name__ == "__main__":
    sys.exit(main())
