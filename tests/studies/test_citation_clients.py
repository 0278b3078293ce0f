"""The library's records read by the programs people use on them, over the whole demo library.

biber (biblatex's backend, validating its data model), pybtex (BibTeX's rules in Python),
rispy, citeproc-py (a CSL processor: it renders a bibliography from the CSL-JSON) and extruct
(structured data as search engines extract it). Each test counts the records that went in, the
records the program parsed, and the warnings it gave: none.

Zotero itself cannot run here (no registry ships it), so its Embedded Metadata translator's rules
for author names, item types and dates are written out below from its source, and applied to the
tags the page really renders.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import citeproc
import extruct
import lxml.html
import pybtex.errors
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from pybtex.database import parse_string as pybtex_parse

from studies.models import Author, Study

IN_CI = os.environ.get("CI", "").lower() == "true"
DEMO_STUDIES = 26


def download(client, fmt: str) -> str:
    response = client.get(f"/studies/export.{fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def biber() -> str:
    path = shutil.which("biber")
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but biber is missing: install the Debian package `biber`.")
        pytest.skip("biber is not installed (apt-get install biber)")
    return path


# --- BibTeX --------------------------------------------------------------------------------------
def test_biber_validates_the_demo_bibtex_without_a_warning(client, demo_data, biber, tmp_path):
    """biber in tool mode checks every entry against biblatex's data model: a @techreport
    without an institution, or a field biblatex does not know, is a warning."""
    source = tmp_path / "studies.bib"
    source.write_text(download(client, "bib"), encoding="utf-8")
    result = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "--output-file", "out.bib", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert re.findall(r"^(?:WARN|ERROR) - .*$", log, re.M) == []
    parsed = re.findall(r"^@\w+\{", (tmp_path / "out.bib").read_text(encoding="utf-8"), re.M)
    assert len(parsed) == DEMO_STUDIES


def test_pybtex_reads_every_demo_entry_strictly(client, demo_data):
    pybtex.errors.set_strict_mode(True)  # a warning (e.g. a repeated key) raises
    data = pybtex_parse(download(client, "bib"), "bibtex")
    assert len(data.entries) == DEMO_STUDIES
    studies = {study.citation_key: study for study in Study.objects.published()}
    assert set(data.entries) == set(studies)
    for key, entry in data.entries.items():
        study = studies[key]
        publisher = study.publisher
        assert entry.type == ("techreport" if publisher else "misc")
        assert entry.fields.get("institution") == (publisher.name if publisher else None)


def test_pybtex_keeps_organisations_whole_and_people_in_parts(client, demo_data):
    pybtex.errors.set_strict_mode(True)
    entries = pybtex_parse(download(client, "bib"), "bibtex").entries
    (ijm_and_lab,) = [entry for key, entry in entries.items() if key == "ijm2023scale"]
    assert [str(person) for person in ijm_and_lab.persons["author"]] == [
        "{International Justice Mission}",
        "{University of Nottingham Rights Lab}",
    ]
    lake_volta = entries["singleton2016child"]
    stone = lake_volta.persons["author"][1]
    assert (stone.last_names, stone.first_names, stone.middle_names) == (
        ["Stone"],
        ["Katrina"],
        ["B."],
    )


# --- RIS -----------------------------------------------------------------------------------------
def test_rispy_reads_every_demo_record_with_its_publisher(client, demo_data):
    text = download(client, "ris")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        records = rispy.loads(text)
    assert len(records) == DEMO_STUDIES
    assert {record["type_of_reference"] for record in records} == {"RPRT"}
    assert sum(1 for record in records if record.get("publisher")) == 17
    assert {record["language"] for record in records} == {"en"}


# --- CSL-JSON ------------------------------------------------------------------------------------
def render_bibliography(items: list[dict]) -> list[str]:
    style_path = Path(citeproc.__file__).parent / "data/styles/harvard-cite-them-right.csl"
    style = CitationStylesStyle(str(style_path), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_citeproc_renders_every_demo_item_without_a_warning(client, demo_data):
    items = json.loads(download(client, "json"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # citeproc-py warns about any field CSL does not define
        references = render_bibliography(items)
    assert len(references) == DEMO_STUDIES
    scale_of_harm = next(ref for ref in references if ref.startswith("International Justice"))
    assert "(2023) Scale of Harm" in scale_of_harm


def test_citeproc_prints_the_publisher_and_organisation_names_whole(make_study, make_author):
    from studies.citations import to_csl_json

    ijm = make_author("International Justice Mission")
    study = make_study("Scale of Harm", authors=[ijm], publisher=ijm)
    item = to_csl_json(Study.objects.for_listing().get(pk=study.pk), "https://x.example/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (reference,) = render_bibliography([item])
    assert reference.startswith("International Justice Mission (2018) Scale of Harm.")
    assert reference.count("International Justice Mission") == 2  # the author and the publisher


# --- The study page: JSON-LD, Dublin Core and Highwire tags ------------------------------------
@pytest.fixture
def identified_report(make_study, make_author):
    ijm = make_author(
        "International Justice Mission", alternate_names="IJM", ror="https://ror.org/03yrm5c26"
    )
    haarr = make_author("Robin Haarr", kind=Author.Kind.PERSON, orcid="0000-0002-1825-0097")
    return make_study(
        "Scale of Harm",
        slug="scale-of-harm",
        authors=[ijm, haarr],
        publisher=ijm,
        rights="© International Justice Mission. All rights reserved.",
        month=__import__("datetime").date(2023, 9, 1),
    )


def page(client, study) -> str:
    response = client.get(study.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_extruct_reads_the_page_json_ld_as_a_report(client, identified_report):
    data = extruct.extract(page(client, identified_report), syntaxes=["json-ld", "dublincore"])
    (report,) = data["json-ld"]
    assert report["@type"] == "Report"
    assert report["publisher"]["sameAs"] == "https://ror.org/03yrm5c26"
    assert report["author"][1]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert report["inLanguage"] == "en"
    elements = {element["URI"]: element["content"] for element in data["dublincore"][0]["elements"]}
    assert elements["http://purl.org/dc/elements/1.1/type"] == "report"
    assert (
        elements["http://purl.org/dc/elements/1.1/rights"]
        == "© International Justice Mission. All rights reserved."
    )


def meta_tags(html: str) -> list[tuple[str, str]]:
    head = lxml.html.fromstring(html).find("head")
    return [
        (meta.get("name"), meta.get("content")) for meta in head.iter("meta") if meta.get("name")
    ]


# Zotero's rules, from zotero/translators “Embedded Metadata.js” (processHighwireCreators, the
# citation_* type switch, HIGHWIRE_MAPPINGS) and zotero/utilities “utilities.js” (cleanAuthor).
def zotero_clean_author(name: str) -> dict[str, str]:
    """cleanAuthor(name, "author", name.includes(",")): trims leading/trailing punctuation, then
    splits “Last, First” at the comma, or else at the last space; initials get their full stop."""
    use_comma = "," in name
    name = re.sub(r"[\s\u00a0.,/\[\]:]+$", "", re.sub(r"^[\s\u00a0.,/\[\]:]+", "", name))
    if use_comma:
        last, _, first = name.partition(",")
        last, first = last.strip(), first.strip()
    else:
        first, _, last = name.rpartition(" ")
    words = [word for word in re.split(r"[\s.]+|(?=-)", first) if word]
    first = " ".join(word + ("." if re.fullmatch(r"-?[A-Z]", word) else "") for word in words)
    return {"lastName": last, "firstName": first.replace(" -", "-")}


def zotero_creators(author_values: list[str]) -> list[dict[str, str]]:
    """processHighwireCreators: one creator per citation_author tag (several tags: no comma
    splitting into several authors)."""
    creators = []
    for value in author_values:
        parts = re.split(r"\s*;\s*", value)
        if len(parts) == 1 and len(author_values) == 1:
            by_comma = re.split(r"\s*,\s*", parts[0])
            if len(by_comma) > 1 and " " in by_comma[0] and " " in by_comma[1]:
                parts = by_comma
        creators += [zotero_clean_author(part.strip()) for part in parts if part.strip()]
    return creators


def zotero_item_type(tags: list[tuple[str, str]]) -> str:
    names = {name for name, _ in tags}
    if "citation_technical_report_institution" in names:
        return "report"  # the Highwire type wins (hwType)
    dc_type = dict(tags).get("DC.type", "")
    if dc_type.lower() == "report":
        return "report"  # RDF.js detectType: dc:type naming a Zotero item type
    return "journalArticle"  # the fallback for any page with citation_title


def zotero_date(tags: list[tuple[str, str]]) -> str:
    """HIGHWIRE_MAPPINGS sets `date` from citation_publication_date, then citation_date."""
    values = dict(tags)
    return values.get("citation_date") or values.get("citation_publication_date", "")


def test_zotero_reads_the_page_as_a_report_with_whole_organisation_names(client, demo_data):
    for study in Study.objects.published().for_listing():
        tags = meta_tags(page(client, study))
        assert zotero_item_type(tags) == "report", study.slug
        creators = zotero_creators([value for name, value in tags if name == "citation_author"])
        expected = [
            {"lastName": a.author.family_name, "firstName": a.author.given_names}
            if a.author.is_person
            else {"lastName": a.author.name, "firstName": ""}
            for a in study.authorships.all()
        ]
        assert creators == expected, study.slug


def test_zotero_and_scholar_read_the_publication_date(client, identified_report):
    tags = meta_tags(page(client, identified_report))
    values = dict(tags)
    # Google Scholar: “2010/5/12”, or a year alone when the day is not known.
    assert values["citation_publication_date"] == "2023"
    # Zotero's strToDate reads year/month as September 2023.
    assert zotero_date(tags) == "2023/09"
    assert values["citation_technical_report_institution"] == "International Justice Mission"
    assert values["citation_language"] == "en"


# --- CSV -----------------------------------------------------------------------------------------
def test_csv_starts_with_a_byte_order_mark_and_reads_back_whole(client, demo_data):
    response = client.get("/studies/export.csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # what makes Excel open it as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(rows) == DEMO_STUDIES
    assert list(rows[0])[0] == "title"  # the mark is not part of the first column's name
    titles = {row["title"] for row in rows}
    assert (
        "External Evaluation of IJM’s Property Grabbing Program in Mukono County, Uganda" in titles
    )
    multi = {row["title"] for row in rows if row["multiple_countries"] == "yes"}
    assert multi == set(
        Study.objects.published()
        .filter(pk__in=[s.pk for s in Study.objects.published() if s.covers_multiple_countries])
        .values_list("title", flat=True)
    )
