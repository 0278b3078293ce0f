"""A study's PDF: only real PDFs are stored, under generated names, and served inert."""

import io
import re

import pytest
import rispy
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from studies.models import Study
from studies.validators import validate_pdf
from tests.studies.conftest import with_authors

HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
GENERATED_NAME = re.compile(r"^studies/[0-9a-f]{32}\.pdf$")


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    """A small but real PDF, written by pypdf."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media_root) -> list[str]:
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*.*"))


def upload(content: bytes, name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def validation_messages(content: bytes, name: str = "x.pdf") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_pdf(ContentFile(content, name=name))
    return caught.value.messages


# --- What is accepted ----------------------------------------------------------------------------


def test_a_real_pdf_passes_validation():
    validate_pdf(ContentFile(pdf_bytes(pages=3), name="x.pdf"))


def test_an_html_page_named_pdf_is_refused_by_the_model(make_study):
    study = make_study()
    study.pdf = upload(HTML_PAGE, "x.pdf")
    with pytest.raises(ValidationError) as caught:
        study.full_clean()
    assert caught.value.message_dict["pdf"] == [
        "This file is not a PDF. Upload the study as a PDF document."
    ]


def test_a_pdf_header_in_front_of_anything_else_is_refused():
    assert validation_messages(b"%PDF-1.7\n" + HTML_PAGE) == [
        "This file is not a PDF. Upload the study as a PDF document."
    ]


def test_a_pdf_header_later_in_the_file_is_refused():
    assert validation_messages(HTML_PAGE + pdf_bytes()) == [
        "This file is not a PDF. Upload the study as a PDF document."
    ]


def test_an_empty_file_is_refused():
    assert validation_messages(b"") == ["This file is empty."]


def test_an_encrypted_pdf_is_refused():
    [message] = validation_messages(pdf_bytes(password="secret"))
    assert message.startswith("This PDF is encrypted (password-protected).")


def test_a_file_over_the_size_limit_is_refused(settings):
    content = pdf_bytes()
    settings.STUDY_FILE_MAX_BYTES = len(content) - 1
    [message] = validation_messages(content)
    assert message.startswith("This file is ")
    assert "the largest file the library accepts is" in message


def test_a_file_at_the_size_limit_is_accepted(settings):
    content = pdf_bytes()
    settings.STUDY_FILE_MAX_BYTES = len(content)
    validate_pdf(ContentFile(content, name="x.pdf"))


# --- Uploading through the admin -----------------------------------------------------------------


@pytest.fixture
def add_form_data(study_data, make_author):
    """A complete published study (the database's rules ask for an author and a country)."""
    author = make_author()

    def data(pdf):
        return study_data(
            pdf=pdf, status="published", is_multi_country="on", **with_authors((1, author))
        )

    return data


def test_admin_refuses_an_html_page_named_pdf_and_stores_nothing(
    admin_client, add_form_data, media_root
):
    response = admin_client.post(
        "/admin/studies/study/add/", add_form_data(upload(HTML_PAGE, "x.pdf"))
    )
    assert response.status_code == 200
    assert "This file is not a PDF. Upload the study as a PDF document." in response.text
    assert not Study.objects.exists()
    assert stored_files(media_root) == []


def test_admin_stores_a_real_pdf_under_a_generated_name(admin_client, add_form_data, media_root):
    content = pdf_bytes()
    response = admin_client.post(
        "/admin/studies/study/add/", add_form_data(upload(content, "Secret draft title.pdf"))
    )
    assert response.status_code == 302
    study = Study.objects.get()
    assert GENERATED_NAME.match(study.pdf.name), study.pdf.name
    assert stored_files(media_root) == [study.pdf.name]
    assert (media_root / study.pdf.name).read_bytes() == content


def test_two_uploads_with_one_name_are_stored_apart(make_study):
    first, second = make_study(), make_study()
    first.pdf.save("report.pdf", ContentFile(pdf_bytes()))
    second.pdf.save("report.pdf", ContentFile(pdf_bytes()))
    assert first.pdf.name != second.pdf.name


# --- Replaced and removed files leave storage --------------------------------------------------


@pytest.fixture
def study_with_file(make_study):
    study = make_study(slug="ijm-manila")
    study.pdf.save("report.pdf", ContentFile(pdf_bytes()))
    return study


def test_a_replaced_file_is_deleted_after_commit(
    study_with_file, media_root, django_capture_on_commit_callbacks
):
    old_name = study_with_file.pdf.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        study_with_file.pdf = upload(pdf_bytes(pages=2))
        study_with_file.save()
    assert (media_root / old_name).exists(), "deleted before the transaction committed"
    for callback in callbacks:
        callback()
    assert stored_files(media_root) == [study_with_file.pdf.name]


def test_a_cleared_file_is_deleted(study_with_file, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        study_with_file.pdf = None
        study_with_file.save()
    assert stored_files(media_root) == []


def test_a_deleted_studys_file_is_deleted(
    study_with_file, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Study.objects.filter(pk=study_with_file.pk).delete()
    assert stored_files(media_root) == []


def test_a_file_another_study_names_is_kept(
    study_with_file, make_study, media_root, django_capture_on_commit_callbacks
):
    name = study_with_file.pdf.name
    make_study(pdf=name)
    with django_capture_on_commit_callbacks(execute=True):
        study_with_file.pdf = None
        study_with_file.save()
    assert stored_files(media_root) == [name]


def test_saving_without_changing_the_file_keeps_it(
    study_with_file, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        study_with_file.title = "Retitled"
        study_with_file.save()
    assert stored_files(media_root) == [study_with_file.pdf.name]


# --- Serving -----------------------------------------------------------------------------------


def test_the_file_is_served_inert_and_named_after_the_study(client, study_with_file):
    response = client.get("/studies/ijm-manila/file.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="ijm-manila.pdf"'
    assert response["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"
    assert b"".join(response.streaming_content) == study_with_file.pdf.open("rb").read()


def test_download_parameter_asks_the_browser_to_save_the_file(client, study_with_file):
    response = client.get("/studies/ijm-manila/file.pdf?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="ijm-manila.pdf"'
    assert response["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"


def test_an_unchanged_file_is_not_sent_again(client, study_with_file):
    etag = client.get("/studies/ijm-manila/file.pdf")["ETag"]
    response = client.get("/studies/ijm-manila/file.pdf", headers={"if-none-match": etag})
    assert response.status_code == 304


def test_a_drafts_file_is_hidden_from_the_public(client, study_with_file):
    Study.objects.filter(pk=study_with_file.pk).update(status=Study.Status.DRAFT)
    assert client.get("/studies/ijm-manila/file.pdf").status_code == 404


def test_a_drafts_file_is_shown_to_curators_and_not_cached(admin_client, study_with_file):
    Study.objects.filter(pk=study_with_file.pk).update(status=Study.Status.DRAFT)
    response = admin_client.get("/studies/ijm-manila/file.pdf")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_study_without_file_has_no_file_address(client, make_study):
    make_study(slug="no-file")
    assert client.get("/studies/no-file/file.pdf").status_code == 404


def test_a_missing_stored_file_is_404_not_500(client, make_study):
    make_study(slug="lost", pdf="studies/gone.pdf")
    assert client.get("/studies/lost/file.pdf").status_code == 404


def test_uploaded_files_have_no_address_of_their_own(client, study_with_file):
    assert client.get(f"/media/{study_with_file.pdf.name}").status_code == 404


def test_the_study_page_links_the_served_file(client, study_with_file):
    html = client.get("/studies/ijm-manila/").text
    assert 'href="/studies/ijm-manila/file.pdf?download=1"' in html
    assert 'href="/studies/ijm-manila/file.pdf"' in html
    assert (
        '<meta name="citation_pdf_url" content="http://testserver/studies/ijm-manila/file.pdf">'
        in html
    )
    assert study_with_file.pdf.name not in html


def test_the_ris_export_links_the_served_file(client, study_with_file):
    [record] = rispy.loads(client.get("/studies/ijm-manila/cite.ris").text)
    assert record["file_attachments1"] == "http://testserver/studies/ijm-manila/file.pdf"
