"""The suites import as ``mock_calcom_contracts``, so a user's own ``contracts`` package is never shadowed."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("mock_calcom", "mock_calcom_contracts", "examples", "tests", "benchmarks")


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_imports_a_top_level_package_named_contracts() -> None:
    offenders = [str(p.relative_to(ROOT)) for d in SOURCES for p in (ROOT / d).rglob("*.py")
                 if "contracts" in _top_level_imports(p)]
    assert offenders == []


def test_the_distribution_ships_no_top_level_contracts_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert "mock_calcom_contracts*" in include
    assert not any(pattern.startswith("contracts") for pattern in include)
    assert not (ROOT / "contracts").exists()
