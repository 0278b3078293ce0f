"""How figures and months read on the public pages: “8.16 %”, “−79 %”, “2008–2012”, “March 2015”.

Pages use the typographic minus (U+2212), as the organisation's publications do; the CSV keeps
plain ASCII numbers for machines.
"""

import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from .choices import Unit

MINUS = "\u2212"

# Keyed by `Unit` members, looked up with a field's plain string (equal to its member); in
# English here, in the page's language through `unit_suffix`.
UNIT_SUFFIXES: dict[str, str] = {
    Unit.PERCENT: " %",
    Unit.COUNT: "",
    Unit.RATE_PER_1000: gettext_noop(" per 1,000"),
    Unit.RATE_PER_10000: gettext_noop(" per 10,000"),
    Unit.DAYS: gettext_noop(" days"),
    Unit.RATIO: "",
    Unit.SCORE: "",
}


def unit_suffix(unit: str) -> str:
    """What follows a figure in `unit` (“ %”, “ per 1,000”), in the page's language."""
    suffix = UNIT_SUFFIXES.get(unit, "")
    # gettext("") would be the catalogue's header, not an empty suffix.
    return gettext(suffix) if suffix else ""


def required(value: Decimal | None) -> Decimal:
    """A figure the measurement's kind requires: a point's value, a range's bounds, an interval's
    upper end once its lower end is given. The check constraints keep it from a stored row."""
    if value is None:
        raise ValueError("A figure that the measurement's kind requires is missing.")
    return value


def format_number(value: Decimal | float | int, places: int | None = None) -> str:
    """A number without trailing zeros (“8.16”, “220”), thousands separated, minus as “−”."""
    number = Decimal(str(value))
    if places is not None:
        number = round(number, places)
    text = f"{number.normalize():,f}" if number else "0"  # never “−0”
    return text.replace("-", MINUS)


def format_value(value: Decimal, unit: str) -> str:
    return format_number(value) + unit_suffix(unit)


def format_signed(value: Decimal | float, suffix: str = "", places: int | None = None) -> str:
    """A change with its sign always shown: “+136 %”, “−79 %”; zero as “0”."""
    text = format_number(value, places)
    if Decimal(str(value)) > 0 and text != "0":
        text = "+" + text
    return text + suffix


def format_period(start: datetime.date, end: datetime.date | None = None) -> str:
    """Month-precision periods, by years when they are whole years.

    “2012”, “2008–2012”, “March 2015”, “September–November 2012”, “March 2006 – June 2010”.
    Without an end, the single month.
    """
    end = end or start
    if start.month == 1 and end.month == 12:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if start == end:
        return month_and_year(start)
    if start.year == end.year:
        return f"{date_format(start, 'F')}–{month_and_year(end)}"
    return f"{month_and_year(start)} – {month_and_year(end)}"


def month_and_year(month: datetime.date) -> str:
    """“March 2015”, in Spanish “marzo de 2015”: the active language's month and year."""
    return date_format(month, "YEAR_MONTH_FORMAT")
