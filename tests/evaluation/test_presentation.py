"""What the program pages show, built from the models by `evaluation.presentation`: each
indicator's change, chart and table, the list's headline changes, and the timeline."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.changes import Verdict
from evaluation.models import Measurement, Program
from evaluation.presentation import indicator_panels, program_cards, timeline
from evaluation.querysets import TABLE_MONITORING_ROWS

BASELINE, MONITORING, ENDLINE = Measurement.Phase


def test_each_indicator_gets_its_change_chart_and_table(make_indicator, make_measurement):
    indicator = make_indicator(short_name="prevalence")
    make_measurement(indicator, phase=BASELINE, value=30, start=datetime.date(2010, 1, 1))
    make_measurement(
        indicator, phase=ENDLINE, value=10, start=datetime.date(2015, 1, 1), sample_size=400
    )
    only_a_baseline = make_indicator(indicator.program, position=2)
    make_measurement(only_a_baseline, phase=BASELINE, value=5)
    program = Program.objects.for_detail().get(pk=indicator.program_id)
    with CaptureQueriesContext(connection) as queries:
        first, second = indicator_panels(program)
    assert len(queries) == 0  # everything comes from for_detail()'s prefetch
    assert first.indicator == indicator
    assert first.change.verdict == Verdict.IMPROVED
    assert first.change.comparison_label == "baseline → endline"
    assert first.chart.title.endswith("from baseline to endline")
    assert [m.phase for m in first.table_measurements] == [BASELINE, ENDLINE]
    assert first.has_sample_sizes and not first.has_intervals
    assert second.indicator == only_a_baseline
    assert second.change is None and second.chart is None


def test_a_long_monitoring_series_shows_its_latest_figures_in_the_table(
    make_indicator, make_measurement
):
    indicator = make_indicator()
    make_measurement(indicator, phase=BASELINE, value=40)
    for n in range(1, 31):
        month = datetime.date(2010 + n // 12, n % 12 + 1, 1)
        make_measurement(indicator, phase=MONITORING, start=month, value=40 - n * 0.1)
    program = Program.objects.for_detail().get(pk=indicator.program_id)
    (panel,) = indicator_panels(program)
    monitoring = [m for m in panel.table_measurements if m.is_monitoring]
    assert len(monitoring) == TABLE_MONITORING_ROWS
    assert monitoring[-1].period_start == datetime.date(2012, 7, 1)  # the latest figures
    assert panel.table_measurements[0].is_baseline
    assert panel.hidden_monitoring_count == 30 - TABLE_MONITORING_ROWS
    assert len(panel.chart.marks) == 31  # the chart draws every figure


def test_a_card_shows_the_headline_indicators_change(
    make_program, make_indicator, make_measurement
):
    program = make_program()
    make_indicator(program, position=1)
    headline = make_indicator(program, is_headline=True, position=2, short_name="prevalence")
    make_measurement(headline, phase=BASELINE, value=30)
    make_measurement(headline, phase=ENDLINE, value=20, start=datetime.date(2015, 1, 1))
    without_figures = make_program()
    programs = list(Program.objects.for_listing().filter(pk__in=[program.pk, without_figures.pk]))
    with CaptureQueriesContext(connection) as queries:
        cards = {card.program: card for card in program_cards(programs)}
    assert len(queries) == 0  # everything comes from for_listing()'s prefetch
    assert cards[program].headline == headline
    assert cards[program].headline_change.summary == "30 % → 20 % (−33 %)"
    assert cards[without_figures].headline is None
    assert cards[without_figures].headline_change is None


def test_the_timeline_lists_phases_in_date_order_and_a_monthly_series_once(
    make_program, make_indicator, make_measurement
):
    program = make_program(start=datetime.date(2010, 1, 1), end=datetime.date(2012, 12, 1))
    indicator = make_indicator(program, short_name="prevalence")
    make_measurement(indicator, phase=BASELINE, start=datetime.date(2009, 6, 1))
    for month in range(1, 13):
        make_measurement(indicator, phase=MONITORING, start=datetime.date(2011, month, 1))
    make_measurement(indicator, phase=ENDLINE, start=datetime.date(2013, 3, 1))
    program = Program.objects.for_detail().get(pk=program.pk)
    assert timeline(program) == [
        ("June 2009", "Baseline: prevalence"),
        ("2010", "Program starts"),
        ("2011", "Monitoring (12 periods): prevalence"),
        ("2012", "Program ends"),
        ("March 2013", "Endline: prevalence"),
    ]
