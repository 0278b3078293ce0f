"""The study list's “Has full text” filter (`has_full_text=1`): only studies with a file whose
text was extracted; a scanned file (no text layer) or an unprocessed one does not count."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from searchindex import index as search_index
from searchindex import public
from searchindex.backend import TantivyBackend
from studies.filters import StudyFilterSet
from studies.models import Study, StudyFile
from studies.search import Unanswerable

LIST_URL = "/studies/"
API_URL = "/api/studies/"


def titles(response) -> list[str]:
    return sorted(study.title for study in response.context["page"].object_list)


@pytest.fixture(autouse=True)
def no_cached_pages():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def files(make_study):
    """A study with a text PDF, one with only a scanned PDF, one unprocessed, one without files."""
    with_text = make_study("Text report")
    StudyFile.objects.create(study=with_text, file="studies/scan.pdf", position=1)
    StudyFile.objects.create(
        study=with_text, file="studies/text.pdf", position=2, has_text_layer=True
    )
    scanned = make_study("Scanned report")
    StudyFile.objects.create(
        study=scanned, file="studies/scan2.pdf", position=1, has_text_layer=False
    )
    unprocessed = make_study("Unprocessed report")
    StudyFile.objects.create(study=unprocessed, file="studies/new.pdf", position=1)
    make_study("No file report")


def test_the_filter_keeps_only_studies_with_text(client, files):
    assert titles(client.get(LIST_URL, {"has_full_text": "1"})) == ["Text report"]
    assert len(titles(client.get(LIST_URL))) == 4


def test_the_form_has_a_labelled_checkbox_ticked_when_active(client, files):
    html = client.get(LIST_URL).content.decode()
    assert '<label for="id_has_full_text">Has full text</label>' in html
    assert 'name="has_full_text" value="1">' in html
    ticked = client.get(LIST_URL, {"has_full_text": "1"}).content.decode()
    assert 'name="has_full_text" value="1" checked>' in ticked


@pytest.mark.parametrize("value", ["yes", "0", "true", "<b>2</b>"])
def test_a_malformed_value_is_a_notice_not_an_error(client, files, value):
    response = client.get(LIST_URL, {"has_full_text": value})
    assert response.status_code == 200
    notice = f"Ignored has full text “{value}”: is not 1 (ticked) or empty."
    assert notice in response.context["notices"]
    assert len(titles(response)) == 4, "the ignored filter does not narrow the list"
    assert "<b>2</b>" not in response.content.decode()


def test_the_chip_removes_the_filter(client, files):
    response = client.get(LIST_URL, {"has_full_text": "1", "year_from": "2010"})
    chips = {chip["label"]: chip["url"] for chip in response.context["chips"]}
    removal = chips["Has full text"]
    assert "has_full_text" not in removal and "year_from=2010" in removal
    assert len(titles(client.get(f"{LIST_URL}{removal}"))) == 4


def test_the_chip_and_checkbox_are_translated(client, files):
    response = client.get("/es/studies/", {"has_full_text": "1"})
    html = response.content.decode()
    assert "Con texto completo" in html
    assert "Has full text" not in html


def test_exports_and_feed_refuse_a_malformed_value(client, files):
    assert client.get("/studies/export.csv", {"has_full_text": "yes"}).status_code == 400
    assert client.get("/studies/feed/", {"has_full_text": "yes"}).status_code == 400


def test_the_export_link_keeps_the_filter(client, files):
    response = client.get(LIST_URL, {"has_full_text": "1"})
    assert response.context["export_query"] == "has_full_text=1"


def test_the_filter_adds_no_query_to_the_list(client, files):
    client.get(LIST_URL)  # warm what is read once per process
    cache.clear()
    with CaptureQueriesContext(connection) as without:
        client.get(LIST_URL)
    cache.clear()
    with CaptureQueriesContext(connection) as filtered:
        client.get(LIST_URL, {"has_full_text": "1"})
    assert len(filtered) <= len(without)


def test_the_api_takes_the_parameter(client, files):
    response = client.get(API_URL, {"has_full_text": "1"})
    assert [study["title"] for study in response.json()["results"]] == ["Text report"]
    refused = client.get(API_URL, {"has_full_text": "yes"})
    assert refused.status_code == 400
    assert "Ignored has full text “yes”: is not 1 (ticked) or empty." in refused.json()["errors"]
    assert client.get(API_URL, {"has_full_text": ""}).status_code == 400


def test_the_openapi_document_names_the_parameter(client):
    parameters = client.get("/api/openapi.json").json()["paths"]["/api/studies/"]["get"][
        "parameters"
    ]
    [parameter] = [p for p in parameters if p["name"] == "has_full_text"]
    assert parameter["schema"] == {"type": "string", "enum": ["1"]}


@pytest.fixture
def tantivy(settings, tmp_path):
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    settings.SEARCH_INDEX_SYNC = False
    search_index.forget_index()
    public._freshness.clear()
    yield
    public._freshness.clear()
    search_index.forget_index()


def test_under_the_search_index_postgres_answers(client, files, tantivy):
    search_index.rebuild("default", total=0)
    filterset = StudyFilterSet(
        QueryDict("has_full_text=1"), queryset=Study.objects.published(), use_search_index=True
    )
    assert isinstance(filterset.search_index, TantivyBackend)
    with pytest.raises(Unanswerable):
        filterset.search_index.count()
    response = client.get(LIST_URL, {"has_full_text": "1", "q": "report"})
    assert titles(response) == ["Text report"]
    assert response.context["page"].paginator.count == 1
    assert len(titles(client.get(LIST_URL, {"q": "report"}))) == 4
