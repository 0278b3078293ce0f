"""A study file is served by a view: a PDF never sniffed, sandboxed, named after the study,
resumable (HTTP ranges) and revalidated by its checksum."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from studies.models import Study
from studies.services import attach_study_file
from tests.studies.pdfs import three_page_report


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def content():
    return three_page_report()


@pytest.fixture
def study_file(make_study, content):
    study = make_study("Scale of harm", slug="scale-of-harm")
    attach_study_file(study=study, content=ContentFile(content, name="x.pdf"), label="Report")
    summary = attach_study_file(
        study=study, content=ContentFile(content, name="y.pdf"), label="Summary"
    )
    call_command("process_files", stdout=io.StringIO())
    main = study.files.get(is_main=True)
    summary.refresh_from_db()
    return main


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_file_is_an_inert_pdf_named_after_the_study(client, study_file, content):
    response = client.get(study_file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"
    assert response["Content-Disposition"] == 'inline; filename="scale-of-harm.pdf"'
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == content


def test_a_second_file_is_named_after_its_label_and_downloads(client, study_file):
    summary = study_file.study.files.get(label="Summary")
    response = client.get(summary.url + "?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="scale-of-harm-summary.pdf"'


def test_the_etag_is_the_checksum_and_a_match_answers_304(client, study_file, content):
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    assert client.get(study_file.url)["ETag"] == etag
    response = client.get(study_file.url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"


def test_a_range_answers_206_with_those_bytes(client, study_file, content):
    response = client.get(study_file.url, headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{len(content)}"
    assert response["Content-Length"] == "10"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == content[10:20]


def test_an_open_and_a_suffix_range(client, study_file, content):
    response = client.get(study_file.url, headers={"Range": f"bytes={len(content) - 5}-"})
    assert body(response) == content[-5:]
    response = client.get(study_file.url, headers={"Range": "bytes=-7"})
    assert response.status_code == 206
    assert body(response) == content[-7:]


def test_a_range_past_the_end_answers_416(client, study_file, content):
    response = client.get(study_file.url, headers={"Range": f"bytes={len(content)}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(content)}"


@pytest.mark.parametrize(
    "header", ["bytes=abc", "bytes=20-10", "pages=1-2", "bytes=0-1,5-6", "bytes=-"]
)
def test_a_malformed_or_multiple_range_gets_the_whole_file(client, study_file, content, header):
    response = client.get(study_file.url, headers={"Range": header})
    assert response.status_code == 200
    assert body(response) == content


def test_a_stale_if_range_gets_the_whole_file(client, study_file, content):
    response = client.get(
        study_file.url, headers={"Range": "bytes=0-9", "If-Range": '"not-this-version"'}
    )
    assert response.status_code == 200


def test_a_drafts_file_is_not_found_for_visitors(client, study_file):
    Study.objects.filter(pk=study_file.study_id).update(status=Study.Status.DRAFT)
    assert client.get(study_file.url).status_code == 404


def test_a_file_of_another_study_is_not_found(client, study_file, make_study):
    other = make_study("Other", slug="other")
    assert client.get(f"/studies/{other.slug}/files/{study_file.pk}.pdf").status_code == 404


def test_the_preview_is_a_webp_image(client, study_file):
    response = client.get(study_file.preview_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response)[8:12] == b"WEBP"
