"""Whether a measurement's values by category agree with its total.

Counts by the categories of a dimension are parts of the total: parts that add up to more than
the total contradict it, always; parts that add up to less contradict it only when the
dimension's categories cover the whole total (`Dimension.categories_are_exhaustive`) and every
category has its value (else the missing or uncounted rest may make up the difference). A value
by two dimensions at once is a part the same way, of the grid of both; and the grid's values in
one category (female, by venue type) are parts of that category's own value by one dimension
(female), flagged the same way. Percentages (a prevalence
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
from .models import BreakdownValue, Category, Dimension, Measurement


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


@dataclass(frozen=True)
class MarginContradiction:
    """The parts of `measurement` by two dimensions that fall in one `category` add up to
    `parts`, which contradicts that category's own value (`margin`): the grid by sex and venue
    type says 55 women, the breakdown by sex says 50."""

    measurement: Measurement
    dimensions: list[Dimension]
    category: Category
    parts: Decimal
    margin: Decimal

    @property
    def message(self) -> str:
        others = [d.name for d in self.dimensions if d.pk != self.category.dimension_id]
        words = {
            "category": self.category.name,
            "dimension": others[0] if others else "",
            "parts": format_number(self.parts),
            "margin": format_number(self.margin),
        }
        if self.parts > self.margin:
            return (
                _(
                    "The counts for %(category)s by %(dimension)s add up to %(parts)s, more "
                    "than its own count of %(margin)s: they contradict it."
                )
                % words
            )
        return (
            _(
                "The counts for %(category)s by %(dimension)s add up to %(parts)s, less than "
                "its own count of %(margin)s, though the categories of %(dimension)s cover "
                "the whole: they contradict it."
            )
            % words
        )


def groupings(values: list[BreakdownValue]) -> dict[tuple[int, ...], list[BreakdownValue]]:
    """The values by the dimensions they break the total down by: (venue type,), (sex, age)."""
    groups: dict[tuple[int, ...], list[BreakdownValue]] = {}
    for value in values:
        groups.setdefault(value.dimension_ids, []).append(value)
    return groups


def contradictions(measurement: Measurement) -> list[Contradiction | MarginContradiction]:
    """The groupings of the measurement's values whose parts contradict its total, then the
    grids by two dimensions whose rows or columns contradict the values by one."""
    indicator = measurement.indicator
    if indicator.unit != Unit.COUNT:
        return []
    if measurement.value_kind != ValueKind.POINT or measurement.value is None:
        return []  # no single total to add up to
    values = measurement.values_by_category
    if not values:
        return []
    dimensions = {d.pk: d for d in indicator.dimensions.all()}
    found: list[Contradiction | MarginContradiction] = []
    grouped = groupings(values)
    for dimension_ids, parts in grouped.items():
        group = [dimensions[pk] for pk in dimension_ids if pk in dimensions]
        total = sum((part.value for part in parts), Decimal(0))
        over = total > measurement.value
        short = total < measurement.value and _covers_the_total(group, parts)
        if over or short:
            found.append(Contradiction(measurement, group, total))
    for dimension_ids, parts in grouped.items():
        if len(dimension_ids) == 2:
            found += _margin_contradictions(measurement, dimensions, dimension_ids, parts, grouped)
    return found


def _margin_contradictions(
    measurement: Measurement,
    dimensions: dict[int, Dimension],
    dimension_ids: tuple[int, ...],
    grid: list[BreakdownValue],
    grouped: dict[tuple[int, ...], list[BreakdownValue]],
) -> list[MarginContradiction]:
    """For each category of either dimension that has a value by itself (female: 50), whether
    the grid's values in it (female in bars, female in streets…) contradict that value: more
    always does; less only where the other dimension's categories cover the whole and each has
    its value in the grid."""
    if not all(pk in dimensions for pk in dimension_ids):
        return []
    found = []
    for side, dimension_id in enumerate(dimension_ids):
        other = dimensions[dimension_ids[1 - side]]
        for margin in grouped.get((dimension_id,), []):
            category = margin.categories[0]
            cells = [v for v in grid if v.categories[side].pk == category.pk]
            if not cells:
                continue
            parts = sum((v.value for v in cells), Decimal(0))
            covered = other.categories_are_exhaustive and len(
                {v.categories[1 - side].pk for v in cells}
            ) == len(other.categories.all())
            if parts > margin.value or (parts < margin.value and covered):
                group = [dimensions[pk] for pk in dimension_ids]
                found.append(MarginContradiction(measurement, group, category, parts, margin.value))
    return found


def _covers_the_total(dimensions: list[Dimension], parts: list[BreakdownValue]) -> bool:
    """Whether the parts are every combination of categories that cover the whole total."""
    if not dimensions or not all(d.categories_are_exhaustive for d in dimensions):
        return False
    combinations = prod(len(d.categories.all()) for d in dimensions)
    return len({tuple(c.pk for c in part.categories) for part in parts}) == combinations
