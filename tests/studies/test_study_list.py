"""The public list of studies: filters, facet counts, pagination and forgiving input."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

LIST_URL = "/studies/"


def found(response) -> int:
    match = re.search(r"(\d+) stud(?:y|ies) found", response.content.decode())
    assert match, "the page must say how many studies were found"
    return int(match.group(1))


def titles(response) -> list[str]:
    return [study.title for study in response.context["page"].object_list]


def test_lists_published_studies_newest_first(client, library):
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert found(response) == 5
    assert titles(response)[:2] == ["Justice Review", "Philippines evaluation"]
    assert "Draft study" not in response.content.decode()


def test_country_filter_is_case_insensitive(client, library):
    assert found(client.get(LIST_URL, {"country": "kh"})) == 3
    assert found(client.get(LIST_URL, {"country": "KH"})) == 3


def test_country_filter_ors_values_within_facet(client, library):
    response = client.get(f"{LIST_URL}?country=kh&country=ph")
    assert found(response) == 4


def test_country_filter_accepts_comma_separated_values(client, library):
    assert found(client.get(LIST_URL, {"country": "UG,PH"})) == 2


def test_multiple_countries_filter(client, library):
    response = client.get(LIST_URL, {"country": "multiple"})
    assert titles(response) == ["Justice Review"]


def test_filters_and_across_facets(client, library):
    response = client.get(LIST_URL, {"country": "KH", "type": "program-evaluation"})
    assert titles(response) == ["Cambodia evaluation"]


def test_subject_filter(client, library):
    assert titles(client.get(LIST_URL, {"subject": "land-theft"})) == ["Uganda widows"]


def test_author_filter_keeps_each_study_once(client, library):
    response = client.get(f"{LIST_URL}?author=robin-haarr&author=international-justice-mission")
    assert found(response) == 3
    assert len(titles(response)) == 3


def test_year_range_filter(client, library):
    response = client.get(LIST_URL, {"year_from": "2014", "year_to": "2015"})
    assert titles(response) == ["Cambodia evaluation", "Uganda widows"]


def test_keyword_search_covers_author_names(client, library):
    response = client.get(LIST_URL, {"q": "haarr"})
    assert set(titles(response)) == {"Cambodia evaluation", "Philippines evaluation"}


def test_sort_by_oldest_and_title(client, library):
    assert titles(client.get(LIST_URL, {"sort": "oldest"}))[0] == "Cambodia prevalence"
    assert titles(client.get(LIST_URL, {"sort": "title"}))[0] == "Cambodia evaluation"


def test_facet_counts_respect_the_other_filters(client, library):
    response = client.get(LIST_URL, {"type": "program-evaluation"})
    blocks = {block["name"]: block for block in response.context["facet_blocks"]}
    countries = {option["value"]: option["count"] for option in blocks["country"]["options"]}
    assert countries["KH"] == 1
    assert countries["PH"] == 1
    assert countries["UG"] == 0
    # The facet's own filter does not narrow its own counts: both types stay countable.
    types = {option["value"]: option["count"] for option in blocks["type"]["options"]}
    assert types == {"crime-prevalence-study": 3, "program-evaluation": 2}


def test_zero_count_options_are_shown_disabled(client, library):
    response = client.get(LIST_URL, {"subject": "land-theft"})
    html = response.content.decode()
    assert re.search(r'value="KH"\s+disabled', html)


def test_active_filters_show_as_removable_chips(client, library):
    response = client.get(f"{LIST_URL}?country=KH&country=PH&subject=land-theft")
    chips = {chip["label"]: chip["url"] for chip in response.context["chips"]}
    assert "Country: Cambodia" in chips or "Country: Country KH" in chips
    removal = [url for label, url in chips.items() if label.startswith("Subject")][0]
    assert "subject" not in removal and "country=KH" in removal and "country=PH" in removal
    assert "Clear all" in response.content.decode()


def test_twenty_studies_per_page(client, make_study):
    for n in range(45):
        make_study(f"Study number {n:02}")
    first = client.get(LIST_URL)
    third = client.get(LIST_URL, {"page": "3"})
    assert found(first) == 45
    assert len(titles(first)) == 20
    assert len(titles(third)) == 5


@pytest.mark.parametrize(
    "params, notice",
    [
        ({"year_from": "abc"}, "Ignored year from “abc”"),
        ({"page": "-5"}, "There is no page -5"),
        ({"page": "99999"}, "There is no page 99,999"),
        ({"page": "two"}, "is not a page number"),
        ({"country": "zz"}, "Ignored unknown country “ZZ”"),
        ({"sort": "drop"}, "Ignored sort “drop”"),
        ({"q": "x" * 10_000}, "only the first 200 were used"),
        ({"subject": "\x00"}, "Ignored unknown subject"),
        ({"q": "\x00"}, "Null characters are not allowed"),
        ({"year_to": "99999999999999999999"}, "Ignored year to"),
    ],
)
def test_malformed_parameters_give_the_page_with_a_notice(client, library, params, notice):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert notice in response.content.decode()


def test_unknown_value_is_ignored_not_applied(client, library):
    response = client.get(f"{LIST_URL}?country=zz&country=ug")
    assert titles(response) == ["Uganda widows"]


def test_query_count_does_not_grow_with_studies_shown(client, make_study, make_author):
    ijm = make_author()
    make_study("One", countries=["KH"], authors=[ijm])
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL, {"country": "KH"})
    for n in range(25):
        make_study(f"More {n}", countries=["KH", "PH"], authors=[ijm], types=["a", "b"])
    with CaptureQueriesContext(connection) as many:
        client.get(LIST_URL, {"country": "KH"})
    assert len(many) == len(few)
    assert len(many) <= 16


def test_demo_urls_give_the_right_studies(client, demo_data):
    assert found(client.get(LIST_URL)) == 26
    cambodia = client.get(LIST_URL, {"country": "KH"})
    assert "Commercial Sexual Exploitation of Children in Cambodia" in titles(cambodia)
    assert found(cambodia) == 5
    land = titles(client.get(LIST_URL, {"subject": "land-theft"}))
    assert len(land) == 4 and all("Uganda" in t or "Ugandan" in t for t in land)
    evaluations = titles(client.get(LIST_URL, {"type": "program-evaluation", "year_from": "2015"}))
    assert set(evaluations) == {
        "Final Evaluation of Program to Combat Sexual Violence Against Children and Adolescents "
        "in Guatemala 2005-2017",
        "External Evaluation of IJM’s Property Grabbing Program in Mukono County, Uganda",
        "Evaluation of the Program to Combat Sex Trafficking of Children in the Philippines: "
        "2003-2015",
        "External Evaluation of IJM’s Program to Combat Sex Trafficking of Children in Cambodia, "
        "2004-2014",
    }


def test_author_counts_over_many_matches_are_estimated_and_say_so(
    client, make_study, make_author, monkeypatch
):
    monkeypatch.setattr("studies.facets.AUTHOR_SAMPLE_ABOVE", 3)
    ijm = make_author()
    for n in range(16):
        make_study(f"Study {n}", authors=[ijm])
    response = client.get(LIST_URL)
    html = response.content.decode()
    authors = [b for b in response.context["facet_blocks"] if b["name"] == "author"][0]
    assert authors["estimated"]
    assert "Counts estimated from a sample" in html
    # A fixed eighth of the studies (id divisible by 8), scaled by 8: about 16, never exact zero.
    assert 0 < authors["options"][0]["count"] <= 24


def test_author_counts_over_few_matches_are_exact(client, make_study, make_author):
    ijm = make_author()
    for n in range(5):
        make_study(f"Study {n}", authors=[ijm])
    authors = [b for b in client.get(LIST_URL).context["facet_blocks"] if b["name"] == "author"][0]
    assert not authors["estimated"]
    assert authors["options"][0]["count"] == 5


def test_export_and_feed_links_leave_out_what_the_page_ignored(client, library):
    response = client.get(f"{LIST_URL}?country=zz&country=kh&sort=drop&year_from=abc&from=2014-03")
    query = response.context["export_query"]
    assert "country=KH" in query and "from=2014-03" in query
    assert "zz" not in query.lower() and "drop" not in query and "abc" not in query
    assert client.get(f"/studies/export.csv?{query}").status_code == 200
    assert client.get(f"/studies/feed/?{query}").status_code == 200


def chip_labels(response) -> list[str]:
    return [chip["label"] for chip in response.context["chips"]]


@pytest.mark.parametrize(
    "params, label",
    [
        ({"from": "2014-03", "to": "2016-01"}, "Published March 2014 – January 2016"),
        ({"year_from": "2016", "year_to": "2016"}, "Published 2016"),
        ({"from": "2016-01", "to": "2016-12"}, "Published 2016"),
        ({"year_from": "2014", "year_to": "2016"}, "Published 2014 – 2016"),
        ({"from": "2014-03", "year_to": "2016"}, "Published March 2014 – 2016"),
        ({"from": "2016-03", "to": "2016-06"}, "Published March – June 2016"),
        ({"from": "2016-03", "to": "2016-03"}, "Published March 2016"),
        ({"year_from": "2015"}, "Published from 2015"),
        ({"from": "2015-01"}, "Published from 2015"),
        ({"to": "2016-03"}, "Published to March 2016"),
        ({"year_to": "2016"}, "Published to 2016"),
    ],
)
def test_date_range_shows_as_one_chip(client, library, params, label):
    response = client.get(LIST_URL, params)
    assert chip_labels(response) == [label]
    assert "Clear all" in response.content.decode()


def test_year_and_month_bounds_resolve_into_one_range_the_narrower_winning(client, library):
    response = client.get(
        LIST_URL, {"year_from": "2014", "from": "2015-06", "year_to": "2017", "to": "2018-01"}
    )
    assert chip_labels(response) == ["Published June 2015 – 2017"]
    assert titles(response) == ["Philippines evaluation", "Cambodia evaluation"]
    html = response.content.decode()
    assert "the later one, June 2015, is used" in html
    assert "the earlier one, 2017, is used" in html
    # The form shows the range once, as it was applied, so submitting it again says the same.
    assert response.context["dates"] == {"from": "2015-06", "year_to": "2017"}


def test_removing_the_date_chip_drops_the_whole_range(client, library):
    response = client.get(f"{LIST_URL}?year_from=2014&country=KH&from=2015-06&year_to=2017")
    (chip,) = [c for c in response.context["chips"] if c["label"].startswith("Published")]
    assert chip["url"] == "?country=KH"


def test_export_feed_api_and_facets_use_the_same_date_range(client, library):
    params = {"year_from": "2014", "from": "2015-06"}
    page = client.get(LIST_URL, params)
    assert found(page) == 3  # Cambodia evaluation, Philippines evaluation, Justice Review
    assert page.context["export_query"] == "from=2015-06"
    export = client.get("/studies/export.csv", params)
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 1 + 3
    assert client.get("/api/studies/", params).json()["count"] == 3
    assert client.get("/studies/feed/", params).content.decode().count("<entry>") == 3
    blocks = {block["name"]: block for block in page.context["facet_blocks"]}
    countries = {option["value"]: option["count"] for option in blocks["country"]["options"]}
    assert countries["KH"] == 2 and countries["UG"] == 0


def test_a_backwards_date_range_says_nothing_can_match(client, library):
    response = client.get(LIST_URL, {"from": "2016-05", "to": "2016-03"})
    assert found(response) == 0
    assert "The dates start (May 2016) after they end (March 2016): nothing can match." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "query, location",
    [
        ("q=&country=KH&year_from=&sort=oldest", "/studies/?country=KH&sort=oldest"),
        ("country=KH&q=%20&country=PH&to=", "/studies/?country=KH&country=PH"),
        ("q=&year_from=&year_to=&from=&to=", "/studies/"),
        ("q=land+theft&page=", "/studies/?q=land+theft"),
    ],
)
def test_empty_parameters_redirect_to_the_same_url_without_them(client, library, query, location):
    response = client.get(f"{LIST_URL}?{query}")
    assert response.status_code == 302
    assert response["Location"] == location


def test_a_url_without_empty_parameters_is_answered_directly(client, library):
    assert client.get(f"{LIST_URL}?country=KH&sort=oldest").status_code == 200


def test_a_year_bar_links_to_that_year_within_the_current_range(client, library):
    response = client.get(f"{LIST_URL}?country=KH&country=PH&from=2015-06&page=1")
    bars = {bar["year"]: bar for bar in response.context["year_bars"]}
    assert bars[2015]["url"] == "?country=KH&country=PH&from=2015-06&year_to=2015"
    assert bars[2017]["url"] == "?country=KH&country=PH&year_from=2017&year_to=2017"
    for bar in bars.values():
        assert found(client.get(LIST_URL + bar["url"])) == bar["count"]


def test_the_did_you_mean_link_carries_one_question_mark(client, demo_data):
    response = client.get(LIST_URL, {"q": "Cambodai", "country": "KH"})
    assert '<a href="?q=cambodia&amp;country=KH">cambodia</a>' in response.content.decode()


def sort_options(response) -> list[str]:
    select = response.content.decode().split('<select id="id_sort"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]+)"', select)


def test_relevance_is_offered_only_with_a_search_word(client, library):
    assert sort_options(client.get(LIST_URL)) == ["newest", "oldest", "title"]
    assert sort_options(client.get(LIST_URL, {"country": "KH"})) == ["newest", "oldest", "title"]
    searched = client.get(LIST_URL, {"q": "trafficking"})
    assert sort_options(searched) == ["relevance", "newest", "oldest", "title"]
    assert '<option value="relevance" selected>' in searched.content.decode()


def test_relevance_asked_without_a_search_shows_the_newest_first(client, library):
    response = client.get(LIST_URL, {"sort": "relevance"})
    assert response.status_code == 200
    assert '<option value="newest" selected>' in response.content.decode()


def test_filters_sit_in_a_disclosure_that_counts_the_active_ones(client, library):
    html = client.get(f"{LIST_URL}?country=KH&country=PH&subject=land-theft").content.decode()
    # Closed as sent: a phone shows the results first, with or without JavaScript.
    assert '<details class="filters-disclosure" data-open-when-wide>' in html
    assert re.search(r"<summary>Filters <span[^>]*>\(3 active\)</span></summary>", html)
    assert "<summary>Filters</summary>" in client.get(LIST_URL).content.decode()


def test_the_form_and_the_skip_link_lead_to_the_results(client, library):
    html = client.get(LIST_URL).content.decode()
    assert 'action="/studies/#results"' in html
    assert html.index('href="#results">Skip to results</a>') < html.index("Skip to content")
    assert 'id="results"' in html
