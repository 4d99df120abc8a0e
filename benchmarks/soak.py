"""``make soak``: a long mixed load through ``mock-calcom serve``, watching its memory.

Starts ``mock-calcom serve --demo --consent approve --quiet`` (rate limits off) in a child
process and drives ``--requests`` requests (default 10**6) over keep-alive connections:
authorize (a code), the code exchange for nine codes in ten (one in ten is never exchanged,
so it must expire and be purged by the fake on its own), ``GET /v2/me``, a bookings list,
an unknown route, a bad bearer and a malformed token request. Reports the child's RSS at
start, when the journal is full (its ``journal_limit`` entries), at every tenth of the run,
and at the end. Target: flat after the journal fills.

Bounded in time (``--max-seconds``, default 1800): on a slow machine the run stops early and
says how many requests it sent.

    python benchmarks/soak.py [--requests 1000000] [--concurrency 8] [--max-seconds 1800]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

CLIENT_ID = "demo-client-id"
CLIENT_SECRET = "15a970e50c303e00e6897c184f0cd6c8d589b3bd300bb3d95f5e1418727970a8"
JOURNAL_LIMIT = 10_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


class Load:
    def __init__(self, base: str, redirect_uri: str, total: int, deadline: float) -> None:
        self.base = base
        self.redirect_uri = redirect_uri
        self.total = total
        self.deadline = deadline
        self.sent = 0
        self.errors = 0
        self.statuses: dict[int, int] = {}
        self.tickets = itertools.count()

    def _count(self, response: httpx.Response) -> None:
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.errors += 1

    def more(self) -> bool:
        return self.sent < self.total and time.monotonic() < self.deadline

    async def worker(self, http: httpx.AsyncClient) -> None:
        authorize = (f"{self.base}/auth/oauth2/authorize?client_id={CLIENT_ID}"
                     f"&redirect_uri={self.redirect_uri}&response_type=code&state=s"
                     "&scope=PROFILE_READ%20BOOKING_READ")
        while self.more():
            round_no = next(self.tickets)
            response = await http.get(authorize)
            self._count(response)
            location = response.headers.get("location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            token = ""
            if code and round_no % 10 != 9:  # one code in ten is never exchanged
                response = await http.post(f"{self.base}/v2/auth/oauth2/token", data={
                    "grant_type": "authorization_code", "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET, "code": code,
                    "redirect_uri": self.redirect_uri})
                self._count(response)
                token = response.json().get("access_token", "") if response.is_success else ""
            bearer = {"authorization": f"Bearer {token or 'nope'}"}
            for path, headers in (("/v2/me", bearer), ("/v2/bookings", {**bearer,
                                  "cal-api-version": "2024-08-13"}), ("/v2/nowhere", {}),
                                  ("/v2/me", {"authorization": "Bearer eyJ.bad.token"})):
                self._count(await http.get(f"{self.base}{path}", headers=headers))
            self._count(await http.post(f"{self.base}/v2/auth/oauth2/token",
                                        data={"grant_type": "authorization_code"}))


async def drive(load: Load, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        await asyncio.gather(*(load.worker(http) for _ in range(concurrency)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--journal-limit", type=int, default=JOURNAL_LIMIT,
                        help="the served fake's journal_limit (the plateau comes after it fills)")
    args = parser.parse_args()
    journal_limit = args.journal_limit
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("mock-calcom")
    child = subprocess.Popen(  # noqa: S603  (our own console script, fixed arguments)
        [str(exe), "serve", "--demo", "--consent", "approve", "--quiet", "--port", str(port),
         "--set", "rate_limit_enabled=false", "--set", f"journal_limit={journal_limit}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ})
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
        samples: list[tuple[int, float, float]] = []
        start_rss = rss_mib(child.pid)
        started = time.monotonic()
        load = Load(base, redirect_uri, args.requests, started + args.max_seconds)
        plateau: float | None = None
        marks = [args.requests * i // 10 for i in range(1, 11)]

        async def run() -> None:
            nonlocal plateau
            task = asyncio.create_task(drive(load, args.concurrency))
            while not task.done():
                await asyncio.sleep(0.5)
                if plateau is None and load.sent >= journal_limit * 2:
                    plateau = rss_mib(child.pid)
                while marks and load.sent >= marks[0]:
                    marks.pop(0)
                    samples.append((load.sent, time.monotonic() - started, rss_mib(child.pid)))
            await task

        asyncio.run(run())
        elapsed = time.monotonic() - started
        end_rss = rss_mib(child.pid)
    finally:
        child.terminate()
        child.wait(20)
    print(f"soak: {load.sent} requests in {elapsed:.0f} s ({load.sent / elapsed:.0f}/s), "
          f"{load.errors} server errors, concurrency {args.concurrency}")
    if load.sent < args.requests:
        print(f"  stopped at --max-seconds {args.max_seconds:g} before {args.requests} requests")
    print(f"  RSS start   {start_rss:7.1f} MiB")
    print(f"  RSS plateau {plateau if plateau is not None else float('nan'):7.1f} MiB "
          f"(journal full: {journal_limit} entries, after {journal_limit * 2} requests)")
    for sent, at, rss in samples:
        print(f"  RSS at {sent:>8} requests ({at:5.0f} s) {rss:7.1f} MiB")
    print(f"  RSS end     {end_rss:7.1f} MiB")
    print(f"  statuses    {dict(sorted(load.statuses.items()))}")
    return 1 if load.errors else 0


if __name__ == "__main__":
    sys.exit(main())
