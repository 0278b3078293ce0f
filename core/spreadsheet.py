"""CSV cells that spreadsheets open safely (the study exports and the programs' figures)."""

# What a spreadsheet reads as the start of a formula (CSV injection).
FORMULA_STARTS = frozenset("=+-@\t\r")


def spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula (CSV injection): values
    starting with = + - @ (or a tab or carriage return) get a leading apostrophe."""
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def spreadsheet_safe_row(cells: list[str]) -> list[str]:
    """`spreadsheet_safe` on every cell, without a call per cell (exports write millions)."""
    return [f"'{cell}" if cell[:1] in FORMULA_STARTS else cell for cell in cells]
