"""The Atom feed of new studies (filtered like the study list) and the sitemap."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import Program
from studies.management.commands.load_demo_data import fixture_entries
from studies.models import Study, Subject

FEED_URL = "/studies/feed/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def feed(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_titles(response) -> list[str | None]:
    return [entry.findtext(f"{ATOM}title") for entry in feed(response).iter(f"{ATOM}entry")]


def only_entry(response) -> ET.Element:
    [entry] = feed(response).iter(f"{ATOM}entry")
    return entry


@pytest.fixture
def library(make_study, make_author):
    ijm = make_author("International Justice Mission")
    make_study(
        "Cambodia prevalence", countries=["KH"], authors=[ijm], month=datetime.date(2013, 3, 1)
    )
    make_study(
        "Cambodia evaluation",
        countries=["KH"],
        types=["program-evaluation"],
        month=datetime.date(2015, 12, 1),
    )
    land = Subject.objects.create(name="Land theft", slug="land-theft")
    make_study("Uganda widows", countries=["UG"], subject=land, month=datetime.date(2014, 10, 1))
    make_study("Draft study", countries=["KH"], status=Study.Status.DRAFT)


# --- the feed ---------------------------------------------------------------------------------
def test_feed_is_atom_with_published_studies_newest_first(client, library):
    assert entry_titles(client.get(FEED_URL)) == [
        "Cambodia evaluation",
        "Uganda widows",
        "Cambodia prevalence",
    ]


def test_feed_holds_the_fifty_newest_studies(client, make_study):
    for n in range(55):
        make_study(f"Study {n:02}", month=datetime.date(1960 + n, 1, 1))
    titles = entry_titles(client.get(FEED_URL))
    assert len(titles) == 50
    assert titles[0] == "Study 54"
    assert titles[-1] == "Study 05"


def test_feed_title_and_links_for_the_whole_library(client, library):
    root = feed(client.get(FEED_URL))
    assert root.findtext(f"{ATOM}title") == "JusticeLib: newest studies"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/studies/",
        "self": "http://testserver/studies/feed/",
    }


def test_entry_has_link_dates_summary_and_categories(client, make_study, make_author):
    make_study(
        "Metro Manila",
        slug="metro-manila",
        description="Prevalence <estimates> & more.",
        month=datetime.date(2018, 5, 1),
        types=["crime-prevalence-study"],
    )
    entry = only_entry(client.get(FEED_URL))
    link = entry.find(f"{ATOM}link")
    assert link.get("href") == "http://testserver/studies/metro-manila/"
    assert entry.findtext(f"{ATOM}published") == "2018-05-01T00:00:00+00:00"
    assert entry.findtext(f"{ATOM}updated") == (Study.objects.get().updated_at.isoformat())
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>Prevalence &lt;estimates&gt; &amp; more.</p>"
    categories = [category.get("term") for category in entry.iter(f"{ATOM}category")]
    assert categories == ["Sex trafficking", "Crime prevalence study"]


def test_entry_names_every_author_in_order(client, make_study, make_author):
    make_study(authors=[make_author("Zed Org"), make_author("Ana Cruz", "person")])
    entry = only_entry(client.get(FEED_URL))
    names = [author.findtext(f"{ATOM}name") for author in entry.iter(f"{ATOM}author")]
    assert names == ["Zed Org", "Ana Cruz"]


def test_entry_title_is_not_escaped_twice(client, make_study):
    make_study("Law & Order <in> practice")
    entry = only_entry(client.get(FEED_URL))
    assert entry.findtext(f"{ATOM}title") == "Law & Order <in> practice"


def test_filtered_feed_lists_the_filtered_studies(client, library):
    response = client.get(FEED_URL, {"country": "kh", "type": "program-evaluation"})
    assert entry_titles(response) == ["Cambodia evaluation"]


def test_filtered_feed_repeated_values_are_ored(client, library):
    response = client.get(f"{FEED_URL}?country=UG&country=kh&year_to=2014")
    assert entry_titles(response) == ["Uganda widows", "Cambodia prevalence"]


def test_filtered_feed_title_names_the_filters(client, library):
    root = feed(client.get(f"{FEED_URL}?country=kh&country=ug&subject=land-theft&year_from=2014"))
    assert root.findtext(f"{ATOM}title") == (
        "JusticeLib: studies in Country KH or Country UG, about Land theft, published from 2014"
    )
    assert "matching these filters" in root.findtext(f"{ATOM}subtitle")


def test_filtered_feed_links_keep_the_filters(client, library):
    root = feed(client.get(f"{FEED_URL}?country=kh&subject=land-theft"))
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/studies/?country=kh&subject=land-theft",
        "self": "http://testserver/studies/feed/?country=kh&subject=land-theft",
    }


def test_feed_is_always_newest_first(client, library):
    titles = entry_titles(client.get(FEED_URL, {"sort": "title"}))
    assert titles == ["Cambodia evaluation", "Uganda widows", "Cambodia prevalence"]


def test_feed_ignores_parameters_that_are_not_filters(client, library):
    assert len(entry_titles(client.get(FEED_URL, {"utm_source": "reader"}))) == 3


@pytest.mark.parametrize(
    "query, notice",
    [
        ("country=zz", "Ignored unknown country “ZZ”"),
        ("year_from=abc", "Ignored year from “abc”"),
        ("q=" + "x" * 10_000, "only the first 200 were used"),
        ("subject=%00", "Ignored unknown subject"),
        ("sort=drop", "Ignored sort “drop”"),
    ],
)
def test_malformed_feed_parameters_are_a_plain_400(client, library, query, notice):
    response = client.get(f"{FEED_URL}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert notice in response.content.decode()


def test_feed_query_count_does_not_grow_with_entries(client, make_study, make_author):
    authors = [make_author("First Org"), make_author("Second Org")]
    make_study(countries=["KH"], authors=authors, types=["a", "b"])
    with CaptureQueriesContext(connection) as few:
        feed(client.get(FEED_URL, {"country": "KH"}))
    for _ in range(60):
        make_study(countries=["KH", "PH"], authors=authors, types=["a", "b"])
    with CaptureQueriesContext(connection) as many:
        assert len(list(feed(client.get(FEED_URL, {"country": "KH"})).iter(f"{ATOM}entry"))) == 50
    assert len(many) == len(few)
    assert len(many) <= 8


def test_demo_feed_filtered_by_country(client, demo_data):
    titles = entry_titles(client.get(FEED_URL, {"country": "KH"}))
    assert len(titles) == 5
    assert "Commercial Sexual Exploitation of Children in Cambodia" in titles


# --- the sitemap ------------------------------------------------------------------------------
def sitemap_urls(client) -> dict[str | None, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}


def test_sitemap_lists_home_list_and_every_demo_study(client, demo_data):
    urls = sitemap_urls(client)
    studies = {
        f"http://testserver/studies/{slug}/"
        for slug in Study.objects.values_list("slug", flat=True)
    }
    programs = {
        f"http://testserver/programs/{slug}/"
        for slug in Program.objects.values_list("slug", flat=True)
    }
    assert len(studies) == 26
    assert len(programs) == sum(e["model"] == "evaluation.program" for e in fixture_entries())
    assert set(urls) == {"http://testserver/", "http://testserver/studies/", *studies, *programs}


def test_sitemap_leaves_out_drafts(client, library):
    draft = Study.objects.get(title="Draft study")
    assert f"http://testserver{draft.get_absolute_url()}" not in sitemap_urls(client)


def test_sitemap_gives_when_each_study_last_changed(client, make_study):
    study = make_study()
    lastmod = sitemap_urls(client)[f"http://testserver{study.get_absolute_url()}"]
    assert lastmod == study.updated_at.date().isoformat()
