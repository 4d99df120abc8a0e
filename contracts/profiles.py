"""Named hypothesis profiles for the suites: ``dev`` (fast), ``ci`` (derandomized, prints a
reproducer blob), ``thorough`` (many examples, long sequences).

The profiles are plain objects applied explicitly, never registered globally, so running the
suites does not change the hypothesis settings of the integrator's own tests. No example
database is used: a run's result depends on the provider and the profile only, so a mutant's
failure cannot leak into the next provider's run.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings


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

    def settings(self, *, machine: bool = False) -> settings:
        return settings(
            max_examples=self.machine_examples if machine else self.max_examples,
            stateful_step_count=self.machine_steps,
            derandomize=self.derandomize,
            print_blob=self.print_blob,
            database=None,
            # Time is the fake's, never the wall clock's: a deadline would only make runs flaky.
            deadline=None,
            report_multiple_bugs=False,
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
        )


PROFILES: dict[str, Profile] = {
    "dev": Profile("dev", max_examples=3, machine_examples=4, machine_steps=12,
                   derandomize=False, print_blob=False),
    "ci": Profile("ci", max_examples=8, machine_examples=12, machine_steps=20,
                  derandomize=True, print_blob=True),
    "thorough": Profile("thorough", max_examples=60, machine_examples=100, machine_steps=50,
                        derandomize=False, print_blob=True),
}


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
