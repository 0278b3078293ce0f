"""Text as curators write it."""

import re

# Control characters (other than tab and line breaks) and non-characters cannot appear in XML 1.0.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 forbids (ElementTree escapes the markup)."""
    return _NOT_XML.sub("", value)


def normalise_newlines(instance: object, *fields: str) -> None:
    """Store line breaks as "\\n": browsers send a textarea's as "\\r\\n", so saving a form
    unchanged would otherwise rewrite the text (a change in the history, `\\r` in the exports)."""
    for field in fields:
        value = getattr(instance, field)
        if value and "\r" in value:
            setattr(instance, field, value.replace("\r\n", "\n").replace("\r", "\n"))
