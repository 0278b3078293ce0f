"""Actual against target, per indicator and period: “on track”, “off track” or “no target”.

A target's actual is the latest point figure whose period ends within the target's period. It is
on track when it has reached the target the way the indicator calls better (at or below it when
lower is better). A figure that is a range, a relative change or only words is not compared.
Reads the indicator's prefetched targets and measurements: no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from .choices import Direction

if TYPE_CHECKING:
    from .models import Indicator, Measurement, Target


class TargetStatus(StrEnum):
    ON_TRACK = "on track"
    OFF_TRACK = "off track"
    NO_FIGURE = "no figure yet"
    NOT_COMPARABLE = "not comparable"
    NO_TARGET = "no target"


TARGET_STATUS_LABELS = {
    TargetStatus.ON_TRACK: gettext_lazy("on track"),
    TargetStatus.OFF_TRACK: gettext_lazy("off track"),
    TargetStatus.NO_FIGURE: gettext_lazy("no figure for the period yet"),
    TargetStatus.NOT_COMPARABLE: gettext_lazy("the figure is not a single number to compare"),
    TargetStatus.NO_TARGET: gettext_lazy("no target"),
}


@dataclass(frozen=True)
class TargetRow:
    target: Target
    actual: Measurement | None
    status: TargetStatus
    earlier: list[Target]
    """The targets this one revised, newest first (kept, never overwritten)."""

    @property
    def status_label(self) -> str:
        return str(TARGET_STATUS_LABELS[self.status])

    @property
    def is_on_track(self) -> bool:
        return self.status == TargetStatus.ON_TRACK

    @property
    def is_off_track(self) -> bool:
        return self.status == TargetStatus.OFF_TRACK


def target_rows(indicator: Indicator) -> list[TargetRow]:
    """Each current target of the indicator with its actual figure and status."""
    targets = list(indicator.targets.all())
    by_pk = {t.pk: t for t in targets}
    rows = []
    for target in targets:
        if not target.is_current:
            continue
        earlier = []
        previous = by_pk.get(target.revises_id) if target.revises_id else None
        while previous is not None:
            earlier.append(previous)
            previous = by_pk.get(previous.revises_id) if previous.revises_id else None
        actual = actual_for(target, indicator.ordered_measurements)
        rows.append(TargetRow(target, actual, status_of(target, actual, indicator), earlier))
    return rows


def actual_for(target: Target, measurements: list[Measurement]) -> Measurement | None:
    within = [m for m in measurements if target.period_start <= m.period_end <= target.period_end]
    return within[-1] if within else None


def status_of(target: Target, actual: Measurement | None, indicator: Indicator) -> TargetStatus:
    if actual is None:
        return TargetStatus.NO_FIGURE
    if actual.value_kind != actual.ValueKind.POINT or actual.value is None:
        return TargetStatus.NOT_COMPARABLE
    if indicator.direction == Direction.LOWER_IS_BETTER:
        reached = actual.value <= target.value
    else:
        reached = actual.value >= target.value
    return TargetStatus.ON_TRACK if reached else TargetStatus.OFF_TRACK
