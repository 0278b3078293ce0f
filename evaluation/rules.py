"""The phase rules of one indicator's measurements, as plain functions over (phase, period) rows.

An indicator has at most one baseline and at most one endline, and its periods run in order:
the baseline ends before any monitoring or endline period starts, and every monitoring period
ends before the endline starts. Monitoring periods may overlap each other.

The database enforces the same rules (unique constraints and a constraint trigger, see
migration 0002); these functions give the curator a message that names the rule first. They
serve both one measurement checked against the stored ones (`Measurement.clean`) and a whole
set being edited at once (the admin's inline formset), where stored rows may be stale.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .choices import Phase
from .formatting import format_period

PHASE_ORDER: dict[str, int] = {Phase.BASELINE: 0, Phase.MONITORING: 1, Phase.ENDLINE: 2}

AT_MOST_ONE = {
    Phase.BASELINE: "An indicator has at most one baseline.",
    Phase.ENDLINE: "An indicator has at most one endline.",
}


@dataclass(frozen=True)
class PhasePeriod:
    phase: str
    start: datetime.date
    end: datetime.date

    def describe(self) -> str:
        return f"{self.phase} ({format_period(self.start, self.end)})"


def order_problem(a: PhasePeriod, b: PhasePeriod) -> str | None:
    """Why `a` and `b` cannot both belong to one indicator, or None if their order is right."""
    if PHASE_ORDER[a.phase] == PHASE_ORDER[b.phase]:
        return None
    earlier, later = sorted((a, b), key=lambda row: PHASE_ORDER[row.phase])
    if earlier.end < later.start:
        return None
    return (
        "Periods run baseline → monitoring → endline: "
        f"the {earlier.describe()} must end before the {later.describe()} starts."
    )


def order_problems(row: PhasePeriod, others: Iterable[PhasePeriod]) -> list[str]:
    """Every way `row` breaks the phase order against the indicator's other measurements."""
    problems = (order_problem(row, other) for other in others)
    return list(dict.fromkeys(problem for problem in problems if problem))


def phase_problems(rows: list[PhasePeriod]) -> list[str]:
    """Every rule a whole set of one indicator's measurements breaks (count, then order)."""
    counts = Counter(row.phase for row in rows)
    problems = [message for phase, message in AT_MOST_ONE.items() if counts[phase] > 1]
    for index, row in enumerate(rows):
        problems += order_problems(row, rows[index + 1 :])
    return list(dict.fromkeys(problems))
