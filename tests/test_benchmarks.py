"""The benchmarks still exercise the fake the way they say (they are run by ``make bench``,
not by ``make test``, so a change of behaviour could break them unnoticed). Nothing here is
timed: each benchmark's own work runs once, and it must succeed."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.transports import AsyncCalcomTransport

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_dance_benchmark_completes_every_dance_it_times() -> None:
    bench = _load("bench_oauth")
    result = asyncio.run(bench.measure(rounds=1, dances=2))
    assert result.dances == 2
    assert result.steps.token > 0
    assert result.steps.client_info > 0


def test_the_dance_floor_replays_the_fakes_own_three_answers_byte_for_byte() -> None:
    bench = _load("bench_oauth")

    async def run() -> tuple[Any, list[tuple[int, list[tuple[bytes, bytes]], bytes]]]:
        fake = MockCalcom(bench._settings())
        demo = fake.seed_demo()
        url = bench._authorize_url(fake, demo)
        answers = await bench.record_answers(fake, demo, url)
        seen = []

        async def keep(response: httpx.Response) -> None:
            await response.aread()
            seen.append((response.status_code, response.headers.raw, response.content))

        transport = AsyncCalcomTransport(bench.replay_app(answers))
        async with httpx.AsyncClient(transport=transport, event_hooks={"response": [keep]}) as client:
            await bench._dance(client, url, demo, bench.Steps())
        return answers, seen

    answers, seen = asyncio.run(run())
    recorded = [(start["status"], [tuple(pair) for pair in start["headers"]], body)
                for start, body in answers.values()]
    assert [status for status, _, _ in recorded] == [302, 200, 200]
    assert seen == recorded
    result = asyncio.run(bench.measure(rounds=1, dances=2))
    assert len(result.floor) == len(result.dance) == 1


def test_each_request_the_instruction_count_runs_answers_200_on_its_own() -> None:
    bench = _load("bench_instructions")
    for kind in bench.ASGI_KINDS:
        bench._run_asgi(kind, 3)  # raises SystemExit on any other answer


async def _floor_refresh(client: httpx.AsyncClient, issuer: Any, token: str,
                         secret: str | None = None) -> int:
    answer = await client.post("/v2/auth/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": issuer.client_id,
        "client_secret": secret or issuer.client_secret, "refresh_token": token})
    if answer.status_code == 200:
        issuer.last = answer.json()
    return answer.status_code


def test_the_floor_reference_really_rotates_refresh_tokens_as_its_docstring_says() -> None:
    """``make bench`` compares the fake's refresh with floor_token.py, a plain endpoint doing a
    refresh's checks and signing: it must check the client, verify the token and revoke it, or
    the yardstick is too short."""
    floor = _load("floor_token")
    issuer = floor.FloorIssuer()
    first = issuer.mint(7)[1]

    async def run() -> None:
        transport = httpx.ASGITransport(app=floor.app_for(issuer))
        async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
            assert await _floor_refresh(client, issuer, first) == 200
            body = issuer.last
            assert issuer.verify(body["refresh_token"])["userId"] == 7
            assert issuer.verify(body["access_token"])["token_type"] == "Access Token"
            assert await _floor_refresh(client, issuer, first) == 400  # rotated: used once
            assert await _floor_refresh(client, issuer, body["refresh_token"], "0" * 64) == 401
            head, payload, signature = body["refresh_token"].split(".")
            forged = f"{head}.{payload}.{signature[::-1]}"
            assert await _floor_refresh(client, issuer, forged) == 400
            assert await _floor_refresh(client, issuer, body["refresh_token"]) == 200

    asyncio.run(run())


def test_the_benchmarks_refuse_to_measure_a_copy_of_the_fake_from_another_checkout(tmp_path: Path) -> None:
    perf = _load("bench_perf")
    here = perf.ROOT / "mock_calcom" / "__init__.py"
    assert perf.measured_checkout(str(here)) is None
    elsewhere = tmp_path / "other-worktree" / "mock_calcom" / "__init__.py"
    problem = perf.measured_checkout(str(elsewhere))
    assert problem is not None
    assert str(tmp_path / "other-worktree") in problem
    assert "pip install --no-deps -e ." in problem


def test_a_pool_script_counts_the_requests_it_sent_with_nothing_left_in_its_pool(
        tmp_path: Path) -> None:
    """The live bench stops when a wrk thread ran out of codes (it would go on sending
    ``exhausted``, and time 400s as if they were exchanges); wrk is what tells it."""
    import json
    import shutil
    import subprocess

    if shutil.which("wrk") is None:
        import pytest

        pytest.skip("wrk is not installed (.ci/run installs it)")
    perf = _load("bench_perf")
    bodies = tmp_path / "bodies.json"
    bodies.write_text(json.dumps({"bookings": "x", "token": "{}"}))
    port = perf._free_port()
    server = subprocess.Popen([sys.executable, str(BENCHMARKS / "bench_perf.py"),
                               "_serve-bare", str(port), str(bodies)])
    try:
        perf._wait_ready(port)
        pool = tmp_path / "pool.txt"
        for size in (10, 500_000):
            pool.write_text("".join(f"v{i}\n" for i in range(size)))
            run = perf._wrk(f"http://127.0.0.1:{port}/token", 1, script=perf._POOL_LUA, tmp=tmp_path,
                            env={"BENCH_POOL": str(pool), "BENCH_PREFIX": "x=",
                                 "BENCH_PATH": "/token"})
            assert run.requests > 10
            if size == 10:
                # Every request but the pool's ten went out without a value. wrk counts the
                # answers that came within its time; when it stops, each connection can
                # still have one request on its way and the next one built.
                assert (run.requests - 10 <= run.exhausted
                        <= run.requests - 10 + 2 * perf.WRK_CONNECTIONS)
            else:
                assert run.exhausted == 0
    finally:
        server.terminate()
        server.wait(10)


def test_the_stolen_share_is_the_steal_ticks_over_all_ticks_between_two_readings() -> None:
    perf = _load("bench_perf")
    assert perf.stolen_share((1000, 10), (2000, 60)) == 0.05
    assert perf.stolen_share((1000, 10), (1000, 10)) is None  # no time passed
    assert perf.stolen_share(None, (2000, 60)) is None
    reading = perf._cpu_ticks()
    if reading is not None:  # Linux
        total, steal = reading
        assert 0 <= steal <= total
