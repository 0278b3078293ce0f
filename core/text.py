"""Text as curators write it."""


def normalise_newlines(instance: object, *fields: str) -> None:
    """Store line breaks as "\\n": browsers send a textarea's as "\\r\\n", so saving a form
    unchanged would otherwise rewrite the text (a change in the history, `\\r` in the exports)."""
    for field in fields:
        value = getattr(instance, field)
        if value and "\r" in value:
            setattr(instance, field, value.replace("\r\n", "\n").replace("\r", "\n"))
