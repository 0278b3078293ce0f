"""How a study is cited: the reference, BibTeX, RIS, CSL-JSON, CSV rows and the page metadata.

The BibTeX and RIS of the 26 real studies are read back with real parsers (bibtexparser, rispy):
what a reference manager imports must be what the library says.
"""

import datetime
import html
import json
import re

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from studies.citations import (
    CSV_HEADER,
    citation_context,
    citation_meta,
    csv_row,
    formatted_reference_html,
    json_ld,
    json_ld_script,
    to_bibtex,
    to_csl_json,
    to_ris,
)
from studies.models import Author, Study

BASE_URL = "https://library.example.org/"


def loaded(study: Study) -> Study:
    """The study as views load it: authors, types, countries and subject prefetched."""
    return Study.objects.for_listing().get(pk=study.pk)


def reference_text(study: Study, base_url: str = "") -> str:
    """The reference as a reader copies it from the page: the HTML's text."""
    return html.unescape(strip_tags(formatted_reference_html(study, base_url)))


def parse_bibtex(text: str):
    # Authors are split before LaTeX is decoded, so that braces still protect organisation names.
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.LatexDecodingMiddleware(),
            middlewares.MonthIntMiddleware(),
        ],
    )
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return library


def bibtex_author(author: Author) -> str:
    """An author as the BibTeX author list should hold it (persons “Family, Given”)."""
    if author.is_person:
        return f"{author.family_name}, {author.given_names}"
    return f"{{{author.name}}}"


@pytest.fixture
def demo_studies(demo_data) -> list[Study]:
    studies = list(Study.objects.published().for_listing())
    assert len(studies) == 26
    return studies


@pytest.fixture
def demo_bibtex(demo_studies):
    text = "\n".join(to_bibtex(study, BASE_URL) for study in demo_studies)
    return {entry.key: entry for entry in parse_bibtex(text).entries}


@pytest.fixture
def demo_ris(demo_studies):
    return rispy.loads("\r\n".join(to_ris(study, BASE_URL) for study in demo_studies))


@pytest.fixture
def report(make_study, make_author):
    """A two-author report: a person and an organisation."""
    return loaded(
        make_study(
            "Online Sexual Exploitation of Children in the Philippines",
            short_title="OSEC Philippines",
            description="How many children…",
            countries=["PH"],
            authors=[
                make_author("Robin Haarr", kind=Author.Kind.PERSON),
                make_author("International Justice Mission"),
            ],
            month=datetime.date(2020, 5, 1),
            external_url="https://example.org/osec.pdf",
            slug="osec",
        )
    )


# --- BibTeX --------------------------------------------------------------------------------------
def test_bibtex_of_every_demo_study_parses_into_one_entry_each(demo_studies, demo_bibtex):
    assert sorted(demo_bibtex) == sorted(study.citation_key for study in demo_studies)
    assert len(demo_bibtex) == 26


def test_bibtex_titles_round_trip(demo_studies, demo_bibtex):
    for study in demo_studies:
        assert demo_bibtex[study.citation_key]["title"] == study.title


def test_bibtex_authors_round_trip_in_order(demo_studies, demo_bibtex):
    for study in demo_studies:
        expected = [bibtex_author(authorship.author) for authorship in study.authorships.all()]
        assert demo_bibtex[study.citation_key]["author"] == expected


def test_bibtex_year_and_month_round_trip(demo_studies, demo_bibtex):
    for study in demo_studies:
        entry = demo_bibtex[study.citation_key]
        assert int(entry["year"]) == study.publication_month.year
        assert entry["month"] == study.publication_month.month


def test_bibtex_month_is_a_month_macro(report):
    assert "  month = may,\n" in to_bibtex(report, BASE_URL)


@pytest.mark.parametrize("types", [["crime-prevalence-study"], ["article-or-white-paper"]])
def test_bibtex_report_with_a_publisher_is_a_techreport_naming_its_institution(
    make_study, make_author, types
):
    ijm = make_author("International Justice Mission")
    study = loaded(make_study(authors=[ijm], publisher=ijm, types=types))
    (entry,) = parse_bibtex(to_bibtex(study, BASE_URL)).entries
    assert (entry.entry_type, entry["institution"]) == (
        "techreport",
        "International Justice Mission",
    )


@pytest.mark.parametrize("types", [["crime-prevalence-study"], ["article-or-white-paper"]])
def test_bibtex_report_without_a_known_institution_is_misc(make_study, types):
    (entry,) = parse_bibtex(to_bibtex(loaded(make_study(types=types)), BASE_URL)).entries
    assert entry.entry_type == "misc" and "institution" not in entry.fields_dict


def test_demo_reports_issued_by_an_organisation_name_it_as_institution(demo_studies, demo_bibtex):
    for study in demo_studies:
        entry = demo_bibtex[study.citation_key]
        if study.publisher:
            assert entry["institution"] == study.publisher.name
        else:
            assert entry.entry_type == "misc"
    assert sum(1 for study in demo_studies if study.publisher) == 17


def test_bibtex_links_to_the_study_page(report):
    (entry,) = parse_bibtex(to_bibtex(report, BASE_URL)).entries
    assert entry["url"] == "https://library.example.org/studies/osec/"


def test_bibtex_escapes_special_characters(make_study):
    title = r"Fees & 100% {of} $5 #1 snake_case ~ back\slash"
    (entry,) = parse_bibtex(to_bibtex(loaded(make_study(title)), BASE_URL)).entries
    assert entry["title"] == title


def test_bibtex_unbalanced_brace_cannot_end_the_value(make_study):
    bibtex = to_bibtex(loaded(make_study("Open { brace")), BASE_URL)
    title_line = next(line for line in bibtex.splitlines() if line.startswith("  title"))
    assert title_line == r"  title = {{Open \textbraceleft{} brace}},"


def test_bibtex_keeps_an_organisation_named_with_and_as_one_author(make_study, make_author):
    study = loaded(make_study(authors=[make_author("Andrew Jones and Associates")]))
    (entry,) = parse_bibtex(to_bibtex(study, BASE_URL)).entries
    assert entry["author"] == ["{Andrew Jones and Associates}"]


def test_bibtex_entry_is_filed_under_the_stored_citation_key(report):
    (entry,) = parse_bibtex(to_bibtex(report, BASE_URL)).entries
    assert entry.key == report.citation_key == "haarr2020online"


def test_bibtex_writes_the_language_as_a_biblatex_langid(report, make_study):
    assert "  langid = {english},\n" in to_bibtex(report, BASE_URL)
    spanish = loaded(make_study(language="es-419"))
    assert "  langid = {spanish},\n" in to_bibtex(spanish, BASE_URL)
    klingon = loaded(make_study(language="tlh"))
    assert "langid" not in to_bibtex(klingon, BASE_URL)


# --- RIS -----------------------------------------------------------------------------------------
def test_ris_of_every_demo_study_parses_into_one_record_each(demo_ris):
    assert len(demo_ris) == 26
    assert {record["type_of_reference"] for record in demo_ris} == {"RPRT"}


def test_ris_titles_and_authors_round_trip(demo_studies, demo_ris):
    for study, record in zip(demo_studies, demo_ris, strict=True):
        assert record["title"] == study.title
        expected = [
            f"{a.author.family_name}, {a.author.given_names}"
            if a.author.is_person
            else a.author.name
            for a in study.authorships.all()
        ]
        assert record["authors"] == expected


def test_ris_names_the_key_publisher_and_language(make_study, make_author):
    ijm = make_author("International Justice Mission")
    study = loaded(make_study(authors=[ijm], publisher=ijm, language="fr"))
    (record,) = rispy.loads(to_ris(study, BASE_URL))
    assert record["id"] == study.citation_key
    assert record["publisher"] == "International Justice Mission"
    assert record["language"] == "fr"


def test_ris_of_the_demo_reports_names_each_publisher(demo_studies, demo_ris):
    for study, record in zip(demo_studies, demo_ris, strict=True):
        assert record.get("publisher") == (study.publisher.name if study.publisher else None)


def test_ris_dates_subject_and_links(report):
    (record,) = rispy.loads(to_ris(report, BASE_URL))
    assert (record["year"], record["date"]) == ("2020", "2020/05")
    assert record["keywords"] == ["Sex trafficking"]
    assert record["urls"] == ["https://library.example.org/studies/osec/"]
    assert record["file_attachments1"] == "https://example.org/osec.pdf"
    assert record["abstract"] == "How many children…"


def test_ris_lines_end_with_crlf(report):
    ris = to_ris(report, BASE_URL)
    assert ris.endswith("ER  - \r\n")
    assert ris.count("\n") == ris.count("\r\n")


def test_ris_folds_a_multiline_description_onto_one_line(make_study):
    ris = to_ris(loaded(make_study(description="First paragraph.\n\nSecond.")), BASE_URL)
    assert "AB  - First paragraph. Second.\r\n" in ris


# --- CSL-JSON ------------------------------------------------------------------------------------
def test_csl_json_item(report):
    assert to_csl_json(report, BASE_URL) == {
        "id": "haarr2020online",
        "type": "report",
        "title": "Online Sexual Exploitation of Children in the Philippines",
        "title-short": "OSEC Philippines",
        "author": [
            {"family": "Haarr", "given": "Robin"},
            {"literal": "International Justice Mission"},
        ],
        "issued": {"date-parts": [[2020, 5]]},
        "abstract": "How many children…",
        "genre": "Crime prevalence study",
        "keyword": "Sex trafficking",
        "language": "en",
        "URL": "https://library.example.org/studies/osec/",
    }


def test_csl_json_names_the_publisher(make_study, make_author):
    ijm = make_author("International Justice Mission")
    item = to_csl_json(loaded(make_study(authors=[ijm], publisher=ijm)), BASE_URL)
    assert item["publisher"] == "International Justice Mission"


def test_csl_json_leaves_out_empty_fields(make_study):
    # Only a draft may lack authors (a published study needs one).
    item = to_csl_json(loaded(make_study(status="draft")), BASE_URL)
    assert "title-short" not in item and "abstract" not in item and "author" not in item


# --- The formatted reference ---------------------------------------------------------------------
def test_reference_joins_organisations_apa_style(make_study, make_author):
    study = make_study(
        "Scale of Harm",
        authors=[
            make_author("International Justice Mission"),
            make_author("University of Nottingham Rights Lab"),
        ],
        month=datetime.date(2023, 9, 1),
    )
    # APA 7: two group authors are joined by “&” alone; the comma is for a person's initials.
    assert reference_text(loaded(study)) == (
        "International Justice Mission & University of Nottingham Rights Lab. (2023, September). "
        "Scale of Harm."
    )


def test_reference_joins_a_group_and_a_person_without_a_stray_comma(make_study, make_author):
    authors = [
        make_author("International Justice Mission"),
        make_author("Robin Haarr", kind=Author.Kind.PERSON),
    ]
    reference = reference_text(loaded(make_study("A study", authors=authors)))
    assert reference.startswith("International Justice Mission & Haarr, R. (2018, May).")


def test_reference_keeps_the_comma_after_a_persons_initials(make_study, make_author):
    authors = [
        make_author("Robin Haarr", kind=Author.Kind.PERSON),
        make_author("International Justice Mission"),
    ]
    reference = reference_text(loaded(make_study("A study", authors=authors)))
    assert reference.startswith("Haarr, R., & International Justice Mission. (2018, May).")


def test_reference_lists_three_groups_with_commas(make_study, make_author):
    authors = [make_author(name) for name in ("IJM", "TIP Office", "IACAT")]
    reference = reference_text(loaded(make_study("A study", authors=authors)))
    assert reference.startswith("IJM, TIP Office, & IACAT. (2018, May).")


def test_reference_cites_people_by_family_name_and_initials(make_study, make_author):
    authors = [
        make_author("Robin Haarr", kind=Author.Kind.PERSON),
        make_author("Katrina B. Stone", kind=Author.Kind.PERSON),
        make_author("Jean-Paul Sartre", kind=Author.Kind.PERSON),
    ]
    reference = reference_text(loaded(make_study("A study", authors=authors)))
    assert reference.startswith("Haarr, R., Stone, K. B., & Sartre, J.-P. (2018, May). A study.")


def test_reference_ends_with_the_study_page_when_given_the_site(report):
    assert reference_text(report, BASE_URL).endswith(" https://library.example.org/studies/osec/")


def test_reference_without_authors_starts_with_the_title(make_study):
    study = make_study("Untitled?", status="draft")  # only a draft may lack authors
    assert reference_text(loaded(study)) == "Untitled? (2018, May)."


def test_html_reference_italicises_the_title_and_escapes_text(make_study, make_author):
    study = loaded(make_study("<b>Bold</b> claims", authors=[make_author("Smith & Sons")]))
    html = formatted_reference_html(study)
    assert html == "Smith &amp; Sons. (2018, May). <cite>&lt;b&gt;Bold&lt;/b&gt; claims</cite>."


# --- CSV rows ------------------------------------------------------------------------------------
def test_csv_row_columns(report):
    assert csv_row(report, BASE_URL) == [
        "Online Sexual Exploitation of Children in the Philippines",
        "OSEC Philippines",
        "haarr2020online",
        "Robin Haarr; International Justice Mission",
        "",
        "Crime prevalence study",
        "2020-05",
        "Country PH",
        "no",
        "Sex trafficking",
        "How many children…",
        "en",
        "",
        "",
        "https://library.example.org/studies/osec/",
        "https://example.org/osec.pdf",
    ]


def cells(study) -> dict[str, str]:
    return dict(zip(CSV_HEADER, csv_row(loaded(study), BASE_URL), strict=True))


def test_csv_row_keeps_the_country_list_apart_from_multiple_countries(make_study):
    row = cells(make_study(countries=["KH", "TH"]))
    assert (row["countries"], row["multiple_countries"]) == ("Country KH; Country TH", "yes")


def test_csv_row_of_a_multi_country_study_naming_none_has_no_country(make_study):
    row = cells(make_study(is_multi_country=True))
    assert (row["countries"], row["multiple_countries"]) == ("", "yes")


def test_csv_row_of_a_single_country_study_is_that_country(make_study):
    row = cells(make_study(countries=["KH"]))
    assert (row["countries"], row["multiple_countries"]) == ("Country KH", "no")


def test_csv_row_names_publisher_rights_and_licence(make_study, make_author):
    ijm = make_author("International Justice Mission")
    row = cells(
        make_study(
            authors=[ijm],
            publisher=ijm,
            rights="CC BY 4.0",
            license_url="https://creativecommons.org/licenses/by/4.0/",
        )
    )
    assert row["publisher"] == "International Justice Mission"
    assert row["rights"] == "CC BY 4.0"
    assert row["license_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_csv_row_description_cannot_start_a_formula(make_study):
    assert cells(make_study(description="-1 in 100 children"))["description"] == (
        "'-1 in 100 children"
    )


@pytest.mark.parametrize("title", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tTab"])
def test_csv_row_cannot_start_a_formula(make_study, title):
    assert csv_row(loaded(make_study(title)), BASE_URL)[0] == f"'{title}"


# --- Page metadata -------------------------------------------------------------------------------
def test_highwire_tags_list_authors_in_order(report):
    assert citation_meta(report, BASE_URL) == [
        ("citation_title", "Online Sexual Exploitation of Children in the Philippines"),
        ("citation_author", "Haarr, Robin"),
        ("citation_author", "International Justice Mission,"),
        ("citation_publication_date", "2020"),
        ("citation_date", "2020/05"),
        ("citation_language", "en"),
        ("citation_pdf_url", "https://example.org/osec.pdf"),
        ("citation_abstract_html_url", "https://library.example.org/studies/osec/"),
        ("citation_public_url", "https://library.example.org/studies/osec/"),
        ("citation_keywords", "Sex trafficking"),
        ("DC.type", "report"),
    ]


def test_highwire_tags_name_the_institution_and_rights(make_study, make_author):
    ijm = make_author("International Justice Mission")
    study = loaded(make_study(authors=[ijm], publisher=ijm, rights="All rights reserved."))
    tags = dict(citation_meta(study, BASE_URL))
    assert tags["citation_technical_report_institution"] == "International Justice Mission"
    assert tags["DC.rights"] == "All rights reserved."


def test_highwire_tags_have_no_pdf_without_a_file(make_study):
    names = [name for name, _ in citation_meta(loaded(make_study()), BASE_URL)]
    assert "citation_pdf_url" not in names


def test_json_ld_describes_a_report(report):
    assert json_ld(report, BASE_URL) == {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": "Online Sexual Exploitation of Children in the Philippines",
        "alternateName": "OSEC Philippines",
        "description": "How many children…",
        "author": [
            {"@type": "Person", "name": "Robin Haarr", "familyName": "Haarr", "givenName": "Robin"},
            {"@type": "Organization", "name": "International Justice Mission"},
        ],
        "datePublished": "2020-05",
        "inLanguage": "en",
        "genre": "Crime prevalence study",
        "about": {"@type": "Thing", "name": "Sex trafficking"},
        "spatialCoverage": [{"@type": "Country", "name": "Country PH", "identifier": "PH"}],
        "url": "https://library.example.org/studies/osec/",
    }


def test_json_ld_calls_a_white_paper_a_report_too(make_study):
    white_paper = loaded(make_study(types=["article-or-white-paper"]))
    assert json_ld(white_paper, BASE_URL)["@type"] == "Report"


def test_json_ld_identifies_publisher_and_authors(make_study, make_author):
    ijm = make_author("International Justice Mission", ror="https://ror.org/03yrm5c26")
    haarr = make_author("Robin Haarr", kind=Author.Kind.PERSON, orcid="0000-0002-1825-0097")
    study = loaded(
        make_study(
            authors=[haarr, ijm],
            publisher=ijm,
            rights="CC BY 4.0",
            license_url="https://creativecommons.org/licenses/by/4.0/",
        )
    )
    data = json_ld(study, BASE_URL)
    ror = "https://ror.org/03yrm5c26"
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "International Justice Mission",
        "identifier": ror,
        "sameAs": ror,
    }
    assert data["author"][0]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["author"][1]["identifier"] == ror
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["copyrightNotice"] == "CC BY 4.0"


def test_json_ld_script_cannot_close_the_script_element():
    script = json_ld_script({"name": "</script><script>alert(1)</script> & more"})
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script) == {"name": "</script><script>alert(1)</script> & more"}


def test_formatting_a_loaded_study_makes_no_query(report, django_assert_num_queries):
    with django_assert_num_queries(0):
        to_bibtex(report, BASE_URL)
        to_ris(report, BASE_URL)
        to_csl_json(report, BASE_URL)
        csv_row(report, BASE_URL)
        citation_context(report, BASE_URL)


# --- The partials --------------------------------------------------------------------------------
def test_cite_box_shows_the_reference_and_a_download_per_format(report):
    html = render_to_string(
        "studies/includes/cite_box.html", {"study": report, **citation_context(report, BASE_URL)}
    )
    assert "<h2" in html and "Cite this study" in html
    assert "<cite>Online Sexual Exploitation of Children in the Philippines</cite>" in html
    assert '<a href="/studies/osec/cite.bib">BibTeX</a>' in html
    assert '<a href="/studies/osec/cite.ris">RIS</a>' in html
    assert '<a href="/studies/osec/cite.json">CSL-JSON</a>' in html


def test_citation_meta_partial_renders_tags_and_json_ld(make_study):
    study = loaded(make_study("Tom & Jerry </script>"))
    html = render_to_string(
        "studies/includes/citation_meta.html", citation_context(study, BASE_URL)
    )
    assert '<meta name="citation_title" content="Tom &amp; Jerry &lt;/script&gt;">' in html
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(script.group(1))["name"] == "Tom & Jerry </script>"
