"""Numerator and denominator per measurement (27 minors among 1,203 people): stored, checked by
the database against the stated percentage, shown beside it, and used by the significance test
instead of an assumed sample size; a design effect shrinks that sample."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluation.changes import Distinguishable, change_between
from evaluation.models import Indicator, Measurement
from tests.conftest import as_shown

LOWER = Indicator.Direction.LOWER_IS_BETTER


def refused(rule: str):
    return pytest.raises(IntegrityError, match=rule)


@pytest.mark.parametrize("value", ["2.2", "2.24", "2", "2.2444"])
def test_a_stated_share_that_agrees_with_the_counts_within_rounding_is_kept(
    make_measurement, value
):
    m = make_measurement(phase="endline", value=value, numerator=27, denominator=1203)
    m.refresh_from_db()
    assert (m.numerator, m.denominator) == (27, 1203)


def test_a_stated_share_that_contradicts_the_counts_is_refused(make_measurement):
    with refused("measurement_value_agrees_with_counts"), transaction.atomic():
        make_measurement(value="2.5", numerator=27, denominator=1203)


def test_counts_come_in_pairs(make_measurement):
    with refused("measurement_counts_come_together"), transaction.atomic():
        make_measurement(value="2.2", numerator=27)


def test_the_numerator_cannot_exceed_the_denominator(make_measurement):
    with refused("measurement_numerator_within_denominator"), transaction.atomic():
        make_measurement(value="100", numerator=12, denominator=10)


def test_counts_belong_to_a_point_value(make_measurement):
    with refused("measurement_counts_are_of_a_point_value"), transaction.atomic():
        make_measurement(value_kind="range", value_low=1, value_high=3, numerator=1, denominator=50)


def test_a_design_effect_is_positive(make_measurement):
    with refused("measurement_design_effect_is_positive"), transaction.atomic():
        make_measurement(value="20", design_effect=0)


def test_the_curator_is_told_why_the_counts_are_refused(make_indicator):
    m = Measurement(
        indicator=make_indicator(),
        phase="endline",
        period_start=datetime.date(2022, 1, 1),
        value=5,
        numerator=27,
        denominator=1203,
        source_citation="IJM UK story",
    )
    with pytest.raises(ValidationError, match="27 of 1,203 is 2.2 %"):
        m.full_clean()


def test_counts_of_a_count_indicator_are_refused_with_a_message(make_indicator):
    m = Measurement(
        indicator=make_indicator(unit=Indicator.Unit.COUNT),
        phase="endline",
        period_start=datetime.date(2022, 1, 1),
        value=50,
        numerator=1,
        denominator=2,
        source_citation="A report",
    )
    with pytest.raises(ValidationError, match="the indicator's unit is not percent"):
        m.full_clean()


def test_the_admin_refuses_contradicting_counts_with_a_message(admin_client, make_indicator):
    indicator = make_indicator()
    response = admin_client.post(
        "/admin/evaluation/measurement/add/",
        {
            "indicator": indicator.pk,
            "phase": "endline",
            "period_start": "2022-01",
            "value_kind": "point",
            "value": "5",
            "numerator": "27",
            "denominator": "1203",
            "source_citation": "IJM UK story",
        },
    )
    assert response.status_code == 200
    assert "27 of 1,203 is 2.2 %" in response.content.decode()
    assert not Measurement.objects.exists()


def test_the_page_shows_the_share_with_its_counts(client, make_measurement, make_indicator):
    indicator = make_indicator()
    make_measurement(indicator, value=10, start=datetime.date(2014, 1, 1))
    make_measurement(
        indicator,
        phase="endline",
        value="2.2",
        numerator=27,
        denominator=1203,
        start=datetime.date(2022, 1, 1),
    )
    html = client.get(indicator.program.get_absolute_url()).content.decode()
    assert as_shown("2.2 % — 27 of 1,203") in html
    assert "The two-proportion test assumes simple random sampling" in html
    assert ",numerator,denominator,design_effect," in (
        client.get(f"{indicator.program.get_absolute_url()}measurements.csv").getvalue().decode()
    )


def figure(phase, value, **fields) -> Measurement:
    return Measurement(
        indicator=Indicator(name="Prevalence", unit="percent", direction=LOWER),
        phase=phase,
        period_start=datetime.date(2014, 1, 1),
        value=Decimal(str(value)),
        **fields,
    )


def test_the_significance_test_uses_the_counts_as_the_sample():
    baseline = figure("baseline", 10, numerator=100, denominator=1000)
    endline = figure("endline", "2.2", numerator=27, denominator=1203)
    change = change_between(baseline, endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.YES
    assert "z = " in change.explanation
    assert "assumes simple random sampling" in change.explanation


def test_a_large_design_effect_makes_the_same_counts_indistinguishable():
    baseline = figure("baseline", 10, numerator=100, denominator=1000, design_effect=60)
    endline = figure("endline", "2.2", numerator=27, denominator=1203, design_effect=60)
    change = change_between(baseline, endline, "percent", LOWER)
    assert change.distinguishable == Distinguishable.NO


def test_without_counts_or_sample_sizes_the_test_cannot_tell():
    change = change_between(figure("baseline", 10), figure("endline", "2.2"), "percent", LOWER)
    assert change.distinguishable == Distinguishable.CANNOT_TELL
