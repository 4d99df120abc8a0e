"""The runner: verify a provider clause by clause, report, and gate CI.

Python::

    from mock_calcom_contracts.verify import run
    report = run(make_provider, profile="dev")
    print(report.table())
    assert report.ok

Command line (``mock-calcom verify`` delegates to :func:`main`)::

    mock-calcom verify --provider mypkg.adapter:make_provider [--profile dev|ci|thorough]
        [--live] [--junit-xml FILE] [--report FILE] [--expect-failures FILE] [--clause ID ...]
        [--mutants MODULE:ATTR] [--timeout SECONDS]

Exit codes: 0 every clause passed (or failed as the ledger expects), 1 a clause failed or the
ledger is stale, 2 the run could not start (bad ``--provider``, a factory that raises or returns
no provider, bad ledger, unknown clause), 130 interrupted (Ctrl-C): the reports then hold the
clauses that finished.

When clauses fail, the report leads with a diagnosis: failures that share a root cause (seen in
the journal, :mod:`mock_calcom_contracts.diagnosis`) are grouped under it with a one-line fix,
the most specific message first.

The ledger (``--expect-failures FILE``) lists known failures, one clause id per line (``#``
starts a comment). A listed failure is tolerated; a new failure fails the run, and so does a
listed clause that now passes, so the list can only shrink: the gate only tightens.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TextIO

from hypothesis.errors import Flaky
from hypothesis.reporting import with_reporter

from mock_calcom_contracts.clauses import Clause, select
from mock_calcom_contracts.diagnosis import Cause, Diagnosis, Failure, diagnose, scan
from mock_calcom_contracts.errors import (
    ContractViolation,
    HarnessError,
    LedgerError,
    NotApplicable,
    ProviderLoadError,
)
from mock_calcom_contracts.harness import CALL_TIMEOUT, Harness, ProviderGone, Suite
from mock_calcom_contracts.profiles import PROFILES, Profile, honest_shrink_notes, shrink_budget
from mock_calcom_contracts.profiles import profile as get_profile
from mock_calcom_contracts.provider import ProviderFactory

#: ``n/a``: the clause does not concern this provider (it neither passes nor fails the run).
Status = Literal["pass", "fail", "error", "n/a"]

#: How many characters of hypothesis output and journal a reproducer keeps.
_REPRODUCER_LIMIT = 6000


@dataclass(frozen=True)
class ClauseResult:
    id: str
    rule: str
    basis: str
    status: Status
    message: str = ""
    #: The minimal failing example (hypothesis's steps) and the journal excerpt.
    reproducer: str = ""
    duration: float = 0.0
    #: Listed in the ledger as a known failure.
    expected_failure: bool = False
    #: Root causes whose signature the clause's scenarios showed (see :mod:`.diagnosis`); a
    #: correct provider shows none.
    causes: frozenset[Cause] = frozenset()

    @property
    def tolerated(self) -> bool:
        return self.status == "fail" and self.expected_failure

    @property
    def stale(self) -> bool:
        """Listed as a known failure but no longer fails: the ledger must shrink."""
        return self.status in ("pass", "n/a") and self.expected_failure

    @property
    def ok(self) -> bool:
        return (self.status in ("pass", "n/a") and not self.expected_failure) or self.tolerated


@dataclass(frozen=True)
class Report:
    provider: str
    profile: str
    live: bool
    results: tuple[ClauseResult, ...]
    duration: float = 0.0
    #: Whether a ledger was applied (then ``expected_failure`` flags mean something).
    ledger: bool = False
    #: Stopped (Ctrl-C) before every chosen clause ran: ``results`` are the finished ones.
    interrupted: bool = False
    #: Why the run stopped early (the provider's process is gone), or ``""``.
    aborted: str = ""

    @property
    def ok(self) -> bool:
        return not self.interrupted and not self.aborted and all(r.ok for r in self.results)

    def diagnoses(self) -> tuple[Diagnosis, ...]:
        """The failing clauses (not tolerated by the ledger) grouped by root cause."""
        return diagnose(Failure(r.id, r.message, r.causes) for r in self.results
                        if r.status in ("fail", "error") and not r.tolerated)

    def result(self, clause_id: str) -> ClauseResult:
        for r in self.results:
            if r.id == clause_id:
                return r
        raise KeyError(clause_id)

    @property
    def failed(self) -> tuple[str, ...]:
        """Clauses that did not pass (fail or error), tolerated or not."""
        return tuple(r.id for r in self.results if r.status in ("fail", "error"))

    @property
    def new_failures(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.results
                     if r.status in ("fail", "error") and not r.tolerated)

    @property
    def stale(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.results if r.stale)

    def with_ledger(self, expected: Iterable[str]) -> Report:
        """This report judged against a ledger of known failures. Listed clauses that were not
        run (``--clause`` picked others) are ignored."""
        listed = set(expected)
        results = tuple(replace(r, expected_failure=r.id in listed) for r in self.results)
        return replace(self, results=results, ledger=True)

    # -- output ----------------------------------------------------------------------------

    def table(self) -> str:
        return format_table(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "profile": self.profile,
            "live": self.live,
            "ok": self.ok,
            "interrupted": self.interrupted,
            "aborted": self.aborted,
            "duration": round(self.duration, 3),
            "summary": _summary(self),
            "ledger": {"applied": self.ledger, "new_failures": list(self.new_failures),
                       "stale": list(self.stale),
                       "tolerated": [r.id for r in self.results if r.tolerated]},
            "diagnosis": [d.to_json() for d in self.diagnoses()],
            "clauses": [
                {"id": r.id, "rule": r.rule, "basis": r.basis, "status": r.status,
                 "expected_failure": r.expected_failure, "message": r.message,
                 "reproducer": r.reproducer, "duration": round(r.duration, 3),
                 "causes": sorted(c.key for c in r.causes)}
                for r in self.results
            ],
        }

    def to_junit_xml(self) -> str:
        return junit_xml(self)


# -- running -------------------------------------------------------------------------------

def run(
    factory: ProviderFactory,
    *,
    profile: str | Profile = "dev",
    live: bool = False,
    clauses: Sequence[str] | None = None,
    provider_name: str | None = None,
    on_result: Callable[[ClauseResult], None] | None = None,
    on_start: Callable[[Clause, int, int], None] | None = None,
    shrink: bool = True,
    timeout: float = CALL_TIMEOUT,
) -> Report:
    """Run the clauses (all, or those named) against ``factory``; never raises for a provider's
    misbehaviour: that is what the report is for. ``shrink=False`` reports failures as found,
    unshrunk (faster when only the verdict matters, as for mutants). ``timeout`` bounds each
    provider call in wall-clock seconds.

    A factory that raises, or returns something that is not a provider, is a usage error: it
    raises :class:`~mock_calcom_contracts.errors.ProviderLoadError` before any clause runs.
    Ctrl-C (``KeyboardInterrupt``) propagates; ``on_result`` has seen every finished clause."""
    chosen = select(list(clauses) if clauses else None)
    settings_profile = profile if isinstance(profile, Profile) else get_profile(profile)
    if not shrink:
        settings_profile = replace(settings_profile, shrink=False)
    name = provider_name or _name_of(factory)
    started = time.perf_counter()
    results: list[ClauseResult] = []
    aborted = ""
    with shrink_budget(settings_profile), \
            Suite(factory, settings_profile, live=live, call_timeout=timeout) as suite:
        try:
            _probe(suite)
        except ProviderGone as exc:
            raise ProviderLoadError(str(exc)) from None
        for number, clause in enumerate(chosen, start=1):
            if on_start is not None:
                on_start(clause, number, len(chosen))
            try:
                result = run_clause(clause, suite)
            except ProviderGone as exc:
                # Reported once, on the clause that was running; the others cannot run.
                aborted = str(exc)
                result = ClauseResult(clause.id, clause.rule, clause.basis, "error",
                                      f"the provider is gone: {_first_line(aborted)} "
                                      "(the run stopped here; see below)")
            results.append(result)
            if on_result is not None:
                on_result(result)
            if aborted:
                break
    return Report(name, settings_profile.name, live, tuple(results),
                  time.perf_counter() - started, aborted=aborted)


def _probe(suite: Suite) -> None:
    """Build one provider before any clause: a factory that cannot is reported once, as a
    usage error, instead of once per clause."""
    with suite.scenario():
        pass


def run_clause(clause: Clause, suite: Suite) -> ClauseResult:
    """Run one clause; its result carries the root causes seen in its scenarios."""
    causes: set[Cause] = set()
    last: list[object] = []

    def observe(h: Harness) -> None:
        from mock_calcom_contracts.clauses.hygiene import api_host_of

        causes.update(scan(h.since(), api_host_of(h)))
        last[:] = [h.provider]

    suite.observers.append(observe)
    try:
        result = _run_clause(clause, suite)
    finally:
        suite.observers.remove(observe)
    if result.status == "fail" and last:
        result = replace(result, reproducer=_with_transcript(result.reproducer, last[0]))
    return replace(result, causes=frozenset(causes)) if causes else result


def _with_transcript(reproducer: str, provider: object) -> str:
    """A provider that keeps a transcript of the calls it was sent (a driver's HTTP calls)
    shows it next to the journal: the last scenario is the failing example's replay."""
    transcript = getattr(provider, "transcript", None)
    text = transcript() if callable(transcript) else ""
    if not isinstance(text, str) or not text:
        return reproducer
    section = "driver calls:\n" + _indent(text)
    head, sep, journal = reproducer.partition("journal:\n")
    if not sep:
        return _clip(f"{reproducer}\n{section}" if reproducer else section)
    return _clip(f"{head}{section}\njournal:\n{journal}")


def _run_clause(clause: Clause, suite: Suite) -> ClauseResult:
    lines: list[str] = []

    def report(value: object) -> None:
        lines.append(str(value))

    started = time.perf_counter()

    def done(status: Status, message: str = "", reproducer: str = "") -> ClauseResult:
        return ClauseResult(clause.id, clause.rule, clause.basis, status, _untagged(message),
                            _clip(reproducer), time.perf_counter() - started)

    def steps(notes: list[str]) -> list[str]:
        return _for_verify_users(honest_shrink_notes(lines + notes, suite.profile), clause.id,
                                 suite.profile.name)

    try:
        with with_reporter(report):
            clause.check(suite)
    except NotApplicable as exc:
        return done("n/a", str(exc))
    except ContractViolation as violation:
        return done("fail", violation.message,
                    _reproducer(steps(_notes(violation)), violation.excerpt))
    except Flaky as exc:
        found = _violation_in(exc)
        message = found.message if found else str(exc).splitlines()[0]
        notes = _notes(exc) + (_notes(found) if found else [])
        return done("fail", f"{message} (not reproducible every time: a race or hidden state)",
                    _reproducer(steps(notes), found.excerpt if found else ""))
    except HarnessError as exc:
        return done("error", f"{type(exc).__name__}: {exc}", "".join(traceback.format_exc()))
    except Exception as exc:  # the harness itself broke: report, never hide
        return done("error", f"harness error {type(exc).__name__}: {exc}",
                    "".join(traceback.format_exc()))
    return done("pass")


#: Hypothesis's advice for its own test functions, which a verified provider does not have.
_HYPOTHESIS_ADVICE = re.compile(
    r"^\s*(You can reproduce this (test case|example) by temporarily adding @reproduce_failure"
    r"|You can add @seed\(|Unreliable test timings|Explanation:|The code which was executed)")
#: A clause tag the state machine puts before a message: ``[ROTATION] ...``.
_TAG = re.compile(r"^\[([A-Z0-9-]+)\] ")


def _for_verify_users(lines: list[str], clause_id: str, profile_name: str) -> list[str]:
    """Hypothesis's report, addressed to someone running ``verify``: no decorators to add to a
    test function they do not have, test-function wording turned into the example's."""
    out: list[str] = []
    for line in lines:
        if _HYPOTHESIS_ADVICE.match(line):
            continue
        for said, meant in (("Falsifying example: prop(", "Failing example ("),
                            ("Failing test case: prop(", "Failing example ("),
                            ("Falsifying example:", "Failing example:"),
                            ("Failing test case:", "Failing example:")):
            line = line.replace(said, meant)
        out.append(line)
    if out:
        again = "the same examples every run" if profile_name == "ci" else \
            "with --profile ci it meets the same examples every run"
        out.append(f"replay: mock-calcom verify ... --clause {clause_id} ({again})")
    return out


def _untagged(message: str) -> str:
    """``[ROTATION] refresh failed`` as ``refresh failed (the ROTATION rule)``."""
    match = _TAG.match(message)
    if match is None:
        return message
    if match.group(1) == "STATEFUL":
        return message[match.end():]
    return f"{message[match.end():]} (the {match.group(1)} rule)"


def _notes(exc: BaseException) -> list[str]:
    """Hypothesis attaches the falsifying example (and the steps of a state machine) to the
    exception as notes."""
    return [str(n) for n in getattr(exc, "__notes__", [])]


def _violation_in(exc: BaseException) -> ContractViolation | None:
    seen: list[BaseException] = [exc]
    while seen:
        current = seen.pop()
        if isinstance(current, ContractViolation):
            return current
        if isinstance(current, BaseExceptionGroup):
            seen.extend(current.exceptions)
        if current.__cause__ is not None:
            seen.append(current.__cause__)
    return None


def _reproducer(lines: list[str], excerpt: str) -> str:
    parts = []
    steps = "\n".join(line.rstrip() for line in lines if line.strip())
    if steps:
        parts.append(steps)
    if excerpt:
        parts.append("journal:\n" + excerpt)
    return "\n".join(parts)


def _clip(text: str) -> str:
    if len(text) <= _REPRODUCER_LIMIT:
        return text
    return text[:_REPRODUCER_LIMIT] + "\n... (cut)"


def _name_of(factory: Callable[..., Any]) -> str:
    module = getattr(factory, "__module__", None) or "?"
    qualname = getattr(factory, "__qualname__", None)
    if qualname is None:  # an instance, e.g. a DriverFactory: it names itself
        return str(factory)
    return f"{module}:{qualname}"


def _importable_from_cwd() -> None:
    """Put the working directory first on ``sys.path``, as ``python -m`` and pytest's rootdir
    insertion do: an adapter of the current project then imports without being installed. A
    console script's ``sys.path`` starts with its ``bin`` directory, not the working one."""
    cwd = os.getcwd()
    if sys.path[:1] in ([cwd], [""]):
        return
    sys.path.insert(0, cwd)
    # A finder cached for this directory earlier may not know the adapter's file yet.
    importlib.invalidate_caches()


def _load_attribute(spec: str, option: str, form: str) -> Any:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ProviderLoadError(f"{option} wants {form}, got {spec!r}")
    _importable_from_cwd()
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise ProviderLoadError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from exc
    target: Any = module
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ProviderLoadError(f"{module_name!r} has no attribute {attr!r}") from None
    return target


def load_factory(spec: str) -> ProviderFactory:
    """``package.module:factory`` to the factory it names."""
    target = _load_attribute(spec, "--provider", "package.module:factory")
    if not callable(target):
        raise ProviderLoadError(f"{spec} is not callable")
    factory: ProviderFactory = target
    return factory


# -- ledger --------------------------------------------------------------------------------

def load_ledger(path: str | Path, known: Iterable[str] | None = None) -> frozenset[str]:
    """Clause ids listed in ``path``: one per line, ``#`` comments, blank lines ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LedgerError(f"cannot read the ledger {path}: {exc.strerror or exc}") from exc
    ids: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if any(c.isspace() for c in line):
            raise LedgerError(f"{path}:{number}: one clause id per line, got {line!r}")
        ids.add(line.upper())
    valid = set(known) if known is not None else {c.id for c in select(None)}
    unknown = sorted(ids - valid)
    if unknown:
        raise LedgerError(f"{path}: unknown clause id(s): {', '.join(unknown)}")
    return frozenset(ids)


# -- mutation score ------------------------------------------------------------------------

@dataclass(frozen=True)
class Mutant:
    """A deliberately broken provider and the clause(s) it is meant to break."""

    name: str
    factory: ProviderFactory
    breaks: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class MutationReport:
    reports: Mapping[str, Report]
    mutants: tuple[Mutant, ...]

    def killed_by(self, name: str) -> tuple[str, ...]:
        return self.reports[name].failed

    def is_killed(self, mutant: Mutant) -> bool:
        """Killed: it fails a clause it is meant to break (any clause, if none is named)."""
        failed = set(self.killed_by(mutant.name))
        return bool(failed & mutant.breaks) if mutant.breaks else bool(failed)

    @property
    def killed(self) -> int:
        return sum(1 for m in self.mutants if self.is_killed(m))

    @property
    def total(self) -> int:
        return len(self.mutants)

    def line(self) -> str:
        return f"mutation score: {self.killed}/{self.total}"

    def to_json(self) -> dict[str, Any]:
        return {"killed": self.killed, "total": self.total,
                "mutants": [{"name": m.name, "breaks": sorted(m.breaks),
                             "killed": self.is_killed(m), "failed": list(self.killed_by(m.name))}
                            for m in self.mutants]}

    def table(self) -> str:
        rows: list[tuple[str, ...]] = [("MUTANT", "KILLED", "BREAKS", "FAILED CLAUSES")]
        for m in self.mutants:
            rows.append((m.name, "yes" if self.is_killed(m) else "NO",
                         ",".join(sorted(m.breaks)) or "-", ",".join(self.killed_by(m.name)) or "-"))
        return _grid(rows) + "\n" + self.line()


def load_mutants(spec: str) -> tuple[Mutant, ...]:
    """``package.module:ATTR`` to mutants. ATTR is an iterable (or a function returning one) of
    :class:`Mutant` or of provider factories; a factory may name the clause(s) it breaks in a
    ``KILLS`` attribute (a mutant class whose constructor takes the environment qualifies)."""
    target = _load_attribute(spec, "--mutants", "package.module:ATTR")
    try:
        items = target() if callable(target) and not isinstance(target, type) else target
        listed = list(items)
    except TypeError:
        raise ProviderLoadError(f"{spec} is not a collection of mutants") from None
    mutants: list[Mutant] = []
    for item in listed:
        if isinstance(item, Mutant):
            mutants.append(item)
        elif callable(item):
            kills = getattr(item, "KILLS", ())
            breaks = frozenset({kills} if isinstance(kills, str) else kills)
            name = getattr(item, "__name__", None) or repr(item)
            mutants.append(Mutant(name, item, breaks))
        else:
            raise ProviderLoadError(f"{spec}: {item!r} is neither a Mutant nor a factory")
    if not mutants:
        raise ProviderLoadError(f"{spec} holds no mutants")
    return tuple(mutants)


def run_mutants(mutants: Iterable[Mutant], *, profile: str = "dev", live: bool = False,
                clauses: Sequence[str] | None = None, shrink: bool = False) -> MutationReport:
    """Run the suites on every mutant (unshrunk by default: only verdicts count here); a
    mutant that passes everything survived."""
    chosen = tuple(mutants)
    reports = {m.name: run(m.factory, profile=profile, live=live, clauses=clauses,
                           provider_name=m.name, shrink=shrink) for m in chosen}
    return MutationReport(reports, chosen)


# -- output formats ------------------------------------------------------------------------

_MARK = {"pass": "pass", "fail": "FAIL", "error": "ERROR", "n/a": "n/a"}


def _summary(report: Report) -> dict[str, int]:
    counts = {"pass": 0, "fail": 0, "error": 0, "n/a": 0, "tolerated": 0, "stale": 0}
    for r in report.results:
        counts[r.status] += 1
        counts["tolerated"] += r.tolerated
        counts["stale"] += r.stale
    return counts


def _grid(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def format_table(report: Report) -> str:
    rows: list[tuple[str, ...]] = [("CLAUSE", "RESULT", "RULE")]
    for r in report.results:
        mark = _MARK[r.status]
        if r.tolerated:
            mark = "known"
        elif r.stale:
            mark = "FIXED?"
        rows.append((r.id, mark, r.rule))
    out = [f"mock-calcom contracts: {report.provider} "
           f"(profile {report.profile}, {'live server' if report.live else 'in-process'})",
           _grid(rows)]
    diagnoses = report.diagnoses()
    # A group's followers are consequences: one line each under their diagnosis, not a section.
    followers = {clause_id: number for number, d in enumerate(diagnoses, start=1)
                 for clause_id in d.clauses[1:]}
    if diagnoses:
        out.append(_diagnoses_text(report, diagnoses))
    for r in report.results:
        if (r.status == "pass" and not r.stale) or (r.id in followers and not r.stale):
            continue
        head = f"--- {r.id} [{r.basis}]"
        if r.status == "n/a" and not r.expected_failure:
            out.append(f"{head}: not applicable: {r.message}")
            continue
        if r.tolerated:
            out.append(f"{head}: known failure (ledger): {r.message}")
            continue
        if r.stale:
            out.append(f"{head}: listed as a known failure but no longer fails; "
                       "remove it from the ledger")
            continue
        out.append(f"{head}\n{r.message}")
        if r.reproducer:
            out.append(_indent(r.reproducer))
    s = _summary(report)
    verdict = "OK" if report.ok else "FAILED"
    if report.interrupted:
        verdict = "INTERRUPTED (the clauses above finished; the others did not run)"
    if report.aborted:
        out.append(f"=== the run stopped: {report.aborted}")
        verdict = "FAILED (the provider is gone; the clauses after the last one did not run)"
    out.append(f"{verdict}: {s['pass']} passed, {s['fail']} failed ({s['tolerated']} known), "
               f"{s['error']} errors, {s['n/a']} not applicable, {s['stale']} stale ledger entries, "
               f"in {report.duration:.1f}s")
    return "\n".join(out)


def _diagnoses_text(report: Report, diagnoses: Sequence[Diagnosis]) -> str:
    messages = {r.id: r.message for r in report.results}
    causes = "root cause" if len(diagnoses) == 1 else "root causes"
    failing = len(report.new_failures)
    lines = [f"=== diagnosis: {len(diagnoses)} {causes} behind {failing} failing "
             f"clause{'s' if failing != 1 else ''}"]
    for number, d in enumerate(diagnoses, start=1):
        lines.append(f"[{number}] {d.summary}")
        lines.append(f"    fix: {d.hint}")
        lines.append(f"    shown first by {d.lead}: {messages[d.lead]}")
        if len(d.clauses) > 1:
            lines.append(f"    also failing because of it ({len(d.clauses) - 1}):")
            lines.extend(f"      {clause_id}: {_first_line(messages[clause_id])}"
                         for clause_id in d.clauses[1:])
    lines.append("=== details")
    return "\n".join(lines)


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + "..."


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def junit_xml(report: Report) -> str:
    s = _summary(report)
    suite = ET.Element("testsuite", {
        "name": "mock-calcom contracts",
        "tests": str(len(report.results)),
        "failures": str(sum(1 for r in report.results
                            if (r.status == "fail" and not r.tolerated) or r.stale)),
        "errors": str(s["error"]),
        "skipped": str(s["tolerated"] + s["n/a"]),
        "time": f"{report.duration:.3f}",
    })
    props = ET.SubElement(suite, "properties")
    for key, value in (("provider", report.provider), ("profile", report.profile),
                       ("live", str(report.live).lower())):
        ET.SubElement(props, "property", {"name": key, "value": value})
    for r in report.results:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"contracts.{report.provider}", "name": f"{r.id}: {r.rule}",
            "time": f"{r.duration:.3f}"})
        if r.tolerated:
            ET.SubElement(case, "skipped", {"message": f"known failure (ledger): {r.message}"})
        elif r.status == "n/a":
            ET.SubElement(case, "skipped", {"message": f"not applicable: {r.message}"})
        elif r.stale:
            node = ET.SubElement(case, "failure", {
                "message": "listed as a known failure but no longer fails; remove it from the ledger",
                "type": "StaleLedger"})
            node.text = r.basis
        elif r.status in ("fail", "error"):
            tag = "failure" if r.status == "fail" else "error"
            node = ET.SubElement(case, tag, {"message": r.message,
                                             "type": "ContractViolation" if tag == "failure"
                                             else "HarnessError"})
            node.text = f"{r.basis}\n{r.reproducer}"
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


# -- command line --------------------------------------------------------------------------

def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``verify`` options; pass a parser (e.g. a subcommand's) to add them to it."""
    parser = parser or argparse.ArgumentParser(
        prog="mock-calcom verify",
        description="Verify a Cal.com provider implementation against the contract suites.")
    parser.add_argument("--provider", metavar="MODULE:FACTORY",
                        help="the provider factory, e.g. mock_calcom_contracts.reference:make_provider")
    parser.add_argument("--driver", metavar="URL", default=None,
                        help="a provider in any language, behind a driver already listening at URL "
                             "(docs/driver-protocol.md); implies --live")
    parser.add_argument("--driver-cmd", metavar="COMMAND", default=None,
                        help="start this driver command (it gets MOCK_CALCOM_DRIVER_PORT), verify it, "
                             "stop it; e.g. \"node examples/typescript-provider/driver.mjs\"")
    parser.add_argument("--profile", default="dev", choices=sorted(PROFILES),
                        help="hypothesis effort: dev (fast), ci (derandomized), thorough")
    parser.add_argument("--live", action="store_true",
                        help="run against a live HTTP server (providers not built on httpx)")
    parser.add_argument("--junit-xml", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--report", metavar="FILE", help="write a JSON report")
    parser.add_argument("--expect-failures", metavar="FILE",
                        help="ledger of known failing clause ids; it may only shrink")
    parser.add_argument("--clause", action="append", metavar="ID", default=None,
                        help="run only this clause (repeatable)")
    parser.add_argument("--mutants", metavar="MODULE:ATTR", default=None,
                        help="also run these deliberately broken providers and state the "
                             "mutation score; a surviving mutant fails the run")
    parser.add_argument("--timeout", type=_seconds, default=CALL_TIMEOUT, metavar="SECONDS",
                        help=f"wall-clock bound of one provider call (default {CALL_TIMEOUT:g}); "
                             "a call that takes longer is reported as a runaway")
    parser.add_argument("--list", action="store_true", help="list the clauses and exit")
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"--timeout wants 0 < SECONDS <= 3600, got {text}")
    return value


def main(argv: Sequence[str] | argparse.Namespace | None = None, *,
         out: TextIO | None = None) -> int:
    """``mock-calcom verify``; returns the exit code. ``argv`` may be parsed arguments (the
    ``mock-calcom`` command parses them with :func:`build_parser`'s options)."""
    args = argv if isinstance(argv, argparse.Namespace) else build_parser().parse_args(argv)
    out = out or sys.stdout
    if getattr(args, "list", False):
        for c in select(None):
            print(f"{c.id:<22} {c.rule}  [{c.basis}]", file=out)
        return 0
    driver = getattr(args, "driver", None)
    driver_cmd = getattr(args, "driver_cmd", None)
    if sum(1 for given in (args.provider, driver, driver_cmd) if given) != 1:
        print("mock-calcom verify: give one of --provider MODULE:FACTORY, --driver URL or "
              "--driver-cmd COMMAND (or --list)", file=sys.stderr)
        return 2
    if (driver or driver_cmd) and getattr(args, "mutants", None):
        print("mock-calcom verify: --mutants needs --provider (mutants are Python providers)",
              file=sys.stderr)
        return 2
    try:
        chosen = [c.id for c in select(args.clause)] if args.clause else None
        expected = load_ledger(args.expect_failures) if args.expect_failures else None
    except (HarnessError, KeyError) as exc:
        print(f"mock-calcom verify: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if driver or driver_cmd:
        from mock_calcom_contracts.driver import driver_factory

        timeout = getattr(args, "timeout", CALL_TIMEOUT)
        try:
            with driver_factory(url=driver, command=driver_cmd, timeout=timeout) as wire:
                name = f"driver {wire.name} ({driver_cmd or driver})"
                return _verify(args, wire, name, chosen, expected, (), out, live=True)
        except ProviderLoadError as exc:
            print(f"mock-calcom verify: {exc}", file=sys.stderr)
            return 2
    try:
        factory = load_factory(args.provider)
        mutants = load_mutants(args.mutants) if getattr(args, "mutants", None) else ()
    except (HarnessError, KeyError) as exc:
        print(f"mock-calcom verify: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    return _verify(args, factory, args.provider, chosen, expected, mutants, out, live=args.live)


def _verify(args: argparse.Namespace, factory: ProviderFactory, name: str,
            chosen: list[str] | None, expected: frozenset[str] | None,
            mutants: Sequence[Mutant], out: TextIO, *, live: bool) -> int:
    progress = Progress(sys.stderr)
    finished: list[ClauseResult] = []
    # Ctrl-C can land inside hypothesis, which may turn the KeyboardInterrupt into an error of
    # its own; the flag makes the interrupt stick: the clause it cut short is not a result, and
    # no further clause starts.
    interrupted = threading.Event()

    def on_start(clause: Clause, number: int, total: int) -> None:
        if interrupted.is_set():
            raise KeyboardInterrupt
        progress.started(clause, number, total)

    def on_result(result: ClauseResult) -> None:
        if interrupted.is_set():
            raise KeyboardInterrupt
        finished.append(result)
        progress.finished(result)

    started = time.perf_counter()
    timeout = getattr(args, "timeout", CALL_TIMEOUT)
    try:
        with _interrupt_flag(interrupted):
            report = run(factory, profile=args.profile, live=live, clauses=chosen,
                         provider_name=name, on_result=on_result, on_start=on_start,
                         timeout=timeout)
    except ProviderLoadError as exc:
        progress.clear()
        print(f"mock-calcom verify: {exc}", file=sys.stderr)
        _print_cause(exc.__cause__)
        return 2
    except KeyboardInterrupt:
        progress.clear()
        print("mock-calcom verify: interrupted; reporting the clauses that finished",
              file=sys.stderr)
        report = Report(name, args.profile, live, tuple(finished),
                        time.perf_counter() - started, interrupted=True)
    if expected is not None:
        report = report.with_ledger(expected)
    print(report.table(), file=out)
    if args.junit_xml:
        Path(args.junit_xml).write_text(report.to_junit_xml(), encoding="utf-8")
    mutation = None
    if mutants and not report.interrupted:
        mutation = run_mutants(mutants, profile=args.profile, live=live, clauses=chosen)
        print(mutation.table(), file=out)
    if args.report:
        data = report.to_json()
        if mutation is not None:
            data["mutation"] = mutation.to_json()
        Path(args.report).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if report.interrupted:
        return 130
    survived = mutation is not None and mutation.killed < mutation.total
    return 0 if report.ok and not survived else 1


@contextlib.contextmanager
def _interrupt_flag(flag: threading.Event) -> Iterator[None]:
    """While running, SIGINT sets ``flag`` and raises KeyboardInterrupt as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        flag.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_cause(exc: BaseException | None) -> None:
    """The user's own traceback of a failed factory (once), without the runner's frames."""
    if exc is None:
        return
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "mock_calcom_contracts" not in f.filename] or frames
    print("Traceback (the provider factory's):", file=sys.stderr)
    print("".join(traceback.format_list(own)).rstrip(), file=sys.stderr)
    print("".join(traceback.format_exception_only(exc)).rstrip(), file=sys.stderr)


class Progress:
    """A line per clause on stderr: ``[ 3/23] ROTATION  pass (0.4s)``; on a terminal the clause
    in progress is shown too, and overwritten by its result."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        isatty = getattr(stream, "isatty", None)
        self._tty = bool(isatty()) if callable(isatty) else False
        self._prefix = ""
        self._open = False

    def started(self, clause: Clause, number: int, total: int) -> None:
        self._prefix = f"[{number:>{len(str(total))}}/{total}] {clause.id:<22}"
        if self._tty:
            self._stream.write(f"\r{self._prefix} ...")
            self._stream.flush()
            self._open = True

    def finished(self, result: ClauseResult) -> None:
        prefix = self._prefix or f"{result.id:<22}"
        line = f"{prefix} {_MARK[result.status]:<5} ({result.duration:.1f}s)"
        self._stream.write(("\r\x1b[K" if self._open else "") + line + "\n")
        self._stream.flush()
        self._open = False

    def clear(self) -> None:
        if self._open:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._open = False


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
