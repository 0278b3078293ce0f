"""An indicator's trajectory as coordinates for a server-rendered SVG (`includes/chart.html`).

The template only draws what this module computes: no arithmetic in templates, no JavaScript,
nothing fetched from the internet.

Two kinds of chart, so that no number is invented:
- levels, in the indicator's unit: point values as dots (with their 95 % interval as a
  whisker), ranges of estimates as vertical bars; dots are joined in time order;
- changes, when the indicator has figures published as a change relative to the baseline:
  the y axis is “change from baseline (%)”, the baseline sits on the zero line and each
  published change at its value.
Figures that cannot sit on the chart's axis (words only; a level on a chart of changes) are
written under the time axis at their date instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from .choices import Unit
from .formatting import UNIT_SUFFIXES, format_number, format_signed, required

if TYPE_CHECKING:
    from .models import Indicator, Measurement

LEGEND_OF_LEVELS = (
    "Dots are figures, joined in time order; a vertical bar is a range of estimates; whiskers "
    "are 95 % confidence intervals; a thin horizontal line spans the period a figure covers."
)
LEGEND_OF_CHANGES = (
    "Figures published as a change relative to the baseline: the baseline sits on the zero "
    "line, each change at its value; a thin horizontal line spans the period a figure covers."
)

DENSE = 12  # more marks than this and only the first and last are labelled

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 28, 220  # the plot area's edges, in SVG units


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Mark:
    """One figure on the chart: a dot, or a bar from y_high to y_low for a range."""

    x: float
    x_start: float  # the period the figure covers, drawn as a thin line
    x_end: float
    y: float  # the dot, or the bar's middle (for placing the label only)
    label: str
    description: str
    is_range: bool = False
    y_low: float | None = None
    y_high: float | None = None
    whisker_low: float | None = None  # 95 % interval
    whisker_high: float | None = None
    show_label: bool = True
    show_dot: bool = True

    @property
    def label_y(self) -> float:
        return round(
            min(v for v in (self.y, self.y_high, self.whisker_high) if v is not None) - 9, 1
        )

    @property
    def cap_left(self) -> float:
        return self.x - 5

    @property
    def cap_right(self) -> float:
        return self.x + 5


@dataclass(frozen=True)
class Note:
    x: float
    label: str


@dataclass(frozen=True)
class TrajectoryChart:
    title: str
    description: str
    y_axis_label: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    marks: list[Mark]
    line: str  # SVG polyline points joining the dots in time order
    legend: str
    notes: list[Note] = field(default_factory=list)
    zero_y: float | None = None  # the baseline's level on a chart of changes
    dot_radius: int = 5
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = BOTTOM
    note_y: int = BOTTOM + 44
    x_label_y: int = BOTTOM + 20
    x_tick_end: int = BOTTOM + 5
    y_label_x: int = LEFT - 8
    y_axis_label_x: int = 16
    y_axis_label_y: int = (TOP + BOTTOM) // 2


def trajectory_chart(
    indicator: Indicator, measurements: list[Measurement]
) -> TrajectoryChart | None:
    """The chart of `measurements` (one indicator's, in time order); None for fewer than two."""
    if len(measurements) < 2:
        return None
    of_changes = any(m.is_relative_change for m in measurements)
    on_axis = [m for m in measurements if _on_axis(m, of_changes)]
    if not on_axis:
        return None

    start = min(_year(m.period_start) for m in measurements)
    end = max(_year(m.period_end, end=True) for m in measurements)
    years = _year_ticks(start, end)
    x = _scale(years[0], years[-1], LEFT, WIDTH - RIGHT)

    values = [v for m in on_axis for v in _values(m, of_changes)]
    low, high = min(values), max(values)
    if of_changes or indicator.unit != Unit.SCORE:
        low, high = min(low, 0.0), max(high, 0.0)
    # Headroom for the labels, except on a side that ends at zero.
    pad = (high - low) * 0.08
    low, high = low - pad if low < 0 else low, high + pad if high > 0 else high
    if indicator.unit == Unit.PERCENT and not of_changes:
        high = min(high, 100.0)
    y_ticks = _nice_ticks(low, high)
    y = _scale(y_ticks[-1], y_ticks[0], TOP, BOTTOM)  # SVG y grows downwards
    suffix = " %" if of_changes else UNIT_SUFFIXES.get(indicator.unit, "")

    marks = [_mark(m, x, y, of_changes) for m in on_axis]
    if len(marks) > DENSE:
        # A long monthly series: label the ends only (every figure is in the table below).
        ends = {0, len(marks) - 1}
        # Dense series: the line carries the middle points; dots and labels only at the ends.
        marks = [
            replace(mark, show_label=i in ends, show_dot=i in ends) for i, mark in enumerate(marks)
        ]
    dots = [mark for mark in marks if not mark.is_range]
    notes = [
        Note(x(_middle(m)), f"{m.get_phase_display()}: {m.display_value}")
        for m in measurements
        if not _on_axis(m, of_changes)
    ]
    return TrajectoryChart(
        title=f"{indicator.name}: from baseline to endline",
        description=_describe(measurements),
        y_axis_label="Change from baseline (%)" if of_changes else indicator.get_unit_display(),
        x_ticks=[Tick(x(year), str(int(year))) for year in years],
        y_ticks=[Tick(y(value), _tick_label(value, suffix, of_changes)) for value in y_ticks],
        marks=marks,
        line=" ".join(f"{mark.x:.1f},{mark.y:.1f}" for mark in dots) if len(dots) > 1 else "",
        legend=LEGEND_OF_CHANGES if of_changes else LEGEND_OF_LEVELS,
        notes=notes,
        zero_y=y(0.0) if of_changes else None,
        dot_radius=5 if len(marks) <= DENSE else 3,
    )


def _on_axis(m: Measurement, of_changes: bool) -> bool:
    if of_changes:
        return m.is_relative_change or m.is_baseline
    return not m.is_wording_only


def _values(m: Measurement, of_changes: bool) -> list[float]:
    if of_changes:
        return [0.0] if m.is_baseline else [float(required(m.value))]
    numbers = [m.value_low, m.value_high] if m.is_range else [m.value, m.ci_lower, m.ci_upper]
    return [float(n) for n in numbers if n is not None]


def _mark(m: Measurement, x, y, of_changes: bool) -> Mark:
    common = {
        "x": x(_middle(m)),
        "x_start": x(_year(m.period_start)),
        "x_end": x(_year(m.period_end, end=True)),
        "description": f"{m.get_phase_display()}, {m.period_label}: {m.display_value}",
    }
    if of_changes:
        if m.is_baseline:
            return Mark(y=y(0.0), label=f"baseline {m.display_value}", **common)
        change = required(m.value)
        return Mark(y=y(float(change)), label=format_signed(change, " %"), **common)
    if m.is_range:
        low, high = y(float(required(m.value_low))), y(float(required(m.value_high)))
        return Mark(
            y=(low + high) / 2,
            label=m.display_value,
            is_range=True,
            y_low=low,
            y_high=high,
            **common,
        )
    whiskers = {}
    if m.ci_lower is not None:
        whiskers = {
            "whisker_low": y(float(m.ci_lower)),
            "whisker_high": y(float(required(m.ci_upper))),
        }
    return Mark(y=y(float(required(m.value))), label=m.display_value, **whiskers, **common)


def _describe(measurements: list[Measurement]) -> str:
    parts = [
        f"{m.get_phase_display().lower()} {m.display_value}, {m.period_label}" for m in measurements
    ]
    return "Figures in time order: " + "; ".join(parts) + "."


def _year(date, end: bool = False) -> float:
    """A month as a fractional year: its start, or (with `end`) its end."""
    return date.year + (date.month - (0 if end else 1)) / 12


def _middle(m: Measurement) -> float:
    return (_year(m.period_start) + _year(m.period_end, end=True)) / 2


def _scale(domain_low: float, domain_high: float, low: float, high: float):
    span = (domain_high - domain_low) or 1

    def scale(value: float) -> float:
        return round(low + (value - domain_low) / span * (high - low), 1)

    return scale


def _year_ticks(start: float, end: float) -> list[int]:
    """Whole years around start..end, every 1, 2, 5 or 10 years: at most nine ticks."""
    first, last = math.floor(start), math.ceil(end)
    step = next((s for s in (1, 2, 5, 10, 20, 50) if (last - first) / s <= 8), 100)
    first -= first % step
    last += -last % step
    return list(range(first, max(last, first + step) + 1, step))


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high == low:
        high = low + 1
    raw = (high - low) / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    ticks, value = [], first
    while value <= last + step / 1000:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _tick_label(value: float, suffix: str, signed: bool) -> str:
    number = Decimal(str(value))
    return format_signed(number, suffix) if signed else format_number(number) + suffix
