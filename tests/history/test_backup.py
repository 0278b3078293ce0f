"""`make backup` / `make restore`: one archive brings back the studies, their files and history."""

import io
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from history.backup import BackupError, backup, connect, restore
from studies.models import Study

PDF = b"%PDF-1.4\n% a study's report\n%%EOF\n"


@pytest.fixture
def empty_database():
    """A second, empty database on the same server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    server = {**connection.settings_dict, "NAME": "postgres"}
    with connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**connection.settings_dict, "NAME": name}
    with connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def library_with_history(transactional_db, make_study, settings, tmp_path):
    """Committed data (pg_dump reads from its own connection): studies, an edit, a PDF."""
    settings.MEDIA_ROOT = tmp_path / "media"
    study = make_study("Original title")
    study.pdf.save("report.pdf", ContentFile(PDF))
    study.title = "Edited title"
    study.save()
    make_study("Another study")
    return study


def test_a_restored_backup_has_the_same_studies_files_and_history(
    library_with_history, empty_database, tmp_path
):
    archive = backup(tmp_path / "backups", media_root=tmp_path / "media")
    assert archive.name.startswith("justicelib-") and archive.name.endswith("Z.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0, "password hashes: for the owner's eyes only"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "database.dump", f"media/{library_with_history.pdf.name}"} <= set(
        names
    )

    manifest = restore(archive, database=empty_database, media_root=tmp_path / "restored")

    assert manifest["media_file_count"] == 1
    with connect(empty_database) as restored:
        titles = restored.execute("SELECT title FROM studies_study ORDER BY title").fetchall()
        events = restored.execute(
            "SELECT pgh_label, title FROM studies_studyevent WHERE pgh_obj_id = %s ORDER BY pgh_id",
            [library_with_history.pk],
        ).fetchall()
    assert titles == [(t,) for t in sorted(Study.objects.values_list("title", flat=True))]
    assert events == [
        ("insert", "Original title"),
        ("update", "Original title"),
        ("update", "Edited title"),
    ]
    restored_pdf = tmp_path / "restored" / library_with_history.pdf.name
    assert restored_pdf.read_bytes() == PDF


def test_restore_refuses_a_database_that_has_tables(library_with_history, tmp_path):
    archive = backup(tmp_path / "backups", media_root=tmp_path / "media")
    with pytest.raises(BackupError, match="is not empty"):
        restore(archive, database=connection.settings_dict, media_root=tmp_path / "restored")
    assert Study.objects.count() == 2


def test_restore_refuses_a_damaged_archive(library_with_history, empty_database, tmp_path):
    archive = backup(tmp_path / "backups", media_root=tmp_path / "media")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = b"not the file that was backed up"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore(damaged, database=empty_database, media_root=tmp_path / "restored")
    with connect(empty_database) as restored:
        assert restored.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)
