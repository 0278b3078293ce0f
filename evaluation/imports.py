"""Importing measurements from the table the site hands out (`evaluation.tables`).

A downloaded `measurements.csv` (or the same columns saved as XLSX), edited, comes back in: rows
are matched by program, indicator, phase and first month; a row that matches nothing creates a
measurement of a known indicator. A row naming a category is one of a measurement's values by
category (`tables` describes the layout): matched by its measurement and categories, it creates
or changes that value, of the measurement stored or of the one the file's own row makes.

All or nothing: every row is checked by the model's own validation and then by the database's
constraints (those deferred to the end of a transaction too) before anything is kept, and any
problem leaves the database as it was.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from studies.models import Study

from .models import BreakdownValue, Category, Indicator, Measurement
from .tables import (
    COLUMN_NAMES,
    COLUMNS,
    KEY_COLUMNS,
    PART_COLUMNS,
    CellProblem,
    Column,
    csv_cell,
    read_month,
    unescaped,
)

# An import is a curator's spreadsheet, not a bulk load: a bigger file is a mistake.
MAX_FILE_BYTES = 20 * 1024 * 1024
XLSX_SIGNATURE = b"PK\x03\x04"

# Columns that describe the row; an import checks them and never writes them.
DESCRIBING = {
    "program": lambda indicator, study: indicator.program.name,
    "indicator": lambda indicator, study: indicator.name,
    "disaggregation": lambda indicator, study: indicator.disaggregation,
    "unit": lambda indicator, study: indicator.unit,
    "direction": lambda indicator, study: indicator.direction,
    "level": lambda indicator, study: indicator.level,
    "cumulative": lambda indicator, study: "yes" if indicator.is_cumulative else "no",
}


class ImportFailed(Exception):
    """The file cannot be imported; `problems` says why, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    """What the import did (or a dry run would do), row by row: measurements and their values
    by category (`parts`) counted together in the summary."""

    created: list[Measurement] = field(default_factory=list)
    updated: list[tuple[Measurement, list[str]]] = field(default_factory=list)
    created_parts: list[BreakdownValue] = field(default_factory=list)
    updated_parts: list[tuple[BreakdownValue, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    @property
    def summary(self) -> str:
        created = len(self.created) + len(self.created_parts)
        updated = len(self.updated) + len(self.updated_parts)
        return f"{created} created, {updated} updated, {self.unchanged} unchanged"


class _PartsRefused(Exception):
    """Rows of values by category that cannot be written (found once their measurements are)."""

    def __init__(self, problems: list[str]):
        self.problems = problems


# Columns the import never reads: the check of a measurement's parts is computed, not stored.
COMPUTED = {"breakdown_check"}
# The BreakdownValue fields a row by category writes (the part's own columns).
PART_FIELDS = [c for c in COLUMNS if c.is_of_the_part and c.field]


def read_table(content: bytes, name: str = "") -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file (told apart by their bytes, not by the name), as
    {column: cell}, header checked. Raises ImportFailed."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFailed([f"The file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB."])
    if content.startswith(XLSX_SIGNATURE):
        header, rows = _xlsx_rows(content)
    else:
        header, rows = _csv_rows(content)
    missing = [c for c in COLUMN_NAMES if c not in header]
    unknown = [c for c in header if c not in COLUMN_NAMES]
    problems = []
    if missing:
        problems.append(f"The header lacks the column(s): {', '.join(missing)}.")
    if unknown:
        problems.append(f"The header has unknown column(s): {', '.join(unknown)}.")
    if len(set(header)) != len(header):
        problems.append("The header names a column twice.")
    if problems:
        raise ImportFailed(problems)
    table = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line a spreadsheet left at the end
        if len(cells) > len(header):
            raise ImportFailed([f"row {number}: more cells than the header has columns."])
        cells = cells + [""] * (len(header) - len(cells))
        table.append({"_row": str(number), **dict(zip(header, cells, strict=True))})
    if not table:
        raise ImportFailed(["The file has no rows below its header."])
    return table


def _csv_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(["The file is neither UTF-8 CSV nor XLSX."]) from None
    if "\x00" in text:
        raise ImportFailed(["The file is neither UTF-8 CSV nor XLSX."])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as error:
        raise ImportFailed([f"The CSV cannot be read: {error}."]) from None
    if not lines:
        raise ImportFailed(["The file is empty."])
    # Row numbers as a spreadsheet shows them: the header is row 1.
    return lines[0], [(i, line) for i, line in enumerate(lines[1:], start=2)]


def _xlsx_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    import zipfile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFailed([f"The XLSX file cannot be read: {error}."]) from None
    sheet = workbook.worksheets[0]
    lines = [[_xlsx_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not lines:
        raise ImportFailed(["The file is empty."])
    header = lines[0]
    while header and header[-1] == "":
        header = header[:-1]
    rows = [(i, line[: len(header)]) for i, line in enumerate(lines[1:], start=2)]
    return header, rows


def _xlsx_cell(value: Any) -> str:
    """A spreadsheet cell as the CSV would hold it."""
    import datetime
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%Y-%m}"
    if isinstance(value, float):
        # 8.16 typed in a cell comes back as the float 8.16: its shortest repr is what was typed.
        return f"{Decimal(repr(value)).normalize():f}"
    return str(value)


def import_measurements(rows: list[dict[str, str]], *, dry_run: bool = False) -> ImportResult:
    """Writes the rows, all or nothing. Raises ImportFailed with every problem found."""
    indicators = _indicators_named_in(rows)
    studies = {
        s.slug: s for s in Study.objects.filter(slug__in={r["source_study_slug"] for r in rows})
    }
    problems: list[str] = []
    planned: list[tuple[str, Measurement, list[str]]] = []
    part_rows: list[dict[str, str]] = []
    seen_keys: dict[tuple[str, ...], str] = {}
    for row in rows:
        number = row["_row"]
        key = tuple(row[c] for c in KEY_COLUMNS) + tuple(row[c].strip() for c in PART_COLUMNS)
        if key in seen_keys:
            problems.append(f"row {number}: the same measurement as row {seen_keys[key]}.")
            continue
        seen_keys[key] = number
        if any(row[c].strip() for c in PART_COLUMNS):
            part_rows.append(row)  # planned once the measurements are written
            continue
        outcome = _plan_row(row, indicators, studies)
        if isinstance(outcome, list):
            problems.extend(f"row {number}, {p}" for p in outcome)
        else:
            planned.append((number, *outcome))
    if problems:
        raise ImportFailed(problems)

    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            for _number, measurement, changes in planned:
                if measurement.pk is None:
                    measurement.save()
                    result.created.append(measurement)
                elif changes:
                    measurement.save()
                    result.updated.append((measurement, changes))
                else:
                    result.unchanged += 1
            _write_parts(part_rows, indicators, result)
            # The rules that need other rows (phase order…) are deferred constraint triggers:
            # fire them now, inside the transaction, so a dry run is checked as fully as an
            # import, and a broken rule is reported instead of raised at commit.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if dry_run:
                transaction.set_rollback(True)
    except _PartsRefused as refused:
        raise ImportFailed(refused.problems) from None
    except DatabaseError as error:
        raise ImportFailed(
            [f"The rows together break a rule of the database: {_first_line(error)}"]
        ) from None
    return result


def _write_parts(rows, indicators, result: ImportResult) -> None:
    """Writes the rows of values by category, or raises _PartsRefused with all their problems
    (the transaction is then rolled back, measurements too)."""
    problems: list[str] = []
    for row in rows:
        outcome = _plan_part(row, indicators)
        if isinstance(outcome, list):
            problems.extend(f"row {row['_row']}, {p}" for p in outcome)
            continue
        part, changes = outcome
        if part.pk is None:
            part.save()
            result.created_parts.append(part)
        elif changes:
            part.save()
            result.updated_parts.append((part, changes))
        else:
            result.unchanged += 1
    if problems:
        raise _PartsRefused(problems)


def _plan_part(row, indicators) -> tuple[BreakdownValue, list[str]] | list[str]:
    """The value by category the row makes or changes (unsaved), or the row's problems."""
    indicator = indicators.get((row["program_slug"], row["indicator_slug"]))
    if indicator is None:
        return [
            f"column indicator_slug: no indicator {row['indicator_slug']!r} in program "
            f"{row['program_slug']!r}"
        ]
    problems = [
        f"column {name}: {row[name]!r} is not the indicator's {stored(indicator, None)!r}"
        for name, stored in DESCRIBING.items()
        if row[name] != _guarded(name, stored(indicator, None))
    ]
    problems += [
        f"column {column.name}: a row by category holds only its own value, counts, wording, "
        "source and notes; leave this empty (the measurement's row holds it)"
        for column in COLUMNS
        if column.part is None and column.name not in COMPUTED and row[column.name].strip()
    ]
    if problems:
        return problems
    try:
        phase = next(c for c in COLUMNS if c.name == "phase").read(row["phase"].strip())
        period_start = read_month(row["period_start"].strip())
    except CellProblem as problem:
        return [f"column phase or period_start: {problem}"]
    measurement = Measurement.objects.filter(
        indicator=indicator, phase=phase, period_start=period_start
    ).first()
    if measurement is None:
        return [
            f"no {phase} of {row['indicator_slug']!r} starting {row['period_start']}: a row by "
            "category follows its measurement's own row (with the category columns empty)"
        ]
    categories: list[Category | None] = []
    for dimension_column, category_column in (
        ("dimension", "category"),
        ("second_dimension", "second_category"),
    ):
        found = _category(indicator, row[dimension_column], row[category_column])
        if isinstance(found, str):
            problems.append(f"column {category_column}: {found}")
        categories.append(found if not isinstance(found, str) else None)
    if problems:
        return problems
    first, second = categories
    if first is None:
        return ["column category: name the first dimension and its category"]
    if second is not None and second.dimension_id < first.dimension_id:
        first, second = second, first  # the order the database keeps a pair in
    values: dict[str, Any] = {}
    for column in PART_FIELDS:
        try:
            values[column.field] = _read_cell(column, row[column.name], {})  # type: ignore[index]
        except CellProblem as problem:
            problems.append(f"column {column.name}: {problem}")
    if problems:
        return problems
    if values["value"] is None:
        return ["column value: a value by category needs its value"]
    part = BreakdownValue.objects.filter(
        measurement=measurement, category=first, second_category=second
    ).first() or BreakdownValue(measurement=measurement, category=first, second_category=second)
    changes = []
    for name, value in values.items():
        before = getattr(part, name)
        if part.pk is None or before != value:
            if part.pk is not None:
                changes.append(
                    f"{part.combination_label}, {name}: {_shown(before)} → {_shown(value)}"
                )
            setattr(part, name, value)
    try:
        part.full_clean()
    except ValidationError as error:
        return [
            f"column {f if f != '__all__' else 'row'}: {' '.join(m)}"
            for f, m in error.message_dict.items()
        ]
    return part, changes


def _category(indicator: Indicator, dimension_name: str, category_name: str):
    """The indicator's category so named, None for two empty cells, or what is wrong."""
    dimension_name, category_name = unescaped(dimension_name), unescaped(category_name)
    if not dimension_name and not category_name:
        return None
    dimension = next((d for d in indicator.dimensions.all() if d.name == dimension_name), None)
    if dimension is None:
        known = ", ".join(repr(d.name) for d in indicator.dimensions.all()) or "none"
        return f"the indicator has no dimension {dimension_name!r} (it has: {known})"
    category = next((c for c in dimension.categories.all() if c.name == category_name), None)
    if category is None:
        return f"dimension {dimension_name!r} has no category {category_name!r}"
    return category


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _indicators_named_in(rows) -> dict[tuple[str, str], Indicator]:
    program_slugs = {row["program_slug"] for row in rows}
    indicators = (
        Indicator.objects.filter(program__slug__in=program_slugs)
        .select_related("program")
        .prefetch_related("dimensions__categories")
    )
    return {(i.program.slug, i.slug): i for i in indicators}


def _plan_row(row, indicators, studies) -> tuple[Measurement, list[str]] | list[str]:
    """The measurement the row makes (unsaved) and its changes, or the row's problems."""
    indicator = indicators.get((row["program_slug"], row["indicator_slug"]))
    if indicator is None:
        known_program = any(slug == row["program_slug"] for slug, _ in indicators)
        if not known_program:
            return [f"column program_slug: no program {row['program_slug']!r}"]
        return [
            f"column indicator_slug: program {row['program_slug']!r} has no indicator "
            f"{row['indicator_slug']!r}"
        ]
    problems = []
    values: dict[str, Any] = {}
    for column in COLUMNS:
        if column.field is None:
            continue
        try:
            values[column.field] = _read_cell(column, row[column.name], studies)
        except CellProblem as problem:
            problems.append(f"column {column.name}: {problem}")
    if problems:
        return problems
    if values["period_end"] is None:
        values["period_end"] = values["period_start"]  # a single month, as the model stores it
    study = values.get("source_study")
    for name, stored in DESCRIBING.items():
        if row[name] != _guarded(name, stored(indicator, study)):
            problems.append(
                f"column {name}: {row[name]!r} is not the indicator's {stored(indicator, study)!r} "
                "(an import changes figures; edit programs and indicators in the admin)"
            )
    if problems:
        return problems

    measurement = Measurement.objects.filter(
        indicator=indicator, phase=values["phase"], period_start=values["period_start"]
    ).first() or Measurement(indicator=indicator)
    changes = []
    for name, value in values.items():
        before = getattr(measurement, name)
        if measurement.pk is None or before != value:
            if measurement.pk is not None:
                changes.append(f"{name}: {_shown(before)} → {_shown(value)}")
            setattr(measurement, name, value)
    # Rules across rows are left to the database (the import may reorder several rows at once).
    measurement.check_order_against_stored = False
    try:
        measurement.full_clean()
    except ValidationError as error:
        return [f"{_field_column(f)}: {' '.join(m)}" for f, m in error.message_dict.items()]
    return measurement, changes


def _read_cell(column: Column, cell: str, studies) -> Any:
    cell = cell.strip() if not column.is_text else unescaped(cell)
    if column.field == "source_study":
        if cell == "":
            return None
        if cell not in studies:
            raise CellProblem(f"no study {cell!r} in the library")
        return studies[cell]
    if column.field == "period_end" and cell == "":
        return None  # the model reads an empty end as the start month
    return column.read(cell)


def _guarded(name: str, value: str) -> str:
    column = next(c for c in COLUMNS if c.name == name)
    return csv_cell(column, value)


def _field_column(field_name: str) -> str:
    if field_name == "__all__":
        return "row"
    column = next((c.name for c in COLUMNS if c.field == field_name), field_name)
    return f"column {column}"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, Study):
        return value.slug
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 50, not 5E+1
    return str(value)


def import_file(path: Path, *, dry_run: bool = False) -> ImportResult:
    return import_measurements(read_table(path.read_bytes(), path.name), dry_run=dry_run)
