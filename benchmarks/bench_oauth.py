"""``make bench``: what the full OAuth dance costs in-process, as a multiple of one bare request.

Measured side by side in one run, on the same transport (:class:`AsyncCalcomTransport`):

* **bare**: one ``GET /`` to a trivial Starlette app answering ``"ok"``;
* **dance**: authorize (consent approve: a 302 with a code) -> code exchange at the token
  endpoint -> ``GET /v2/auth/oauth2/clients/{id}`` with the new access token, against a fake
  with its journal on.

Beside them, with no target, the dance's floor: the same three requests to a stub app that
replays the fake's own three answers (recorded once, byte for byte). It costs what the client
and the transport spend on those requests and answers, so ``dance - floor`` is the fake's own
share, in bare requests.

Short rounds alternate bare, dance and floor so machine noise hits all three; each side's
fastest round is reported (the least disturbed estimate of its cost; the median is shown
too). Loops are bounded in count and in time. Target: dance <= 4x bare (it was 6x). Times
are process CPU time: on a machine shared with other work, wall time mostly measures the
scheduler.

    python benchmarks/bench_oauth.py [--rounds 15] [--dances 40] [--profile] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_calcom import MockCalcom, Settings
from mock_calcom.demo import DemoData
from mock_calcom.transports import AsyncCalcomTransport

TARGET = 4.0
#: Whatever the arguments, the measurement stops after this many seconds.
TIME_BUDGET = 60.0
BARE_PER_DANCE = 3  # a dance is three requests: time three bare ones per dance for balance


async def _ok(request: Request) -> Response:
    return PlainTextResponse("ok")


BARE_APP = Starlette(routes=[Route("/", _ok)])


@dataclass
class Steps:
    authorize: float = 0.0
    token: float = 0.0
    client_info: float = 0.0


def _settings() -> Settings:
    # The lookup needs a caller (FACTS §11.4); the dance's own scoped token is that caller.
    # Frozen clock: a rate-limit window would never end over hundreds of dances.
    return Settings(seed=1, client_lookup_open_to_scoped_tokens=True, rate_limit_enabled=False)


def _authorize_url(fake: MockCalcom, demo: DemoData) -> str:
    """Built once per run: composing the URL is the client's work, not the fake's."""
    return fake.authorize_url(demo.client.client_id, demo.redirect_uri, demo.scopes, state="bench")


async def _dance(client: httpx.AsyncClient, authorize_url: str, demo: DemoData, steps: Steps) -> None:
    app = demo.client
    t0 = time.process_time()
    redirect = await client.get(authorize_url)
    code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
    t1 = time.process_time()
    token = await client.post("https://api.cal.com/v2/auth/oauth2/token", data={
        "client_id": app.client_id, "client_secret": app.client_secret or "",
        "grant_type": "authorization_code", "code": code, "redirect_uri": demo.redirect_uri})
    if token.status_code != 200:
        raise SystemExit(f"the dance failed at the token endpoint: {token.status_code} {token.text}")
    t2 = time.process_time()
    info = await client.get(f"https://api.cal.com/v2/auth/oauth2/clients/{app.client_id}",
                            headers={"authorization": f"Bearer {token.json()['access_token']}"})
    if info.status_code != 200:
        raise SystemExit(f"the dance failed at client lookup: {info.status_code} {info.text}")
    t3 = time.process_time()
    steps.authorize += t1 - t0
    steps.token += t2 - t1
    steps.client_info += t3 - t2


async def _timed(count: int, operation: Callable[[], Awaitable[None]]) -> float:
    start = time.process_time()
    for _ in range(count):
        await operation()
    return (time.process_time() - start) / count


#: What the fake answered, by request path: its start message and its body.
Answers = dict[str, tuple[Message, bytes]]


class _Recorder:
    """The fake behind a recorder: keeps the last answer to each path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.answers: Answers = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        self.answers[scope["path"]] = (start, body)


async def record_answers(fake: MockCalcom, demo: DemoData, authorize_url: str) -> Answers:
    """One dance through a recorder: the fake's answer to each of the dance's three paths."""
    recorder = _Recorder(fake.app)
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(recorder)) as client:
        await _dance(client, authorize_url, demo, Steps())
    return recorder.answers


def replay_app(answers: Answers) -> ASGIApp:
    """A stub app with no work of its own: it reads the request's body, as the fake does,
    and sends the fake's recorded answer for the path."""

    async def replay(scope: Scope, receive: Receive, send: Send) -> None:
        more = scope["method"] == "POST"
        while more:
            more = (await receive()).get("more_body", False)
        start, body = answers[scope["path"]]
        await send(start)
        await send({"type": "http.response.body", "body": body})

    return replay


@dataclass
class Result:
    bare: list[float]
    dance: list[float]
    steps: Steps
    dances: int
    #: Dances against :func:`replay_app` with the fake's answers: the floor.
    floor: list[float]


async def measure(rounds: int, dances: int) -> Result:
    fake = MockCalcom(_settings())
    demo = fake.seed_demo()
    url = _authorize_url(fake, demo)
    steps = Steps()
    bare_times: list[float] = []
    dance_times: list[float] = []
    floor_times: list[float] = []
    stub = replay_app(await record_answers(fake, demo, url))
    deadline = time.monotonic() + TIME_BUDGET
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(BARE_APP),
                                 base_url="https://api.cal.com") as bare, \
            httpx.AsyncClient(transport=fake.async_transport(),
                              base_url="https://app.cal.com") as client, \
            httpx.AsyncClient(transport=AsyncCalcomTransport(stub)) as replayed:

        async def one_bare() -> None:
            await bare.get("/")

        async def one_dance() -> None:
            await _dance(client, url, demo, steps)

        async def one_floor() -> None:
            await _dance(replayed, url, demo, Steps())

        # Warm-up: imports, route compilation, JWT key setup, caches.
        await _timed(20, one_bare)
        await _timed(20, one_dance)
        await _timed(20, one_floor)
        fake.journal.clear()
        steps = Steps()
        for _ in range(rounds):
            bare_times.append(await _timed(dances * BARE_PER_DANCE, one_bare))
            dance_times.append(await _timed(dances, one_dance))
            floor_times.append(await _timed(dances, one_floor))
            if time.monotonic() > deadline:
                break
    done = len(dance_times) * dances
    scale = 1 / max(done, 1)
    per_step = Steps(steps.authorize * scale, steps.token * scale, steps.client_info * scale)
    return Result(bare_times, dance_times, per_step, done, floor_times)


def _profile(dances: int) -> None:
    async def run() -> None:
        fake = MockCalcom(_settings())
        demo = fake.seed_demo()
        async with httpx.AsyncClient(transport=fake.async_transport()) as client:
            for _ in range(dances):
                await _dance(client, _authorize_url(fake, demo), demo, Steps())

    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run())
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--dances", type=int, default=40, help="dances per round")
    parser.add_argument("--profile", action="store_true", help="also profile the dance")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 above {TARGET:g}x")
    args = parser.parse_args(argv)
    rounds = min(max(args.rounds, 1), 50)
    dances = min(max(args.dances, 1), 1000)

    result = asyncio.run(measure(rounds, dances))
    bare, dance = min(result.bare), min(result.dance)
    ratio = dance / bare
    median_ratio = statistics.median(result.dance) / statistics.median(result.bare)
    steps = result.steps
    print(f"in-process, async transport, best of {len(result.dance)} rounds ({result.dances} dances)")
    print(f"  bare Starlette request   {bare * 1e6:8.1f} us")
    print(f"  full OAuth dance         {dance * 1e6:8.1f} us   (3 requests)")
    print(f"    authorize -> 302       {steps.authorize * 1e6:8.1f} us   (mean)")
    print(f"    token exchange         {steps.token * 1e6:8.1f} us   (mean)")
    print(f"    client lookup          {steps.client_info * 1e6:8.1f} us   (mean)")
    floor = min(result.floor)
    print(f"  replayed answers (floor) {floor * 1e6:8.1f} us   (the fake's three answers from a stub app)")
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"  dance / bare             {ratio:8.2f} x   ({verdict} the {TARGET:g}x target;"
          f" medians give {median_ratio:.2f} x)")
    print(f"  floor / bare             {floor / bare:8.2f} x   (no target: the client's and the"
          f" transport's share; the fake's own is {(dance - floor) / bare:.2f} x)")
    if args.profile:
        _profile(dances)
    return 1 if args.strict and ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
