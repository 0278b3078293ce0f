"""Searches people type: US and UK spellings, the field's acronyms and the curators' own synonyms,
applied by the database's search query, so the list, the API, exports and the feed agree."""

import importlib

import pytest
from django.db import IntegrityError, connection, transaction

from studies.models import SearchSynonym, Study

LIST_URL = "/studies/"
API_URL = "/api/studies/"
SEEDING = importlib.import_module("studies.migrations.0016_search_synonyms")


@pytest.fixture
def seeded(db):
    """The synonyms migration 0016 seeds (a test that flushed the database may have removed
    them, so they are put back rather than assumed)."""
    for term, also_finds in SEEDING.SEEDED:
        SearchSynonym.objects.get_or_create(term=term, defaults={"also_finds": also_finds})


def api_titles(client, query: str, **params) -> set[str]:
    response = client.get(API_URL, {"q": query, "page_size": "100", **params})
    assert response.status_code == 200, response.content
    return {study["title"] for study in response.json()["results"]}


# --- spellings and acronyms on the demo library -------------------------------------------------
def test_labor_finds_the_studies_labour_finds(client, demo_data, seeded):
    labour = api_titles(client, "labour")
    assert len(labour) >= 4
    assert "Labour Trafficking in Cambodia" in labour
    assert api_titles(client, "labor") == labour
    assert api_titles(client, "Labors") == labour  # another form of the word expands too


def test_without_the_synonym_labor_misses_them(client, demo_data, seeded):
    SearchSynonym.objects.filter(term="labor").delete()
    assert "Labour Trafficking in Cambodia" not in api_titles(client, "labor")


def test_the_html_list_finds_the_same_as_the_api(client, demo_data, seeded):
    page = client.get(LIST_URL, {"q": "labor"})
    listed = {study.title for study in page.context["page"].object_list}
    assert listed == api_titles(client, "labour")


@pytest.mark.parametrize(
    "acronym, title",
    [
        ("OSEC", "Online Sexual Exploitation of Children in the Philippines"),
        ("osec", "Online Sexual Exploitation of Children in the Philippines"),
        ("CSEC", "Commercial Sexual Exploitation of Children in the Dominican Republic"),
        ("CSEM", "Scale of Harm"),
    ],
)
def test_an_acronym_finds_what_it_stands_for(client, demo_data, seeded, acronym, title):
    assert any(found.startswith(title) for found in api_titles(client, acronym)), api_titles(
        client, acronym
    )


def test_osec_finds_the_studies_its_words_find(client, demo_data, seeded):
    words = api_titles(client, "online sexual exploitation of children")
    assert words and api_titles(client, "OSEC") >= words


def test_synonyms_apply_inside_phrases_and_exclusions(client, make_study, seeded):
    make_study("Forced labour in fishing")
    make_study("Forced marriage")
    assert api_titles(client, '"forced labor"') == {"Forced labour in fishing"}
    assert api_titles(client, "forced -labor") == {"Forced marriage"}
    assert api_titles(client, "labor or marriage") == {
        "Forced labour in fishing",
        "Forced marriage",
    }


def test_a_hyphenated_word_is_found(client, make_study, seeded):
    """The query is read back as a tsquery with a cast: to_tsquery split “gender-bas” again into
    three words, which no document holds in a row, so such a search found nothing."""
    make_study("Ending gender-based violence", description="An anti-trafficking review.")
    assert api_titles(client, "gender-based") == {"Ending gender-based violence"}
    assert api_titles(client, "anti-trafficking") == {"Ending gender-based violence"}
    assert api_titles(client, "GBV") == {"Ending gender-based violence"}


# --- curators keep them in the admin ------------------------------------------------------------
ADD_URL = "/admin/studies/searchsynonym/add/"


def test_a_synonym_added_in_the_admin_changes_what_search_finds(admin_client, make_study):
    make_study("Debt bondage in brick kilns")
    assert api_titles(admin_client, "peonage") == set()
    page = admin_client.get(LIST_URL, {"q": "peonage"})  # counts now cached for this search
    assert page.context["page"].paginator.count == 0

    response = admin_client.post(ADD_URL, {"term": "peonage", "also_finds": "debt bondage"})
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert api_titles(admin_client, "peonage") == {"Debt bondage in brick kilns"}
    page = admin_client.get(LIST_URL, {"q": "peonage"})
    assert page.context["page"].paginator.count == 1
    assert "Debt bondage in brick kilns" in page.content.decode()
    countries = {b["name"]: b for b in page.context["facet_blocks"]}["country"]["options"]
    assert {option["value"]: option["count"] for option in countries}["multiple"] == 1


def test_a_synonym_added_in_the_admin_is_in_its_history(admin_client, db):
    admin_client.post(ADD_URL, {"term": "peonage", "also_finds": "debt bondage"})
    synonym = SearchSynonym.objects.get(term="peonage")
    assert [event.pgh_label for event in synonym.events.all()] == ["insert"]
    history = admin_client.get(f"/admin/studies/searchsynonym/{synonym.pk}/history/")
    assert history.status_code == 200


def test_the_admin_tidies_spaces_and_stray_commas(admin_client, db):
    admin_client.post(ADD_URL, {"term": "  peonage ", "also_finds": " debt   bondage ,, serfdom,"})
    synonym = SearchSynonym.objects.get(also_finds="debt bondage, serfdom")
    assert synonym.term == "peonage"


@pytest.mark.parametrize(
    "term, also_finds, field, message",
    [
        ("", "labour", "term", "This field is required."),
        ("   ", "labour", "term", "This field is required."),
        ("labor", "", "also_finds", "This field is required."),
        ("forced labor", "labour", None, "The term must be one word that search keeps"),
        ("the", "labour", None, "The term must be one word that search keeps"),
        ("labor", "the, of", None, "each needs a word that search keeps"),
        ("labor", " , ", None, "each needs a word that search keeps"),
        ("LABORS", "labourers", None, "This word, or another form of it, already has synonyms"),
    ],
)
def test_the_admin_form_refuses_what_search_cannot_use(
    admin_client, seeded, term, also_finds, field, message
):
    before = SearchSynonym.objects.count()
    response = admin_client.post(ADD_URL, {"term": term, "also_finds": also_finds})
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors.get(field or "__all__", [])), errors
    assert SearchSynonym.objects.count() == before


@pytest.mark.parametrize(
    "term, also_finds, constraint",
    [
        ("labor", "labourers", "searchsynonym_term_is_unique"),
        ("Labors", "labourers", "searchsynonym_term_is_unique"),
        ("two words", "labour", "searchsynonym_term_is_one_word"),
        ("", "labour", "searchsynonym_term_is_one_word"),
        ("peonage", "", "searchsynonym_also_finds_words"),
        ("peonage", "debt bondage, the", "searchsynonym_also_finds_words"),
        ("peonage", "it's", "searchsynonym_also_finds_words"),
        ("peonage", "'''", "searchsynonym_also_finds_words"),
    ],
)
def test_the_database_refuses_them_too(seeded, term, also_finds, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        SearchSynonym.objects.create(term=term, also_finds=also_finds)


WEIRD = [
    "it's bondage",
    "a & b | !c",
    "x:* <-> y",
    "back\\slash",
    "''' bondage '",
    '"quoted phrase"',
    "(brackets)",
    "café naïve",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("also_finds", WEIRD)
def test_odd_text_in_a_synonym_never_breaks_search(client, make_study, also_finds):
    make_study("A study of peonage")
    SearchSynonym.objects.create(term="peonage", also_finds=f"{also_finds}, serfdom")
    make_study("Serfdom today")
    for url in [API_URL, LIST_URL, "/studies/feed/", "/studies/export.csv"]:
        response = client.get(url, {"q": "peonage"})
        assert response.status_code == 200, url
    assert {"A study of peonage", "Serfdom today"} <= api_titles(client, "peonage")


def test_synonyms_are_escaped_in_the_admin(admin_client, db):
    SearchSynonym.objects.create(term="peonage", also_finds="<script>alert(1)</script>")
    html = admin_client.get("/admin/studies/searchsynonym/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- cost -----------------------------------------------------------------------------------------
def test_the_search_query_is_built_once_per_statement_not_per_row(make_study, seeded):
    """studies_prefix_query reads the synonym table, so it is STABLE: called per row it would
    look the synonyms up for every study ranked. As a scalar subquery it is an InitPlan."""
    make_study("Forced labour")
    queryset = Study.objects.published().matching("labor").order_by("-search_rank")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")  # a sequential scan: a filter per row
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN (VERBOSE, COSTS OFF) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "InitPlan" in plan
    per_row = [line for line in plan.splitlines() if "studies_prefix_query" in line]
    assert all("Output: studies_prefix_query" in line for line in per_row), plan
    assert len(queryset) == 1
