"""A study's files: several per study in order, one main file, validated by their bytes, kept in
history, attached and removed from the admin or the command line."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from studies.models import StudyFile
from studies.services import attach_study_file, remove_study_file
from tests.studies.pdfs import three_page_report

HTML_PAGE = b"<!doctype html><script>alert(1)</script>"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def study(make_study):
    return make_study("Scale of harm", slug="scale-of-harm")


def attach(study, content=None, **options):
    return attach_study_file(
        study=study, content=ContentFile(content or three_page_report(), name="x.pdf"), **options
    )


def test_the_first_file_is_the_main_file_and_later_ones_follow_in_order(study):
    first = attach(study, label="Full report")
    second = attach(study, label="Summary", language="es")
    assert [(f.position, f.is_main, f.label) for f in study.files.all()] == [
        (1, True, "Full report"),
        (2, False, "Summary"),
    ]
    assert first.file.name.startswith("studies/") and first.file.name.endswith(".pdf")
    assert "x" not in first.file.name.removeprefix("studies/").removesuffix(".pdf")
    assert second.processed_at is None


def test_making_another_file_main_unmarks_the_previous_one(study):
    attach(study, label="Full report")
    attach(study, label="Translation", is_main=True)
    assert list(study.files.filter(is_main=True).values_list("label", flat=True)) == ["Translation"]


def test_the_database_refuses_two_main_files(study):
    first = attach(study)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyFile.objects.create(study=study, file=first.file.name, position=2, is_main=True)


def test_an_html_page_named_pdf_is_refused_and_nothing_is_stored(study, media_root):
    with pytest.raises(ValidationError) as caught:
        attach(study, content=HTML_PAGE)
    assert "This file is not a PDF" in " ".join(caught.value.messages)
    assert not study.files.exists()
    assert not list(media_root.rglob("*.pdf")) if media_root.exists() else True


def test_a_file_over_the_size_limit_is_refused(study, settings):
    settings.STUDY_FILE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="largest file"):
        attach(study)


def test_removing_the_main_file_makes_the_next_one_main_and_deletes_the_bytes(
    study, media_root, django_capture_on_commit_callbacks
):
    first = attach(study, label="Full report")
    attach(study, label="Summary")
    stored = media_root / first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        remove_study_file(study_file=first)
    assert not stored.exists()
    assert [(f.label, f.is_main) for f in study.files.all()] == [("Summary", True)]


def test_a_files_label_and_order_are_kept_in_history(study):
    study_file = attach(study, label="Full report")
    study_file.label = "Report"
    study_file.save()
    events = StudyFile.pgh_event_model.objects.filter(pgh_obj_id=study_file.pk)
    assert list(events.order_by("pgh_id").values_list("pgh_label", "label")) == [
        ("insert", "Full report"),
        ("update", "Report"),
    ]


def test_processing_results_are_not_history_events(study):
    study_file = attach(study)
    StudyFile.objects.filter(pk=study_file.pk).update(pages=3, sha256="a" * 64)
    events = StudyFile.pgh_event_model.objects.filter(pgh_obj_id=study_file.pk)
    assert events.count() == 1


# --- manage.py attach_file -----------------------------------------------------------------------


def test_attach_file_command_attaches_a_pdf(study, tmp_path):
    path = tmp_path / "Scale of Harm (final).pdf"
    path.write_bytes(three_page_report())
    call_command("attach_file", "scale-of-harm", str(path), "--label", "Full report")
    assert list(study.files.values_list("label", "is_main")) == [("Full report", True)]


def test_attach_file_command_refuses_an_unknown_study(db, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(three_page_report())
    with pytest.raises(CommandError, match="no study with the slug “nope”"):
        call_command("attach_file", "nope", str(path))


def test_attach_file_command_refuses_a_file_that_is_not_a_pdf(study, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(HTML_PAGE)
    with pytest.raises(CommandError, match="was not attached: This file is not a PDF"):
        call_command("attach_file", "scale-of-harm", str(path))
    assert not study.files.exists()


def test_attach_file_command_exits_non_zero_with_the_message(study, tmp_path):
    import os
    import subprocess
    import sys

    from django.db import connection

    path = tmp_path / "notes.pdf"
    path.write_bytes(b"just text")
    # The command runs in its own process: point it at the test database (migrated), not at
    # the development one, which a fresh clone has not migrated yet.
    environment = {**os.environ, "JUSTICELIB_DB_NAME": connection.settings_dict["NAME"]}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "attach_file", "no-such-study", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    assert result.returncode == 1
    assert "no study with the slug" in result.stderr


def test_attach_file_remove_detaches_the_file_with_those_bytes(study, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(three_page_report())
    call_command("attach_file", "scale-of-harm", str(path))
    call_command("attach_file", "scale-of-harm", str(path), "--remove")
    assert not study.files.exists()


# --- The admin -------------------------------------------------------------------------------


def test_admin_inline_attaches_a_file_and_refuses_a_non_pdf(admin_client, study):
    from tests.studies.test_admin import change_data

    url = f"/admin/studies/study/{study.pk}/change/"
    data = change_data(study, *[(a.position, a.author, a) for a in study.authorships.all()])
    data.update(
        {
            "files-TOTAL_FORMS": "1",
            "files-0-position": "1",
            "files-0-label": "Full report",
            "files-0-file": SimpleUploadedFile("x.pdf", HTML_PAGE, "application/pdf"),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This file is not a PDF" in response.content.decode()
    assert not study.files.exists()

    data["files-0-file"] = SimpleUploadedFile("x.pdf", three_page_report(), "application/pdf")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert list(study.files.values_list("label", flat=True)) == ["Full report"]


def test_admin_offers_a_new_file_the_next_free_position(admin_client, study):
    import re

    attach(study, label="Full report")
    html = admin_client.get(f"/admin/studies/study/{study.pk}/change/").content.decode()
    empty_row = re.search(r'<input[^>]*name="files-1-position"[^>]*>', html)
    assert empty_row, "no row for a new file"
    assert 'value="2"' in empty_row.group(0)
