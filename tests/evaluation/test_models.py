"""Every rule of programs, indicators and measurements, broken once in the database and once in
validation (`full_clean`), with the message a curator would read."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from evaluation.models import Indicator, Measurement, Program, ProgramStudy

from .conftest import check_deferred_rules

JAN_2010 = datetime.date(2010, 1, 1)
JAN_2012 = datetime.date(2012, 1, 1)
JAN_2015 = datetime.date(2015, 1, 1)


@contextmanager
def refused_by_database(match: str):
    """Expect the database to refuse what the block writes, deferred triggers included."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield
        check_deferred_rules()


def messages(error: ValidationError) -> list[str]:
    return [message for messages in error.message_dict.values() for message in messages]


# --- At most one baseline and one endline -------------------------------------------------------


@pytest.mark.parametrize("phase", ["baseline", "endline"])
def test_second_baseline_or_endline_is_refused_by_the_database(make_measurement, phase):
    first = make_measurement(phase=phase, start=JAN_2012)
    with refused_by_database(f"one_{phase}_per_indicator"):
        make_measurement(first.indicator, phase=phase, start=JAN_2015)


@pytest.mark.parametrize("phase", ["baseline", "endline"])
def test_second_baseline_or_endline_is_refused_by_validation(make_measurement, phase):
    first = make_measurement(phase=phase, start=JAN_2012)
    second = Measurement(
        indicator=first.indicator,
        phase=phase,
        period_start=JAN_2012.replace(month=6),
        value=10,
        source_citation="A report",
    )
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert f"An indicator has at most one {phase}." in messages(error.value)


def test_many_monitoring_figures_are_allowed(make_measurement):
    baseline = make_measurement(phase="baseline", start=JAN_2010)
    for month in range(1, 13):
        make_measurement(
            baseline.indicator, phase="monitoring", start=JAN_2012.replace(month=month)
        )
    check_deferred_rules()
    assert baseline.indicator.measurements.count() == 13


# --- Periods run baseline → monitoring → endline ------------------------------------------------


def test_endline_before_the_baseline_is_refused_by_validation(make_measurement):
    baseline = make_measurement(phase="baseline", start=JAN_2012)
    endline = Measurement(
        indicator=baseline.indicator,
        phase="endline",
        period_start=JAN_2010,
        value=5,
        source_citation="A report",
    )
    with pytest.raises(ValidationError) as error:
        endline.full_clean()
    assert (
        "Periods run baseline → monitoring → endline: the baseline (January 2012) must end "
        "before the endline (January 2010) starts." in error.value.message_dict["period_start"]
    )


def test_endline_before_the_baseline_is_refused_by_the_database(make_measurement):
    baseline = make_measurement(phase="baseline", start=JAN_2012)
    with refused_by_database("Periods run baseline → monitoring → endline"):
        make_measurement(baseline.indicator, phase="endline", start=JAN_2010)


def test_baseline_moved_after_the_monitoring_is_refused_by_the_database(make_measurement):
    baseline = make_measurement(phase="baseline", start=JAN_2010)
    make_measurement(baseline.indicator, phase="monitoring", start=JAN_2012)
    with refused_by_database("Periods run baseline → monitoring → endline"):
        Measurement.objects.filter(pk=baseline.pk).update(
            period_start=JAN_2015, period_end=JAN_2015
        )


def test_monitoring_after_the_endline_is_refused_by_validation(make_measurement):
    endline = make_measurement(phase="endline", start=JAN_2012)
    monitoring = Measurement(
        indicator=endline.indicator,
        phase="monitoring",
        period_start=JAN_2015,
        value=5,
        source_citation="A report",
    )
    with pytest.raises(ValidationError, match="the monitoring \\(January 2015\\) must end"):
        monitoring.full_clean()


def test_monitoring_after_the_endline_is_refused_by_the_database(make_measurement):
    endline = make_measurement(phase="endline", start=JAN_2012)
    with refused_by_database("Periods run baseline → monitoring → endline"):
        make_measurement(endline.indicator, phase="monitoring", start=JAN_2015)


def test_baseline_overlapping_the_monitoring_is_refused(make_measurement):
    baseline = make_measurement(phase="baseline", start=JAN_2010, end=JAN_2012)
    with refused_by_database("Periods run baseline → monitoring → endline"):
        make_measurement(baseline.indicator, phase="monitoring", start=JAN_2012)


def test_ordered_periods_are_accepted(make_measurement):
    baseline = make_measurement(phase="baseline", start=JAN_2010, end=JAN_2010.replace(month=12))
    make_measurement(baseline.indicator, phase="monitoring", start=JAN_2012)
    endline = Measurement(
        indicator=baseline.indicator,
        phase="endline",
        period_start=JAN_2015,
        value=5,
        source_citation="A report",
    )
    endline.full_clean()
    endline.save()
    check_deferred_rules()


# --- Percent lies in 0–100 ----------------------------------------------------------------------


def test_percent_of_140_is_refused_by_validation(make_indicator):
    indicator = make_indicator(unit=Indicator.Unit.PERCENT)
    measurement = Measurement(
        indicator=indicator,
        phase="baseline",
        period_start=JAN_2010,
        value=140,
        source_citation="A report",
    )
    with pytest.raises(ValidationError) as error:
        measurement.full_clean()
    assert error.value.message_dict["value"] == ["A percent lies between 0 and 100 (140 does not)."]


def test_percent_of_140_is_refused_by_the_database(make_indicator, make_measurement):
    indicator = make_indicator(unit=Indicator.Unit.PERCENT)
    with refused_by_database("A percent lies between 0 and 100"):
        make_measurement(indicator, value=140)


@pytest.mark.parametrize(
    "fields",
    [
        {"value_kind": "range", "value": None, "value_low": 15, "value_high": 130},
        {"value": 50, "ci_lower": -5, "ci_upper": 60},
        {"value": 95, "ci_lower": 90, "ci_upper": 101},
    ],
    ids=["range-high", "interval-low", "interval-high"],
)
def test_percent_ranges_and_intervals_lie_in_0_to_100(make_indicator, make_measurement, fields):
    indicator = make_indicator(unit=Indicator.Unit.PERCENT)
    with refused_by_database("A percent lies between 0 and 100"):
        make_measurement(indicator, **fields)


def test_a_count_of_140_is_fine(make_indicator, make_measurement):
    indicator = make_indicator(unit=Indicator.Unit.COUNT)
    make_measurement(indicator, value=140).full_clean()
    check_deferred_rules()


def test_a_relative_change_of_plus_136_percent_is_fine_for_a_percent(
    make_indicator, make_measurement
):
    indicator = make_indicator(unit=Indicator.Unit.PERCENT)
    make_measurement(indicator, phase="endline", value_kind="relative_change", value=136)
    check_deferred_rules()


def test_changing_an_indicator_to_percent_is_refused_when_a_figure_exceeds_100(
    make_indicator, make_measurement
):
    indicator = make_indicator(unit=Indicator.Unit.COUNT)
    make_measurement(indicator, value=140)
    indicator.unit = Indicator.Unit.PERCENT
    with pytest.raises(ValidationError, match="A percent lies between 0 and 100"):
        indicator.full_clean()
    with refused_by_database("A percent lies between 0 and 100"):
        indicator.save()


# --- The shape of a figure ----------------------------------------------------------------------

SHAPE_RULES = [
    (
        "point-without-value",
        {"value": None},
        "point_measurement_has_value",
        "A point value needs the value (and no range).",
    ),
    (
        "range-upside-down",
        {"value_kind": "range", "value": None, "value_low": 30, "value_high": 15},
        "range_measurement_has_ordered_bounds",
        "A range of estimates needs “range from” and “range to”, from ≤ to, and no single value.",
    ),
    (
        "range-with-a-value",
        {"value_kind": "range", "value": 20, "value_low": 15, "value_high": 30},
        "range_measurement_has_ordered_bounds",
        "A range of estimates needs “range from” and “range to”, from ≤ to, and no single value.",
    ),
    (
        "relative-change-below-minus-100",
        {"phase": "endline", "value_kind": "relative_change", "value": -120},
        "relative_change_has_value_from_minus_100",
        "A relative change needs its value in percent, at least −100 (and no range).",
    ),
    (
        "baseline-as-relative-change",
        {"phase": "baseline", "value_kind": "relative_change", "value": -20},
        "baseline_is_not_a_relative_change",
        "A baseline cannot be a change relative to the baseline.",
    ),
    (
        "wording-only-without-wording",
        {"value_kind": "wording_only", "value": None},
        "wording_only_measurement_has_wording",
        "A figure published in words only needs the published wording, and no number.",
    ),
    (
        "wording-only-with-a-number",
        {"value_kind": "wording_only", "value": 3, "published_wording": "almost none"},
        "wording_only_measurement_has_wording",
        "A figure published in words only needs the published wording, and no number.",
    ),
    (
        "minimum-without-its-words",
        {"value_kind": "minimum", "value": 220, "published_wording": " "},
        "minimum_measurement_has_value_and_wording",
        "A minimum needs its number (220 for “more than 220”, no range) and the published "
        "wording that says it is a minimum.",
    ),
    (
        "minimum-without-its-number",
        {"value_kind": "minimum", "value": None, "published_wording": "more than 220"},
        "minimum_measurement_has_value_and_wording",
        "A minimum needs its number (220 for “more than 220”, no range) and the published "
        "wording that says it is a minimum.",
    ),
    (
        "approximate-without-its-words",
        {"value_kind": "approximate", "value": 500000, "published_wording": ""},
        "approximate_measurement_has_value_and_wording",
        "An approximate figure needs its number (500000 for “nearly 500,000”, no range) and the "
        "published wording that says it is approximate.",
    ),
    (
        "approximate-as-a-range",
        {
            "value_kind": "approximate",
            "value": 500000,
            "value_low": 1,
            "value_high": 2,
            "published_wording": "nearly 500,000",
        },
        "approximate_measurement_has_value_and_wording",
        "An approximate figure needs its number (500000 for “nearly 500,000”, no range) and the "
        "published wording that says it is approximate.",
    ),
    (
        "interval-with-one-bound",
        {"value": 20, "ci_lower": 10},
        "confidence_interval_has_both_bounds",
        "Give both bounds of the confidence interval, or neither.",
    ),
    (
        "interval-not-containing-value",
        {"value": 20, "ci_lower": 25, "ci_upper": 35},
        "confidence_interval_contains_value",
        "The confidence interval must contain the value (lower bound ≤ value ≤ upper bound).",
    ),
    (
        "sample-size-zero",
        {"sample_size": 0},
        "sample_size_is_positive",
        "A sample size is at least 1.",
    ),
    (
        "no-source",
        {"source_citation": ""},
        "measurement_names_its_source",
        "Name the source: a study in the library, or a citation.",
    ),
    (
        "period-ends-before-it-starts",
        {"period_start": JAN_2012, "period_end": JAN_2010},
        "measurement_period_ends_after_it_starts",
        "A period ends in or after the month it starts.",
    ),
]


def _measurement_fields(indicator, overrides):
    fields = {
        "indicator": indicator,
        "phase": "monitoring",
        "period_start": JAN_2010,
        "period_end": JAN_2010,
        "value_kind": "point",
        "value": 20,
        "source_citation": "A report",
    }
    return {**fields, **overrides}


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [(o, c) for _, o, c, _ in SHAPE_RULES],
    ids=[rule[0] for rule in SHAPE_RULES],
)
def test_shape_rules_are_enforced_by_the_database(make_indicator, overrides, constraint):
    indicator = make_indicator(unit=Indicator.Unit.COUNT)
    with refused_by_database(constraint):
        Measurement.objects.create(**_measurement_fields(indicator, overrides))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [(o, m) for _, o, _, m in SHAPE_RULES],
    ids=[rule[0] for rule in SHAPE_RULES],
)
def test_shape_rules_are_named_by_validation(make_indicator, overrides, message):
    indicator = make_indicator(unit=Indicator.Unit.COUNT)
    with pytest.raises(ValidationError) as error:
        Measurement(**_measurement_fields(indicator, overrides)).full_clean()
    assert message in messages(error.value)


def test_a_month_is_stored_as_its_first_day_by_the_database(make_indicator):
    indicator = make_indicator()
    with refused_by_database("measurement_period_start_is_first_of_month"):
        Measurement.objects.create(
            **_measurement_fields(
                indicator, {"period_start": datetime.date(2010, 1, 15), "period_end": JAN_2012}
            )
        )


def test_clean_moves_months_to_their_first_day_and_a_single_month_needs_no_end(make_indicator):
    measurement = Measurement(
        **_measurement_fields(
            make_indicator(), {"period_start": datetime.date(2010, 3, 17), "period_end": None}
        )
    )
    measurement.full_clean()
    assert (measurement.period_start, measurement.period_end) == (
        datetime.date(2010, 3, 1),
        datetime.date(2010, 3, 1),
    )


# --- Sources are protected ----------------------------------------------------------------------


def test_a_study_cited_by_a_measurement_cannot_be_deleted(make_study, make_measurement):
    study = make_study()
    make_measurement(source_study=study)
    with pytest.raises(ProtectedError):
        study.delete()


def test_a_study_linked_to_a_program_cannot_be_deleted(make_study, make_program):
    study = make_study()
    ProgramStudy.objects.create(program=make_program(), study=study, role="evaluation")
    with pytest.raises(ProtectedError):
        study.delete()


def test_deleting_a_program_deletes_its_indicators_and_figures(make_measurement):
    measurement = make_measurement()
    measurement.indicator.program.delete()
    assert not Measurement.objects.exists()


# --- Programs and indicators --------------------------------------------------------------------


def test_a_program_has_at_most_one_headline_indicator(make_indicator, make_program):
    program = make_program()
    make_indicator(program, is_headline=True)
    second = Indicator(
        program=program,
        name="Second",
        slug="second",
        kind="other",
        definition="d",
        unit="count",
        direction="higher_is_better",
        method="m",
        is_headline=True,
    )
    with pytest.raises(ValidationError, match="A program has at most one headline indicator."):
        second.full_clean()
    with refused_by_database("one_headline_indicator_per_program"):
        second.save()


def test_a_completed_program_needs_its_end_month(make_program):
    with refused_by_database("completed_program_has_end_month"):
        make_program(end=None, status=Program.Status.COMPLETED)


def test_a_program_ends_after_it_starts(make_program):
    with refused_by_database("program_ends_after_it_starts"):
        make_program(start=JAN_2015, end=JAN_2010)


def test_a_running_program_has_an_open_end(make_program):
    program = make_program(start=datetime.date(2006, 3, 1), end=None)
    assert program.period_label == "since March 2006"


def test_figures_read_as_published(make_indicator, make_measurement):
    percent = make_indicator(unit=Indicator.Unit.PERCENT)
    assert make_measurement(percent, value=Decimal("8.16")).display_value == "8.16 %"
    ranged = make_measurement(
        percent,
        phase="monitoring",
        start=JAN_2012,
        value_kind="range",
        value=None,
        value_low=15,
        value_high=30,
    )
    assert ranged.display_value == "15 %–30 %"
    relative = make_measurement(
        percent, phase="endline", start=JAN_2015, value_kind="relative_change", value=-79
    )
    assert relative.display_value == "−79 % vs baseline"


def test_a_minimum_reads_as_its_words_never_as_its_number(make_indicator, make_measurement):
    count = make_indicator(unit=Indicator.Unit.COUNT)
    rescued = make_measurement(
        count, phase="endline", value_kind="minimum", value=220, published_wording="more than 220"
    )
    assert rescued.display_value == "“more than 220”"
    assert rescued.wording_is_the_figure  # the “As published” column does not repeat them


def test_an_approximate_figure_reads_as_its_words_never_as_its_number(
    make_indicator, make_measurement
):
    count = make_indicator(unit=Indicator.Unit.COUNT)
    children = make_measurement(
        count,
        phase="baseline",
        value_kind="approximate",
        value=500000,
        published_wording="nearly 500,000",
    )
    assert children.display_value == "“nearly 500,000”"
    assert children.wording_is_the_figure


def test_a_percent_approximate_figure_lies_between_0_and_100(make_indicator, make_measurement):
    approximate = Measurement(
        indicator=make_indicator(unit=Indicator.Unit.PERCENT),
        phase="baseline",
        period_start=JAN_2010,
        value_kind="approximate",
        value=120,
        published_wording="nearly 120 %",
        source_citation="A report",
    )
    with pytest.raises(ValidationError, match="A percent lies between 0 and 100"):
        approximate.full_clean()
    with refused_by_database("A percent lies between 0 and 100"):
        approximate.save()


def test_a_percent_minimum_lies_between_0_and_100(make_indicator, make_measurement):
    percent = make_indicator(unit=Indicator.Unit.PERCENT)
    minimum = Measurement(
        indicator=percent,
        phase="baseline",
        period_start=JAN_2010,
        value_kind="minimum",
        value=120,
        published_wording="more than 120 %",
        source_citation="A report",
    )
    with pytest.raises(ValidationError, match="A percent lies between 0 and 100"):
        minimum.full_clean()
    with refused_by_database("A percent lies between 0 and 100"):
        minimum.save()


def test_validation_names_bad_input_instead_of_failing(make_indicator):
    measurement = Measurement(
        indicator=make_indicator(),
        phase="sometime",
        period_start=JAN_2010,
        value="a lot",
        source_citation="A report",
    )
    with pytest.raises(ValidationError) as error:
        measurement.full_clean()
    assert set(error.value.message_dict) >= {"phase", "value"}
