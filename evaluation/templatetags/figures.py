"""Template filters for how figures read on the program pages."""

from django import template

from evaluation import drawing

register = template.Library()


@register.filter(is_safe=True)
def keep_figures_together(html: str) -> str:
    """The rendered block with a no-break space (U+00A0) between each number and its “%”, so a
    narrow screen never sets “50” at the end of one line and “%” at the start of the next.

    It reads rendered HTML, where a digit followed by “ %” only occurs in text (tags and URLs
    hold no such space), and changes nothing that could make markup: a safe block stays safe.
    """
    # Split at each “ %” rather than a regular expression's look-behind, which tried every
    # position of an 85 KB program page (1.3 ms of it).
    pieces = html.split(" %")
    out = [pieces[0]]
    for before, piece in zip(pieces, pieces[1:], strict=False):
        out.append("\u00a0%" if before[-1:].isdigit() else " %")
        out.append(piece)
    return "".join(out)  # is_safe: Django keeps a safe block safe


@register.simple_tag
def chart_svg(chart, indicator_id: int):
    """One drawing of an indicator's chart (`evaluation.drawing`)."""
    return drawing.chart_svg(chart, indicator_id)
