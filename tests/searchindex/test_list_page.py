"""The public list asks the index when SEARCH_BACKEND is tantivy, and PostgreSQL when the index
is missing or has fallen behind (the worker down): never a wrong or failing page."""

import datetime

import pytest
from django.core.cache import cache

from searchindex import index as search_index
from searchindex import public
from searchindex.backend import TantivyBackend
from searchindex.models import OutboxEntry
from studies.models import SearchSynonym

LIST_URL = "/studies/"


def titles(response) -> list[str]:
    return [study.title for study in response.context["page"].object_list]


@pytest.fixture
def tantivy_backend(settings, search_index_dir):
    settings.SEARCH_BACKEND = "tantivy"
    public._freshness.clear()
    public._missing_warned_at = -1e9
    yield
    public._freshness.clear()


def test_the_list_shows_the_index_answers(client, make_study, build_index, tantivy_backend):
    make_study("Widows and land")
    build_index()
    make_study("Widows in Uganda")  # not applied: the worker has not run
    response = client.get(LIST_URL, {"q": "widows"})
    assert titles(response) == ["Widows and land"]
    assert response.context["page"].paginator.count == 1


def test_without_an_index_postgres_answers(client, make_study, tantivy_backend, caplog):
    make_study("Widows and land")
    response = client.get(LIST_URL, {"q": "widows"})
    assert titles(response) == ["Widows and land"]
    assert "No search index" in caplog.text


def test_an_index_still_being_built_gives_way_to_postgres(
    client, make_study, search_index_dir, tantivy_backend
):
    """The first build on a new machine creates the index before its one commit: a visitor
    meanwhile sees the library from PostgreSQL, not "0 studies found"."""
    make_study("Widows and land")
    search_index.open_index(create=True)  # what `rebuild` does first, in the worker's process
    search_index.forget_index()  # the web server is another process
    response = client.get(LIST_URL, {"q": "widows"})
    assert titles(response) == ["Widows and land"]


def test_an_index_left_behind_gives_way_to_postgres(
    client, make_study, build_index, tantivy_backend, caplog
):
    make_study("Widows and land")
    build_index()
    make_study("Widows in Uganda", month=datetime.date(2010, 1, 1))
    OutboxEntry.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    response = client.get(LIST_URL, {"q": "widows"})
    assert titles(response) == ["Widows and land", "Widows in Uganda"]
    assert "behind the database" in caplog.text


def test_a_phrase_of_phrases_is_answered_by_postgres(
    client, make_study, build_index, tantivy_backend
):
    make_study("Child labour in brick kilns")
    SearchSynonym.objects.create(term="kiln", also_finds="pottery ovens")
    build_index()
    # A phrase holding a phrase ('brick' <-> ('kiln' | 'potteri' <-> 'oven')), which the index
    # does not translate: the page still answers, from PostgreSQL.
    response = client.get(LIST_URL, {"q": '"brick kilns"'})
    assert response.status_code == 200
    assert titles(response) == ["Child labour in brick kilns"]


def test_a_title_sorted_list_is_in_postgres_order(
    client, make_study, build_index, settings, search_index_dir
):
    for title in ["bravo widows", "Alpha widows", "Charlie widows", "Étude widows"]:
        make_study(title)
    build_index()
    parameters = {"q": "widows", "sort": "title"}
    postgres_order = titles(client.get(LIST_URL, parameters))
    settings.SEARCH_BACKEND = "tantivy"
    cache.clear()  # the first page is cached for visitors
    assert titles(client.get(LIST_URL, parameters)) == postgres_order


def test_an_error_in_the_index_gives_way_to_postgres(
    client, make_study, build_index, tantivy_backend, monkeypatch
):
    make_study("Widows and land")
    build_index()

    def fail(*args, **kwargs):
        raise ValueError("too many expansions")

    monkeypatch.setattr(TantivyBackend, "_count", fail)
    monkeypatch.setattr(TantivyBackend, "_ids", fail)
    response = client.get(LIST_URL, {"q": "widows"})
    assert response.status_code == 200
    assert titles(response) == ["Widows and land"]
    assert response.context["page"].paginator.count == 1
