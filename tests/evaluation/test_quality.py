"""Method and data quality per measurement: how a figure was measured, when and by whom, USAID's
five data-quality ratings with their notes, known limitations; and a change whose figures were
measured differently is marked “not directly comparable”, on the page and in the downloads."""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from evaluation.models import Measurement
from tests.conftest import as_shown
from tests.evaluation.test_import_measurements import as_csv, rows_of, run

DAY = datetime.date


def csv_of(client, program) -> list[dict[str, str]]:
    response = client.get(reverse("evaluation:measurements_csv", kwargs={"slug": program.slug}))
    return rows_of(response.getvalue().decode())


def page_of(client, program) -> str:
    response = client.get(program.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def baseline_and_endline(make_indicator, make_measurement):
    """A household-survey baseline (2010) and endline (2015) of one indicator."""
    indicator = make_indicator(method="Household survey")
    baseline = make_measurement(indicator, "baseline", DAY(2010, 1, 1), value=30)
    endline = make_measurement(indicator, "endline", DAY(2015, 1, 1), value=15)
    return baseline, endline


# --- Rules, in the database and in the form's validation --------------------------------------


@pytest.mark.parametrize(
    "fields, constraint",
    [
        (
            {"fieldwork_start": DAY(2014, 5, 1), "fieldwork_end": DAY(2014, 4, 30)},
            "measurement_fieldwork_ends_after_it_starts",
        ),
        ({"fieldwork_end": DAY(2014, 4, 30)}, "measurement_fieldwork_ends_after_it_starts"),
        (
            {"fieldwork_start": DAY(2014, 5, 3), "fieldwork_precision": "month_only"},
            "measurement_fieldwork_months_are_first_days",
        ),
        ({"fieldwork_precision": "week"}, "measurement_fieldwork_precision_is_known"),
        (
            {"validity": "excellent", "validity_note": "Fine.", "quality_assessed_by": "Curator"},
            "measurement_validity_rating_is_known",
        ),
        (
            {"reliability": "meets", "quality_assessed_by": "Curator"},
            "measurement_reliability_rating_has_note",
        ),
        (
            {"integrity": "does_not_meet", "integrity_note": "   ", "quality_assessed_by": "C"},
            "measurement_integrity_rating_has_note",
        ),
        (
            {"precision": "partly_meets", "precision_note": "Wide interval."},
            "measurement_quality_rating_names_who_rated",
        ),
        ({"not_comparable_reason": "  "}, "measurement_comparability_reason_is_not_blank"),
    ],
)
def test_the_database_refuses_quality_that_breaks_a_rule(baseline_and_endline, fields, constraint):
    _baseline, endline = baseline_and_endline
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Measurement.objects.filter(pk=endline.pk).update(**fields)


def test_a_baseline_has_no_not_comparable_reason(baseline_and_endline):
    baseline, _endline = baseline_and_endline
    with (
        pytest.raises(IntegrityError, match="baseline_has_no_comparability_reason"),
        transaction.atomic(),
    ):
        Measurement.objects.filter(pk=baseline.pk).update(not_comparable_reason="New sample")


def test_a_rating_without_its_note_is_refused_with_a_message(baseline_and_endline):
    _baseline, endline = baseline_and_endline
    endline.validity, endline.quality_assessed_by = "meets", "The curators"
    with pytest.raises(ValidationError, match="The validity rating says what it rests on"):
        endline.full_clean()


def test_fieldwork_ending_before_it_starts_is_refused_with_a_message(baseline_and_endline):
    _baseline, endline = baseline_and_endline
    endline.fieldwork_start, endline.fieldwork_end = DAY(2015, 3, 10), DAY(2015, 3, 1)
    with pytest.raises(ValidationError, match="Fieldwork ends on or after the day it starts"):
        endline.full_clean()


def test_fieldwork_dated_to_the_month_is_stored_on_the_first(baseline_and_endline):
    _baseline, endline = baseline_and_endline
    endline.fieldwork_precision = "month_only"
    endline.fieldwork_start, endline.fieldwork_end = DAY(2015, 3, 10), DAY(2015, 4, 20)
    endline.full_clean()
    endline.save()
    endline.refresh_from_db()
    assert (endline.fieldwork_start, endline.fieldwork_end) == (DAY(2015, 3, 1), DAY(2015, 4, 1))
    assert endline.fieldwork_label == "March–April 2015"


def test_a_measurement_without_quality_fields_is_valid_and_not_assessed(baseline_and_endline):
    _baseline, endline = baseline_and_endline
    endline.full_clean()
    assert [rating for _d, rating, _n in endline.quality_ratings] == ["not assessed"] * 5


# --- Not directly comparable ---------------------------------------------------------------------


def test_differing_methods_mark_the_change_not_directly_comparable(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(method="Telephone survey")
    page = page_of(client, baseline.indicator.program)
    assert "Not directly comparable:" in page
    assert (
        "The baseline was measured by “Household survey”, this figure by “Telephone survey”."
        in (page)
    )
    assert as_shown("30 %") in page and as_shown("15 %") in page  # still shown, only marked


def test_the_same_method_written_differently_is_comparable(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=baseline.pk).update(method="household  Survey")
    assert "Not directly comparable" not in page_of(client, baseline.indicator.program)


def test_a_curators_reason_marks_the_change_not_directly_comparable(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(
        not_comparable_reason="The endline sampled only urban venues"
    )
    page = page_of(client, baseline.indicator.program)
    assert "Not directly comparable:</strong> The endline sampled only urban venues." in page


def test_the_program_list_marks_a_change_not_directly_comparable(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    indicator = baseline.indicator
    indicator.is_headline = True
    indicator.save()
    Measurement.objects.filter(pk=endline.pk).update(method="Telephone survey")
    page = client.get(reverse("evaluation:list")).content.decode()
    assert "(not directly comparable)" in page


def test_without_stated_methods_nothing_is_marked(client, make_indicator, make_measurement):
    indicator = make_indicator(method="Undercover investigation")
    make_measurement(indicator, "baseline", DAY(2010, 1, 1), value=30)
    make_measurement(indicator, "endline", DAY(2015, 1, 1), value=15)
    assert "Not directly comparable" not in page_of(client, indicator.program)


# --- The page's “Method and quality” ------------------------------------------------------------


def test_the_page_folds_each_measurements_method_and_quality(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(
        collected_by="National Statistics Office",
        fieldwork_start=DAY(2015, 3, 2),
        fieldwork_end=DAY(2015, 4, 17),
        validity="meets",
        validity_note="Asks the indicator's question directly.",
        precision="partly_meets",
        precision_note="The interval is wide.",
        quality_assessed_by="the evaluators (annex 2)",
        limitations="Urban households only.",
    )
    page = page_of(client, baseline.indicator.program)
    assert page.count("<summary>Method and quality</summary>") == 1  # the baseline has none
    assert 'Household survey <span class="muted">(the indicator&#x27;s)</span>' in page
    assert "2 Mar 2015 – 17 Apr 2015" in page
    assert "National Statistics Office" in page
    assert "Validity: meets the standard — Asks the indicator&#x27;s question directly." in page
    assert "Precision: partly meets the standard — The interval is wide." in page
    assert "Reliability: not assessed" in page
    assert "Assessed by the evaluators (annex 2)." in page
    assert "Urban households only." in page


def test_method_and_quality_read_in_spanish(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(method="Telephone survey")
    url = "/es" + baseline.indicator.program.get_absolute_url()
    try:
        page = client.get(url).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left Spanish active
    assert "No directamente comparable:" in page
    assert "Método y calidad" in page


def test_the_program_page_queries_do_not_grow_with_quality_fields(
    client, baseline_and_endline, make_measurement
):
    baseline, endline = baseline_and_endline
    program = baseline.indicator.program
    with CaptureQueriesContext(connection) as before:
        client.get(program.get_absolute_url())
    Measurement.objects.filter(pk=endline.pk).update(
        method="Telephone survey", validity="meets", validity_note="Fine.", quality_assessed_by="C"
    )
    make_measurement(baseline.indicator, "monitoring", DAY(2012, 1, 1), method="Phone survey")
    with CaptureQueriesContext(connection) as after:
        client.get(program.get_absolute_url())
    assert len(after) == len(before)


# --- The downloads and the import -----------------------------------------------------------------


def test_the_csv_says_whether_each_figure_is_comparable_with_its_baseline(
    client, baseline_and_endline
):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(method="Telephone survey")
    rows = csv_of(client, baseline.indicator.program)
    assert [(r["phase"], r["method"], r["comparable_with_baseline"]) for r in rows] == [
        ("baseline", "", ""),
        ("endline", "Telephone survey", "no"),
    ]
    assert rows[1]["not_comparable_because"] == (
        "The baseline was measured by “Household survey”, this figure by “Telephone survey”."
    )


def test_the_json_download_has_the_quality_columns(client, baseline_and_endline):
    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(not_comparable_reason="Other venues")
    response = client.get(reverse("evaluation:all_measurements_json"))
    records = json.loads(response.getvalue())["measurements"]
    endline_record = next(r for r in records if r["phase"] == "endline")
    assert endline_record["comparable_with_baseline"] == "no"
    assert endline_record["not_comparable_because"] == "Other venues"
    assert endline_record["validity"] == "not_assessed"


def test_quality_columns_round_trip_through_the_import(client, baseline_and_endline, tmp_path):
    baseline, endline = baseline_and_endline
    rows = csv_of(client, baseline.indicator.program)
    rows[1].update(
        method="Telephone survey",
        collected_by="Field team",
        fieldwork_start="2015-03-01",
        fieldwork_end="2015-04-01",
        fieldwork_precision="month_only",
        timeliness="does_not_meet",
        timeliness_note="Published three years later.",
        quality_assessed_by="Curator",
        limitations="Small sample.",
        not_comparable_reason="Urban venues only",
        comparable_with_baseline="whatever",  # derived: the import ignores it
    )
    out, _err = run(tmp_path, as_csv(rows), "--dry-run")
    assert out.strip().splitlines()[-1].endswith("0 created, 1 updated, 1 unchanged")
    assert Measurement.objects.get(pk=endline.pk).method == ""

    out, _err = run(tmp_path, as_csv(rows))
    endline.refresh_from_db()
    assert (endline.method, endline.timeliness, endline.fieldwork_start) == (
        "Telephone survey",
        "does_not_meet",
        DAY(2015, 3, 1),
    )
    again = csv_of(client, baseline.indicator.program)
    assert again[1]["comparable_with_baseline"] == "no"
    out, _err = run(tmp_path, as_csv(again))
    assert out.strip().splitlines()[-1] == "0 created, 0 updated, 2 unchanged"


def test_an_import_breaking_a_quality_rule_is_refused(client, baseline_and_endline, tmp_path):
    from tests.evaluation.test_import_measurements import failing

    baseline, endline = baseline_and_endline
    rows = csv_of(client, baseline.indicator.program)
    rows[1].update(integrity="meets", quality_assessed_by="Curator")
    rows[0].update(fieldwork_start="2010-13-01")
    err = failing(tmp_path, as_csv(rows))
    assert "row 2, column fieldwork_start: '2010-13-01' is not a day written as YYYY-MM-DD" in err
    assert "row 3, row: The integrity rating says what it rests on" in err
    assert Measurement.objects.get(pk=endline.pk).integrity == "not_assessed"


def test_an_empty_rating_cell_reads_as_not_assessed(client, baseline_and_endline, tmp_path):
    baseline, _endline = baseline_and_endline
    rows = csv_of(client, baseline.indicator.program)
    rows[1].update(validity="", fieldwork_precision="")
    out, _err = run(tmp_path, as_csv(rows))
    assert out.strip().splitlines()[-1] == "0 created, 0 updated, 2 unchanged"


def test_a_csv_header_is_read_back_as_written(client, baseline_and_endline):
    baseline, _endline = baseline_and_endline
    response = client.get(
        reverse("evaluation:measurements_csv", kwargs={"slug": baseline.indicator.program.slug})
    )
    header = next(csv.reader(io.StringIO(response.getvalue().decode())))
    at = header.index("not_comparable_reason")
    assert header[at : at + 3] == [
        "not_comparable_reason",
        "comparable_with_baseline",
        "not_comparable_because",
    ]


def test_the_iati_file_says_a_figure_is_not_directly_comparable_and_validates(
    client, baseline_and_endline
):
    from tests.evaluation.test_iati import iati_of, iati_schema

    baseline, endline = baseline_and_endline
    Measurement.objects.filter(pk=endline.pk).update(
        method="Telephone survey", limitations="Urban households only."
    )
    document = iati_of(client, baseline.indicator.program.slug)
    assert iati_schema().validate(document), iati_schema().error_log.last_error
    comment = document.find("iati-activity/result/indicator/period/actual/comment/narrative").text
    assert "Method: Telephone survey." in comment
    assert "Known limitations: Urban households only." in comment
    assert "Not directly comparable with the baseline: The baseline was measured by" in comment
