"""The program page's table rows and charts are written in Python (evaluation.figure_rows,
evaluation.drawing), not by the template engine: every value from the database must still be
escaped there, and a measurement loaded the fast way (`Measurement.from_db`) must be the same
instance Django would build, one a curator can edit and save."""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse

from evaluation.models import Measurement

DAY = datetime.date
HOSTILE = '<script>alert("x")</script>&'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"


def page_of(client, program) -> str:
    response = client.get(reverse("evaluation:detail", kwargs={"slug": program.slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hostile_program(make_indicator, make_measurement, make_study):
    indicator = make_indicator(name=f"Arrests {HOSTILE}", method=f"Survey {HOSTILE}")
    study = make_study(title=f"Report {HOSTILE}")
    make_measurement(indicator, "baseline", DAY(2010, 1, 1), value=30)
    make_measurement(
        indicator,
        "endline",
        DAY(2015, 1, 1),
        value=15,
        ci_lower=10,
        ci_upper=20,
        sample_size=400,
        published_wording=f"halved {HOSTILE}",
        source_study=study,
        source_reference=f"table 3 {HOSTILE}",
        source_citation=f"Also {HOSTILE}",
        notes=f"Note {HOSTILE}",
        collected_by=f"Office {HOSTILE}",
        validity="meets",
        validity_note=f"Direct {HOSTILE}",
        quality_assessed_by=f"Evaluators {HOSTILE}",
        limitations=f"Urban only {HOSTILE}\nsecond line",
        not_comparable_reason=f"Other city {HOSTILE}",
    )
    return indicator.program


def test_every_value_a_row_and_a_chart_show_is_escaped(client, hostile_program):
    page = page_of(client, hostile_program)
    assert "<script>" not in page
    for words in [
        "halved ",
        "table 3 ",
        "Also ",
        "Note: Note ",
        "Office ",
        "Direct ",
        "Evaluators ",
        "Urban only ",
        "Other city ",
        "Report ",
        "Arrests ",  # in the chart's title, the table's caption and the heading
    ]:
        assert f"{words}{ESCAPED}" in page, words
    # A line break of the limitations is a <br>, the rest of the text escaped.
    assert f"Urban only {ESCAPED}<br>second line" in page
    # The chart's own text: its title names the indicator, escaped in both drawings.
    assert page.count(f'<title id="chart-{hostile_program.indicators.get().pk}') == 2


def test_a_row_reads_as_the_template_wrote_it(client, hostile_program):
    page = page_of(client, hostile_program)
    row = re.search(r'<tr role="row"><th scope="row" role="rowheader">Endline</th>.*?</tr>', page)
    assert row is not None
    cells = re.findall(r'<td role="cell" data-label="([^"]+)">', row.group(0))
    assert cells == ["Period", "Figure", "As published", "95\u00a0% CI", "Sample size", "Source"]
    assert "15\u00a0%" in row.group(0) and "10\u00a0%–20\u00a0%" in row.group(0)
    assert ">400</td>" in row.group(0)


def test_a_dense_series_is_described_by_its_ends_and_its_span(
    client, make_indicator, make_measurement
):
    indicator = make_indicator(name="Minors in commercial sex")
    make_measurement(indicator, "baseline", DAY(2010, 1, 1), value=30)
    for month in range(1, 21):
        start = DAY(2011 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        make_measurement(indicator, "monitoring", start, value=20)
    make_measurement(indicator, "endline", DAY(2013, 1, 1), value=8)
    page = page_of(client, indicator.program)
    desc = re.search(r'<desc id="chart-\d+-wide-desc">(.*?)</desc>', page).group(1)
    assert desc == (
        "Figures in time order: baseline 30\u00a0%, January 2010; "
        "20 figures from January 2011 to August 2012; endline 8\u00a0%, January 2013."
    )


def test_a_measurement_loaded_fast_is_the_one_django_builds(make_measurement):
    made = make_measurement(phase="baseline", value=12, notes="kept")
    loaded = Measurement.objects.get(pk=made.pk)
    django_way = Measurement(
        *[getattr(loaded, f.attname) for f in Measurement._meta.concrete_fields]
    )
    for field in Measurement._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(django_way, field.attname), field.name
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert loaded.indicator == made.indicator  # its relations load as before
    # A deferred read still takes Django's way, and loads the rest when asked.
    deferred = Measurement.objects.only("value").get(pk=made.pk)
    assert deferred.get_deferred_fields() and deferred.notes == "kept"


def test_a_measurement_loaded_fast_saves_as_an_update_with_its_history(make_measurement):
    made = make_measurement(phase="baseline", value=12)
    loaded = Measurement.objects.get(pk=made.pk)
    loaded.value = 14
    loaded.full_clean()
    loaded.save()
    assert Measurement.objects.count() == 1
    assert Measurement.objects.get(pk=made.pk).value == 14
    events = (
        apps.get_model("evaluation", "MeasurementEvent")
        .objects.filter(pgh_obj_id=made.pk)
        .order_by("pgh_id")
    )
    assert [e.pgh_label for e in events] == ["insert", "update"]
