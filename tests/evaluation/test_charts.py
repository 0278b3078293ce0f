"""The trajectory chart: coordinates computed in Python, drawn as SVG without JavaScript."""

import datetime
from decimal import Decimal

from evaluation.charts import NARROW, WIDE, sparkline, text_width, trajectory_chart
from evaluation.models import Indicator, Measurement


def indicator(unit="percent") -> Indicator:
    return Indicator(name="Minors in the commercial sex industry", unit=unit)


def figure(ind, phase, year, month=1, **fields) -> Measurement:
    start = datetime.date(year, month, 1)
    fields.setdefault("period_end", start)
    for key in ("value", "value_low", "value_high", "ci_lower", "ci_upper"):
        if key in fields:
            fields[key] = Decimal(str(fields[key]))
    return Measurement(indicator=ind, phase=phase, period_start=start, **fields)


def test_one_figure_is_not_a_trajectory():
    ind = indicator()
    assert trajectory_chart(ind, [figure(ind, "endline", 2015, value=2.2)]) is None


def cambodia(ind):
    """The Cambodia program's figures: a range of estimates, then two points."""
    return [
        figure(
            ind,
            "baseline",
            2000,
            period_end=datetime.date(2004, 12, 1),
            value_kind="range",
            value_low=15,
            value_high=30,
        ),
        figure(ind, "monitoring", 2012, value=8.16),
        figure(ind, "endline", 2015, 3, value=2.2),
    ]


def test_levels_show_ranges_as_bars_and_join_the_dots():
    ind = indicator()
    chart = trajectory_chart(ind, cambodia(ind))
    bar, monitoring, endline = chart.marks
    assert bar.is_range and bar.y_high < bar.y_low  # SVG y grows downwards
    assert bar.label == "15 %–30 %"
    assert chart.lines == [f"{monitoring.x:.1f},{monitoring.y:.1f} {endline.x:.1f},{endline.y:.1f}"]
    assert chart.y_ticks[0].label == "0 %" and chart.y_axis_label == "Percent"
    assert [tick.label for tick in chart.x_ticks][:1] == ["2000"]
    assert "baseline 15 %–30 %" in chart.description
    assert chart.zero_y is None


def test_every_mark_lies_inside_the_drawing():
    ind = indicator()
    chart = trajectory_chart(
        ind,
        [
            figure(ind, "baseline", 2010, value=40, ci_lower=35, ci_upper=45),
            figure(ind, "endline", 2014, value=100),
        ],
    )
    for mark in chart.marks:
        assert chart.left <= mark.x <= chart.width and chart.top <= mark.y <= chart.bottom
        assert mark.label_y > 0


def test_published_changes_are_drawn_against_a_zero_baseline():
    ind = indicator()
    chart = trajectory_chart(
        ind,
        [
            figure(ind, "baseline", 2006, value=7),
            figure(ind, "endline", 2010, value_kind="relative_change", value=-79),
        ],
    )
    baseline, endline = chart.marks
    assert chart.y_axis_label == "Change from baseline (%)"
    assert baseline.y == chart.zero_y and baseline.label == "baseline 7 %"
    assert endline.label == "−79 %" and endline.y > chart.zero_y


def test_figures_published_only_in_words_are_written_under_the_axis():
    ind = indicator()
    chart = trajectory_chart(
        ind,
        [
            figure(
                ind, "baseline", 2012, value_kind="wording_only", published_wording="almost none"
            ),
            figure(ind, "endline", 2017, value=21),
        ],
    )
    assert [note.label for note in chart.notes] == ["Baseline: “almost none”"]
    assert len(chart.marks) == 1


def test_a_long_monthly_series_labels_only_its_ends():
    ind = indicator()
    months = [figure(ind, "baseline", 2010, value=40)]
    months += [figure(ind, "monitoring", 2011, month, value=40 - month) for month in range(1, 13)]
    months.append(figure(ind, "endline", 2012, 6, value=20))
    chart = trajectory_chart(ind, months)
    assert [mark.label for mark in chart.marks if mark.show_label] == ["40 %", "20 %"]
    assert chart.dot_radius < 5


def test_a_range_is_joined_to_the_next_figure_by_a_band_from_both_its_ends():
    ind = indicator()
    chart = trajectory_chart(ind, cambodia(ind))
    bar, monitoring, _ = chart.marks
    (band,) = chart.bands
    # No line starts from a midpoint the source never published: the band spans the range.
    assert band.points == (
        f"{bar.x:.1f},{bar.y_high:.1f} {monitoring.x:.1f},{monitoring.y:.1f} "
        f"{monitoring.x:.1f},{monitoring.y:.1f} {bar.x:.1f},{bar.y_low:.1f}"
    )
    assert not any(f"{bar.x:.1f},{bar.y:.1f}" in line for line in chart.lines)


def test_the_narrow_chart_has_fewer_year_ticks_and_its_own_viewbox():
    ind = indicator()
    wide, narrow = (
        trajectory_chart(ind, cambodia(ind)),
        trajectory_chart(ind, cambodia(ind), NARROW),
    )
    assert (narrow.width, wide.width) == (NARROW.width, WIDE.width)
    assert len(narrow.x_ticks) <= 5 < len(wide.x_ticks)
    # Shown about 343 px wide on a 375 px phone, its text stays at 11 px or more.
    assert narrow.font_size * 343 / narrow.width >= 11


def test_the_y_axis_title_sits_above_the_tick_labels_and_they_fit_the_margin():
    ind = indicator()
    chart = trajectory_chart(
        ind,
        [
            figure(ind, "baseline", 2006, value=7),
            figure(ind, "endline", 2010, value_kind="relative_change", value=-79),
        ],
        NARROW,
    )
    highest_tick = min(tick.position for tick in chart.y_ticks)
    assert chart.y_axis_label_y + 4 < highest_tick - chart.font_size / 2
    widest = max(text_width(tick.label, chart.font_size) for tick in chart.y_ticks)
    assert chart.y_label_x - widest >= 0


def test_labels_stay_inside_the_drawing_and_apart():
    ind = indicator()
    for frame in (WIDE, NARROW):
        chart = trajectory_chart(ind, cambodia(ind), frame)
        boxes = []
        for mark in chart.marks:
            width = text_width(mark.label, chart.font_size)
            first = mark.label_x - width / 2 if mark.label_anchor == "middle" else mark.label_x
            assert first >= 0 and first + width <= chart.width, (frame.name, mark.label)
            boxes.append((first, first + width, mark.label_y - chart.font_size, mark.label_y))
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert not (a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]), frame.name


def test_a_sparkline_draws_the_range_as_a_bar_and_ends_on_the_latest_figure():
    ind = indicator()
    line = sparkline(ind, cambodia(ind))
    assert len(line.ranges) == 1 and len(line.bands) == 1
    assert line.latest is not None and line.latest.label == "2.2 %"
    assert all(
        0 <= float(v) <= line.width for p in line.lines for v in p.replace(",", " ").split()[::2]
    )


def test_a_single_figure_has_no_sparkline():
    ind = indicator()
    assert sparkline(ind, [figure(ind, "endline", 2015, value=2.2)]) is None
