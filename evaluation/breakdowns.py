"""Whether a measurement's values by category agree with its total.

Counts by the categories of a dimension are parts of the total: parts that add up to more than
the total contradict it, always; parts that add up to less contradict it only when the
dimension's categories cover the whole total (`Dimension.categories_are_exhaustive`) and every
category has its value (else the missing or uncounted rest may make up the difference). A value
by two dimensions at once is a part the same way, of the grid of both. Percentages (a prevalence
within each venue type) are shares of different wholes: they need not add up, and are never
flagged.

Reads what the querysets prefetched (the measurement's values with their categories, and its
indicator's dimensions with theirs): no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from math import prod

from django.utils.translation import gettext as _

from .choices import Unit, ValueKind
from .formatting import format_number
from .models import BreakdownValue, Dimension, Measurement


@dataclass(frozen=True)
class Contradiction:
    """The parts of `measurement` by `dimensions` add up to `parts`, which contradicts its total."""

    measurement: Measurement
    dimensions: list[Dimension]
    parts: Decimal

    @property
    def total(self) -> Decimal:
        return self.measurement.value or Decimal(0)

    @property
    def is_over(self) -> bool:
        return self.parts > self.total

    @property
    def dimensions_label(self) -> str:
        return _(" and ").join(d.name for d in self.dimensions)

    @property
    def message(self) -> str:
        """In words, for the page and the CSV: which parts, their sum, the total."""
        words = {
            "dimension": self.dimensions_label,
            "parts": format_number(self.parts),
            "total": format_number(self.total),
        }
        if self.is_over:
            return (
                _(
                    "The counts by %(dimension)s add up to %(parts)s, more than the total of "
                    "%(total)s: they contradict it."
                )
                % words
            )
        return (
            _(
                "The counts by %(dimension)s add up to %(parts)s, less than the total of "
                "%(total)s, though its categories cover the whole total: they contradict it."
            )
            % words
        )


def groupings(values: list[BreakdownValue]) -> dict[tuple[int, ...], list[BreakdownValue]]:
    """The values by the dimensions they break the total down by: (venue type,), (sex, age)."""
    groups: dict[tuple[int, ...], list[BreakdownValue]] = {}
    for value in values:
        groups.setdefault(value.dimension_ids, []).append(value)
    return groups


def contradictions(measurement: Measurement) -> list[Contradiction]:
    """The groupings of the measurement's values whose parts contradict its total."""
    indicator = measurement.indicator
    if indicator.unit != Unit.COUNT:
        return []
    if measurement.value_kind != ValueKind.POINT or measurement.value is None:
        return []  # no single total to add up to
    values = measurement.values_by_category
    if not values:
        return []
    dimensions = {d.pk: d for d in indicator.dimensions.all()}
    found = []
    for dimension_ids, parts in groupings(values).items():
        group = [dimensions[pk] for pk in dimension_ids if pk in dimensions]
        total = sum((part.value for part in parts), Decimal(0))
        over = total > measurement.value
        short = total < measurement.value and _covers_the_total(group, parts)
        if over or short:
            found.append(Contradiction(measurement, group, total))
    return found


def _covers_the_total(dimensions: list[Dimension], parts: list[BreakdownValue]) -> bool:
    """Whether the parts are every combination of categories that cover the whole total."""
    if not dimensions or not all(d.categories_are_exhaustive for d in dimensions):
        return False
    combinations = prod(len(d.categories.all()) for d in dimensions)
    return len({tuple(c.pk for c in part.categories) for part in parts}) == combinations
