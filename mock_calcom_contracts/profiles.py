"""Named hypothesis profiles for the suites: ``dev`` (fast), ``ci`` (derandomized, prints a
reproducer blob), ``thorough`` (many examples, long sequences).

The profiles are plain objects applied explicitly, never registered globally, so running the
suites does not change the hypothesis settings of the integrator's own tests. No example
database is used: a run's result depends on the provider and the profile only, so a mutant's
failure cannot leak into the next provider's run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings
from hypothesis.internal.conjecture import engine as _engine


@dataclass(frozen=True)
class Profile:
    name: str
    #: Examples per property clause.
    max_examples: int
    #: Programs the stateful machine runs, and steps per program.
    machine_examples: int
    machine_steps: int
    derandomize: bool
    print_blob: bool
    #: Seconds hypothesis may spend shrinking one failure (each replay talks to the fake).
    shrink_seconds: int = 300
    #: ``False``: report the first failing example as found (mutation runs only need a verdict).
    shrink: bool = True

    def settings(self, *, machine: bool = False) -> settings:
        phases = [Phase.explicit, Phase.reuse, Phase.generate]
        if self.shrink:
            phases.append(Phase.shrink)
        return settings(
            max_examples=self.machine_examples if machine else self.max_examples,
            stateful_step_count=self.machine_steps,
            derandomize=self.derandomize,
            print_blob=self.print_blob,
            database=None,
            # Time is the fake's, never the wall clock's: a deadline would only make runs flaky.
            deadline=None,
            report_multiple_bugs=False,
            phases=phases,
            suppress_health_check=list(HealthCheck),
        )


PROFILES: dict[str, Profile] = {
    "dev": Profile("dev", max_examples=3, machine_examples=10, machine_steps=20,
                   derandomize=False, print_blob=False, shrink_seconds=10),
    "ci": Profile("ci", max_examples=8, machine_examples=30, machine_steps=25,
                  derandomize=True, print_blob=True, shrink_seconds=60),
    "thorough": Profile("thorough", max_examples=60, machine_examples=100, machine_steps=50,
                        derandomize=False, print_blob=True, shrink_seconds=300),
}


@contextlib.contextmanager
def shrink_budget(profile: Profile) -> Iterator[None]:
    """Bound hypothesis's shrinking time for the duration of a run. Hypothesis has no public
    setting for it; its engine reads a module constant, restored afterwards."""
    name = "MAX_SHRINKING_SECONDS"
    if not hasattr(_engine, name):  # pragma: no cover - a hypothesis without the knob
        yield
        return
    saved = getattr(_engine, name)
    setattr(_engine, name, profile.shrink_seconds)
    try:
        yield
    finally:
        setattr(_engine, name, saved)


#: How hypothesis's output on a shrink stopped by that deadline starts: a warning assuming its
#: own default (five minutes) and asking for a bug report, and a note to add ``@seed`` to "this
#: test", which a verified provider does not have. Both mislead under a profile's budget.
_SLOW_SHRINK_WARNING = "WARNING: Hypothesis has spent more than five minutes working to shrink"
_SLOW_SHRINK_SEED = "This test function exited early because it took too long to shrink"


def honest_shrink_notes(lines: Sequence[str], profile: Profile) -> list[str]:
    """Hypothesis's output ``lines``, its slow-shrink notes replaced by what happened: the
    profile's shrink budget ran out."""
    honest: list[str] = []
    for line in lines:
        if line.lstrip().startswith(_SLOW_SHRINK_SEED):
            continue
        if line.startswith(_SLOW_SHRINK_WARNING):
            larger = [p.name for p in PROFILES.values()
                      if p.name != profile.name and p.shrink_seconds > profile.shrink_seconds]
            further = f"; --profile {' or '.join(larger)} shrinks longer" if larger else ""
            line = (f"note: shrinking stopped when the {profile.name} profile's shrink budget "
                    f"({profile.shrink_seconds} s) ran out, so the example below may not be "
                    f"the shortest{further}")
        honest.append(line)
    return honest


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
