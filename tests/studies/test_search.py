"""Search that forgives: ranking, prefixes, accents, typos, aliases and empty results."""

import datetime
import re

import pytest

from studies.models import Author, Country, Study, Subject

LIST_URL = "/studies/"


def titles(response) -> list[str]:
    return [study.title for study in response.context["page"].object_list]


def test_title_match_ranks_above_description_match(client, make_study):
    make_study(
        "Annual report", description="Mentions widows once.", month=datetime.date(2020, 1, 1)
    )
    make_study("Widows and land", description="Nothing else.", month=datetime.date(2010, 1, 1))
    assert titles(client.get(LIST_URL, {"q": "widows"})) == ["Widows and land", "Annual report"]


def test_relevance_is_the_default_order_when_searching(client, make_study):
    make_study("Widows", month=datetime.date(2010, 1, 1))
    response = client.get(LIST_URL, {"q": "widows"})
    assert response.context["sort"] == "relevance"
    assert client.get(LIST_URL).context["sort"] == "newest"


def test_prefix_finds_longer_words(client, make_study):
    make_study("Labour trafficking in Cambodia")
    assert titles(client.get(LIST_URL, {"q": "traffick"})) == ["Labour trafficking in Cambodia"]


def test_search_ignores_accents(client, make_study):
    make_study("Violencia sexual en Bogotá")
    assert titles(client.get(LIST_URL, {"q": "bogota"})) == ["Violencia sexual en Bogotá"]


def test_websearch_syntax_phrase_and_exclusion(client, make_study):
    other = Subject.objects.create(name="Labour", slug="labour")
    make_study("Sex trafficking in Manila", subject=other)
    make_study("Sex trafficking in Cebu", subject=other)
    make_study("Trafficking of sex workers", subject=other)
    response = client.get(LIST_URL, {"q": '"sex trafficking" -manila'})
    assert titles(response) == ["Sex trafficking in Cebu"]


def test_search_covers_authors_subject_and_country(client, make_study, make_author):
    make_study("Plain title", countries=["KH"], authors=[make_author("Robin Haarr", kind="person")])
    Country.objects.filter(code="KH").update(name="Cambodia")
    for query in ["haarr", "cambodia", "sex trafficking"]:
        assert titles(client.get(LIST_URL, {"q": query})) == ["Plain title"], query


def test_renaming_an_author_updates_the_search_index(client, make_study, make_author):
    author = make_author("Andrew Jones and Associates")
    make_study("Evaluation of Project Lantern", authors=[author])
    Author.objects.filter(pk=author.pk).update(name="Crime and Justice Analysts")
    assert titles(client.get(LIST_URL, {"q": "analysts"})) == ["Evaluation of Project Lantern"]
    assert titles(client.get(LIST_URL, {"q": "andrew"})) == []


def test_matched_words_are_highlighted_and_text_is_escaped(client, make_study):
    make_study("Report", description="Widows <script>alert(1)</script> lose land to relatives.")
    html = client.get(LIST_URL, {"q": "widows"}).content.decode()
    assert "<mark>Widows</mark>" in html
    assert "<script>alert(1)</script>" not in html


def test_a_snippet_shows_distant_matches_as_two_fragments(client, make_study):
    filler = " ".join(f"word{n}" for n in range(60))
    make_study(
        "Report", description=f"Widows lose land. {filler} Widows go to court. {filler} The end."
    )
    response = client.get(LIST_URL, {"q": "widows"})
    snippet = response.context["page"].object_list[0].search_headline
    assert snippet.count("\x02Widows\x03") == 2
    assert " … " in snippet and "The end" not in snippet


@pytest.mark.parametrize(
    "query, expected_title",
    [
        ("prevalance", "Commercial Sexual Exploitation of Children in Cambodia"),
        ("Cambodai", "Labour Trafficking in Cambodia"),
        ("Gautemala", "Guatemalan Criminal Justice System Performance Study, 2008-2012"),
        ("DR", "Commercial Sexual Exploitation of Children in the Dominican Republic"),
        (
            "Dominican Republic",
            "Commercial Sexual Exploitation of Children in the Dominican Republic",
        ),
        ("Filipino", "Scale of Harm"),  # only the Philippines' aliases hold this word
    ],
)
def test_typos_and_aliases_find_the_right_study(client, demo_data, query, expected_title):
    assert expected_title in titles(client.get(LIST_URL, {"q": query}))


def test_country_aliases_are_what_finds_the_study(client, demo_data):
    from studies.models import Country

    assert titles(client.get(LIST_URL, {"q": "DR"}))
    Country.objects.filter(code="DO").update(aliases="")
    assert "Commercial Sexual Exploitation of Children in the Dominican Republic" not in titles(
        client.get(LIST_URL, {"q": "DR"})
    )


def test_corrected_search_says_what_it_searched_for(client, demo_data):
    html = client.get(LIST_URL, {"q": "Gautemala"}).content.decode()
    assert "No study matches “Gautemala”. Showing results for" in html
    assert "guatemala" in html


def test_corrected_search_is_named_once(client, demo_data):
    """The notice says what it searched for once (not “…for “guatemala” instead. Did you mean
    guatemala?”), and no other notice repeats it."""
    response = client.get(LIST_URL, {"q": "Gautemala"})
    notice = response.content.decode().split('class="did-you-mean">')[1].split("</p>")[0]
    assert re.sub(r"<[^>]+>", "", notice).count("guatemala") == 1, notice
    assert "Did you mean" not in notice
    assert not any("guatemala" in str(notice) for notice in response.context["notices"])


def test_empty_result_says_which_filter_to_drop(client, demo_data):
    response = client.get(LIST_URL, {"country": "KH", "subject": "land-theft"})
    html = response.content.decode()
    assert "0 studies found" in html
    assert "Remove the country filter</a> to see 4 studies" in html
    assert "Remove the subject filter</a> to see 5 studies" in html


def test_month_range_filter(client, demo_data):
    response = client.get(LIST_URL, {"from": "2014-03", "to": "2014-10"})
    assert set(titles(response)) == {
        "Strengthening the Performance of the Ugandan Public Justice System",
        "Property Grabbing from Ugandan Widows and the Public Justice System Response",
    }


@pytest.mark.parametrize("bad", ["2014-13", "march", "14-03", "2014-3-1"])
def test_malformed_month_is_ignored_with_a_notice(client, demo_data, bad):
    response = client.get(LIST_URL, {"from": bad})
    assert response.status_code == 200
    assert "Ignored from month" in response.content.decode()
    assert len(response.context["page"].object_list) == 20


def bar_counts(response) -> dict[int, int]:
    return {bar["year"]: bar["count"] for bar in response.context["year_bars"]}


def test_year_histogram_counts_the_result_set(client, demo_data):
    histogram = bar_counts(client.get(LIST_URL))
    assert histogram[2018] == 7
    assert sum(histogram.values()) == 26
    cambodia = bar_counts(client.get(LIST_URL, {"country": "KH"}))
    assert cambodia == {2011: 1, 2012: 0, 2013: 1, 2014: 0, 2015: 1, 2016: 1, 2017: 0, 2018: 1}


def test_year_histogram_shows_empty_years_without_a_link(client, demo_data):
    html = client.get(LIST_URL, {"country": "KH"}).content.decode()
    histogram = html.split('class="histogram"')[1].split("</figure>")[0]
    assert '<span class="empty"><span class="year">2012</span>' in histogram
    assert "year_from=2012" not in histogram
    assert "year_from=2013&amp;year_to=2013" in histogram


def test_facet_counts_match_a_hand_count_of_the_demo_studies(client, demo_data):
    blocks = {b["name"]: b for b in client.get(LIST_URL).context["facet_blocks"]}
    countries = {o["value"]: o["count"] for o in blocks["country"]["options"]}
    assert countries == {
        "AU": 1, "KH": 5, "DO": 1, "GH": 2, "GT": 3, "IN": 1, "PH": 7, "TH": 2, "UG": 4,
        "multiple": 4,
    }  # fmt: skip
    types = {o["value"]: o["count"] for o in blocks["type"]["options"]}
    assert types["crime-prevalence-study"] == 8
    assert types["program-evaluation"] == 4
    subjects = {o["value"]: o["count"] for o in blocks["subject"]["options"]}
    assert subjects["sex-trafficking"] == 9 and subjects["land-theft"] == 4


def test_facet_counts_given_other_filters_on_demo_studies(client, demo_data):
    response = client.get(LIST_URL, {"subject": "sex-trafficking"})
    blocks = {b["name"]: b for b in response.context["facet_blocks"]}
    countries = {o["value"]: o["count"] for o in blocks["country"]["options"]}
    assert countries["KH"] == 3 and countries["PH"] == 4 and countries["UG"] == 0
    assert Study.objects.published().filter(subject__slug="sex-trafficking").count() == 9


ODD_QUERIES = [
    "example.com/it's",
    "www.ijm.org/what's-new",
    "'''",
    '"unclosed',
    "a:* & !b <-> c",
    "-",
    "or or",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
@pytest.mark.parametrize(
    "url", ["/studies/", "/api/studies/", "/studies/feed/", "/studies/export.csv"]
)
def test_odd_search_text_never_breaks_a_page(client, make_study, url, query):
    make_study("It's a study of trafficking")
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


def test_zero_result_query_count_does_not_grow_with_words(client, make_study):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_study("Widows and land")
    with CaptureQueriesContext(connection) as one_word:
        client.get(LIST_URL, {"q": "zzyzx", "country": "KH"})
    cache.clear()  # the first page cached the vocabularies' names: count both from cold
    with CaptureQueriesContext(connection) as many_words:
        client.get(LIST_URL, {"q": "zzyzx qqxq wwvw ppqp xxkx jjzj", "country": "KH"})
    assert len(many_words) == len(one_word)
