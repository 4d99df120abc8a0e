"""``python -m tests.contracts.mutants [--profile dev|ci|thorough] [--live]``: run every mutant
through the runner and print which clauses killed it, and the mutation score. Exits 1 if a
mutant survived (passed the clause it breaks)."""

from __future__ import annotations

import argparse
import sys

from mock_calcom_contracts.profiles import PROFILES
from mock_calcom_contracts.verify import run_mutants
from tests.contracts.mutants import MUTANTS, scored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.contracts.mutants")
    parser.add_argument("--profile", default="dev", choices=sorted(PROFILES))
    parser.add_argument("--live", action="store_true")
    args = parser.parse_args(argv)
    report = run_mutants([scored(m) for m in MUTANTS], profile=args.profile, live=args.live)
    print(report.table())
    return 0 if report.killed == report.total else 1


if __name__ == "__main__":
    sys.exit(main())
