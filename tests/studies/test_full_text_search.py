"""The words inside a study's files are part of its search document, at the lowest weight; the
list's snippet then shows them with their page ("p. 3")."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from studies.models import Study
from studies.services import attach_study_file, remove_study_file
from tests.studies.pdfs import three_page_report

LIST_URL = "/studies/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def study_with_report(make_study):
    study = make_study("Scale of harm", slug="scale-of-harm", description="Forced labour at sea.")
    attach_study_file(study=study, content=ContentFile(three_page_report(), name="r.pdf"))
    call_command("process_files", stdout=io.StringIO())
    return study


def titles(response) -> list[str]:
    return [study.title for study in response.context["page"].object_list]


def test_a_word_only_inside_the_pdf_finds_the_study(client, study_with_report, make_study):
    make_study("Unrelated")
    response = client.get(LIST_URL, {"q": "quokka"})
    assert titles(response) == ["Scale of harm"]


def test_the_snippet_shows_the_pdfs_words_with_the_page(client, study_with_report):
    html = client.get(LIST_URL, {"q": "quokka"}).content.decode()
    assert "<mark>quokka</mark>" in html
    assert "p. 3</a>)" in html


def test_the_page_of_the_snippet_links_to_the_matching_pages_in_the_study(
    client, study_with_report
):
    import re

    html = client.get(LIST_URL, {"q": "quokka"}).content.decode()
    link = re.search(r'<a href="([^"]+)">p\. 3</a>', html)
    assert link, "no link on the page number"
    assert link.group(1) == "/studies/scale-of-harm/?find=quokka#find-in-files"
    page = client.get(link.group(1).split("#")[0]).content.decode()
    assert "1 page matches “quokka”" in page
    assert 'id="find-in-files"' in page


def test_a_match_in_the_description_keeps_the_description_snippet(client, study_with_report):
    html = client.get(LIST_URL, {"q": "labour"}).content.decode()
    assert '<p class="snippet">Forced <mark>labour</mark>' in html
    assert "(p. " not in html


def test_a_title_match_ranks_above_a_match_only_in_a_pdf(client, study_with_report, make_study):
    make_study("Quokka island survey")
    response = client.get(LIST_URL, {"q": "quokka", "sort": "relevance"})
    assert titles(response) == ["Quokka island survey", "Scale of harm"]


def test_a_removed_file_leaves_the_search(client, study_with_report):
    remove_study_file(study_file=study_with_report.files.get())
    assert titles(client.get(LIST_URL, {"q": "quokka"})) == []


def test_the_document_stays_current_when_pages_are_reprocessed(study_with_report):
    call_command("process_files", "--all", stdout=io.StringIO())
    assert Study.objects.filter(pk=study_with_report.pk).matching("quokka").exists()


def test_a_list_page_with_snippets_keeps_its_query_bound(
    client, study_with_report, make_study, django_assert_max_num_queries
):
    for n in range(5):
        make_study(f"Quokka {n}")
    client.get(LIST_URL, {"q": "quokka"})  # warm the page cache's version read
    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL, {"q": "quokka", "page": "1"})
    assert response.status_code == 200


# --- The file in the API and in citations --------------------------------------------------------


def test_the_api_lists_each_files_facts(client, study_with_report):
    item = client.get(f"/api/studies/{study_with_report.slug}/").json()
    [file] = item["files"]
    study_file = study_with_report.files.get()
    assert file["pages"] == 3
    assert file["size_bytes"] == study_file.size_bytes
    assert file["sha256"] == study_file.sha256
    assert file["is_main"] is True
    assert file["url"].endswith(study_file.url)
    assert item["download_url"].endswith(f"/studies/{study_with_report.slug}/file.pdf")


def test_the_main_file_is_the_studys_download_in_ris_and_bibtex(client, study_with_report):
    ris = client.get(f"/studies/{study_with_report.slug}/cite.ris").content.decode()
    assert f"L1  - http://testserver/studies/{study_with_report.slug}/file.pdf" in ris
    bibtex = client.get(f"/studies/{study_with_report.slug}/cite.bib").content.decode()
    assert (
        "file = {PDF:http\\://testserver/studies/scale-of-harm/file.pdf:application/pdf}" in bibtex
    )


def test_the_old_file_address_serves_the_main_files_bytes(client, study_with_report):
    main = study_with_report.files.get()
    response = client.get(f"/studies/{study_with_report.slug}/file.pdf")
    assert b"".join(response.streaming_content) == main.file.open("rb").read()
