"""The change from baseline to later figures: absolute, relative, improvement, distinguishability.

Figures are unsaved measurements (the computation reads only their fields), except where the
indicator picks its baseline, latest figure and endline from the database.
"""

import datetime
from decimal import Decimal

import pytest

from evaluation.changes import (
    Distinguishable,
    Span,
    Verdict,
    change_between,
    latest_change,
    two_proportion_z,
)
from evaluation.models import Indicator, Measurement

LOWER = Indicator.Direction.LOWER_IS_BETTER
HIGHER = Indicator.Direction.HIGHER_IS_BETTER


NUMBERS = {"value", "value_low", "value_high", "ci_lower", "ci_upper"}


def figure(phase="baseline", value=None, *, unit="percent", **fields) -> Measurement:
    """An unsaved figure of a `unit` indicator: `figure("endline", 2.2)`."""
    fields["value"] = value
    numbers = {k: Decimal(str(v)) for k, v in fields.items() if k in NUMBERS and v is not None}
    return Measurement(
        indicator=Indicator(name="Prevalence", unit=unit, direction=LOWER),
        phase=phase,
        period_start=datetime.date(2010, 1, 1),
        **{**fields, **numbers},
    )


def test_a_fall_is_an_improvement_when_lower_is_better():
    change = change_between(figure("baseline", 8.16), figure("endline", 2.2), "percent", LOWER)
    assert change.absolute == Span(Decimal("-5.96"), Decimal("-5.96"))
    assert round(change.relative.low, 1) == Decimal("-73.0")
    assert change.verdict == Verdict.IMPROVED
    assert change.absolute_label == "−5.96 percentage points"
    assert change.relative_label == "−73 %"
    assert change.summary == "8.16 % → 2.2 % (−73 %)"


def test_a_rise_is_an_improvement_when_higher_is_better():
    change = change_between(figure("baseline", 30), figure("endline", 45), "percent", HIGHER)
    assert change.verdict == Verdict.IMPROVED
    assert change.relative_label == "+50 %"


def test_a_fall_is_a_worsening_when_higher_is_better():
    change = change_between(
        figure("baseline", 12, unit="count"), figure("endline", 9, unit="count"), "count", HIGHER
    )
    assert change.verdict == Verdict.WORSENED
    assert change.absolute_label == "−3"


def test_no_change_is_unchanged():
    change = change_between(figure("baseline", 5), figure("endline", 5), "percent", LOWER)
    assert change.verdict == Verdict.UNCHANGED


def test_a_published_relative_change_is_the_change():
    """Cebu: the endline is published only as −79 % relative to the 2006 baseline."""
    endline = figure("endline", -79, value_kind="relative_change")
    change = change_between(figure("baseline", 7), endline, "percent", LOWER)
    assert change.absolute is None
    assert change.relative == Span(Decimal(-79), Decimal(-79))
    assert change.relative_is_published
    assert change.verdict == Verdict.IMPROVED
    assert change.summary == "−79 % vs baseline"
    assert change.distinguishable == Distinguishable.CANNOT_TELL


def test_a_published_relative_change_needs_no_baseline_figure():
    """Guatemala: complaints filed +136 % from 2008–2012; the baseline count is not published."""
    endline = figure("endline", 136, unit="count", value_kind="relative_change")
    change = change_between(None, endline, "count", HIGHER)
    assert change.verdict == Verdict.IMPROVED
    assert change.relative_label == "+136 %"


def test_without_a_baseline_a_level_gives_no_change():
    assert change_between(None, figure("endline", 2.2), "percent", LOWER) is None


def test_a_range_baseline_gives_a_range_of_change_not_a_faked_point():
    """Cambodia: 15 %–30 % in the early 2000s, 2.2 % in 2015."""
    baseline = figure("baseline", value_kind="range", value_low=15, value_high=30)
    change = change_between(baseline, figure("endline", 2.2), "percent", LOWER)
    assert change.absolute == Span(Decimal("-27.8"), Decimal("-12.8"))
    assert change.relative_label == "−93 to −85 %"
    assert change.absolute_label == "−27.8 to −12.8 percentage points"
    assert change.verdict == Verdict.IMPROVED
    assert change.distinguishable == Distinguishable.CANNOT_TELL
    assert "range of estimates" in change.explanation
    assert change.summary == "15 %–30 % → 2.2 % (−93 to −85 %)"


def test_a_range_that_straddles_the_later_figure_cannot_say_which_way():
    baseline = figure("baseline", value_kind="range", value_low=15, value_high=30)
    change = change_between(baseline, figure("endline", 20), "percent", LOWER)
    assert change.verdict == Verdict.UNKNOWN


def test_a_baseline_published_only_in_words_gives_no_number_but_its_plain_direction():
    """Uganda: widows who would report to police, “almost none” → 21 %."""
    baseline = figure("baseline", value_kind="wording_only", published_wording="almost none")
    change = change_between(baseline, figure("endline", 21), "percent", HIGHER)
    assert change.absolute is None and change.relative is None
    assert change.verdict == Verdict.IMPROVED
    assert change.verdict_label == "improved; size not given"
    assert change.distinguishable == Distinguishable.CANNOT_TELL
    assert "“almost none”" in change.explanation
    assert "below the other figure" in change.explanation


def test_an_endline_in_words_near_the_top_of_the_scale_states_its_direction():
    """Guatemala: testimony in a victim-friendly space, 30 % → “nearly universal”."""
    endline = figure("endline", value_kind="wording_only", published_wording="nearly universal")
    change = change_between(figure("baseline", 30), endline, "percent", HIGHER)
    assert change.verdict_label == "improved; size not given"
    assert "above the other figure" in change.explanation
    change = change_between(figure("baseline", 30), endline, "percent", LOWER)
    assert change.verdict_label == "worsened; size not given"


def test_words_too_close_to_the_other_figure_say_nothing():
    baseline = figure("baseline", value_kind="wording_only", published_wording="almost none")
    change = change_between(baseline, figure("endline", 3), "percent", HIGHER)
    assert change.verdict == Verdict.UNKNOWN
    assert change.verdict_label == "cannot say whether it improved"


def test_words_that_place_nothing_on_the_scale_say_nothing():
    baseline = figure("baseline", value_kind="wording_only", published_wording="a worrying share")
    change = change_between(baseline, figure("endline", 60), "percent", HIGHER)
    assert change.verdict == Verdict.UNKNOWN


def test_words_about_a_count_say_nothing_about_the_scale():
    baseline = figure(
        "baseline", value_kind="wording_only", published_wording="almost none", unit="count"
    )
    change = change_between(baseline, figure("endline", 21, unit="count"), "count", HIGHER)
    assert change.verdict == Verdict.UNKNOWN


def more_than(phase, value, unit="count") -> Measurement:
    return figure(
        phase, value, unit=unit, value_kind="minimum", published_wording=f"more than {value}"
    )


def test_a_later_minimum_above_the_baseline_gives_its_direction_and_no_size():
    change = change_between(
        figure("baseline", 150, unit="count"), more_than("endline", 220), "count", HIGHER
    )
    assert change.absolute is None and change.relative is None
    assert change.verdict_label == "improved; size not given"
    assert "“more than 220”" in change.explanation
    assert "220" not in change.summary.replace("“more than 220”", "")


def test_a_minimum_that_does_not_clear_the_other_figure_says_nothing():
    """“more than 220” after 300 might be 250 or 400: no direction, and never −80."""
    change = change_between(
        figure("baseline", 300, unit="count"), more_than("endline", 220), "count", HIGHER
    )
    assert change.verdict == Verdict.UNKNOWN
    assert change.absolute_label == "" and change.relative_label == ""
    assert "is a minimum (“more than 220”), so no change is computed" in change.explanation


def test_a_baseline_minimum_above_the_later_figure_is_a_plain_fall():
    change = change_between(
        more_than("baseline", 220), figure("endline", 100, unit="count"), "count", HIGHER
    )
    assert change.verdict_label == "worsened; size not given"


def nearly(phase, value, unit="count") -> Measurement:
    return figure(
        phase, value, unit=unit, value_kind="approximate", published_wording=f"nearly {value:,}"
    )


def test_a_change_from_an_approximate_figure_has_no_size():
    """“nearly 500,000” then 480,000: might be a rise or a fall, never −20,000."""
    change = change_between(
        nearly("baseline", 500000), figure("endline", 480000, unit="count"), "count", HIGHER
    )
    assert change.verdict == Verdict.UNKNOWN
    assert change.absolute is None and change.relative is None
    assert "is approximate (“nearly 500,000”), so no change is computed" in change.explanation


def test_an_approximate_figure_far_from_the_other_gives_its_direction_only():
    change = change_between(
        figure("baseline", 100000, unit="count"), nearly("endline", 500000), "count", HIGHER
    )
    assert change.verdict_label == "improved; size not given"
    assert "400" not in change.summary


def test_a_relative_change_published_in_words_is_quoted_not_its_stand_in_number():
    """Mukono: “nearly 50 % reduction”, stored as −50 only to order it."""
    endline = figure(
        "endline", -50, value_kind="relative_change", published_wording="nearly 50 % reduction"
    )
    change = change_between(None, endline, "percent", LOWER)
    assert change.summary == "“nearly 50 % reduction” vs baseline"
    assert change.relative_label == "“nearly 50 % reduction”"
    assert endline.display_value == "“nearly 50 % reduction” vs baseline"
    assert "50" not in change.summary.replace("nearly 50 %", "")
    assert change.verdict == Verdict.IMPROVED


def test_a_zero_baseline_has_no_relative_change():
    change = change_between(
        figure("baseline", 0, unit="count"), figure("endline", 4, unit="count"), "count", HIGHER
    )
    assert change.relative is None
    assert change.absolute_label == "+4"
    assert change.verdict == Verdict.IMPROVED


# --- Statistically distinguishable ---------------------------------------------------------------


def test_non_overlapping_intervals_are_distinguishable():
    baseline = figure("baseline", 20, ci_lower=17, ci_upper=23)
    endline = figure("endline", 10, ci_lower=8, ci_upper=12)
    change = change_between(baseline, endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.YES
    assert "do not overlap" in change.explanation


def test_overlapping_intervals_without_sample_sizes_cannot_tell():
    baseline = figure("baseline", 20, ci_lower=15, ci_upper=25)
    endline = figure("endline", 17, ci_lower=12, ci_upper=22)
    change = change_between(baseline, endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.CANNOT_TELL


def test_percents_with_large_samples_are_tested_with_a_two_proportion_z_test():
    baseline = figure("baseline", 30, sample_size=1000)
    endline = figure("endline", 25, sample_size=1000)
    change = change_between(baseline, endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.YES
    assert "z = −2.50" in change.explanation.replace("-", "−")


def test_percents_with_small_samples_are_not_distinguishable():
    baseline = figure("baseline", 30, sample_size=50)
    endline = figure("endline", 25, sample_size=50)
    change = change_between(baseline, endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.NO


def test_without_intervals_or_samples_we_cannot_tell():
    change = change_between(figure("baseline", 30), figure("endline", 25), "percent", LOWER)
    assert change.distinguishable == Distinguishable.CANNOT_TELL


def test_a_published_change_whose_interval_excludes_zero_is_distinguishable():
    endline = figure("endline", -40, value_kind="relative_change", ci_lower=-55, ci_upper=-25)
    change = change_between(figure("baseline", 30), endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.YES


def test_two_proportion_z_statistic():
    assert two_proportion_z(0.30, 1000, 0.25, 1000) == pytest.approx(-2.504, abs=0.001)
    assert two_proportion_z(0.0, 10, 0.0, 10) is None


# --- Which figures an indicator compares ---------------------------------------------------------


def test_without_an_endline_the_change_runs_to_the_latest_monitoring(make_measurement):
    baseline = make_measurement(phase="baseline", value=30, start=datetime.date(2012, 1, 1))
    indicator = baseline.indicator
    make_measurement(indicator, phase="monitoring", value=25, start=datetime.date(2014, 1, 1))
    make_measurement(indicator, phase="monitoring", value=18, start=datetime.date(2015, 1, 1))
    indicator = Indicator.objects.get(pk=indicator.pk)
    assert indicator.endline is None
    change = latest_change(indicator)
    assert change.later.value == 18
    assert change.comparison_label == "baseline → latest figure (monitoring, January 2015)"
    assert change.verdict == Verdict.IMPROVED


def test_with_an_endline_the_latest_figure_is_the_endline(make_measurement):
    baseline = make_measurement(phase="baseline", value=30, start=datetime.date(2012, 1, 1))
    indicator = baseline.indicator
    make_measurement(indicator, phase="endline", value=10, start=datetime.date(2016, 1, 1))
    make_measurement(indicator, phase="monitoring", value=25, start=datetime.date(2014, 1, 1))
    indicator = Indicator.objects.get(pk=indicator.pk)
    change = latest_change(indicator)
    assert change.later == indicator.endline and change.later.value == 10
    assert change.comparison_label == "baseline → endline"


def test_only_a_baseline_gives_no_change(make_measurement):
    indicator = make_measurement(phase="baseline").indicator
    assert latest_change(indicator) is None
