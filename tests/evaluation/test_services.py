"""Program evaluation's writes (`evaluation.services`), called as the admin, a command or an
import would call them: a role held by one row at a time may move between rows in one save."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import Indicator, Measurement
from evaluation.services import save_indicators, save_measurements


def headlines(program) -> list[str]:
    return list(program.indicators.filter(is_headline=True).values_list("slug", flat=True))


def test_the_headline_moves_to_another_indicator_whatever_the_order(make_program, make_indicator):
    program = make_program()
    old = make_indicator(program, slug="old", is_headline=True)
    new = make_indicator(program, slug="new")
    new.is_headline, old.is_headline = True, False

    save_indicators(indicators=[new, old])  # the new headline first

    assert headlines(program) == ["new"]


def test_a_second_headline_is_refused_with_the_rules_words(make_program, make_indicator):
    program = make_program()
    make_indicator(program, slug="old", is_headline=True)
    new = make_indicator(program, slug="new")
    new.is_headline = True

    with pytest.raises(ValidationError, match="A program has at most one headline indicator."):
        save_indicators(indicators=[new])

    assert headlines(program) == ["old"]


def test_a_removed_indicator_is_deleted(make_program, make_indicator):
    program = make_program()
    leaving = make_indicator(program, slug="leaving")

    save_indicators(indicators=[], removed=[leaving])

    assert not Indicator.objects.filter(pk=leaving.pk).exists()


def month(text: str) -> datetime.date:
    return datetime.date.fromisoformat(f"{text}-01")


def test_the_baseline_moves_to_another_row_whatever_the_order(make_indicator, make_measurement):
    indicator = make_indicator()
    first = make_measurement(indicator, phase="baseline", start=month("2009-01"), value=30)
    second = make_measurement(indicator, phase="monitoring", start=month("2010-01"), value=25)
    # The whole set is checked by the caller (the admin's formset), so each row skips the check
    # of its order against the stored rows.
    for row in (first, second):
        row.check_order_against_stored = False
    second.phase = "baseline"
    first.phase, first.period_start, first.period_end = "monitoring", month("2011-01"), None

    save_measurements(measurements=[second, first])  # the new baseline first

    assert Measurement.objects.get(phase="baseline").pk == second.pk
    first.refresh_from_db()
    assert (first.phase, first.period_end) == ("monitoring", month("2011-01"))


def test_a_second_baseline_is_refused_and_nothing_is_written(make_indicator, make_measurement):
    indicator = make_indicator()
    make_measurement(indicator, phase="baseline", start=month("2009-01"))
    extra = Measurement(
        indicator=indicator,
        phase="baseline",
        period_start=month("2009-06"),
        value_kind="point",
        value=10,
        source_citation="A news article",
    )

    with pytest.raises(ValidationError, match="An indicator has at most one baseline."):
        save_measurements(measurements=[extra])

    assert indicator.measurements.count() == 1


def test_a_removed_measurement_is_deleted(make_indicator, make_measurement):
    leaving = make_measurement()

    save_measurements(measurements=[], removed=[leaving])

    assert not Measurement.objects.filter(pk=leaving.pk).exists()
