"""What the program pages show, built from the models: the models hold the figures, this module
picks what a page lists and asks `changes` and `charts` for what changed and the chart.

The views call it and pass its objects to the templates; the models never import it (nor
`changes` or `charts`), so presentation depends on the models and never the other way round.
Everything here reads what the views' querysets loaded (`for_listing`, `for_detail`): no query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.models import Study

from .breakdowns import Contradiction, MarginContradiction, contradictions, groupings
from .changes import Change, latest_change
from .charts import (
    NARROW,
    WIDE,
    FigureTexts,
    Sparkline,
    TrajectoryChart,
    sparkline,
    trajectory_charts,
)
from .figure_rows import TableColumns, Words, figure_rows
from .formatting import format_period, month_and_year
from .models import BreakdownValue, Category, Dimension, Indicator, Measurement, Program
from .querysets import listed_measurements
from .targets import TargetRow, target_rows


@dataclass(frozen=True)
class BreakdownRow:
    """One combination of categories (“public spaces”; “female, 15–17”), with its value in
    each of the table's measurements (None where a measurement has none)."""

    label: str
    cells: list[BreakdownCell]


@dataclass(frozen=True)
class BreakdownCell:
    """A value by category under its column's heading (“Endline 2022”), or None: not published."""

    heading: str
    value: BreakdownValue | None


@dataclass(frozen=True)
class BreakdownTable:
    """An indicator's figures by one dimension (or two at once): a row per combination of
    categories, a column per measurement that has values by it, and the totals."""

    dimensions_label: str
    measurements: list[Measurement]
    rows: list[BreakdownRow]
    contradictions: list[Contradiction | MarginContradiction]


def breakdown_tables(indicator: Indicator, measurements: list[Measurement]) -> list[BreakdownTable]:
    """The tables of `measurements`' values by category, dimension by dimension in the
    indicator's order (reads `for_detail()`'s prefetch)."""
    dimensions = {d.pk: d for d in indicator.dimensions.all()}
    order = {
        c.pk: (d.position, d.pk, c.position, c.pk)
        for d in dimensions.values()
        for c in d.categories.all()
    }
    by_grouping: dict[tuple[int, ...], dict[int, list[BreakdownValue]]] = {}
    for m in measurements:
        for dimension_ids, values in groupings(m.values_by_category).items():
            by_grouping.setdefault(dimension_ids, {})[id(m)] = values
    problems = [c for m in measurements for c in contradictions(m)]
    tables = []
    for dimension_ids in sorted(
        by_grouping, key=lambda ids: [order_of(dimensions, pk) for pk in ids]
    ):
        columns = [m for m in measurements if id(m) in by_grouping[dimension_ids]]
        cells: dict[tuple[int, ...], dict[int, BreakdownValue]] = {}
        for m in columns:
            for value in by_grouping[dimension_ids][id(m)]:
                cells.setdefault(combination(value), {})[id(m)] = value
        combos = sorted(cells, key=lambda combo: [order.get(pk, (0, 0, 0, pk)) for pk in combo])
        rows = [
            BreakdownRow(
                label=next(iter(cells[combo].values())).combination_label,
                cells=[BreakdownCell(heading(m), cells[combo].get(id(m))) for m in columns],
            )
            for combo in combos
        ]
        group = [dimensions[pk] for pk in dimension_ids if pk in dimensions]
        tables.append(
            BreakdownTable(
                dimensions_label=_(" and ").join(d.name for d in group),
                measurements=columns,
                rows=rows,
                contradictions=[
                    c for c in problems if [d.pk for d in c.dimensions] == list(dimension_ids)
                ],
            )
        )
    return tables


def heading(measurement: Measurement) -> str:
    """A figure's column in a breakdown table: “Baseline 2014”."""
    return f"{measurement.phase_label} {measurement.period_label}"


def order_of(dimensions: dict[int, Dimension], pk: int) -> tuple[int, int]:
    dimension = dimensions.get(pk)
    return (dimension.position, pk) if dimension else (0, pk)


def combination(value: BreakdownValue) -> tuple[int, ...]:
    categories: list[Category] = value.categories
    return tuple(c.pk for c in categories)


@dataclass(frozen=True)
class IndicatorPanel:
    """One indicator's section of a program page: its change, its chart and its table.

    The chart is computed twice, for screens (`chart`) and for phones (`narrow_chart`): the
    page shows one of them, scaled to its column (see `charts.Frame`)."""

    indicator: Indicator
    change: Change | None
    chart: TrajectoryChart | None
    narrow_chart: TrajectoryChart | None
    table_measurements: list[Measurement]
    hidden_monitoring_count: int
    has_intervals: bool
    has_sample_sizes: bool
    targets: list[TargetRow]
    breakdowns: list[BreakdownTable]
    # Shared by the page's panels: each figure's words, and the tables' headings.
    texts: FigureTexts = field(default_factory=FigureTexts, repr=False, compare=False)
    words: Words = field(default_factory=Words, repr=False, compare=False)

    @cached_property
    def figure_rows(self) -> SafeString:
        """The table's rows as HTML (`figure_rows`); read once the view has loaded the rows'
        source studies."""
        columns = TableColumns(self.has_intervals, self.has_sample_sizes)
        return figure_rows(self.table_measurements, columns, self.texts, self.words)


def indicator_panel(
    indicator: Indicator, texts: FigureTexts | None = None, words: Words | None = None
) -> IndicatorPanel:
    """`texts` and `words` share the figures' words and the tables' between the page's panels."""
    measurements = indicator.ordered_measurements
    rows = listed_measurements(measurements)  # the figures for_detail() read in full
    texts = FigureTexts() if texts is None else texts
    words = Words() if words is None else words
    targets = target_rows(indicator)
    chart, narrow_chart = trajectory_charts(indicator, measurements, (WIDE, NARROW), texts, targets)
    return IndicatorPanel(
        indicator=indicator,
        change=latest_change(indicator),
        chart=chart,
        narrow_chart=narrow_chart,
        table_measurements=rows,
        hidden_monitoring_count=len(measurements) - len(rows),
        has_intervals=any(m.ci_lower is not None for m in measurements),
        has_sample_sizes=any(m.sample_size is not None for m in measurements),
        targets=targets,
        breakdowns=breakdown_tables(indicator, rows),
        texts=texts,
        words=words,
    )


def indicator_panels(program: Program) -> list[IndicatorPanel]:
    """Every indicator of the program, in page order (reads `for_detail()`'s prefetch)."""
    texts, words = FigureTexts(), Words()
    return [indicator_panel(indicator, texts, words) for indicator in program.indicators.all()]


@dataclass(frozen=True)
class ProgramCard:
    """A program in the list, with its headline indicator's change (and on the home page, the
    sparkline of its figures)."""

    program: Program
    headline: Indicator | None
    headline_change: Change | None
    sparkline: Sparkline | None = None

    @property
    def source_study(self) -> Study | None:
        """The study that published the figure the change ends at, if it is in the library."""
        if self.headline_change is None:
            return None
        study = self.headline_change.later.source_study
        return study if study is not None and study.is_published else None


def program_cards(programs: Iterable[Program], with_sparklines: bool = False) -> list[ProgramCard]:
    """The cards of `programs`: the list's read `for_listing()`'s prefetch of the headline
    figures; with sparklines (the home page), `for_home()`'s prefetch of all of them."""
    cards = []
    for program in programs:
        headline = program.headline_indicator
        change = latest_change(headline) if headline else None
        line = (
            sparkline(headline, headline.ordered_measurements)
            if with_sparklines and headline
            else None
        )
        cards.append(ProgramCard(program, headline, change, line))
    return cards


def timeline(program: Program) -> list[tuple[str, str]]:
    """(when, what) in date order: the program's start and end, each baseline and endline
    period with the indicators measured (“Baseline: prevalence, convictions”), and the span
    of monitoring (a monthly series is one entry, not a hundred).

    Reads the prefetched indicators and measurements of `for_detail()`. A program entered
    as whole years (January to December) shows years, not months.
    """
    whole_years = (
        program.dates_are_inferred
        or program.start_month.month == 1
        and (program.end_month is None or program.end_month.month == 12)
    )

    def month(date: datetime.date) -> str:
        return str(date.year) if whole_years else month_and_year(date)

    entries: dict[
        tuple[datetime.date, datetime.date, str], tuple[str, list[str]]
    ] = {}  # (start, end, phase) → when, what
    monitoring: list[tuple[Measurement, str]] = []
    for indicator in program.indicators.all():
        for m in indicator.measurements.all():
            if m.is_monitoring:
                monitoring.append((m, indicator.label))
                continue
            key = (m.period_start, m.period_end, m.phase_label)
            _when, labels = entries.setdefault(key, (m.period_label, []))
            if indicator.label not in labels:
                labels.append(indicator.label)
    events = [
        (
            program.start_month,
            program.start_month,
            month(program.start_month),
            _("Program starts (year inferred from its studies)")
            if program.dates_are_inferred
            else _("Program starts"),
        )
    ]
    events += [
        (start, end, when, f"{phase}: {', '.join(labels)}")
        for (start, end, phase), (when, labels) in entries.items()
    ]
    if monitoring:
        start = min(m.period_start for m, _ in monitoring)
        end = max(m.period_end for m, _ in monitoring)
        names = ", ".join(dict.fromkeys(label for _, label in monitoring))
        count = len({(m.period_start, m.period_end) for m, _ in monitoring})
        when = monitoring[0][0].period_label if count == 1 else format_period(start, end)
        what = (
            _("Monitoring")
            if count == 1
            else ngettext(
                "Monitoring (%(periods)d period)", "Monitoring (%(periods)d periods)", count
            )
            % {"periods": count}
        )
        events.append((start, end, when, f"{what}: {names}"))
    if program.end_month:
        end_month = program.end_month
        ends = (
            _("Program ends (year inferred from its studies)")
            if program.dates_are_inferred
            else _("Program ends")
        )
        events.append((end_month, end_month, month(end_month), ends))
    events.sort(key=lambda event: (event[0], event[1]))
    return [(when, what) for _, _, when, what in events]
