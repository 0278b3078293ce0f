"""Disaggregation as dimensions: an indicator's dimensions and categories, a measurement's values
by category beside its total, the rules the database keeps, the flag on parts that contradict
the total, and where they show (the program page, the CSV, the import, the admin)."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from evaluation.breakdowns import contradictions
from evaluation.imports import ImportFailed, import_measurements, read_table
from evaluation.models import BreakdownValue, Category, Dimension, Measurement
from evaluation.tables import COLUMN_NAMES
from tests.conftest import check_deferred_rules


@pytest.fixture
def make_dimension(db):
    """`make_dimension(indicator, "venue type", ["bars", "streets"], exhaustive=False)`."""

    def make(indicator, name, categories, *, exhaustive=False, position=1):
        dimension = Dimension.objects.create(
            indicator=indicator,
            name=name,
            position=position,
            categories_are_exhaustive=exhaustive,
        )
        for n, category in enumerate(categories, start=1):
            Category.objects.create(dimension=dimension, name=category, position=n)
        return dimension

    return make


def category(dimension, name) -> Category:
    return dimension.categories.get(name=name)


def part(measurement, *categories, value, **fields) -> BreakdownValue:
    first, *rest = categories
    return BreakdownValue.objects.create(
        measurement=measurement,
        category=first,
        second_category=rest[0] if rest else None,
        value=value,
        **fields,
    )


def refused(write) -> str:
    """The database's refusal of `write` (checked at once, as at commit), as text."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
        check_deferred_rules()
    return str(error.value)


def fresh(measurement) -> Measurement:
    """The measurement loaded as the pages load it (values, categories, dimensions prefetched)."""
    return Measurement.objects.for_table().get(pk=measurement.pk)


@pytest.fixture
def arrests(make_indicator, make_measurement, make_dimension):
    """A count (arrests: 120 at the endline) by sex (exhaustive) and by venue type (not)."""
    indicator = make_indicator(unit="count", direction="higher_is_better", name="Arrests")
    endline = make_measurement(
        indicator, phase="endline", value=120, start=datetime.date(2015, 1, 1)
    )
    sex = make_dimension(indicator, "sex", ["female", "male"], exhaustive=True)
    venue = make_dimension(indicator, "venue type", ["bars", "streets"], position=2)
    return endline, sex, venue


# --- What the database keeps ------------------------------------------------------------------


def test_one_value_per_measurement_and_category(arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    assert "breakdown_value_once_per_combination" in refused(
        lambda: part(endline, category(sex, "female"), value=60)
    )


def test_one_value_per_measurement_and_pair_of_categories(arrests):
    endline, sex, venue = arrests
    part(endline, category(sex, "female"), category(venue, "bars"), value=10)
    assert "breakdown_value_once_per_combination" in refused(
        lambda: part(endline, category(sex, "female"), category(venue, "bars"), value=11)
    )


def test_a_category_of_another_indicators_dimension_is_refused(
    arrests, make_indicator, make_dimension
):
    endline, _sex, _venue = arrests
    other = make_dimension(make_indicator(unit="count"), "age group", ["0-14", "15-17"])
    message = refused(lambda: part(endline, category(other, "0-14"), value=5))
    assert "are of dimensions of its measurement's indicator: “0-14” is not" in message


def test_two_categories_of_one_dimension_are_refused(arrests):
    endline, sex, _venue = arrests
    message = refused(
        lambda: part(endline, category(sex, "female"), category(sex, "male"), value=5)
    )
    assert "names a category of each" in message


def test_a_count_by_category_is_a_whole_number_from_zero(arrests):
    endline, sex, _venue = arrests
    assert "A count is a whole number" in refused(
        lambda: part(endline, category(sex, "female"), value=-1)
    )
    assert "A count is a whole number" in refused(
        lambda: part(endline, category(sex, "male"), value=Decimal("2.5"))
    )


def test_a_percent_by_category_lies_between_0_and_100(make_measurement, make_dimension):
    measurement = make_measurement(value=10)
    venue = make_dimension(measurement.indicator, "venue type", ["bars"])
    assert "A percent lies between 0 and 100" in refused(
        lambda: part(measurement, category(venue, "bars"), value=101)
    )


def test_counts_of_a_share_by_category_must_agree_with_its_value(make_measurement, make_dimension):
    measurement = make_measurement(value=10)
    venue = make_dimension(measurement.indicator, "venue type", ["bars"])
    assert "breakdown_value_agrees_with_counts" in refused(
        lambda: part(measurement, category(venue, "bars"), value=5, numerator=1, denominator=10)
    )
    part(measurement, category(venue, "bars"), value=10, numerator=1, denominator=10)
    check_deferred_rules()


def test_changing_the_unit_is_checked_against_the_values_by_category(arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=500)
    indicator = endline.indicator
    indicator.unit = indicator.Unit.PERCENT
    endline.value = 50
    endline.save()
    assert "A percent lies between 0 and 100" in refused(lambda: indicator.save())


def test_a_category_with_figures_is_not_deleted(arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    with pytest.raises(Exception, match="restricted"):
        category(sex, "female").delete()


def test_deleting_the_indicator_takes_its_dimensions_and_values(arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    endline.indicator.delete()
    assert not BreakdownValue.objects.exists() and not Category.objects.exists()


# --- The model's messages ---------------------------------------------------------------------


def test_clean_names_a_category_of_another_indicator(arrests, make_indicator, make_dimension):
    endline, _sex, _venue = arrests
    other = make_dimension(make_indicator(unit="count"), "age group", ["0-14"])
    value = BreakdownValue(measurement=endline, category=category(other, "0-14"), value=5)
    with pytest.raises(ValidationError) as error:
        value.full_clean()
    assert error.value.message_dict["category"] == [
        "“age group: 0-14” is not a category of this indicator's dimensions."
    ]


def test_clean_refuses_two_categories_of_one_dimension_and_out_of_range_values(arrests):
    endline, sex, _venue = arrests
    value = BreakdownValue(
        measurement=endline,
        category=category(sex, "female"),
        second_category=category(sex, "male"),
        value=Decimal("-3"),
    )
    with pytest.raises(ValidationError) as error:
        value.full_clean()
    assert "same dimension (sex)" in error.value.message_dict["second_category"][0]
    assert error.value.message_dict["value"] == [
        "A count is a whole number, at least 0 (−3 is not)."
    ]


def test_clean_puts_a_pair_in_the_order_the_database_keeps(arrests):
    endline, sex, venue = arrests
    value = BreakdownValue(
        measurement=endline,
        category=category(venue, "bars"),
        second_category=category(sex, "female"),
        value=3,
    )
    value.full_clean()
    value.save()
    check_deferred_rules()
    assert (value.category.name, value.second_category.name) == ("female", "bars")


# --- Parts against the total --------------------------------------------------------------------


def test_counts_adding_up_to_more_than_the_total_contradict_it(arrests):
    endline, _sex, venue = arrests
    part(endline, category(venue, "bars"), value=100)
    part(endline, category(venue, "streets"), value=30)
    [found] = contradictions(fresh(endline))
    assert found.message == (
        "The counts by venue type add up to 130, more than the total of 120: they contradict it."
    )


def test_counts_short_of_the_total_contradict_it_only_when_the_categories_cover_it(arrests):
    endline, sex, venue = arrests
    part(endline, category(venue, "bars"), value=10)
    part(endline, category(venue, "streets"), value=20)
    assert contradictions(fresh(endline)) == []  # other venues may make up the rest
    part(endline, category(sex, "female"), value=50)
    assert contradictions(fresh(endline)) == []  # the men's count is not published
    part(endline, category(sex, "male"), value=60)
    [found] = contradictions(fresh(endline))
    assert found.message == (
        "The counts by sex add up to 110, less than the total of 120, though its categories "
        "cover the whole total: they contradict it."
    )


def test_counts_that_add_up_are_not_flagged(arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "male"), value=70)
    assert contradictions(fresh(endline)) == []


def test_a_grid_whose_row_exceeds_its_value_by_one_dimension_contradicts_it(arrests):
    """By sex: 50 women. By sex and venue type: 40 women in bars and 15 in streets, 55."""
    endline, sex, venue = arrests
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "female"), category(venue, "bars"), value=40)
    part(endline, category(sex, "female"), category(venue, "streets"), value=15)
    [found] = contradictions(fresh(endline))
    assert found.message == (
        "The counts for female by venue type add up to 55, more than its own count of 50: "
        "they contradict it."
    )


def test_a_grid_short_of_a_value_by_one_dimension_contradicts_it_only_when_covered(arrests):
    endline, sex, venue = arrests
    # Venue types are not exhaustive: women elsewhere may make up the rest of the 50.
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "female"), category(venue, "bars"), value=20)
    part(endline, category(sex, "female"), category(venue, "streets"), value=10)
    assert contradictions(fresh(endline)) == []
    # The sexes are: 20 women and 10 men in bars, but 40 in bars by venue type alone.
    part(endline, category(sex, "male"), category(venue, "bars"), value=10)
    part(endline, category(venue, "bars"), value=40)
    [found] = contradictions(fresh(endline))
    assert found.message == (
        "The counts for bars by sex add up to 30, less than its own count of 40, though the "
        "categories of sex cover the whole: they contradict it."
    )


def test_a_grid_that_agrees_with_its_margins_is_not_flagged(arrests):
    endline, sex, venue = arrests
    part(endline, category(sex, "female"), value=50)
    part(endline, category(venue, "bars"), value=35)
    part(endline, category(sex, "female"), category(venue, "bars"), value=30)
    part(endline, category(sex, "female"), category(venue, "streets"), value=20)
    part(endline, category(sex, "male"), category(venue, "bars"), value=5)
    assert contradictions(fresh(endline)) == []


def test_percentages_by_category_are_never_flagged(make_measurement, make_dimension):
    measurement = make_measurement(value=10)
    venue = make_dimension(
        measurement.indicator, "venue type", ["bars", "streets"], exhaustive=True
    )
    part(measurement, category(venue, "bars"), value=60)
    part(measurement, category(venue, "streets"), value=70)
    assert contradictions(fresh(measurement)) == []


# --- The program page -------------------------------------------------------------------------


def page_of(client, measurement) -> str:
    program = measurement.indicator.program
    response = client.get(reverse("evaluation:detail", kwargs={"slug": program.slug}))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())  # whitespace as a reader sees it


def test_the_page_shows_the_breakdown_in_a_table_with_its_total(client, arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50, source_reference="table 3")
    part(endline, category(sex, "male"), value=70)
    page = page_of(client, endline)
    assert "<caption>Arrests by sex</caption>" in page
    assert '<th scope="col" role="columnheader">Endline January 2015</th>' in page
    assert '<th scope="row" role="rowheader">female</th>' in page
    assert 'data-label="Endline January 2015"> 50 <span class="muted">(table 3)</span>' in page
    assert '<th scope="row" role="rowheader">Total</th>' in page
    assert "Warning:" not in page


def test_the_page_warns_in_words_where_the_parts_contradict_the_total(client, arrests):
    endline, _sex, venue = arrests
    part(endline, category(venue, "bars"), value=100)
    part(endline, category(venue, "streets"), value=30)
    page = page_of(client, endline)
    assert (
        "<strong>Warning:</strong> Endline January 2015: The counts by venue type add up to "
        "130, more than the total of 120: they contradict it."
    ) in page


def test_a_category_without_a_figure_reads_not_published(client, arrests, make_measurement):
    endline, sex, _venue = arrests
    baseline = make_measurement(endline.indicator, value=80, start=datetime.date(2010, 1, 1))
    part(baseline, category(sex, "female"), value=30)
    part(endline, category(sex, "male"), value=70)
    page = page_of(client, endline)
    assert page.count('<span class="muted">not published</span>') == 2


def test_the_program_page_runs_the_same_queries_with_breakdowns(
    client, arrests, make_measurement, django_assert_num_queries
):
    endline, sex, venue = arrests
    url = reverse("evaluation:detail", kwargs={"slug": endline.indicator.program.slug})
    # As test_views.py's five, and the dimensions, their categories and the values by category.
    with django_assert_num_queries(8):
        client.get(url)
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "male"), value=70)
    part(endline, category(sex, "female"), category(venue, "bars"), value=5)
    baseline = make_measurement(endline.indicator, value=80, start=datetime.date(2010, 1, 1))
    part(baseline, category(venue, "streets"), value=30)
    with django_assert_num_queries(8):
        client.get(url)


# --- CSV, JSON and the import ------------------------------------------------------------------


def download(client, measurement) -> str:
    slug = measurement.indicator.program.slug
    response = client.get(reverse("evaluation:measurements_csv", kwargs={"slug": slug}))
    return response.getvalue().decode()


def test_the_csv_has_a_row_per_value_by_category_after_its_total(client, arrests):
    endline, sex, venue = arrests
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "female"), category(venue, "bars"), value=5)
    part(endline, category(venue, "bars"), value=100)
    part(endline, category(venue, "streets"), value=30)
    rows = list(csv.DictReader(io.StringIO(download(client, endline))))
    assert [
        (r["dimension"], r["category"], r["second_dimension"], r["second_category"], r["value"])
        for r in rows
    ] == [
        ("", "", "", "", "120"),
        ("sex", "female", "", "", "50"),
        ("sex", "female", "venue type", "bars", "5"),
        ("venue type", "bars", "", "", "100"),
        ("venue type", "streets", "", "", "30"),
    ]
    assert {(r["phase"], r["period_start"]) for r in rows} == {("endline", "2015-01")}
    assert all(r["value_kind"] == "" and r["source_citation"] == "" for r in rows[1:])
    assert rows[0]["breakdown_check"] == (
        "The counts by venue type add up to 130, more than the total of 120: they contradict it."
    )
    assert all(r["breakdown_check"] == "" for r in rows[1:])


def test_the_json_lists_the_values_by_category_too(client, arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    response = client.get(reverse("evaluation:all_measurements_json"))
    records = json.loads(response.getvalue())["measurements"]
    assert [(r["category"], r["value"]) for r in records] == [(None, 120), ("female", 50)]


def test_the_csv_runs_the_same_queries_with_breakdowns(client, arrests, django_assert_num_queries):
    endline, sex, _venue = arrests
    url = reverse("evaluation:measurements_csv", kwargs={"slug": endline.indicator.program.slug})
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "male"), value=70)
    with django_assert_num_queries(5):
        client.get(url).getvalue()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def as_table(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return read_table(out.getvalue().encode())


def test_a_download_with_breakdowns_comes_back_unchanged(client, arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    part(endline, category(sex, "male"), value=70)
    result = import_measurements(as_table(rows_of(download(client, endline))))
    assert result.summary == "0 created, 0 updated, 3 unchanged"


def test_an_edited_value_by_category_dry_run_then_import(client, arrests):
    endline, sex, _venue = arrests
    female = part(endline, category(sex, "female"), value=50)
    rows = rows_of(download(client, endline))
    rows[1]["value"] = "55"
    result = import_measurements(as_table(rows), dry_run=True)
    assert result.summary == "0 created, 1 updated, 1 unchanged"
    assert result.updated_parts[0][1] == ["female, value: 50 → 55"]
    female.refresh_from_db()
    assert female.value == 50
    import_measurements(as_table(rows))
    female.refresh_from_db()
    assert female.value == 55


def test_a_new_row_by_category_creates_the_value(client, arrests):
    endline, _sex, _venue = arrests
    rows = rows_of(download(client, endline))
    new = dict.fromkeys(COLUMN_NAMES, "")
    for name in (
        "program",
        "program_slug",
        "indicator",
        "indicator_slug",
        "disaggregation",
        "unit",
        "direction",
        "level",
        "cumulative",
        "phase",
        "period_start",
    ):
        new[name] = rows[0][name]
    new.update(dimension="venue type", category="streets", value="40")
    result = import_measurements(as_table([*rows, new]))
    assert result.summary == "1 created, 0 updated, 1 unchanged"
    assert BreakdownValue.objects.get().combination_label == "streets"


def test_a_bad_row_by_category_is_refused_and_nothing_changes(client, arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    rows = rows_of(download(client, endline))
    rows[0]["value"] = "121"
    rows[1]["category"] = "women"
    rows.append({**rows[1], "category": "male", "ci_lower": "3"})
    with pytest.raises(ImportFailed) as failure:
        import_measurements(as_table(rows))
    assert failure.value.problems == [
        "row 3, column category: dimension 'sex' has no category 'women'",
        "row 4, column ci_lower: a row by category holds only its own value, counts, wording, "
        "source and notes; leave this empty (the measurement's row holds it)",
    ]
    endline.refresh_from_db()
    assert endline.value == 120


def test_a_value_by_category_outside_the_units_range_is_refused_by_the_import(client, arrests):
    endline, sex, _venue = arrests
    part(endline, category(sex, "female"), value=50)
    rows = rows_of(download(client, endline))
    rows[1]["value"] = "-5"
    with pytest.raises(ImportFailed) as failure:
        import_measurements(as_table(rows))
    assert failure.value.problems == [
        "row 3, column value: A count is a whole number, at least 0 (−5 is not)."
    ]


# --- The admin --------------------------------------------------------------------------------


def inline_data(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def measurement_page_data(measurement, parts, initial=0):
    data = {
        "indicator": str(measurement.indicator_id),
        "phase": measurement.phase,
        "period_start": f"{measurement.period_start:%Y-%m}",
        "period_end": f"{measurement.period_end:%Y-%m}",
        "value_kind": measurement.value_kind,
        "value": str(measurement.value),
        "source_citation": measurement.source_citation,
    }
    return {**data, **inline_data("breakdown_values", parts, initial)}


def test_the_measurement_page_enters_values_by_category(admin_client, arrests):
    endline, sex, _venue = arrests
    url = reverse("admin:evaluation_measurement_change", args=[endline.pk])
    page = admin_client.get(url).content.decode()
    assert "values by category" in page.lower() and "sex: female" in page
    response = admin_client.post(
        url,
        measurement_page_data(
            endline,
            [
                {"category": category(sex, "female").pk, "value": "50"},
                {"category": category(sex, "male").pk, "value": "70"},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(BreakdownValue.objects.values_list("value", flat=True)) == [50, 70]


def test_the_measurement_page_refuses_an_invalid_value_with_a_message(admin_client, arrests):
    endline, sex, _venue = arrests
    url = reverse("admin:evaluation_measurement_change", args=[endline.pk])
    response = admin_client.post(
        url,
        measurement_page_data(
            endline,
            [
                {"category": category(sex, "female").pk, "value": "2.5"},
                {"category": category(sex, "male").pk, "value": "7"},
                {"category": category(sex, "male").pk, "value": "8"},
            ],
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A count is a whole number, at least 0 (2.5 is not)." in page
    assert not BreakdownValue.objects.exists()


def indicator_page_data(indicator, dimensions, initial=0):
    data = {
        "program": str(indicator.program_id),
        "name": indicator.name,
        "slug": indicator.slug,
        "position": "1",
        "kind": indicator.kind,
        "level": indicator.level,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "definition": indicator.definition,
        "method": indicator.method,
    }
    data.update(inline_data("dimensions", dimensions, initial))
    data.update(inline_data("measurements", [], 0))
    data.update(inline_data("targets", [], 0))
    return data


def test_the_indicator_page_adds_a_dimension_with_its_categories(admin_client, make_indicator):
    indicator = make_indicator(unit="count")
    url = reverse("admin:evaluation_indicator_change", args=[indicator.pk])
    response = admin_client.post(
        url,
        indicator_page_data(
            indicator,
            [{"name": "venue type", "position": "1", "categories": "bars\n streets \n\n"}],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    dimension = indicator.dimensions.get()
    assert [c.name for c in dimension.categories.all()] == ["bars", "streets"]


def test_the_indicator_page_refuses_to_drop_a_category_that_has_figures(admin_client, arrests):
    endline, sex, venue = arrests
    part(endline, category(sex, "female"), value=50)
    indicator = endline.indicator
    url = reverse("admin:evaluation_indicator_change", args=[indicator.pk])
    rows = [
        {
            "id": sex.pk,
            "indicator": indicator.pk,
            "name": "sex",
            "position": "1",
            "categories_are_exhaustive": "on",
            "categories": "male",
        },
        {
            "id": venue.pk,
            "indicator": indicator.pk,
            "name": "venue type",
            "position": "2",
            "categories": "bars\nstreets",
        },
    ]
    response = admin_client.post(url, indicator_page_data(indicator, rows, initial=2))
    assert response.status_code == 200
    assert "“female” still has figures by category" in response.content.decode()
    assert category(sex, "female")


# --- IATI ---------------------------------------------------------------------------------------


def test_the_iati_file_disaggregates_baseline_and_actuals_by_dimension(
    client, arrests, make_measurement
):
    from tests.evaluation.test_iati import iati_of, iati_schema

    endline, sex, venue = arrests
    baseline = make_measurement(endline.indicator, value=80, start=datetime.date(2010, 1, 1))
    part(baseline, category(venue, "streets"), value=30, source_reference="p. 4")
    part(endline, category(sex, "female"), category(venue, "bars"), value=5)
    document = iati_of(client, endline.indicator.program.slug)
    iati_schema().assertValid(document)
    [indicator] = document.iter("indicator")
    baselines = indicator.findall("baseline")
    assert [b.get("value") for b in baselines] == ["80", "30"]
    assert [(d.get("name"), d.get("value")) for d in baselines[1].iter("dimension")] == [
        ("venue type", "streets")
    ]
    actuals = indicator.findall("period/actual")
    assert [a.get("value") for a in actuals] == ["120", "5"]
    assert [(d.get("name"), d.get("value")) for d in actuals[1].iter("dimension")] == [
        ("sex", "female"),
        ("venue type", "bars"),
    ]


def test_dimensions_categories_and_values_are_found_by_their_natural_keys(arrests):
    """The demo fixture names them so: loading it twice finds the rows it wrote."""
    endline, sex, venue = arrests
    alone = part(endline, category(sex, "female"), value=50)
    pair = part(endline, category(sex, "female"), category(venue, "bars"), value=5)
    assert alone.natural_key()[-4:] == ("sex", "female", "", "")
    assert BreakdownValue.objects.get_by_natural_key(*alone.natural_key()) == alone
    assert BreakdownValue.objects.get_by_natural_key(*pair.natural_key()) == pair
    assert Category.objects.get_by_natural_key(*pair.category.natural_key()) == pair.category
    assert Dimension.objects.get_by_natural_key(*venue.natural_key()) == venue
