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
