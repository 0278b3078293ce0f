"""Text a curator wrote in two languages: the Spanish version where the page is Spanish and one
was written, the English otherwise (the English is always there; the Spanish may be blank)."""

from django.utils.translation import get_language


def curated_text(english: str, spanish: str) -> str:
    """`spanish` when the active language is Spanish and it is not blank, else `english`."""
    if spanish.strip() and (get_language() or "").split("-")[0] == "es":
        return spanish
    return english
