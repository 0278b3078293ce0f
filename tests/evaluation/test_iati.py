"""/programs/<slug>/iati.xml: each program as an IATI 2.03 activity, valid against the official
schema (tests/schemas/iati, vendored with its licence)."""

import functools
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from evaluation.models import Program

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "iati"


@functools.cache
def iati_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd"), parser))


def iati_of(client, slug: str) -> etree._Element:
    response = client.get(reverse("evaluation:iati", kwargs={"slug": slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(response.content)


def test_every_demo_program_is_a_valid_iati_activity(client, demo_data):
    schema = iati_schema()
    slugs = list(Program.objects.values_list("slug", flat=True))
    assert slugs
    for slug in slugs:
        document = iati_of(client, slug)
        assert schema.validate(document), (slug, schema.error_log.last_error)


def test_the_activity_carries_the_results_with_baseline_and_actuals(client, demo_data):
    document = iati_of(client, "cambodia-sex-trafficking-of-children")
    activity = document.find("iati-activity")
    assert (
        activity.findtext("title/narrative")
        == Program.objects.get(slug="cambodia-sex-trafficking-of-children").name
    )
    assert activity.find("recipient-country").get("code") == "KH"
    indicator = activity.find("result/indicator")
    assert indicator.get("measure") == "2" and indicator.get("ascending") == "0"
    # The baseline is a range (15 %–30 %): IATI's baseline holds one value, so no baseline
    # element invents one; the description says the range as the page does.
    assert indicator.find("baseline") is None
    description = indicator.findtext("description/narrative")
    assert "Published without a single value: 15 %–30 % (“15 %–30 % (range of estimates;" in (
        description
    )
    assert "Baseline, early 2000s (2000–2004)." in description
    actuals = [a.get("value") for a in indicator.iterfind("period/actual")]
    assert actuals[:2] == ["8.16", "2.2"]
    source = indicator.find("period/actual/document-link")
    assert source.get("url").startswith("http://testserver/studies/")


def test_the_study_links_are_document_links(client, demo_data):
    program = Program.objects.get(slug="cambodia-sex-trafficking-of-children")
    document = iati_of(client, program.slug)
    urls = [link.get("url") for link in document.iterfind("iati-activity/document-link")]
    assert urls == [
        "http://testserver" + link.study.get_absolute_url()
        for link in program.study_links.order_by("study__publication_month", "study__title")
    ]


def test_curated_text_cannot_break_the_xml(client, make_measurement, make_indicator):
    indicator = make_indicator(name='Minors <b>&</b> "others"\x0b')
    make_measurement(indicator=indicator, notes="x", source_citation="A <script> report")
    document = iati_of(client, indicator.program.slug)
    assert document.findtext("iati-activity/result/title/narrative") == 'Minors <b>&</b> "others"'
    assert iati_schema().validate(document), iati_schema().error_log.last_error


def test_the_program_page_links_to_its_iati_file(client, demo_data):
    program = Program.objects.first()
    page = client.get(program.get_absolute_url()).content.decode()
    assert f'href="{reverse("evaluation:iati", kwargs={"slug": program.slug})}"' in page


@pytest.mark.parametrize("slug", ["no-such-program", "x" * 300])
def test_an_unknown_program_has_no_iati_file(client, db, slug):
    assert client.get(f"/programs/{slug}/iati.xml").status_code == 404


def test_the_iati_file_runs_the_same_queries_however_many_figures(
    client, make_indicator, make_measurement, make_study
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Each figure cites a study of its own: the file links every one (a query each, once).
    indicator = make_indicator()
    make_measurement(indicator=indicator, source_study=make_study("Baseline study"))
    url = reverse("evaluation:iati", kwargs={"slug": indicator.program.slug})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for year in range(2011, 2016):
        make_measurement(
            indicator=indicator,
            phase="monitoring",
            start=f"{year}-01-01",
            source_study=make_study(f"Monitoring {year}"),
        )
    make_measurement(indicator=make_indicator(program=indicator.program))
    assert queries() == before


def test_no_baseline_or_actual_is_written_without_a_value(client, demo_data):
    for slug in Program.objects.values_list("slug", flat=True):
        document = iati_of(client, slug)
        for element in document.iterfind(".//indicator/baseline"):
            assert element.get("value"), slug
        for element in document.iterfind(".//indicator/period/actual"):
            assert element.get("value"), slug


def test_a_figure_without_a_value_is_told_in_the_indicators_description(client, demo_data):
    """Cebu: “more than 220” rescued is a minimum, and −79 % a change: neither is an actual."""
    document = iati_of(client, "metro-cebu-project-lantern")
    indicators = {
        i.findtext("title/narrative"): i for i in document.iterfind(".//result/indicator")
    }
    rescued = indicators["Victims rescued with police"]
    assert rescued.find("period") is None
    assert "“more than 220”. Cumulative total, 2007–2010." in rescued.findtext(
        "description/narrative"
    )
    availability = indicators["Availability of minors for commercial sex"]
    assert availability.find("baseline").get("value") == "7"
    assert availability.find("period") is None
    assert "−79 % vs baseline. Endline, 2010." in availability.findtext("description/narrative")


def test_the_organisations_are_named_even_without_a_configured_name(client, demo_data, settings):
    settings.IATI_ORGANISATION_NAME = "  "
    document = iati_of(client, "metro-cebu-project-lantern")
    for tag in ("reporting-org", "participating-org"):
        assert document.findtext(f"iati-activity/{tag}/narrative") == "XX-UNREGISTERED", tag
    assert iati_schema().validate(document), iati_schema().error_log.last_error
