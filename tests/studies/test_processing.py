"""Processing an attached file off the request: pages, size, checksum, each page's text, a
small preview, and “no text layer” for a scan — safe to run twice."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from studies.models import StudyFilePage
from studies.services import attach_study_file
from tests.studies.pdfs import scanned_pdf, three_page_report


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def report(make_study):
    study = make_study("Scale of harm", slug="scale-of-harm")
    content = three_page_report()
    study_file = attach_study_file(study=study, content=ContentFile(content, name="r.pdf"))
    return study_file, content


def processed(study_file):
    call_command("process_files", stdout=io.StringIO(), stderr=io.StringIO())
    study_file.refresh_from_db()
    return study_file


def test_processing_stores_pages_size_and_checksum(report):
    study_file, content = report
    study_file = processed(study_file)
    assert study_file.pages == 3
    assert study_file.size_bytes == len(content)
    assert study_file.sha256 == hashlib.sha256(content).hexdigest()
    assert study_file.processed_at is not None
    assert study_file.has_text_layer is True
    assert study_file.processing_error == ""


def test_each_pages_text_is_stored_with_its_number(report):
    study_file = processed(report[0])
    texts = dict(study_file.page_texts.values_list("number", "text"))
    assert sorted(texts) == [1, 2, 3]
    assert "quokka" in texts[3]
    assert "quokka" not in texts[1]
    assert texts[2].strip() == ""


def test_the_preview_is_a_small_webp_of_the_first_page(report):
    study_file = processed(report[0])
    content = study_file.preview.read()
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "WEBP"
        assert image.width == 320
        assert image.height > image.width  # an A4 page, portrait
    assert len(content) < 20_000


def test_a_scanned_pdf_is_marked_as_having_no_text_layer(make_study):
    study = make_study("Scan", slug="scan")
    study_file = attach_study_file(study=study, content=ContentFile(scanned_pdf(), name="s.pdf"))
    study_file = processed(study_file)
    assert study_file.pages == 2
    assert study_file.has_text_layer is False
    assert study_file.processing_error == ""
    assert study_file.preview


def test_processing_twice_changes_nothing_and_all_reprocesses(
    report, media_root, django_capture_on_commit_callbacks
):
    study_file = processed(report[0])
    first = (study_file.sha256, study_file.processed_at)
    out = io.StringIO()
    call_command("process_files", stdout=out)
    assert "No file to process." in out.getvalue()
    study_file.refresh_from_db()
    assert (study_file.sha256, study_file.processed_at) == first

    with django_capture_on_commit_callbacks(execute=True):
        call_command("process_files", "--all", stdout=io.StringIO())
    study_file.refresh_from_db()
    assert study_file.processed_at > first[1]
    assert StudyFilePage.objects.filter(file=study_file).count() == 3
    # One preview in storage: the replaced one left.
    assert len(list(media_root.rglob("*.webp"))) == 1


def test_the_command_shows_progress(report):
    out = io.StringIO()
    call_command("process_files", stdout=out)
    assert "1/1 files" in out.getvalue()
    assert "Processed 1 file." in out.getvalue()


def test_a_missing_stored_file_is_reported_not_retried(report, media_root):
    study_file = report[0]
    (media_root / study_file.file.name).unlink()
    err = io.StringIO()
    call_command("process_files", stdout=io.StringIO(), stderr=err)
    study_file.refresh_from_db()
    assert "missing" in study_file.processing_error
    assert "missing" in err.getvalue()
