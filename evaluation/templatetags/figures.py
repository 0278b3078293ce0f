"""Template filters for how figures read on the program pages."""

import re

from django import template

register = template.Library()

# A digit, a space, a per cent sign: “50 %”, “−79 %”, “15 %–30 %”, in any language's text.
NUMBER_THEN_PERCENT = re.compile(r"(?<=\d) %")


@register.filter(is_safe=True)
def keep_figures_together(html: str) -> str:
    """The rendered block with a no-break space (U+00A0) between each number and its “%”, so a
    narrow screen never sets “50” at the end of one line and “%” at the start of the next.

    It reads rendered HTML, where a digit followed by “ %” only occurs in text (tags and URLs
    hold no such space), and changes nothing that could make markup: a safe block stays safe.
    """
    return NUMBER_THEN_PERCENT.sub("\u00a0%", html)
