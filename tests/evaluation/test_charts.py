"""The trajectory chart: coordinates computed in Python, drawn as SVG without JavaScript."""

import datetime
from decimal import Decimal

from evaluation.charts import LEFT, TOP, WIDTH, trajectory_chart
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


def test_levels_show_ranges_as_bars_and_join_the_dots():
    ind = indicator()
    chart = trajectory_chart(
        ind,
        [
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
        ],
    )
    bar, monitoring, endline = chart.marks
    assert bar.is_range and bar.y_high < bar.y_low  # SVG y grows downwards
    assert bar.label == "15 %–30 %"
    assert chart.line == f"{monitoring.x:.1f},{monitoring.y:.1f} {endline.x:.1f},{endline.y:.1f}"
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
        assert LEFT <= mark.x <= WIDTH and TOP <= mark.y <= chart.bottom
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
