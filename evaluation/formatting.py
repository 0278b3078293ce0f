"""How figures and months read on the public pages: “8.16 %”, “−79 %”, “2008–2012”, “March 2015”.

Pages use the typographic minus (U+2212), as the organisation's publications do; the CSV keeps
plain ASCII numbers for machines.
"""

import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .choices import Unit

MINUS = "\u2212"

UNIT_SUFFIXES = {
    Unit.PERCENT: " %",
    Unit.COUNT: "",
    Unit.RATE_PER_1000: _(" per 1,000"),
    Unit.DAYS: _(" days"),
    Unit.RATIO: "",
    Unit.SCORE: "",
}


def format_number(value: Decimal | float | int, places: int | None = None) -> str:
    """A number without trailing zeros (“8.16”, “220”), thousands separated, minus as “−”."""
    number = Decimal(str(value))
    if places is not None:
        number = round(number, places)
    text = f"{number.normalize():,f}" if number else "0"  # never “−0”
    return text.replace("-", MINUS)


def format_value(value: Decimal, unit: str) -> str:
    return format_number(value) + str(UNIT_SUFFIXES.get(unit, ""))


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
