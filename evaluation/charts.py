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

A range of estimates is not a point, so no line starts from its middle: the step from a range
to its neighbour is drawn as a band that fans out from both ends of the range to the next
figure (the change is “from one end of the range to the other”, as `changes` computes it).

Each chart is computed for a frame: a wide one for screens and a narrow one (fewer year ticks,
its own viewBox) that phones show instead, so that the SVG, scaled to the width of the page,
keeps its text at 11 px or more (`_chart.html` draws both; the stylesheet shows one). The
y-axis title sits above the plot, clear of the tick labels, whose width sets the left margin.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .choices import Unit
from .formatting import format_number, format_signed, month_and_year, required, unit_suffix

if TYPE_CHECKING:
    from .models import Indicator, Measurement
    from .targets import TargetRow

LEGEND_OF_LEVELS = gettext_lazy(
    # xgettext:no-python-format
    "Dots are figures, joined in time order; a vertical bar is a range of estimates; whiskers "
    "are 95 % confidence intervals; a thin horizontal line spans the period a figure covers."
)
LEGEND_OF_CHANGES = gettext_lazy(
    "Figures published as a change relative to the baseline: the baseline sits on the zero "
    "line, each change at its value; a thin horizontal line spans the period a figure covers."
)
# xgettext:no-python-format
AXIS_OF_CHANGES = gettext_lazy("Change from baseline (%)")

DENSE = 12  # more marks than this and only the first and last are labelled
# A character of the chart's text is at most this wide, in ems (digits and “ %” are narrower):
# enough to keep labels apart and inside the drawing without measuring text in a browser.
CHARACTER_WIDTH = 0.65


@dataclass(frozen=True)
class Frame:
    """A drawing's size, in SVG units, and its text size in the same units.

    The page scales the SVG to its column, so text on screen is `font_size` × the displayed
    width ÷ `width`: the narrow frame's width is near a phone's column (343 px at 375 px), the
    wide frame is shown at most 45rem wide (`.chart svg` in site.css).
    """

    name: str
    width: int
    height: int
    font_size: int
    max_year_steps: int  # at most this many intervals between year ticks
    right: int = 20
    top: int = 44  # the y-axis title above, then headroom for the highest label
    bottom_space: int = 56  # year labels, and a row of notes for figures in words

    @property
    def bottom(self) -> int:
        return self.height - self.bottom_space


WIDE = Frame("wide", width=600, height=300, font_size=13, max_year_steps=8)
NARROW = Frame("narrow", width=320, height=270, font_size=13, max_year_steps=4)


def text_width(text: str, font_size: float) -> float:
    return len(text) * font_size * CHARACTER_WIDTH


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


# Not frozen, unlike its neighbours: a frozen dataclass sets each field through
# object.__setattr__, and a page of monthly series builds a thousand marks.
@dataclass(slots=True)
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
    # Where the label goes (set by `_place_labels`): its anchor point and text-anchor.
    label_x: float = 0.0
    label_y: float = 0.0
    label_anchor: str = "middle"

    @property
    def top_y(self) -> float:
        return min(v for v in (self.y, self.y_high, self.whisker_high) if v is not None)

    @property
    def bottom_y(self) -> float:
        return max(v for v in (self.y, self.y_low, self.whisker_low) if v is not None)

    def ends(self) -> list[tuple[float, float]]:
        """The points a line or band from a neighbour reaches: a dot, or a range's two ends."""
        if self.is_range and self.y_high is not None and self.y_low is not None:
            return [(self.x, self.y_high), (self.x, self.y_low)]
        return [(self.x, self.y)]

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
class Band:
    """The step to or from a range of estimates: a polygon from both ends of the range."""

    points: str


@dataclass(frozen=True)
class TrajectoryChart:
    title: str
    description: str
    y_axis_label: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    marks: list[Mark]
    legend: str
    frame: Frame
    left: int
    notes: list[Note] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # each run of consecutive dots
    zero_y: float | None = None  # the baseline's level on a chart of changes
    targets: list[TargetLine] = field(default_factory=list)
    dot_radius: int = 5

    # The drawing's geometry, for the template.
    @property
    def name(self) -> str:
        return self.frame.name

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def font_size(self) -> int:
        return self.frame.font_size

    @property
    def right(self) -> int:
        return self.frame.width - self.frame.right

    @property
    def top(self) -> int:
        return self.frame.top

    @property
    def bottom(self) -> int:
        return self.frame.bottom

    @property
    def x_tick_end(self) -> int:
        return self.bottom + 5

    @property
    def x_label_y(self) -> int:
        return self.bottom + 6 + self.font_size

    @property
    def note_y(self) -> int:
        return self.bottom + 14 + 2 * self.font_size

    @property
    def y_label_x(self) -> int:
        return self.left - 6

    @property
    def y_axis_label_y(self) -> int:
        """The y-axis title's baseline, above the plot and its highest label."""
        return self.font_size + 2

    @property
    def period_path(self) -> str:
        """The thin line of every figure's period, as one SVG path (a monthly series has
        hundreds: one element, not one per figure)."""
        return " ".join(f"M{m.x_start} {m.y}H{m.x_end}" for m in self.marks)

    @property
    def drawn_marks(self) -> list[Mark]:
        """The marks that draw more than their period's line: a range, an interval, a dot or a
        label (on a dense series, the line carries the others)."""
        return [
            m
            for m in self.marks
            if m.is_range or m.whisker_low is not None or m.show_dot or m.show_label
        ]


@dataclass(frozen=True)
class TargetLine:
    """A target drawn across its period, dashed, with its status in words."""

    x_start: float
    x_end: float
    y: float
    label: str
    on_track: bool


@dataclass(frozen=True)
class FigureText:
    phase: str
    period: str
    value: str


class FigureTexts(dict[int, FigureText]):
    """Each figure's words, worked out once for all the drawings of a page: the wide and the
    narrow chart of an indicator describe the same figures, and a page's indicators share
    phases and months. (Django's choice labels and month names cost 25–30 µs each: for a page
    of 500 monthly figures, words alone took longer than the rest of the page.)"""

    def __init__(self) -> None:
        super().__init__()
        self.phases: dict[str, str] = {}
        self.periods: dict[tuple[Any, ...], str] = {}

    def of(self, m: Measurement) -> FigureText:
        text = self.get(id(m))
        if text is None:
            # A cumulative indicator's later figures read as totals, not as endlines.
            phase_key = f"{m.phase}:{m.is_cumulative_total}"
            phase = self.phases.get(phase_key)
            if phase is None:
                phase = self.phases[phase_key] = m.phase_label
            period_key = (m.period_start, m.period_end, m.period_wording)
            period = self.periods.get(period_key)
            if period is None:
                period = self.periods[period_key] = m.period_label
            text = self[id(m)] = FigureText(phase, period, m.display_value)
        return text


def trajectory_chart(
    indicator: Indicator,
    measurements: list[Measurement],
    frame: Frame = WIDE,
    texts: FigureTexts | None = None,
    targets: Sequence[TargetRow] = (),
) -> TrajectoryChart | None:
    """The chart of `measurements` (one indicator's, in time order) drawn in `frame`; None for
    fewer than two figures. `texts` shares the figures' words between drawings."""
    return trajectory_charts(indicator, measurements, (frame,), texts, targets)[0]


def trajectory_charts(
    indicator: Indicator,
    measurements: list[Measurement],
    frames: Sequence[Frame],
    texts: FigureTexts | None = None,
    targets: Sequence[TargetRow] = (),
) -> list[TrajectoryChart | None]:
    """The chart of `measurements` drawn in each of `frames`. What does not depend on the
    frame (the values, the ticks' values and words, the periods, the description) is worked
    out once for all of them: a page draws each chart for screens and for phones."""
    texts = FigureTexts() if texts is None else texts
    series = _Series.of(indicator, measurements, texts, targets)
    return [series.draw(frame, texts) if series else None for frame in frames]


@dataclass
class _Series:
    """A chart's figures, worked out once for every frame it is drawn in."""

    indicator: Indicator
    measurements: list[Measurement]
    on_axis: list[Measurement]
    of_changes: bool
    targets: Sequence[TargetRow]
    y_ticks: list[float]
    y_tick_labels: list[str]
    y_axis_label: str
    start: float  # the first and last moments drawn, as fractional years
    end: float
    notes: list[tuple[float, str]]  # (where, words) of the figures off the axis
    description: str
    # A dense series' middle figures: (start, end, middle, value) of a plain point, or the
    # figure itself (a range, an interval, a change), which `_unlabelled_mark` draws.
    middle: list[tuple[float, float, float, float] | Measurement] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        indicator: Indicator,
        measurements: list[Measurement],
        texts: FigureTexts,
        targets: Sequence[TargetRow],
    ) -> _Series | None:
        if len(measurements) < 2:
            return None
        of_changes = any(m.is_relative_change for m in measurements)
        on_axis = [m for m in measurements if _on_axis(m, of_changes)]
        if not on_axis:
            return None
        # Targets are levels: a chart of changes relative to the baseline does not draw them.
        targets = () if of_changes else targets
        values = [v for m in on_axis for v in _values(m, of_changes)]
        values += [float(row.target.value) for row in targets]
        low, high = min(values), max(values)
        if of_changes or indicator.unit != Unit.SCORE:
            low, high = min(low, 0.0), max(high, 0.0)
        # Headroom for the labels, except on a side that ends at zero.
        pad = (high - low) * 0.08
        low, high = low - pad if low < 0 else low, high + pad if high > 0 else high
        if indicator.unit == Unit.PERCENT and not of_changes:
            high = min(high, 100.0)
        y_ticks = _nice_ticks(low, high)
        suffix = " %" if of_changes else unit_suffix(indicator.unit)
        spans = [_span(m.period_start, m.period_end) for m in measurements]
        spans += [_span(row.target.period_start, row.target.period_end) for row in targets]
        return cls(
            indicator=indicator,
            measurements=measurements,
            on_axis=on_axis,
            of_changes=of_changes,
            targets=targets,
            y_ticks=y_ticks,
            y_tick_labels=[_tick_label(value, suffix, of_changes) for value in y_ticks],
            y_axis_label=(str(AXIS_OF_CHANGES) if of_changes else indicator.get_unit_display()),
            start=min(first for first, _last, _middle in spans),
            end=max(last for _first, last, _middle in spans),
            notes=[
                (_middle(m), f"{texts.of(m).phase}: {texts.of(m).value}")
                for m in measurements
                if not _on_axis(m, of_changes)
            ],
            description=_describe(measurements, texts),
            middle=_middle_points(on_axis, of_changes) if len(on_axis) > DENSE else [],
        )

    def draw(self, frame: Frame, texts: FigureTexts) -> TrajectoryChart:
        indicator, of_changes, y_ticks = self.indicator, self.of_changes, self.y_ticks
        y = _Scale(y_ticks[-1], y_ticks[0], frame.top, frame.bottom)  # SVG y grows downwards
        # The tick labels' width sets the left margin, so the longest never leaves the drawing.
        left = (
            math.ceil(max(text_width(label, frame.font_size) for label in self.y_tick_labels)) + 10
        )
        years = _year_ticks(self.start, self.end, frame.max_year_steps)
        x = _Scale(years[0], years[-1], left, frame.width - frame.right)
        marks = _marks(self.on_axis, self.middle, texts, x, y, of_changes)
        title_box = (0, text_width(self.y_axis_label, frame.font_size), 0, frame.font_size + 5)
        zero_y = y(0.0) if of_changes else None
        marks = _place_labels(marks, frame, left, title_box, zero_y)
        lines, bands = _joins(marks)
        return TrajectoryChart(
            title=_("%(indicator)s: from baseline to endline") % {"indicator": indicator.name},
            description=self.description,
            y_axis_label=self.y_axis_label,
            x_ticks=[Tick(x(year), str(int(year))) for year in years],
            y_ticks=[
                Tick(y(value), label)
                for value, label in zip(y_ticks, self.y_tick_labels, strict=True)
            ],
            marks=marks,
            lines=lines,
            bands=bands,
            legend=str(LEGEND_OF_CHANGES if of_changes else LEGEND_OF_LEVELS),
            frame=frame,
            left=left,
            notes=[
                Note(
                    _inside(x(where), text_width(label, frame.font_size), left, frame.width),
                    label,
                )
                for where, label in self.notes
            ],
            zero_y=zero_y,
            dot_radius=5 if len(marks) <= DENSE else 3,
            targets=[
                TargetLine(
                    x(_year(row.target.period_start)),
                    x(_year(row.target.period_end, end=True)),
                    y(float(row.target.value)),
                    _("target %(value)s: %(status)s")
                    % {"value": row.target.display_value, "status": row.status_label},
                    row.is_on_track,
                )
                for row in self.targets
            ],
        )


def _place_labels(
    marks: list[Mark], frame: Frame, left: int, title_box, zero_y: float | None
) -> list[Mark]:
    """Each label where it is clear: above its mark, else below it, else to its right; clear
    means inside the drawing and off the y-axis title, the lines and bands that reach the
    mark, the lines of the periods, the zero line and the label before it (close figures on a
    narrow chart). None clear: above."""
    size = frame.font_size
    placed: list[Mark] = []
    previous_box = None
    # The periods' lines (and the zero line) are horizontal: (x_start, x_end, y).
    periods = [(m.x_start, m.x_end, m.y) for m in marks]
    if zero_y is not None:
        periods.append((left, frame.width - frame.right, zero_y))
    for i, mark in enumerate(marks):
        if not mark.show_label:  # nothing to place (a dense series' middle figures)
            placed.append(mark)
            continue
        width = text_width(mark.label, size)
        neighbours = [marks[j] for j in (i - 1, i + 1) if 0 <= j < len(marks)]
        segments = [(own, end) for own in mark.ends() for n in neighbours for end in n.ends()]
        gap = 6 if mark.show_dot else 2
        candidates = [
            ("middle", _inside(mark.x, width, left, frame.width), mark.top_y - gap - 3),
            ("middle", _inside(mark.x, width, left, frame.width), mark.bottom_y + gap + size),
            ("start", mark.x + gap + 4, mark.y + size / 3),
        ]
        choice = candidates[0]
        for anchor, x, y in candidates:
            box = _label_box(anchor, x, y, width, size)
            clear = (
                box[0] >= 0
                and box[1] <= frame.width
                and box[2] >= 0
                and box[3] <= frame.bottom
                and not _overlap(box, title_box)
                and not (previous_box and _overlap(box, previous_box))
                and not any(_crosses(segment, box) for segment in segments)
                and not any(
                    box[2] <= py <= box[3] and xs <= box[1] and xe >= box[0]
                    for xs, xe, py in periods
                )
            )
            if clear:
                choice = (anchor, x, y)
                break
        anchor, x, y = choice
        mark = replace(mark, label_anchor=anchor, label_x=round(x, 1), label_y=round(y, 1))
        if mark.show_label:
            previous_box = _label_box(anchor, x, y, width, size)
        placed.append(mark)
    return placed


def _label_box(anchor: str, x: float, y: float, width: float, size: float):
    """(left, right, top, bottom) of a label at baseline y."""
    first = x - width / 2 if anchor == "middle" else x
    return (first, first + width, y - size, y + size * 0.25)


def _overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _crosses(segment, box) -> bool:
    """Whether the straight segment passes through the box (tested every unit or so)."""
    (x1, y1), (x2, y2) = segment
    if max(x1, x2) < box[0] or min(x1, x2) > box[1] or max(y1, y2) < box[2] or min(y1, y2) > box[3]:
        return False  # wholly to one side of the box (most of a long series' periods)
    samples = max(1, math.ceil(math.hypot(x2 - x1, y2 - y1)))
    for step in range(samples + 1):
        t = step / samples
        x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        if box[0] <= x <= box[1] and box[2] <= y <= box[3]:
            return True
    return False


def _inside(centre: float, width: float, low: float, high: float) -> float:
    """A centred text's position moved, if need be, so that it lies between low and high."""
    return round(max(low + width / 2, min(centre, high - width / 2)), 1)


def _joins(marks: list[Mark]) -> tuple[list[str], list[Band]]:
    """Lines joining consecutive dots, and bands from each range to its neighbours.

    A range is not a point: the line does not start from its middle. Between a range and the
    next figure a band fans out from the range's two ends to that figure (to its two ends, if
    it is a range too), which is what the change from a range is: anywhere in that band.
    """
    lines: list[str] = []
    bands: list[Band] = []
    run: list[str] = []
    for previous, mark in zip([None, *marks], marks, strict=False):
        if mark.is_range or (previous is not None and previous.is_range):
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
        if previous is not None and (mark.is_range or previous.is_range):
            corners = [
                (previous.x, previous.y_high if previous.is_range else previous.y),
                (mark.x, mark.y_high if mark.is_range else mark.y),
                (mark.x, mark.y_low if mark.is_range else mark.y),
                (previous.x, previous.y_low if previous.is_range else previous.y),
            ]
            bands.append(Band(" ".join(f"{px:.1f},{py:.1f}" for px, py in corners)))
        if not mark.is_range:
            run.append(f"{mark.x:.1f},{mark.y:.1f}")
    if len(run) > 1:
        lines.append(" ".join(run))
    return lines, bands


@dataclass(frozen=True)
class Sparkline:
    """A trajectory in a few dozen pixels, for a program's card: no axes and no text (the card
    says the change in words beside it). Ranges are bars; the latest figure is a dot."""

    width: int
    height: int
    lines: list[str]
    bands: list[Band]
    ranges: list[Mark]
    latest: Mark | None


SPARKLINE_WIDTH, SPARKLINE_HEIGHT, SPARKLINE_INSET = 120, 36, 4


def sparkline(indicator: Indicator, measurements: list[Measurement]) -> Sparkline | None:
    """The small chart of `measurements` (in time order); None for fewer than two on its axis."""
    of_changes = any(m.is_relative_change for m in measurements)
    on_axis = [m for m in measurements if _on_axis(m, of_changes)]
    if len(on_axis) < 2:
        return None
    inset = SPARKLINE_INSET
    start = min(_year(m.period_start) for m in on_axis)
    end = max(_year(m.period_end, end=True) for m in on_axis)
    x = _Scale(start, end, inset, SPARKLINE_WIDTH - inset)
    values = [v for m in on_axis for v in _values(m, of_changes)]
    low, high = min(values), max(values)
    if of_changes or indicator.unit != Unit.SCORE:
        low, high = min(low, 0.0), max(high, 0.0)
    y = _Scale(high, low, inset, SPARKLINE_HEIGHT - inset)
    # Drawn at the middle of each figure's period; for a sparkline the period's thin line,
    # whiskers and labels are left to the program page.
    texts = FigureTexts()
    marks = [_mark(m, texts.of(m), x, y, of_changes) for m in on_axis]
    lines, bands = _joins(marks)
    dots = [mark for mark in marks if not mark.is_range]
    return Sparkline(
        width=SPARKLINE_WIDTH,
        height=SPARKLINE_HEIGHT,
        lines=lines,
        bands=bands,
        ranges=[mark for mark in marks if mark.is_range],
        latest=dots[-1] if dots and dots[-1] is marks[-1] else None,
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


def _mark(m: Measurement, text: FigureText, x, y, of_changes: bool, shown: bool = True) -> Mark:
    common = {
        "show_label": shown,
        "show_dot": shown,
        "x": x(_middle(m)),
        "x_start": x(_year(m.period_start)),
        "x_end": x(_year(m.period_end, end=True)),
        "description": f"{text.phase}, {text.period}: {text.value}",
    }
    if of_changes:
        if m.is_baseline:
            return Mark(y=y(0.0), label=_("baseline %(value)s") % {"value": text.value}, **common)
        change = required(m.value)
        # A change published in words is labelled with them: its number only places the mark.
        label = f"“{m.published_wording}”" if m.published_wording else format_signed(change, " %")
        return Mark(y=y(float(change)), label=label, **common)
    if m.is_range:
        low, high = y(float(required(m.value_low))), y(float(required(m.value_high)))
        return Mark(
            y=(low + high) / 2,
            label=text.value,
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
    return Mark(y=y(float(required(m.value))), label=text.value, **whiskers, **common)


def _middle_points(on_axis: list[Measurement], of_changes: bool):
    """`_Series.middle`: the figures between a dense series' first and last."""
    points: list[tuple[float, float, float, float] | Measurement] = []
    for m in on_axis[1:-1]:
        value = m.value
        if of_changes or value is None or m.ci_lower is not None or m.is_range:
            points.append(m)
        else:
            points.append((*_span(m.period_start, m.period_end), float(value)))
    return points


def _marks(
    on_axis: list[Measurement],
    middle: list[tuple[float, float, float, float] | Measurement],
    texts: FigureTexts,
    x: _Scale,
    y: _Scale,
    of_changes: bool,
) -> list[Mark]:
    """A mark for each figure. A dense series (a long monthly one): the line carries the middle
    figures; dots and labels only at the ends (every figure is in the table below), so the
    middle's words are never worked out."""
    if len(on_axis) <= DENSE:
        return [_mark(m, texts.of(m), x, y, of_changes) for m in on_axis]
    first, last = on_axis[0], on_axis[-1]
    marks = [_mark(first, texts.of(first), x, y, of_changes)]
    # The scales' arithmetic written out, as `_Scale.__call__` does it (the same roundings):
    # a page draws a thousand of these points, and a call apiece was a third of its charts.
    x_low, x_domain, x_span, x_width = x.low, x.domain_low, x.span, x.high - x.low
    y_low, y_domain, y_span, y_height = y.low, y.domain_low, y.span, y.high - y.low
    for point in middle:
        if not isinstance(point, tuple):
            marks.append(_unlabelled_mark(point, x, y, of_changes))
            continue
        start, end, centre, value = point
        marks.append(
            Mark(
                round(x_low + (centre - x_domain) / x_span * x_width, 1),
                round(x_low + (start - x_domain) / x_span * x_width, 1),
                round(x_low + (end - x_domain) / x_span * x_width, 1),
                round(y_low + (value - y_domain) / y_span * y_height, 1),
                "",
                "",
                False,
                None,
                None,
                None,
                None,
                False,
                False,
            )
        )
    marks.append(_mark(last, texts.of(last), x, y, of_changes))
    return marks


def _unlabelled_mark(m: Measurement, x, y, of_changes: bool) -> Mark:
    """A figure in the middle of a dense series: its place, its range or interval, no words."""
    start, end, middle = _span(m.period_start, m.period_end)
    common = {
        "x": x(middle),
        "x_start": x(start),
        "x_end": x(end),
        "label": "",
        "description": "",
        "show_label": False,
        "show_dot": False,
    }
    if of_changes:
        return Mark(y=y(0.0 if m.is_baseline else float(required(m.value))), **common)
    if m.is_range:
        low, high = y(float(required(m.value_low))), y(float(required(m.value_high)))
        return Mark(y=(low + high) / 2, is_range=True, y_low=low, y_high=high, **common)
    if m.ci_lower is not None:
        return Mark(
            y=y(float(required(m.value))),
            whisker_low=y(float(m.ci_lower)),
            whisker_high=y(float(required(m.ci_upper))),
            **common,
        )
    return Mark(y=y(float(required(m.value))), **common)


def _describe(measurements: list[Measurement], texts: FigureTexts) -> str:
    """The chart in words, for screen readers: every figure in time order; for a dense series,
    the first and the last figures and, between them, how many and over what span (a list
    of 120 monthly figures read aloud helps nobody; the CSV download has every one)."""

    def words(m: Measurement) -> str:
        text = texts.of(m)
        return f"{text.phase.lower()} {text.value}, {text.period}"

    if len(measurements) <= DENSE:
        parts = [words(m) for m in measurements]
    else:
        first, *middle, last = measurements
        between = ngettext(
            "%(number)d figure from %(start)s to %(end)s",
            "%(number)d figures from %(start)s to %(end)s",
            len(middle),
        ) % {
            "number": len(middle),
            "start": month_and_year(middle[0].period_start),
            "end": month_and_year(middle[-1].period_end),
        }
        parts = [words(first), between, words(last)]
    return _("Figures in time order: %(figures)s.") % {"figures": "; ".join(parts)}


@functools.lru_cache(maxsize=4096)
def _span(start, end) -> tuple[float, float, float]:
    """A period as fractional years: its start, its end and its middle. Cached: the figures of
    a page's monthly series share their months, and each chart is drawn twice."""
    first, last = _year(start), _year(end, end=True)
    return first, last, (first + last) / 2


def _year(date, end: bool = False) -> float:
    """A month as a fractional year: its start, or (with `end`) its end."""
    return date.year + (date.month - (0 if end else 1)) / 12


def _middle(m: Measurement) -> float:
    return (_year(m.period_start) + _year(m.period_end, end=True)) / 2


class _Scale:
    """From a domain (years, or the indicator's values) to SVG units, rounded to 0.1."""

    __slots__ = ("domain_low", "high", "low", "span")

    def __init__(self, domain_low: float, domain_high: float, low: float, high: float) -> None:
        self.domain_low, self.low, self.high = domain_low, low, high
        self.span = (domain_high - domain_low) or 1

    def __call__(self, value: float) -> float:
        return round(self.low + (value - self.domain_low) / self.span * (self.high - self.low), 1)


def _year_ticks(start: float, end: float, max_steps: int = 8) -> list[int]:
    """Whole years around start..end, every 1, 2, 5 or 10 years: at most max_steps + 1 ticks."""
    first, last = math.floor(start), math.ceil(end)
    step = next((s for s in (1, 2, 5, 10, 20, 50) if (last - first) / s <= max_steps), 100)
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
