"""The results hierarchy: each indicator is an output, an outcome or an impact, and a count says
whether it is a running total over the program (then its later figures are totals, not endlines)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluation.models import Indicator
from tests.evaluation.test_iati import iati_of


def test_a_cumulative_indicator_must_be_a_count_in_the_database(make_indicator):
    with (
        pytest.raises(IntegrityError, match="cumulative_indicator_is_a_count"),
        transaction.atomic(),
    ):
        make_indicator(unit=Indicator.Unit.PERCENT, is_cumulative=True)


def test_a_cumulative_percent_is_refused_with_a_message(make_program):
    indicator = Indicator(
        program=make_program(),
        name="Share of cases",
        slug="share",
        kind=Indicator.Kind.JUSTICE_SYSTEM,
        definition="Cases",
        unit=Indicator.Unit.PERCENT,
        direction=Indicator.Direction.HIGHER_IS_BETTER,
        method="Casefile review",
        is_cumulative=True,
    )
    with pytest.raises(ValidationError, match="Only a count adds up over time"):
        indicator.full_clean()


def test_an_unknown_level_is_refused_by_the_database(make_indicator):
    with pytest.raises(IntegrityError, match="indicator_level_is_known"), transaction.atomic():
        make_indicator(level="goal")


def test_a_new_indicator_is_an_outcome_unless_told(make_indicator):
    assert make_indicator().level == Indicator.Level.OUTCOME


def test_the_demo_programs_place_their_indicators_in_the_chain(demo_data):
    levels = dict(Indicator.objects.values_list("slug", "level"))
    assert levels["minors-in-commercial-sex-industry"] == "impact"
    assert levels["victims-supported"] == "output"
    assert levels["testimony-in-victim-friendly-space"] == "outcome"
    cumulative = set(Indicator.objects.filter(is_cumulative=True).values_list("slug", flat=True))
    assert cumulative == {
        "victims-rescued",
        "suspects-charged",
        "victims-supported",
        "individuals-arrested",
        "convictions",
        "traffickers-convicted",
    }


def test_the_iati_result_type_follows_the_level(client, demo_data):
    document = iati_of(client, "guatemala-sexual-violence-against-children")
    types = {
        result.findtext("title/narrative"): result.get("type")
        for result in document.iterfind("iati-activity/result")
    }
    assert types["Victims supported by the program"] == "1"  # output
    assert "2" in types.values()  # the justice-system outcomes
    cambodia = iati_of(client, "cambodia-sex-trafficking-of-children")
    assert cambodia.find("iati-activity/result").get("type") == "3"  # impact


def test_the_csv_says_each_figure_s_level_and_whether_it_is_cumulative(client, demo_data):
    text = client.get("/programs/measurements.csv").getvalue().decode()
    header, *rows = text.splitlines()
    assert ",level,cumulative," in header
    assert any("victims-supported" in row and ",output,yes," in row for row in rows)
    assert any("minors-in-commercial-sex-industry" in row and ",impact,no," in row for row in rows)
