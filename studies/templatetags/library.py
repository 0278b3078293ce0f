"""Template filters for the study library."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from studies.search import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()


@register.filter
def highlight(snippet: str | None) -> SafeString:
    """A search snippet with PostgreSQL's match markers as <mark>, everything else escaped."""
    if not snippet:
        return mark_safe("")
    escaped = escape(snippet)
    return mark_safe(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))


@register.filter
def has_match(snippet: str | None) -> bool:
    """Whether a search snippet shows any matched word."""
    return bool(snippet) and HIGHLIGHT_START in str(snippet)


@register.filter
def percent_of(count: int, maximum: int) -> int:
    """`count` as a whole percentage of `maximum` (for bar widths)."""
    return round(100 * count / maximum) if maximum else 0
