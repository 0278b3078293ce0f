"""The database keeps the deleted records (oai/sql/deleted_records.sql), and the migration that
created them filled in the studies already gone, from the library's history."""

import importlib
from pathlib import Path

from django.db import connection

from oai.models import DeletedStudy
from studies.models import Study

MIGRATION = importlib.import_module("oai.migrations.0001_deleted_studies")
SQL_FILE = Path(__file__).resolve().parents[2] / "oai" / "sql" / "deleted_records.sql"


def test_the_file_is_what_the_migration_ran():
    assert MIGRATION.TRACK_DELETED_STUDIES.strip() == SQL_FILE.read_text().strip()


def test_plain_sql_deletes_are_recorded_too(make_study):
    make_study("Gone", slug="gone")
    with connection.cursor() as cursor:
        for table in [
            "studies_authorship",
            "studies_study_resource_types",
            "studies_study_countries",
        ]:
            cursor.execute(
                f"DELETE FROM {table} WHERE study_id IN "
                "(SELECT id FROM studies_study WHERE slug = 'gone')"
            )
        cursor.execute("DELETE FROM studies_study WHERE slug = 'gone'")
    assert DeletedStudy.objects.filter(slug="gone").exists()


def test_backfill_finds_studies_deleted_before_the_endpoint_existed(make_study):
    make_study("Gone", slug="gone")
    make_study("Draft only", slug="draft-only", status=Study.Status.DRAFT).delete()
    Study.objects.get(slug="gone").delete()
    DeletedStudy.objects.all().delete()  # as before the migration
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.BACKFILL)
    assert list(DeletedStudy.objects.values_list("slug", flat=True)) == ["gone"]
