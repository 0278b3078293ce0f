"""The study page shows each file: label, language, pages, size, preview, download, an inline
viewer with a plain-link fallback, the checksum."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation

from studies.services import attach_study_file
from tests.studies.pdfs import scanned_pdf, three_page_report


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def study(make_study):
    study = make_study("Scale of harm", slug="scale-of-harm")
    attach_study_file(
        study=study, content=ContentFile(three_page_report(), name="a.pdf"), label="Full report"
    )
    attach_study_file(
        study=study,
        content=ContentFile(scanned_pdf(), name="b.pdf"),
        label="Resumen",
        language="es",
    )
    call_command("process_files", stdout=io.StringIO())
    return study


def page(client, study) -> str:
    response = client.get(study.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_each_file_shows_label_language_pages_and_size(client, study):
    html = page(client, study)
    report, summary = study.files.order_by("position")
    assert "Full report" in html and "Resumen" in html
    assert "3 pages" in html and "2 pages" in html
    assert "English" in html and "Spanish" in html
    assert f"{report.size_bytes / 1024:.1f}\xa0KB" in html
    assert "No file is available online" not in html


def test_each_file_has_a_preview_a_download_and_an_inline_viewer(client, study):
    html = page(client, study)
    report = study.files.get(is_main=True)
    assert f'src="{report.preview_url}"' in html
    assert f'href="{report.url}?download=1" download' in html
    assert f'<iframe src="{report.url}"' in html
    assert "your browser has no PDF viewer" in html


def test_the_checksum_is_shown(client, study):
    assert study.files.get(is_main=True).sha256 in page(client, study)


def test_a_scanned_file_says_it_cannot_be_searched(client, study):
    assert "scanned pages, not searchable" in page(client, study)


def test_the_spanish_page_translates_the_facts(client, study):
    # The middleware leaves the page's language active in this thread: restore it after.
    with translation.override("en"):
        html = client.get("/es" + study.get_absolute_url()).content.decode()
    assert "3 páginas" in html


def test_a_file_not_yet_processed_shows_no_page_count(client, make_study):
    study = make_study("Fresh", slug="fresh")
    attach_study_file(study=study, content=ContentFile(three_page_report(), name="a.pdf"))
    html = page(client, study)
    assert "Full study" in html
    assert "pages" not in html.split("Full study", 1)[1].split("</p>", 1)[0]


# --- Search within the study's files ------------------------------------------------------------


def test_searching_the_files_lists_the_matching_pages(client, study):
    response = client.get(study.get_absolute_url(), {"find": "quokka"})
    html = response.content.decode()
    assert "1 page matches “quokka”" in html
    report = study.files.get(is_main=True)
    assert f'href="{report.url}#page=3">Full report, p. 3</a>' in html
    assert "<mark>quokka</mark>" in html


def test_searching_the_files_for_a_missing_word_says_none_match(client, study):
    html = client.get(study.get_absolute_url(), {"find": "platypus"}).content.decode()
    assert "0 pages match “platypus”" in html


def test_searching_the_files_escapes_the_words(client, study):
    html = client.get(study.get_absolute_url(), {"find": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


def test_too_long_a_search_gets_a_notice_not_an_error(client, study):
    response = client.get(study.get_absolute_url(), {"find": "word " * 100})
    assert response.status_code == 200
    assert "Search for at most 200 characters." in response.content.decode()


@pytest.mark.parametrize("words", ["\x00", "quokka\x00x"])
def test_a_null_character_in_the_search_gets_a_notice_not_an_error(client, study, words):
    response = client.get(study.get_absolute_url(), {"find": words})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_only_left_out_words_list_no_pages_but_say_why(client, study):
    html = client.get(study.get_absolute_url(), {"find": "-quokka"}).content.decode()
    assert "Name at least one word to look for" in html
    assert "pages match" not in html


def test_a_page_without_text_never_matches(study):
    from studies.querysets import study_pages_matching

    # "Not quokka" is true of an empty page too; a scan's pages must still not be listed.
    matching = study_pages_matching(study, "-quokka")
    assert matching.exists()
    assert not [page for page in matching if page.file.label == "Resumen"]


def test_searching_the_files_costs_one_query(client, study, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):  # the page's 8 and the matching pages
        response = client.get(study.get_absolute_url(), {"find": "quokka"})
    assert response.status_code == 200


def test_the_studys_file_address_serves_its_main_file_like_the_files_own(client, study):
    """/studies/<slug>/file.pdf (in citations, the API and the signposting links) and the main
    file's own address answer with the same bytes, name and checksum ETag."""
    main_file = study.files.get(is_main=True)
    study.refresh_from_db()
    assert study.file_url.endswith("/file.pdf")
    by_study = client.get(study.file_url)
    by_file = client.get(main_file.url)
    assert by_study.status_code == by_file.status_code == 200
    assert by_study.getvalue() == by_file.getvalue()
    assert by_study["ETag"] == by_file["ETag"] == f'"{main_file.sha256}"'
    assert 'filename="scale-of-harm.pdf"' in by_study["Content-Disposition"]
