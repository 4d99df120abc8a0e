"""The benchmarks still exercise the fake the way they say (they are run by ``make bench``,
not by ``make test``, so a change of behaviour could break them unnoticed). Nothing here is
timed: each benchmark's own work runs once, and it must succeed."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
