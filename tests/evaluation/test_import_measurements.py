"""`import_measurements`: a downloaded measurements table, edited, comes back in, all or nothing."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.imports import ImportFailed, import_measurements, read_table
from evaluation.models import BreakdownValue, Measurement, Program
from evaluation.tables import COLUMN_NAMES
from tests.conftest import as_shown

CAMBODIA = "cambodia-sex-trafficking-of-children"


def download(client, slug=CAMBODIA) -> str:
    response = client.get(reverse("evaluation:measurements_csv", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.getvalue().decode()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run(tmp_path, text: str, *args, name="figures.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_measurements", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(tmp_path, text: str, *args) -> str:
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_measurements", str(path), *args, stderr=err, stdout=io.StringIO())
    return err.getvalue()


def stored_values(slug=CAMBODIA) -> list:
    return list(
        Measurement.objects.filter(indicator__program__slug=slug)
        .order_by("pk")
        .values_list("pk", "value", "value_low", "value_high", "notes", "source_study_id")
    )


def test_an_unchanged_download_imports_as_all_unchanged(client, demo_data, tmp_path):
    text = download(client)
    before = stored_values()
    out, _ = run(tmp_path, text)
    assert out.strip().splitlines()[-1] == f"0 created, 0 updated, {len(before)} unchanged"
    assert stored_values() == before


def test_a_download_with_values_by_category_imports_as_all_unchanged(client, demo_data, tmp_path):
    slug = "dominican-republic-commercial-sexual-exploitation-of-children"
    rows = rows_of(download(client, slug))
    assert [r["category"] for r in rows if r["category"]] == [
        "formal establishments",
        "public spaces",
        "formal establishments",
        "public spaces",
    ]
    out, _ = run(tmp_path, as_csv(rows))
    assert out.strip().splitlines()[-1] == f"0 created, 0 updated, {len(rows)} unchanged"


def test_round_trip_one_edited_value_dry_run_then_import_then_the_page(client, demo_data, tmp_path):
    rows = rows_of(download(client))
    monitoring = next(r for r in rows if r["phase"] == "monitoring")
    monitoring["value"] = "8.5"
    before = stored_values()

    out, _ = run(tmp_path, as_csv(rows), "--dry-run")
    assert "updated:" in out and "value: 8.16 → 8.5" in out
    assert out.strip().splitlines()[-1] == (
        f"Dry run, nothing written: 0 created, 1 updated, {len(rows) - 1} unchanged"
    )
    assert stored_values() == before

    out, _ = run(tmp_path, as_csv(rows))
    assert out.strip().splitlines()[-1] == f"0 created, 1 updated, {len(rows) - 1} unchanged"
    program = Program.objects.get(slug=CAMBODIA)
    page = client.get(program.get_absolute_url()).content.decode()
    assert as_shown("8.5 %") in page and as_shown("8.16 %") not in page


def test_the_import_keeps_history_naming_the_command(client, demo_data, tmp_path):
    rows = rows_of(download(client))
    next(r for r in rows if r["phase"] == "monitoring")["notes"] = "Checked against p. 12."
    run(tmp_path, as_csv(rows))
    event = Measurement.pgh_event_model.objects.order_by("-pgh_id").first()
    assert event.notes == "Checked against p. 12."


def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_changes(
    client, demo_data, tmp_path
):
    rows = rows_of(download(client))
    rows[0]["notes"] = "would be written if the import were not atomic"
    rows[2]["value"] = "abc"
    before = stored_values()
    err = failing(tmp_path, as_csv(rows))
    assert "row 4, column value: 'abc' is not a number" in err
    assert stored_values() == before


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("value", "8,16", "column value: '8,16' is not a number: write decimals with a point"),
        ("period_start", "March 2009", "column period_start: 'March 2009' is not a month"),
        ("phase", "midline", "column phase: 'midline' is not one of baseline, monitoring"),
        ("sample_size", "12.5", "column sample_size: '12.5' is not a whole number"),
        ("source_study_slug", "no-such-study", "column source_study_slug: no study"),
        ("program_slug", "no-such-program", "column program_slug: no program 'no-such-program'"),
        ("indicator_slug", "nope", "has no indicator 'nope'"),
        ("unit", "count", "column unit: 'count' is not the indicator's 'percent'"),
        ("value", "150", "A percent lies between 0 and 100"),
        ("numerator", "5", "Give both the numerator and the denominator, or neither"),
        ("design_effect", "x", "column design_effect: 'x' is not a number"),
    ],
)
def test_each_kind_of_bad_cell_is_named(client, demo_data, tmp_path, column, cell, message):
    rows = rows_of(download(client))
    row = next(r for r in rows if r["phase"] == "monitoring")
    row[column] = cell
    before = stored_values()
    err = failing(tmp_path, as_csv(rows))
    assert "row 3" in err and message in err
    assert stored_values() == before


def test_a_rule_across_rows_is_checked_by_the_database_and_nothing_changes(
    client, demo_data, tmp_path
):
    rows = rows_of(download(client))
    monitoring = next(r for r in rows if r["phase"] == "monitoring")
    # A monitoring figure before the baseline breaks the phase order (a deferred trigger).
    monitoring["period_start"] = monitoring["period_end"] = "1990-01"
    before = stored_values()
    err = failing(tmp_path, as_csv(rows), "--dry-run")
    assert "break a rule of the database" in err
    assert stored_values() == before


def test_a_new_row_creates_a_measurement_of_a_known_indicator(client, demo_data, tmp_path):
    rows = rows_of(download(client))
    new = dict(next(r for r in rows if r["phase"] == "monitoring"))
    new.update(period_start="2013-01", period_end="2013-01", value="5")
    run_rows = [*rows, new]
    out, _ = run(tmp_path, as_csv(run_rows))
    assert out.strip().splitlines()[-1] == f"1 created, 0 updated, {len(rows)} unchanged"
    assert Measurement.objects.filter(
        indicator__program__slug=CAMBODIA, period_start="2013-01-01", value=5
    ).exists()


def test_the_same_measurement_twice_is_refused(client, demo_data, tmp_path):
    rows = rows_of(download(client))
    err = failing(tmp_path, as_csv([*rows, rows[1]]))
    assert f"row {len(rows) + 2}: the same measurement as row 3" in err


def test_guarded_text_comes_back_as_it_was_written(client, make_measurement, tmp_path):
    measurement = make_measurement(notes="=1+1 is how a formula starts")
    text = download(client, measurement.indicator.program.slug)
    assert "'=1+1" in text
    out, _ = run(tmp_path, text)
    assert out.strip().endswith("0 created, 0 updated, 1 unchanged")
    measurement.refresh_from_db()
    assert measurement.notes == "=1+1 is how a formula starts"


def test_a_header_that_is_not_the_downloads_is_refused(tmp_path, db):
    err = failing(tmp_path, "program,value\nx,1\n")
    assert "The header lacks the column(s): program_slug" in err
    assert "unknown column" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "neither UTF-8 CSV nor XLSX"),
        (b"PK\x03\x04not really a zip", "The XLSX file cannot be read"),
        (b"", "The file is empty"),
        (",".join(COLUMN_NAMES).encode() + b"\n", "no rows below its header"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused(content, message, db):
    with pytest.raises(ImportFailed, match=message):
        read_table(content)


def test_an_unknown_path_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_measurements", str(tmp_path / "missing.csv"))


def test_the_same_table_as_xlsx_imports(client, demo_data, tmp_path):
    rows = rows_of(download(client))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMN_NAMES)
    for row in rows:
        cells = [row[c] for c in COLUMN_NAMES]
        if row["phase"] == "monitoring":
            cells[COLUMN_NAMES.index("value")] = 8.5  # typed as a number in the spreadsheet
        sheet.append(cells)
    path = tmp_path / "figures.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("import_measurements", str(path), stdout=out)
    assert out.getvalue().strip().endswith(f"0 created, 1 updated, {len(rows) - 1} unchanged")
    assert Measurement.objects.filter(indicator__program__slug=CAMBODIA, value="8.5").exists()


def test_import_measurements_function_returns_what_it_did(client, demo_data):
    rows = read_table(download(client).encode())
    result = import_measurements(rows, dry_run=True)
    assert result.summary == f"0 created, 0 updated, {len(rows)} unchanged"


# --- Every program's measurements: /programs/measurements.csv and .json ---------------------------


def test_every_programs_measurements_as_csv_with_the_same_columns(client, demo_data):
    response = client.get(reverse("evaluation:all_measurements_csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="measurements.csv"'
    rows = rows_of(response.getvalue().decode())
    assert list(rows[0]) == COLUMN_NAMES
    # A row per measurement, and one per value by category (the Dominican Republic's venues).
    assert len(rows) == Measurement.objects.count() + BreakdownValue.objects.count() > 0
    assert len([r for r in rows if r["category"]]) == BreakdownValue.objects.count() == 4
    assert {r["program_slug"] for r in rows} == set(
        Program.objects.filter(indicators__measurements__isnull=False).values_list(
            "slug", flat=True
        )
    )


def test_every_programs_measurements_as_json_with_exact_numbers(client, demo_data):
    response = client.get(reverse("evaluation:all_measurements_json"))
    assert response["Content-Type"] == "application/json"
    records = json.loads(response.getvalue())["measurements"]
    assert len(records) == Measurement.objects.count() + BreakdownValue.objects.count()
    venues = [r for r in records if r["dimension"] == "venue type"]
    assert [(r["phase"], r["category"], r["value"]) for r in venues] == [
        ("baseline", "formal establishments", 5.8),
        ("baseline", "public spaces", 23.9),
        ("endline", "formal establishments", 1.7),
        ("endline", "public spaces", 2.4),
    ]
    cambodia = [r for r in records if r["program_slug"] == CAMBODIA]
    assert [r["value"] for r in cambodia if r["phase"] == "monitoring"] == [8.16]
    assert cambodia[0]["value"] is None and cambodia[0]["value_low"] == 15


@pytest.mark.parametrize(
    "name", ["evaluation:all_measurements_csv", "evaluation:all_measurements_json"]
)
def test_the_downloads_of_every_program_run_the_same_queries_however_many_rows(
    client, demo_data, make_measurement, name
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse(name)).getvalue()
        return len(captured)

    before = queries()
    for year in range(1990, 1995):
        make_measurement(phase=Measurement.Phase.BASELINE, start=f"{year}-01-01")
    assert queries() == before


def test_the_program_list_links_to_every_programs_figures(client, demo_data):
    page = client.get(reverse("evaluation:list")).content.decode()
    assert f'href="{reverse("evaluation:all_measurements_csv")}"' in page
    assert f'href="{reverse("evaluation:all_measurements_json")}"' in page


# --- The same import in the admin, with a preview -----------------------------------------------

IMPORT_URL = "/admin/evaluation/measurement/import/"


def upload(admin_client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")
    return admin_client.post(IMPORT_URL, {"file": file})


def test_the_measurement_list_links_to_the_import(admin_client, db):
    page = admin_client.get("/admin/evaluation/measurement/").content.decode()
    assert f'href="{IMPORT_URL}"' in page
    assert admin_client.get(IMPORT_URL).status_code == 200


def test_the_admin_previews_then_imports_what_it_showed(admin_client, client, demo_data):
    rows = rows_of(download(client))
    next(r for r in rows if r["phase"] == "monitoring")["value"] = "8.5"
    before = stored_values()

    preview = upload(admin_client, as_csv(rows))
    html = preview.content.decode()
    assert f"0 created, 1 updated, {len(rows) - 1} unchanged" in html
    assert "value: 8.16 → 8.5" in html
    assert stored_values() == before  # the preview writes nothing

    payload = preview.context["payload"]
    done = admin_client.post(IMPORT_URL, {"payload": payload, "confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == "/admin/evaluation/measurement/"
    assert "Imported: 0 created, 1 updated" in done.content.decode()
    assert Measurement.objects.filter(indicator__program__slug=CAMBODIA, value="8.5").exists()


def test_the_admin_shows_each_problem_and_writes_nothing(admin_client, client, demo_data):
    rows = rows_of(download(client))
    rows[1]["value"] = "abc"
    before = stored_values()
    response = upload(admin_client, as_csv(rows))
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "row 3, column value: &#x27;abc&#x27; is not a number" in html
    assert "Import these changes" not in html
    assert stored_values() == before


def test_an_altered_preview_is_refused(admin_client, demo_data):
    before = stored_values()
    response = admin_client.post(IMPORT_URL, {"payload": "forged:payload", "confirm": "1"})
    assert response.status_code == 200
    assert "The preview has expired or was altered" in response.content.decode()
    assert stored_values() == before


def test_a_curator_without_the_permissions_cannot_import(client, django_user_model, db):
    staff = django_user_model.objects.create_user("viewer", password="pw-123456", is_staff=True)
    client.force_login(staff)
    assert client.get(IMPORT_URL).status_code == 403


def test_counts_that_contradict_the_value_are_refused_and_counts_that_agree_come_in(
    client, demo_data, tmp_path
):
    rows = rows_of(download(client))
    row = next(r for r in rows if r["phase"] == "monitoring")  # 8.16 %
    row["numerator"], row["denominator"] = "27", "1203"
    before = stored_values()
    err = failing(tmp_path, as_csv(rows))
    assert "row 3, row: The value must be the share" in err and "27 of 1,203 is 2.2 %" in err
    assert stored_values() == before
    row["numerator"], row["denominator"], row["design_effect"] = "816", "10000", "2.5"
    out, _err = run(tmp_path, as_csv(rows))
    assert "0 created, 1 updated" in out
    stored = Measurement.objects.get(indicator__program__slug=CAMBODIA, phase="monitoring")
    assert (stored.numerator, stored.denominator, str(stored.design_effect)) == (
        816,
        10000,
        "2.500",
    )
    assert (
        as_shown("8.16 % — 816 of 10,000")
        in client.get(stored.indicator.program.get_absolute_url()).content.decode()
    )
