"""The measurements as a table: the columns of the CSV and JSON downloads, which the importer
reads back (`evaluation.imports`).

Each column is written once here, with how a measurement fills it and, for the columns an import
may change, which field it writes and how its cell is read. The other columns describe the row
(the program's and indicator's names, the study's title and address): they are for the reader,
and an import checks them against the database instead of writing them.

A measurement's values by category follow its row, one row each: the same program, indicator,
phase and first month, with `dimension` and `category` (and `second_dimension`,
`second_category` for a value by two dimensions at once) naming the part; its own value,
counts, wording, source and notes; the rest empty, as the measurement's row holds it. The
measurement's row has the four empty, and `breakdown_check` says, in words, where its parts
contradict it.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from typing import Any

from core.spreadsheet import spreadsheet_safe
from justicelib.site import absolute_url

from .breakdowns import contradictions
from .choices import DatePrecision, Phase, QualityRating, ValueKind
from .models import QUALITY_RATING_FIELDS, BreakdownValue, Measurement, same_method


class CellProblem(ValueError):
    """A cell that cannot be read: the message says what is wrong with it."""


def plain_number(value: Decimal | None) -> str:
    """“8.16”, “-79”, “1203”: the exact stored number, without exponent or trailing zeros."""
    return "" if value is None else f"{value.normalize():f}"


def read_number(cell: str) -> Decimal | None:
    if cell == "":
        return None
    if "," in cell:
        raise CellProblem(f"{cell!r} is not a number: write decimals with a point (8.16)")
    try:
        number = Decimal(cell)
    except InvalidOperation:
        raise CellProblem(f"{cell!r} is not a number") from None
    if not number.is_finite():
        raise CellProblem(f"{cell!r} is not a number")
    return number


def read_whole_number(cell: str) -> int | None:
    number = read_number(cell)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellProblem(f"{cell!r} is not a whole number")
    return int(number)


def read_month(cell: str):
    """“2014-03” → the 1st of March 2014 (months are stored as their first day)."""
    try:
        return datetime.datetime.strptime(cell, "%Y-%m").date()
    except ValueError:
        raise CellProblem(f"{cell!r} is not a month written as YYYY-MM") from None


def read_day(cell: str) -> datetime.date | None:
    """“2014-03-15” → that day; empty → none."""
    if cell == "":
        return None
    try:
        if len(cell) == 10:
            return datetime.date.fromisoformat(cell)
    except ValueError:
        pass
    raise CellProblem(f"{cell!r} is not a day written as YYYY-MM-DD")


def read_choice(choices: list[str], empty: str | None = None) -> Callable[[str], str]:
    """One of `choices`; an empty cell reads as `empty` where the field has a default."""

    def read(cell: str) -> str:
        if cell == "" and empty is not None:
            return empty
        if cell not in choices:
            raise CellProblem(f"{cell!r} is not one of {', '.join(choices)}")
        return cell

    return read


def read_text(cell: str) -> str:
    return cell


def unescaped(cell: str) -> str:
    """The cell as written before `spreadsheet_safe` guarded it: “'=x” → “=x”. A spreadsheet
    that saved the file again keeps the apostrophe as part of the text."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def as_its_measurement(part: BreakdownValue) -> Any:
    """Marks a column that a value by category fills as its measurement's row does."""
    raise NotImplementedError


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable[[Measurement], Any]
    """The cell's content, as JSON has it (numbers as Decimal, empty as None)."""
    field: str | None = None
    """The Measurement field an import writes from this column; None for a describing column."""
    read: Callable[[str], Any] = read_text
    is_text: bool = False
    """Free text: guarded against formulas in the CSV, unescaped on import."""
    part: Callable[[BreakdownValue], Any] | None = as_its_measurement
    """How the row of a value by category fills it: as its measurement's row (the columns that
    describe and find the measurement), from the part (its value, counts…: `field` names the
    BreakdownValue field too), or, None, left empty."""

    def cell_of(self, row: "Measurement | BreakdownValue") -> Any:
        if isinstance(row, Measurement):
            return self.value(row)
        if self.part is as_its_measurement:
            return self.value(row.measurement)
        return None if self.part is None else self.part(row)

    @property
    def is_of_the_part(self) -> bool:
        """A column the row of a value by category holds for the part itself."""
        return self.part is not None and self.part is not as_its_measurement


def _study(m: Measurement):
    """The source study where the public may read it: a draft is not named."""
    study = m.source_study
    return study if study is not None and study.is_published else None


def _study_url(m: Measurement) -> str:
    study = _study(m)
    return absolute_url(study.get_absolute_url()) if study else ""


def _month(value) -> str:
    return f"{value:%Y-%m}" if value else ""


def _day(value) -> str:
    return value.isoformat() if value else ""


def _reasons(m: Measurement) -> list[str]:
    return m.not_comparable_reasons(getattr(m, "table_baseline", None))


def _comparable(m: Measurement) -> str:
    """“no” when something says the row is not directly comparable with its baseline, “yes”
    when both methods are stated alike, “” otherwise (the baseline itself, no baseline, or a
    method not stated: nothing to go on)."""
    if m.is_baseline:
        return ""
    if _reasons(m):
        return "no"
    baseline = getattr(m, "table_baseline", None)
    if baseline is not None and same_method(baseline.method_used, m.method_used):
        return "yes"
    return ""


def with_baselines(measurements: Iterable[Measurement]) -> Iterator[Measurement]:
    """The measurements, each told its indicator's baseline (`table_baseline`), read in table
    order: an indicator's baseline ends before its other figures start (the phase rule of the
    database), so it is the indicator's first row and no further query is needed."""
    indicator_id, baseline = None, None
    for m in measurements:
        if m.indicator_id != indicator_id:
            indicator_id, baseline = m.indicator_id, None
        if m.is_baseline:
            baseline = m
        m.table_baseline = baseline  # type: ignore[attr-defined]
        yield m


def _category(part: BreakdownValue, index: int):
    categories = part.categories
    return categories[index] if len(categories) > index else None


def _dimension_name(index: int) -> Callable[[BreakdownValue], str]:
    def name(part: BreakdownValue) -> str:
        category = _category(part, index)
        return category.dimension.name if category else ""

    return name


def _category_name(index: int) -> Callable[[BreakdownValue], str]:
    def name(part: BreakdownValue) -> str:
        category = _category(part, index)
        return category.name if category else ""

    return name


def _breakdown_check(m: Measurement) -> str:
    return " ".join(c.message for c in contradictions(m))


def _blank(m: Measurement) -> str:
    return ""


def _own(field: str) -> Callable[[BreakdownValue], Any]:
    return lambda part: getattr(part, field)


COLUMNS: list[Column] = [
    Column("program", lambda m: m.indicator.program.name, is_text=True),
    Column("program_slug", lambda m: m.indicator.program.slug),
    Column("indicator", lambda m: m.indicator.name, is_text=True),
    Column("indicator_slug", lambda m: m.indicator.slug),
    Column("disaggregation", lambda m: m.indicator.disaggregation, is_text=True),
    Column("unit", lambda m: m.indicator.unit),
    Column("direction", lambda m: m.indicator.direction),
    Column("level", lambda m: m.indicator.level),
    Column("cumulative", lambda m: "yes" if m.indicator.is_cumulative else "no"),
    Column("phase", lambda m: m.phase, "phase", read_choice(Phase.values)),
    Column("period_start", lambda m: _month(m.period_start), "period_start", read_month),
    Column("period_end", lambda m: _month(m.period_end), "period_end", read_month, part=None),
    Column("period_wording", lambda m: m.period_wording, "period_wording", is_text=True, part=None),
    Column("dimension", _blank, is_text=True, part=_dimension_name(0)),
    Column("category", _blank, is_text=True, part=_category_name(0)),
    Column("second_dimension", _blank, is_text=True, part=_dimension_name(1)),
    Column("second_category", _blank, is_text=True, part=_category_name(1)),
    Column(
        "value_kind",
        lambda m: m.value_kind,
        "value_kind",
        read_choice(ValueKind.values),
        part=None,
    ),
    Column("value", lambda m: m.value, "value", read_number, part=_own("value")),
    Column("value_low", lambda m: m.value_low, "value_low", read_number, part=None),
    Column("value_high", lambda m: m.value_high, "value_high", read_number, part=None),
    Column(
        "published_wording",
        lambda m: m.published_wording,
        "published_wording",
        is_text=True,
        part=_own("published_wording"),
    ),
    Column("ci_lower", lambda m: m.ci_lower, "ci_lower", read_number, part=None),
    Column("ci_upper", lambda m: m.ci_upper, "ci_upper", read_number, part=None),
    Column("sample_size", lambda m: m.sample_size, "sample_size", read_whole_number, part=None),
    Column(
        "numerator", lambda m: m.numerator, "numerator", read_whole_number, part=_own("numerator")
    ),
    Column(
        "denominator",
        lambda m: m.denominator,
        "denominator",
        read_whole_number,
        part=_own("denominator"),
    ),
    Column("design_effect", lambda m: m.design_effect, "design_effect", read_number, part=None),
    Column("source_study", lambda m: _study(m).title if _study(m) else "", is_text=True, part=None),
    Column(
        "source_study_slug",
        lambda m: _study(m).slug if _study(m) else "",
        "source_study",
        part=None,
    ),
    Column("source_study_url", _study_url, part=None),
    Column(
        "source_reference",
        lambda m: m.source_reference,
        "source_reference",
        is_text=True,
        part=_own("source_reference"),
    ),
    Column(
        "source_citation", lambda m: m.source_citation, "source_citation", is_text=True, part=None
    ),
    Column("notes", lambda m: m.notes, "notes", is_text=True, part=_own("notes")),
    Column("method", lambda m: m.method, "method", is_text=True, part=None),
    Column("collected_by", lambda m: m.collected_by, "collected_by", is_text=True, part=None),
    Column(
        "fieldwork_start", lambda m: _day(m.fieldwork_start), "fieldwork_start", read_day, part=None
    ),
    Column("fieldwork_end", lambda m: _day(m.fieldwork_end), "fieldwork_end", read_day, part=None),
    Column(
        "fieldwork_precision",
        lambda m: m.fieldwork_precision,
        "fieldwork_precision",
        read_choice(DatePrecision.values, empty=DatePrecision.DAY),
        part=None,
    ),
    *[
        column
        for name in QUALITY_RATING_FIELDS
        for column in (
            Column(
                name,
                attrgetter(name),
                name,
                read_choice(QualityRating.values, empty=QualityRating.NOT_ASSESSED),
                part=None,
            ),
            Column(
                f"{name}_note",
                attrgetter(f"{name}_note"),
                f"{name}_note",
                is_text=True,
                part=None,
            ),
        )
    ],
    Column(
        "quality_assessed_by",
        lambda m: m.quality_assessed_by,
        "quality_assessed_by",
        is_text=True,
        part=None,
    ),
    Column("limitations", lambda m: m.limitations, "limitations", is_text=True, part=None),
    Column(
        "not_comparable_reason",
        lambda m: m.not_comparable_reason,
        "not_comparable_reason",
        is_text=True,
        part=None,
    ),
    # Derived from the row and its indicator's baseline (the row before it in table order):
    # for the reader; an import neither writes nor checks them, since an edited file may change
    # the baseline's method in the same go.
    Column("comparable_with_baseline", lambda m: _comparable(m), part=None),
    Column("not_comparable_because", lambda m: " ".join(_reasons(m)), is_text=True, part=None),
    Column("breakdown_check", _breakdown_check, is_text=True, part=None),
]
COLUMN_NAMES = [column.name for column in COLUMNS]

# What identifies a row's measurement: a download, edited, finds its own rows again.
KEY_COLUMNS = ("program_slug", "indicator_slug", "phase", "period_start")
# …and which of its values by category a row is (all four empty: the measurement's own row).
PART_COLUMNS = ("dimension", "category", "second_dimension", "second_category")


def csv_cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)
    if column.is_text:
        return spreadsheet_safe(str(value))
    return str(value)


def csv_row(row: Measurement | BreakdownValue) -> list[str]:
    return [csv_cell(column, column.cell_of(row)) for column in COLUMNS]


def table_rows(measurements) -> Iterator[Measurement | BreakdownValue]:
    """Each measurement, then its values by category (prefetched by `for_table`)."""
    for measurement in measurements:
        yield measurement
        yield from measurement.values_by_category


def csv_rows(measurements) -> Iterator[list[str]]:
    """The header and a row per measurement; `measurements` in table order (`in_table_order`)."""
    yield COLUMN_NAMES
    for row in table_rows(with_baselines(measurements)):
        yield csv_row(row)


def json_record(row: Measurement | BreakdownValue) -> dict[str, Any]:
    """One row for the JSON download: exact numbers (as JSON numbers), null for empty."""
    record = {}
    for column in COLUMNS:
        value = column.cell_of(row)
        if isinstance(value, Decimal):
            # Stored with at most 14 digits: a float prints them back exactly.
            value = int(value) if value == value.to_integral_value() else float(value)
        record[column.name] = None if value == "" else value
    return record
