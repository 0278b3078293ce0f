"""The public JSON API: the same filters as the study list, strict about bad input, documented."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.filters import ValueListFilter
from studies.api import SEARCHED_FIELDS
from studies.filters import (
    MAX_QUERY_LENGTH,
    SORT_CHOICES,
    MonthField,
    StudyFilterSet,
    YearField,
)
from studies.models import Country, Study, Subject

LIST_URL = "/api/studies/"
OPENAPI_URL = "/api/openapi.json"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [study["title"] for study in response.json()["results"]]


def errors(response) -> list[str]:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


@pytest.fixture
def many_studies(make_study, make_author):
    """45 published studies, a month apart: “Study number 00” is the oldest."""
    author = make_author()
    for n in range(45):
        make_study(
            f"Study number {n:02}",
            countries=["KH"],
            authors=[author],
            month=datetime.date(1980 + n // 12, n % 12 + 1, 1),
        )


@pytest.fixture
def openapi_document(client):
    return client.get(OPENAPI_URL).json()


def assert_conforms(data, schema_name: str, document: dict) -> None:
    """`data` matches the named schema of the API's own OpenAPI document."""
    # Imported here so that only these tests fail if the dev dependency is missing.
    from openapi_schema_validator import OAS31Validator

    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    OAS31Validator(schema).validate(data)


# --- the list and its pages ---------------------------------------------------------------------
def test_list_gives_published_studies_newest_first(client, library):
    response = client.get(LIST_URL)
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 5
    assert titles(response) == [
        "Justice Review",
        "Philippines evaluation",
        "Cambodia evaluation",
        "Uganda widows",
        "Cambodia prevalence",
    ]


def test_first_page_has_twenty_studies_and_links_to_the_next(client, many_studies):
    body = client.get(LIST_URL).json()
    assert (body["count"], body["page"], body["page_size"], body["num_pages"]) == (45, 1, 20, 3)
    assert len(body["results"]) == 20
    assert body["next"] == "http://testserver/api/studies/?page=2"
    assert body["previous"] is None


def test_last_page_has_the_rest_and_links_to_the_previous(client, many_studies):
    body = client.get(LIST_URL, {"page": "3"}).json()
    assert [study["title"] for study in body["results"]] == [
        f"Study number {n:02}" for n in range(4, -1, -1)
    ]
    assert body["next"] is None
    assert body["previous"] == "http://testserver/api/studies/?page=2"


def test_page_links_keep_the_filters_and_page_size(client, many_studies):
    body = client.get(f"{LIST_URL}?country=kh&page_size=10&page=2").json()
    assert body["next"] == "http://testserver/api/studies/?country=kh&page_size=10&page=3"
    assert body["previous"] == "http://testserver/api/studies/?country=kh&page_size=10&page=1"


@pytest.mark.parametrize("page_size, pages, shown", [("7", 7, 7), ("45", 1, 45), ("100", 1, 45)])
def test_page_size_can_be_chosen_up_to_a_hundred(client, many_studies, page_size, pages, shown):
    body = client.get(LIST_URL, {"page_size": page_size}).json()
    assert body["page_size"] == int(page_size)
    assert body["num_pages"] == pages
    assert len(body["results"]) == shown


def test_no_match_is_one_empty_page(client, library):
    body = client.get(LIST_URL, {"q": "nothing matches this"}).json()
    assert (body["count"], body["page"], body["num_pages"], body["results"]) == (0, 1, 1, [])


# --- what a study looks like --------------------------------------------------------------------
def test_study_has_every_documented_field(client, make_study, make_author):
    study = make_study(
        "Child Sex Trafficking in Metro Manila",
        slug="metro-manila",
        short_title="IJM Manila",
        description="A study measuring the prevalence…",
        countries=["PH"],
        types=["crime-prevalence-study"],
        authors=[make_author("International Justice Mission"), make_author("Ana Cruz", "person")],
        external_url="https://example.org/manila.pdf",
    )
    [item] = client.get(LIST_URL).json()["results"]
    updated_at = item.pop("updated_at")
    assert item == {
        "slug": "metro-manila",
        "url": "http://testserver/studies/metro-manila/",
        "api_url": "http://testserver/api/studies/metro-manila/",
        "title": "Child Sex Trafficking in Metro Manila",
        "short_title": "IJM Manila",
        "description": "A study measuring the prevalence…",
        "authors": [
            {
                "name": "International Justice Mission",
                "kind": "organisation",
                "slug": "international-justice-mission",
                "identifier": None,
            },
            {"name": "Ana Cruz", "kind": "person", "slug": "ana-cruz", "identifier": None},
        ],
        "publisher": None,
        "citation_key": "international2018child",
        "language": "en",
        "rights": "",
        "license_url": None,
        "resource_types": [{"slug": "crime-prevalence-study", "name": "Crime prevalence study"}],
        "publication_month": "2018-05",
        "countries": [{"code": "PH", "name": "Country PH"}],
        "multiple_countries": False,
        "subject": {"slug": "sex-trafficking", "name": "Sex trafficking"},
        "download_url": "https://example.org/manila.pdf",
    }
    assert datetime.datetime.fromisoformat(updated_at) == study.updated_at


def test_study_names_its_publisher_and_identifiers(client, make_study, make_author):
    ijm = make_author("International Justice Mission", ror="https://ror.org/03yrm5c26")
    cruz = make_author("Ana Cruz", "person", orcid="0000-0002-1825-0097")
    make_study(
        authors=[cruz, ijm],
        publisher=ijm,
        rights="CC BY 4.0",
        license_url="https://creativecommons.org/licenses/by/4.0/",
    )
    [item] = client.get(LIST_URL).json()["results"]
    assert item["publisher"]["identifier"] == "https://ror.org/03yrm5c26"
    assert item["authors"][0]["identifier"] == "https://orcid.org/0000-0002-1825-0097"
    assert (item["rights"], item["license_url"]) == (
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )


def test_authors_are_in_credited_order(client, make_study, make_author):
    zed, abel = make_author("Zed Org"), make_author("Abel Org")
    make_study(authors=[zed, abel])
    [item] = client.get(LIST_URL).json()["results"]
    assert [author["name"] for author in item["authors"]] == ["Zed Org", "Abel Org"]


def test_uploaded_pdf_gives_an_absolute_download_url(client, make_study):
    make_study(
        slug="ijm-manila", pdf="studies/manila.pdf", external_url="https://example.org/other.pdf"
    )
    [item] = client.get(LIST_URL).json()["results"]
    assert item["download_url"] == "http://testserver/studies/ijm-manila/file.pdf"


def test_study_without_file_has_null_download_url(client, make_study):
    make_study()
    assert client.get(LIST_URL).json()["results"][0]["download_url"] is None


# --- filters ----------------------------------------------------------------------------------
def test_country_filter_is_case_insensitive(client, library):
    assert client.get(LIST_URL, {"country": "kh"}).json()["count"] == 3
    assert client.get(LIST_URL, {"country": "KH"}).json()["count"] == 3


def test_repeated_country_values_are_ored(client, library):
    assert client.get(f"{LIST_URL}?country=kh&country=ph").json()["count"] == 4


def test_comma_separated_values_are_ored(client, library):
    assert set(titles(client.get(LIST_URL, {"country": "UG,PH"}))) == {
        "Uganda widows",
        "Philippines evaluation",
    }


def test_multiple_countries_filter(client, library):
    assert titles(client.get(LIST_URL, {"country": "multiple"})) == ["Justice Review"]


def test_filters_are_anded_across_parameters(client, library):
    response = client.get(LIST_URL, {"country": "KH", "type": "program-evaluation"})
    assert titles(response) == ["Cambodia evaluation"]


def test_subject_filter(client, library):
    assert titles(client.get(LIST_URL, {"subject": "land-theft"})) == ["Uganda widows"]


def test_type_filter(client, library):
    assert titles(client.get(LIST_URL, {"type": "program-evaluation"})) == [
        "Philippines evaluation",
        "Cambodia evaluation",
    ]


def test_author_filter_ors_and_keeps_each_study_once(client, library):
    response = client.get(f"{LIST_URL}?author=robin-haarr&author=international-justice-mission")
    assert titles(response) == [
        "Philippines evaluation",
        "Cambodia evaluation",
        "Cambodia prevalence",
    ]


def test_year_range_filter(client, library):
    response = client.get(LIST_URL, {"year_from": "2014", "year_to": "2015"})
    assert titles(response) == ["Cambodia evaluation", "Uganda widows"]


def test_keyword_search_covers_author_names(client, library):
    response = client.get(LIST_URL, {"q": "haarr"})
    assert titles(response) == ["Philippines evaluation", "Cambodia evaluation"]


def test_sort_by_oldest_and_by_title(client, library):
    assert titles(client.get(LIST_URL, {"sort": "oldest"}))[0] == "Cambodia prevalence"
    assert titles(client.get(LIST_URL, {"sort": "title"}))[0] == "Cambodia evaluation"


EMPTY_VALUES = [
    (name, value)
    for name in [*StudyFilterSet.base_filters, "page", "page_size"]
    for value in ["", "%20%20"] + (["%2C%20%2C"] if name in {"country", "subject"} else [])
]


@pytest.mark.parametrize("name, value", EMPTY_VALUES)
def test_an_empty_parameter_is_a_400_not_an_absent_filter(client, library, name, value):
    """`?to=` from a program is an unfilled variable: answering as if it were absent would
    return plausible but wrong data (OpenAPI: no parameter allows an empty value)."""
    response = client.get(f"{LIST_URL}?{name}={value}")
    assert f"{name} is empty: give it a value, or leave the parameter out." in errors(response)


def test_a_list_of_values_may_end_with_a_comma(client, library):
    assert client.get(LIST_URL, {"country": "kh,"}).json()["count"] == 3


def test_demo_data_through_the_api_matches_the_list_page(client, demo_data):
    assert client.get(LIST_URL).json()["count"] == 26
    cambodia = client.get(LIST_URL, {"country": "KH", "page_size": "100"})
    assert cambodia.json()["count"] == 5
    assert "Commercial Sexual Exploitation of Children in Cambodia" in titles(cambodia)


# --- bad input is a 400 that says what is wrong ---------------------------------------------------
@pytest.mark.parametrize(
    "query, message",
    [
        ("page=abc", "page “abc” is not a whole number."),
        ("page=1.5", "page “1.5” is not a whole number."),
        ("page=0", "page must be 1 or more, not 0."),
        ("page=-3", "page must be 1 or more, not -3."),
        ("page=99999", "There is no page 99,999; the last page is 1."),
        ("page=" + "9" * 5000, "is far too large."),
        ("page_size=1000", "page_size must be at most 100, not 1,000."),
        ("page_size=0", "page_size must be 1 or more, not 0."),
        ("page_size=ten", "page_size “ten” is not a whole number."),
        ("country=zz", "Ignored unknown country “ZZ”: no such country in the library."),
        ("country=kh&country=zz", "Ignored unknown country “ZZ”"),
        ("year_from=abc", "Ignored year from “abc”"),
        ("year_to=99999999999999999999", "Ignored year to"),
        ("year_from=2016&year_to=2014", "nothing can match"),
        ("from=2016-05&to=2016-03", "nothing can match"),
        ("year_from=2017&to=2016-06", "nothing can match"),
        ("q=" + "x" * 10_000, "q is 10,000 characters long; a search may be at most 200"),
        ("subject=%00", "Ignored unknown subject"),
        ("q=%00", "Null characters are not allowed"),
        ("sort=drop", "Ignored sort “drop”"),
        ("contry=KH", "Unknown parameter “contry”"),
        ("year_from=2010&year_from=2012", "year_from may be given only once."),
        ("page=1&page=2", "page may be given only once."),
    ],
)
def test_malformed_input_is_a_400_listing_the_problem(client, library, query, message):
    response = client.get(f"{LIST_URL}?{query}")
    assert response["Content-Type"] == "application/json"
    assert any(message in error for error in errors(response)), errors(response)


def test_every_problem_is_reported_at_once(client, library):
    response = client.get(LIST_URL, {"country": "zz", "page": "abc", "page_size": "1000"})
    assert len(errors(response)) == 3


def test_unknown_parameter_error_names_the_known_ones(client, library):
    [error] = errors(client.get(LIST_URL, {"colour": "red"}))
    for name in [*StudyFilterSet.base_filters, "page", "page_size"]:
        assert name in error


def test_a_search_too_long_is_refused_not_shortened(client, library):
    """The HTML list shortens a long search and says so; the API searches nothing and says that."""
    [error] = errors(client.get(LIST_URL, {"q": "cambodia " * 30}))
    assert error == "q is 270 characters long; a search may be at most 200 characters."
    assert "used" not in error


def test_a_search_of_the_longest_length_is_answered(client, library):
    assert client.get(LIST_URL, {"q": "x" * MAX_QUERY_LENGTH}).status_code == 200


# --- methods: the API only reads ----------------------------------------------------------------
API_URLS = [LIST_URL, f"{LIST_URL}cambodia-prevalence/", OPENAPI_URL]


@pytest.mark.parametrize("url", API_URLS, ids=["list", "detail", "openapi"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_other_methods_are_a_json_405_naming_the_allowed_ones(library, url, method):
    # A browser-like client that enforces CSRF: the 405 must come before Django's HTML 403.
    response = getattr(Client(enforce_csrf_checks=True), method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": ["The API is read-only: it answers GET, HEAD and OPTIONS."]
    }


def test_a_405_changes_nothing(library):
    before = list(Study.objects.values_list("slug", "title", "updated_at").order_by("slug"))
    Client(enforce_csrf_checks=True).delete(f"{LIST_URL}cambodia-prevalence/")
    after = list(Study.objects.values_list("slug", "title", "updated_at").order_by("slug"))
    assert after == before


@pytest.mark.parametrize("url", API_URLS, ids=["list", "detail", "openapi"])
def test_options_names_the_methods_for_a_cors_preflight(client, library, url):
    response = client.options(url, headers={"Origin": "https://example.org"})
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_head_answers_like_get_without_a_body(client, library):
    response = client.head(LIST_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


# --- one study --------------------------------------------------------------------------------
def test_detail_gives_the_study_as_in_the_list(client, library):
    listed = client.get(LIST_URL, {"q": "Uganda"}).json()["results"][0]
    response = client.get(listed["api_url"])
    assert response.status_code == 200
    assert response.json() == listed


def test_detail_of_a_draft_is_a_json_404(client, library):
    draft = Study.objects.get(title="Draft study")
    response = client.get(f"{LIST_URL}{draft.slug}/")
    assert response.status_code == 404
    assert response.json() == {"errors": ["No published study with this slug."]}


@pytest.mark.parametrize(
    "slug",
    ["no-such-study", "%C3%A9tude", "étude", "a%20b", "UPPER", "%F0%9F%98%80", "x" * 300],
    ids=["ascii", "percent-encoded", "non-ascii", "space", "upper-case", "emoji", "long"],
)
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_detail_of_an_unknown_slug_is_a_json_404(client, db, settings, slug, debug):
    settings.DEBUG = debug  # with DEBUG on, Django's own 404 page would be HTML
    response = client.get(f"{LIST_URL}{slug}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": ["No published study with this slug."]}


@pytest.mark.parametrize(
    "url", ["/api/", "/api/nothing", "/api/studies/a/b/", "/api/%C3%A9/", "/api/openapi.yaml"]
)
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_other_api_address_is_a_json_404(db, settings, url, debug, method):
    settings.DEBUG = debug
    response = getattr(Client(enforce_csrf_checks=True), method)(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["errors"] == ["There is nothing at this address."]


@pytest.mark.parametrize(
    "url, location",
    [
        ("/api/studies", "/api/studies/"),
        ("/api/studies?country=kh", "/api/studies/?country=kh"),
        ("/api/studies/cambodia-prevalence", "/api/studies/cambodia-prevalence/"),
    ],
)
def test_an_address_without_its_final_slash_redirects(client, library, url, location):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == location


# --- performance and headers ------------------------------------------------------------------
def test_query_count_does_not_depend_on_page_size(client, make_study, make_author):
    authors = [make_author("First Org"), make_author("Second Org")]
    for _ in range(60):
        make_study(countries=["KH", "PH"], authors=authors, types=["a", "b"])
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(LIST_URL, {"page_size": "5"}).json()["results"]) == 5
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(LIST_URL, {"page_size": "50"}).json()["results"]) == 50
    assert len(small) == len(large)
    assert len(large) <= 6


def test_detail_query_count_is_fixed(client, make_study, make_author):
    study = make_study(countries=["KH", "PH"], authors=[make_author()], types=["a", "b"])
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{LIST_URL}{study.slug}/")
    assert len(queries) <= 4


@pytest.mark.parametrize(
    "url",
    [LIST_URL, f"{LIST_URL}?page=abc", f"{LIST_URL}no-such-study/", OPENAPI_URL],
    ids=["list", "400", "404", "openapi"],
)
def test_any_origin_may_read_the_api(client, db, url):
    assert client.get(url)["Access-Control-Allow-Origin"] == "*"


# --- the OpenAPI document ---------------------------------------------------------------------
def test_openapi_document_is_valid_openapi_3_1(openapi_document):
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    validate(openapi_document, cls=OpenAPIV31SpecValidator)  # raises on the first mistake


def list_parameters(document) -> dict[str, dict]:
    operation = document["paths"]["/api/studies/"]["get"]
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def test_openapi_documents_every_parameter_the_list_accepts(openapi_document):
    documented = set(list_parameters(openapi_document))
    assert documented == {*StudyFilterSet.base_filters, "page", "page_size"}


def test_openapi_constraints_are_the_filters_own(openapi_document):
    """Each documented limit is the one the code applies, so the document cannot drift from it."""
    parameters = {name: p["schema"] for name, p in list_parameters(openapi_document).items()}
    year = YearField()
    for name in ["year_from", "year_to"]:
        assert (parameters[name]["minimum"], parameters[name]["maximum"]) == (
            year.min_value,
            year.max_value,
        )
    assert parameters["q"]["maxLength"] == MAX_QUERY_LENGTH
    assert parameters["sort"]["enum"] == [value for value, _label in SORT_CHOICES]
    assert parameters["page_size"]["maximum"] == 100


@pytest.mark.parametrize(
    "value",
    ["2014-03", "2014-3", "1900-01", "2100-12", "9999-12", "1899-12", "2014-13", "2014-00",
     "2014-003", "14-03", "2014/03", "2014-03-01", " 2014-03", "٢٠١٤-03", "abcd-ef"],
)  # fmt: skip
def test_openapi_month_pattern_accepts_exactly_what_the_filter_does(openapi_document, value):
    pattern = list_parameters(openapi_document)["to"]["schema"]["pattern"]
    try:
        MonthField().clean(value)
        accepted = value.strip() == value  # the filter forgives spaces; the document does not
    except Exception:
        accepted = False
    assert bool(re.search(pattern, value)) == accepted


def test_openapi_search_description_names_everything_searched(openapi_document):
    description = list_parameters(openapi_document)["q"]["description"]
    for field in SEARCHED_FIELDS:
        assert field in description


def test_openapi_search_description_follows_the_search_document(db):
    """The parts of `studies_search_document` (studies/sql/search.sql) are the documented ones:
    a part added there (a publisher, say) fails here until `SEARCHED_FIELDS` names it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('studies_search_document'::regproc)")
        [definition] = cursor.fetchone()
    sources = re.findall(
        r"p_title|p_short_title|studies_author_words|studies_subject|studies_country_words"
        r"|p_description|studies_file_text",
        definition.split("AS $function$", 1)[1],
    )
    assert list(dict.fromkeys(sources)) == [
        "p_title",
        "p_short_title",
        "studies_author_words",
        "studies_subject",
        "studies_country_words",
        "p_description",
        "studies_file_text",
    ]
    # Title and short title share one part; the files' text is stripped, not weighted.
    assert definition.count("setweight(") + definition.count("strip(") == len(SEARCHED_FIELDS) - 1


@pytest.mark.parametrize(
    "field, word",
    [
        ("title", "quokka"),
        ("short title", "wombat"),
        ("authors' names (and their other names)", "numbat"),
        ("subject", "bilby"),
        ("countries (and their other names)", "dugong"),
        ("description", "echidna"),
    ],
)
def test_search_covers_each_documented_field(client, make_study, make_author, field, word):
    assert field in SEARCHED_FIELDS
    author = make_author("Ordinary Org", alternate_names=word if "author" in field else "")
    subject = Subject.objects.create(
        name=f"{word} crime" if field == "subject" else "Other crime", slug="other-crime"
    )
    Country.objects.create(code="KH", name="Kampuchea", aliases=word if "countr" in field else "")
    make_study(
        f"Plain {word}" if field == "title" else "Plain",
        short_title=word if field == "short title" else "",
        description=word if field == "description" else "",
        authors=[author],
        subject=subject,
        countries=["KH"],
    )
    make_study("Unrelated")
    assert titles(client.get(LIST_URL, {"q": word})) == [
        f"Plain {word}" if field == "title" else "Plain"
    ]


def test_openapi_documents_repeatable_filters_as_exploded_arrays(openapi_document):
    repeatable = {
        name
        for name, parameter in list_parameters(openapi_document).items()
        if parameter["schema"]["type"] == "array" and parameter.get("explode") is True
    }
    assert repeatable == {
        name
        for name, field in StudyFilterSet.base_filters.items()
        if isinstance(field, ValueListFilter)
    }


def test_openapi_documents_both_endpoints_and_their_errors(openapi_document):
    paths = openapi_document["paths"]
    assert set(paths["/api/studies/"]["get"]["responses"]) == {"200", "400", "503"}
    assert set(paths["/api/studies/{slug}/"]["get"]["responses"]) == {"200", "404", "503"}


def test_list_response_matches_its_schema(client, library, openapi_document):
    assert_conforms(client.get(LIST_URL, {"page_size": "2"}).json(), "StudyPage", openapi_document)


def test_detail_response_matches_its_schema(client, make_study, openapi_document):
    study = make_study(pdf="studies/a.pdf", countries=["KH"])
    assert_conforms(client.get(f"{LIST_URL}{study.slug}/").json(), "Study", openapi_document)


def test_error_responses_match_their_schema(client, library, openapi_document):
    for url in [f"{LIST_URL}?page=abc", f"{LIST_URL}no-such-study/"]:
        assert_conforms(client.get(url).json(), "Errors", openapi_document)


def test_a_year_and_a_month_bounding_the_same_end_give_the_narrower_range(client, library):
    response = client.get(LIST_URL, {"year_from": "2014", "from": "2015-06", "year_to": "2017"})
    assert response.status_code == 200
    assert {study["title"] for study in response.json()["results"]} == {
        "Cambodia evaluation",
        "Philippines evaluation",
    }
