"""Downloads: a study's citation files, and exports of every study the list's filters match."""

import csv
import datetime
import io
import json

import bibtexparser
import pytest
import rispy
from django.db import connection
from django.test.utils import CaptureQueriesContext

from justicelib.site import site_root
from studies.citations import csv_row
from studies.models import Study

EXPORT_URL = "/studies/export.{}"


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def csv_rows(response) -> list[dict[str, str]]:
    text = content(response).removeprefix("\ufeff")  # the byte-order mark Excel needs
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- One study's citation ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("bib", "application/x-bibtex; charset=utf-8"),
        ("ris", "application/x-research-info-systems; charset=utf-8"),
        ("json", "application/vnd.citationstyles.csl+json"),
    ],
)
def test_study_citation_downloads_as_a_named_file(client, make_study, fmt, content_type):
    make_study("Scale of Harm", slug="scale-of-harm")
    response = client.get(f"/studies/scale-of-harm/cite.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="scale-of-harm.{fmt}"'


def test_study_bibtex_holds_the_entry_with_an_absolute_url(client, make_study):
    make_study("Scale of Harm", slug="scale-of-harm")
    (entry,) = bibtexparser.parse_string(
        content(client.get("/studies/scale-of-harm/cite.bib"))
    ).entries
    assert entry["title"] == "{Scale of Harm}"
    assert entry["url"] == "http://testserver/studies/scale-of-harm/"


def test_study_ris_holds_the_record(client, make_study):
    make_study("Scale of Harm", slug="scale-of-harm")
    (record,) = rispy.loads(content(client.get("/studies/scale-of-harm/cite.ris")))
    assert record["title"] == "Scale of Harm"


def test_study_csl_json_is_an_array_of_one_item(client, make_study):
    make_study("Scale of Harm", slug="scale-of-harm")
    items = json.loads(content(client.get("/studies/scale-of-harm/cite.json")))
    assert [(item["id"], item["title"]) for item in items] == [("study2018scale", "Scale of Harm")]


def test_study_citation_in_an_unknown_format_is_404(client, make_study):
    make_study(slug="scale-of-harm")
    assert client.get("/studies/scale-of-harm/cite.docx").status_code == 404


def test_draft_study_has_no_citation(client, make_study):
    make_study(slug="unpublished", status=Study.Status.DRAFT)
    assert client.get("/studies/unpublished/cite.bib").status_code == 404


def test_citation_of_an_unknown_study_is_404(client, db):
    assert client.get("/studies/no-such-study/cite.bib").status_code == 404


# --- Exports of the list -------------------------------------------------------------------------
def test_list_export_streams(client, make_study):
    make_study()
    response = client.get(EXPORT_URL.format("csv"))
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="studies.csv"'


def test_csv_export_starts_with_a_byte_order_mark_and_a_header_row(client, make_study):
    make_study()
    first_line = content(client.get(EXPORT_URL.format("csv"))).split("\r\n")[0]
    assert first_line == (
        "\ufefftitle,short_title,citation_key,authors,publisher,resource_types,publication_month,"
        "countries,multiple_countries,subject,description,language,rights,license_url,url,"
        "download_url"
    )


def test_csv_export_keeps_a_multiline_description_in_one_cell(client, make_study):
    make_study(description="First paragraph.\n\nSecond, with “quotes”.")
    (row,) = csv_rows(client.get(EXPORT_URL.format("csv")))
    assert row["description"] == "First paragraph.\n\nSecond, with “quotes”."


def test_csv_export_applies_the_list_filters(client, demo_data):
    expected = set(Study.objects.published().in_countries(["KH"]).values_list("title", flat=True))
    rows = csv_rows(client.get(EXPORT_URL.format("csv"), {"country": "KH"}))
    assert expected and {row["title"] for row in rows} == expected
    assert len(rows) == len(expected)


def test_csv_export_keeps_the_list_order(client, demo_data):
    rows = csv_rows(client.get(EXPORT_URL.format("csv"), {"sort": "title"}))
    assert [row["title"] for row in rows] == sorted(row["title"] for row in rows)


def test_csv_export_rows_are_what_each_study_reads_as_a_csv_row(client, demo_data, make_study):
    """The export reads one query's columns, not model instances: every row must still be the
    study's own `csv_row` (authors in order, countries and types by name, the file address)."""
    make_study("A =formula with a file", countries=["TH", "KH", "PH"], types=["b", "a"])
    Study.objects.filter(title="A =formula with a file").update(pdf="studies/x.pdf")
    exported = list(csv.reader(io.StringIO(content(client.get(EXPORT_URL.format("csv"))))))[1:]
    studies = Study.objects.published().for_listing()
    assert exported == [csv_row(study, site_root()) for study in studies]
    assert len(exported) == 27


def test_export_holds_every_match_not_one_page(client, make_study):
    for n in range(45):
        make_study(f"Study number {n}")
    rows = csv_rows(client.get(EXPORT_URL.format("csv"), {"page": "2"}))
    assert len(rows) == 45


def test_bibtex_export_of_the_demo_library_parses_with_unique_keys(client, demo_data):
    library = bibtexparser.parse_string(content(client.get(EXPORT_URL.format("bib"))))
    assert not library.failed_blocks
    assert len({entry.key for entry in library.entries}) == 26


def bibtex_keys(response) -> dict[str, str]:
    """{title: key} of the entries in a BibTeX download."""
    library = bibtexparser.parse_string(content(response))
    assert not library.failed_blocks
    return {entry["title"].strip("{}"): entry.key for entry in library.entries}


def test_bibtex_keys_are_the_same_whatever_the_export_order(client, make_study, make_author):
    haarr = make_author("Robin Haarr", kind="person")
    make_study("Same title", authors=[haarr], month=datetime.date(2018, 1, 1))
    make_study("Same title again", authors=[haarr], month=datetime.date(2018, 6, 1))
    oldest = bibtex_keys(client.get(EXPORT_URL.format("bib"), {"sort": "oldest"}))
    newest = bibtex_keys(client.get(EXPORT_URL.format("bib"), {"sort": "newest"}))
    assert (
        oldest == newest == {"Same title": "haarr2018same", "Same title again": "haarr2018same-2"}
    )


def test_two_single_downloads_never_share_a_key(client, make_study, make_author):
    haarr = make_author("Robin Haarr", kind="person")
    make_study("Same title", authors=[haarr], slug="first")
    make_study("Same title", authors=[haarr], slug="second")
    first = bibtex_keys(client.get("/studies/first/cite.bib"))
    second = bibtex_keys(client.get("/studies/second/cite.bib"))
    assert (first, second) == ({"Same title": "haarr2018same"}, {"Same title": "haarr2018same-2"})


def test_a_filtered_export_keeps_each_study_its_key(client, make_study, make_author):
    haarr = make_author("Robin Haarr", kind="person")
    make_study("Same title", authors=[haarr], countries=["KH"])
    make_study("Same title", authors=[haarr], countries=["PH"])
    only_ph = bibtex_keys(client.get(EXPORT_URL.format("bib"), {"country": "PH"}))
    assert only_ph == {"Same title": "haarr2018same-2"}


def test_ris_export_of_the_demo_library_has_every_record(client, demo_data):
    response = client.get(EXPORT_URL.format("ris"))
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert len(rispy.loads(content(response))) == 26


def test_csl_json_export_is_one_array(client, demo_data):
    response = client.get(EXPORT_URL.format("json"), {"country": "KH"})
    items = json.loads(content(response))
    expected = Study.objects.published().in_countries(["KH"]).values_list("citation_key", flat=True)
    assert sorted(item["id"] for item in items) == sorted(expected)


def test_csl_json_export_of_nothing_is_an_empty_array(client, db):
    assert json.loads(content(client.get(EXPORT_URL.format("json")))) == []


def test_export_leaves_out_drafts(client, make_study):
    make_study("Public")
    make_study("Draft", status=Study.Status.DRAFT)
    assert [row["title"] for row in csv_rows(client.get(EXPORT_URL.format("csv")))] == ["Public"]


def test_export_in_an_unknown_format_is_404(client, db):
    assert client.get(EXPORT_URL.format("xlsx")).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [({"country": "zz"}, "Ignored unknown country “ZZ”"), ({"year_from": "abc"}, "year from")],
)
def test_export_with_malformed_parameters_is_refused(client, make_study, params, message):
    make_study(countries=["KH"])
    response = client.get(EXPORT_URL.format("csv"), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "bib", "ris", "json"])
def test_export_query_count_does_not_grow_with_rows(client, make_study, make_author, fmt):
    def queries_to_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            content(client.get(EXPORT_URL.format(fmt), {"country": "KH"}))
        return len(queries)

    author = make_author()
    for n in range(3):
        make_study(f"Small {n}", countries=["KH"], authors=[author], types=["a", "b"])
    small = queries_to_export()
    for n in range(27):
        make_study(f"Large {n}", countries=["KH", "TH"], authors=[author], types=["a"])
    assert queries_to_export() == small
