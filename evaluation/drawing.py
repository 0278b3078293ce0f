"""An indicator's chart (`charts.TrajectoryChart`) written out as SVG.

Written in Python rather than a template: a program page draws each chart twice (for screens
and for phones), a ten-year monthly series has hundreds of figures, and the template engine
spent about 7 ms a page resolving the same few attributes per mark. Numbers are written as
Python writes them (never localised: “12.5”, not “12,5”); every word is escaped.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .charts import Mark, TrajectoryChart

BLUE, INK, GREY, RULE, GREEN, RED = "#0b5cad", "#1b1f24", "#4a5561", "#d5dbe1", "#1a7f37", "#b42318"


def chart_svg(chart: TrajectoryChart, indicator_id: int) -> SafeString:
    """One drawing of an indicator's chart, labelled by its title and description for
    screen readers (the marks themselves are hidden from them: the description says it all)."""
    c = chart
    ids = f"chart-{indicator_id}-{c.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-{c.name}" '
        f'viewBox="0 0 {c.width} {c.height}" width="{c.width}" height="{c.height}" role="img" '
        f'aria-labelledby="{ids}-title {ids}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{c.font_size}">',
        f'<title id="{ids}-title">{escape(c.title)}</title>',
        f'<desc id="{ids}-desc">{escape(c.description)}</desc>',
        '<g aria-hidden="true">',
        f'<text x="0" y="{c.y_axis_label_y}" fill="{INK}">{escape(c.y_axis_label)}</text>',
    ]
    for tick in c.y_ticks:
        parts.append(
            f'<line x1="{c.left}" x2="{c.right}" y1="{tick.position}" y2="{tick.position}" '
            f'stroke="{RULE}"/><text x="{c.y_label_x}" y="{tick.position}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{GREY}">{escape(tick.label)}</text>'
        )
    for tick in c.x_ticks:
        parts.append(
            f'<line x1="{tick.position}" x2="{tick.position}" y1="{c.bottom}" '
            f'y2="{c.x_tick_end}" stroke="{GREY}"/><text x="{tick.position}" y="{c.x_label_y}" '
            f'text-anchor="middle" fill="{GREY}">{escape(tick.label)}</text>'
        )
    parts.append(
        f'<line x1="{c.left}" x2="{c.right}" y1="{c.bottom}" y2="{c.bottom}" stroke="{GREY}"/>'
        f'<line x1="{c.left}" x2="{c.left}" y1="{c.top}" y2="{c.bottom}" stroke="{GREY}"/>'
    )
    if c.zero_y is not None:
        parts.append(
            f'<line x1="{c.left}" x2="{c.right}" y1="{c.zero_y}" y2="{c.zero_y}" '
            f'stroke="{INK}" stroke-dasharray="4 3"/>'
        )
    parts.append(
        f'<path class="periods" d="{c.period_path}" stroke="#8a96a3" stroke-width="2" fill="none"/>'
    )
    for band in c.bands:
        parts.append(
            f'<polygon class="band" points="{band.points}" fill="{BLUE}" fill-opacity="0.14" '
            f'stroke="{BLUE}" stroke-opacity="0.6" stroke-dasharray="4 3"/>'
        )
    for line in c.lines:
        parts.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for mark in c.drawn_marks:
        parts.append(_mark_svg(mark, c.dot_radius))
    for target in c.targets:
        colour = GREEN if target.on_track else RED
        parts.append(
            f'<line class="target" x1="{target.x_start}" x2="{target.x_end}" y1="{target.y}" '
            f'y2="{target.y}" stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{target.x_end}" y="{target.y}" dy="-6" text-anchor="end" '
            f'fill="{INK}">{escape(target.label)}</text>'
        )
    for note in c.notes:
        parts.append(
            f'<text x="{note.x}" y="{c.note_y}" text-anchor="middle" fill="{GREY}" '
            f'font-style="italic">{escape(note.label)}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every word above is escaped)


def _mark_svg(mark: Mark, dot_radius: int) -> str:
    """A range's bar with its caps; or a dot with its interval's whisker; and its label."""
    x, left, right = mark.x, mark.cap_left, mark.cap_right
    parts = []
    if mark.is_range:
        low, high = mark.y_low, mark.y_high
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{low}" y2="{high}" stroke="{BLUE}" stroke-width="8" '
            f'stroke-opacity="0.45"/>'
            f'<line x1="{left}" x2="{right}" y1="{low}" y2="{low}" stroke="{BLUE}" '
            'stroke-width="2"/>'
            f'<line x1="{left}" x2="{right}" y1="{high}" y2="{high}" stroke="{BLUE}" '
            'stroke-width="2"/>'
        )
    else:
        if mark.whisker_low is not None:
            low, high = mark.whisker_low, mark.whisker_high
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{low}" y2="{high}" stroke="{BLUE}" '
                'stroke-width="1.5"/>'
                f'<line x1="{left}" x2="{right}" y1="{low}" y2="{low}" stroke="{BLUE}" '
                'stroke-width="1.5"/>'
                f'<line x1="{left}" x2="{right}" y1="{high}" y2="{high}" stroke="{BLUE}" '
                'stroke-width="1.5"/>'
            )
        if mark.show_dot:
            parts.append(
                f'<circle cx="{x}" cy="{mark.y}" r="{dot_radius}" fill="{BLUE}">'
                f"<title>{escape(mark.description)}</title></circle>"
            )
    if mark.show_label:
        parts.append(
            f'<text x="{mark.label_x}" y="{mark.label_y}" text-anchor="{mark.label_anchor}" '
            f'fill="{INK}" font-weight="600">{escape(mark.label)}</text>'
        )
    return "".join(parts)
