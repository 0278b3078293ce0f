"""The search index answers the public list exactly as PostgreSQL does: the same matches, the
same totals and the same facet counts, for the same filters; ranking by BM25, title first."""

import datetime

import pytest
from django.core.management import call_command
from django.http import QueryDict

from searchindex import backend as backend_module
from searchindex.models import OutboxEntry
from searchindex.public import backend_for
from studies.facets import count_facets
from studies.filters import StudyFilterSet
from studies.models import Study

QUERIES = [
    "",
    "q=trafficking",
    "q=traffick",
    "q=cambodia",
    "q=bogota",
    'q="forced labour"',
    'q="sex trafficking" -manila',
    "q=child -cambodia",
    "q=children or widows",
    "q=gender-based",
    'q="prevalence of the crime"',
    'q="state-of-the-art"',
    "q=the",
    "q=zzzzqx",
    "country=KH",
    "country=KH&country=multiple",
    "country=multiple",
    "type=program-evaluation",
    "type=program-evaluation&country=PH",
    "subject=sex-trafficking&year_from=2015",
    "year_from=2014&to=2017-06",
    "q=justice&country=PH&country=KH",
    "q=evaluation&sort=oldest",
    "author=international-justice-mission&q=prevalence",
    "sort=title",
]


def filterset(query: str) -> StudyFilterSet:
    return StudyFilterSet(QueryDict(query), queryset=Study.objects.published())


def postgres_counts(filters: StudyFilterSet):
    bases = {name: filters.queryset_without(name) for name in filters.FACETS}
    bases["year"] = filters.qs
    return count_facets(bases, filters.selected("author"))


@pytest.fixture
def indexed_demo(demo_data, build_index):
    assert build_index() == Study.objects.published().count()


@pytest.mark.parametrize("query", QUERIES)
def test_index_matches_postgres_matches_totals_and_facets(indexed_demo, query):
    filters = filterset(query)
    backend = backend_for(filters)
    assert backend is not None
    expected = list(filters.qs.values_list("pk", flat=True))
    assert backend.count() == len(expected)
    if filters.sort_order == "relevance":
        assert set(backend.ids_between(0, 1000)) == set(expected)
    elif filters.sort_order != "title":  # the title order is PostgreSQL's collation's
        assert backend.ids_between(0, 1000) == expected
        assert backend.ids_between(3, 7) == expected[3:7]
    assert backend.facet_counts() == postgres_counts(filters)


DATE_ORDERED = [q for q in QUERIES if ("q=" not in q or "sort=oldest" in q) and q != "sort=title"]


@pytest.mark.parametrize("query", DATE_ORDERED)
def test_deep_pages_in_date_order_are_the_pages_postgres_shows(indexed_demo, query, monkeypatch):
    """Far into a list, the index finds a page's months from its count of matches per month
    rather than by collecting every match before the page: the pages stay PostgreSQL's."""
    monkeypatch.setattr(backend_module, "COUNT_MONTHS_FROM", 0)
    filters = filterset(query)
    expected = list(filters.qs.values_list("pk", flat=True))
    backend = backend_for(filters)
    pages = [backend.ids_between(start, start + 4) for start in range(0, len(expected), 4)]
    assert [pk for page in pages for pk in page] == expected
    assert backend.ids_between(len(expected), len(expected) + 20) == []


def test_index_holds_only_published_studies(make_study, build_index):
    make_study("Published widows")
    make_study("Draft widows", status=Study.Status.DRAFT)
    assert build_index() == 1
    assert backend_for(filterset("q=widows")).count() == 1


def test_rebuild_takes_the_entries_it_reflects_out_of_the_outbox(make_study, search_index_dir):
    make_study("Widows")
    assert OutboxEntry.objects.exists()
    call_command("rebuild_search_index", verbosity=0)
    assert not OutboxEntry.objects.exists()


def test_title_match_ranks_above_description_match(make_study, build_index):
    annual = make_study("Annual report", description="Mentions widows once.")
    widows = make_study(
        "Widows and land", description="Nothing else.", month=datetime.date(2010, 1, 1)
    )
    build_index()
    assert backend_for(filterset("q=widows")).ids_between(0, 20) == [widows.pk, annual.pk]


@pytest.mark.parametrize("count_months_from", [0, backend_module.COUNT_MONTHS_FROM])
def test_newest_first_pages_break_ties_by_title_as_postgres_does(
    make_study, build_index, monkeypatch, count_months_from
):
    monkeypatch.setattr(backend_module, "COUNT_MONTHS_FROM", count_months_from)
    for title in ["Delta", "alpha", "Charlie", "bravo", "Echo"]:
        make_study(title, month=datetime.date(2020, 1, 1))
    make_study("Older", month=datetime.date(2019, 1, 1))
    build_index()
    filters = filterset("")
    expected = list(filters.qs.values_list("pk", flat=True))
    backend = backend_for(filters)
    pages = [backend.ids_between(start, start + 2) for start in range(0, 6, 2)]
    assert [pk for page in pages for pk in page] == expected


def test_no_index_means_postgres_answers(search_index_dir):
    assert backend_for(filterset("q=widows")) is None


def test_rebuild_command_reports_and_can_run_twice(make_study, search_index_dir, capsys):
    make_study("Widows")
    call_command("rebuild_search_index", verbosity=1)
    call_command("rebuild_search_index", verbosity=1)
    captured = capsys.readouterr()
    assert "Indexed 1 published studies" in captured.out
    assert "1/1" in captured.err  # the progress bar
    assert backend_for(filterset("q=widows")).count() == 1
