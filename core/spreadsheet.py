"""CSV cells that spreadsheets open safely (the study exports and the programs' figures)."""


def spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula (CSV injection): values
    starting with = + - @ (or a tab or carriage return) get a leading apostrophe."""
    return f"'{value}" if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
