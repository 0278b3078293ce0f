"""The rows of a program page's table of figures (`includes/measurements_table.html`), as HTML
made once per page.

A row shows a figure with its period, its words, its interval, its source and its method and
quality (a `<details>`): through the template engine each row cost some 30 attribute lookups
and, for its disclosure, a nested include with a dozen translations, about 8 ms for a page of
56 rows. Here the words every row repeats are translated once per page (`Words`) and each row
is one f-string in which every value passes through `esc` (tested with hostile text in
tests/evaluation/test_figure_rows.py); only the markup written here is marked safe. The
table's shell (caption, headings, the count of earlier figures) stays in the template.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from studies.models import Study

from .charts import FigureTexts
from .models import Measurement


class Words:
    """The table's repeated words, in the page's language, translated on first use."""

    @cached_property
    def period(self) -> str:
        return _("Period")

    @cached_property
    def figure(self) -> str:
        return _("Figure")

    @cached_property
    def as_published(self) -> str:
        return _("As published")

    @cached_property
    def interval(self) -> str:
        return _("95 % CI")

    @cached_property
    def sample_size(self) -> str:
        return _("Sample size")

    @cached_property
    def source(self) -> str:
        return _("Source")

    @cached_property
    def range_of_estimates(self) -> str:
        return _("(range of estimates)")

    @cached_property
    def unpublished_study(self) -> str:
        return _("a study not yet published in the library")

    @cached_property
    def not_published(self) -> str:
        return _("not published")

    @cached_property
    def study_address_prefix(self) -> str:
        """A study page's address without its slug (“/es/studies/”): `reverse` is worked out
        once per page rather than once a row, as `url_for_slug` would give it."""
        return reverse("studies:detail", kwargs={"slug": "-"}).removesuffix("-/")

    def study_address(self, study: Study) -> str:
        return f"{self.study_address_prefix}{quote(study.slug, safe='')}/"

    @cached_property
    def quality(self) -> dict[str, str]:
        return {
            "summary": _("Method and quality"),
            "method": _("Method"),
            "indicators_method": _("(the indicator's)"),
            "fieldwork": _("Fieldwork"),
            "collected_by": _("Collected by"),
            "dqa": _("Data quality (USAID's five dimensions)"),
            "not_assessed": _("not assessed"),
            "limitations": _("Known limitations"),
            "not_comparable": _("Not directly comparable with the baseline"),
        }


@dataclass(frozen=True)
class TableColumns:
    """Which optional columns an indicator's table has."""

    intervals: bool
    sample_sizes: bool


def figure_rows(
    measurements: list[Measurement],
    columns: TableColumns,
    texts: FigureTexts,
    words: Words,
) -> SafeString:
    """The `<tr>` of each of `measurements` (their source studies loaded: no query)."""
    rows = "\n".join(figure_row(m, columns, texts, words) for m in measurements)
    return mark_safe(rows)  # noqa: S308 (every value in a row passes through esc)


def esc(value: object) -> str:
    """A value for HTML: escaped, unless it is HTML made safe already. Django's `escape` and
    `format_html` do the same through lazy-text wrappers that took half a row's time."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def figure_row(m: Measurement, columns: TableColumns, texts: FigureTexts, words: Words) -> str:
    text = texts.of(m)
    figure = esc(m.display_value_with_counts)
    if m.is_range:
        figure += f' <span class="muted">{esc(words.range_of_estimates)}</span>'
    published = (
        esc(f"“{m.published_wording}”")
        if m.published_wording and not m.wording_is_the_figure
        else ""
    )
    optional = ""
    if columns.intervals:
        optional += (
            f'<td role="cell" data-label="{esc(words.interval)}">{esc(m.display_interval)}</td>'
        )
    if columns.sample_sizes:
        size = "" if m.sample_size is None else m.sample_size
        optional += f'<td role="cell" data-label="{esc(words.sample_size)}">{esc(size)}</td>'
    return (
        f'<tr role="row"><th scope="row" role="rowheader">{esc(text.phase)}</th>'
        f'<td role="cell" data-label="{esc(words.period)}">{esc(text.period)}</td>'
        f'<td role="cell" data-label="{esc(words.figure)}">{figure}</td>'
        f'<td role="cell" data-label="{esc(words.as_published)}">{published}</td>'
        f"{optional}"
        f'<td role="cell" data-label="{esc(words.source)}">{source_cell(m, words)}</td></tr>'
    )


def source_cell(m: Measurement, words: Words) -> str:
    """The study that published the figure (a link, once it is public), its page or table,
    the citation, the curator's note and the method and quality."""
    parts: list[str] = []
    study = m.source_study
    if study is not None:
        parts.append(study_link(study, words))
        if m.source_reference:
            parts.append(f", {esc(m.source_reference)}")
    if m.source_citation:
        parts.append(f'<div class="muted">{esc(m.source_citation)}</div>')
    if m.notes:
        note = _("Note: %(notes)s") % {"notes": m.notes}
        parts.append(f'<div class="muted">{esc(note)}</div>')
    if m.has_method_and_quality:
        parts.append(method_and_quality(m, words))
    return "".join(parts)


def study_link(study: Study, words: Words) -> str:
    if not study.is_published:
        return f'<span class="muted">{esc(words.unpublished_study)}</span>'
    return f'<a href="{esc(words.study_address(study))}">{esc(study.localized_title)}</a>'


def method_and_quality(m: Measurement, words: Words) -> str:
    """A figure's method and data quality, folded (a `<details>`: no script needed)."""
    w = words.quality
    method = esc(m.method_used)
    if not m.method:
        method += f' <span class="muted">{esc(w["indicators_method"])}</span>'
    if m.quality_is_recorded:
        items = "".join(
            f"<li>{esc(capfirst(dimension))}: {esc(rating)}{esc(f' — {note}' if note else '')}</li>"
            for dimension, rating, note in m.quality_ratings
        )
        quality = f"<ul>{items}</ul>"
        if m.quality_assessed_by:
            quality += " " + esc(_("Assessed by %(who)s.") % {"who": m.quality_assessed_by})
    else:
        quality = esc(w["not_assessed"])
    extra = ""
    if m.limitations:
        extra += f"<dt>{esc(w['limitations'])}</dt><dd>{lines(m.limitations)}</dd>"
    if m.not_comparable_reason:
        extra += f"<dt>{esc(w['not_comparable'])}</dt><dd>{lines(m.not_comparable_reason)}</dd>"
    fieldwork = m.fieldwork_label or words.not_published
    collected_by = m.collected_by or words.not_published
    return (
        f'<details class="method-quality"><summary>{esc(w["summary"])}</summary><dl>'
        f"<dt>{esc(w['method'])}</dt><dd>{method}</dd>"
        f"<dt>{esc(w['fieldwork'])}</dt><dd>{esc(fieldwork)}</dd>"
        f"<dt>{esc(w['collected_by'])}</dt><dd>{esc(collected_by)}</dd>"
        f"<dt>{esc(w['dqa'])}</dt><dd>{quality}</dd>"
        f"{extra}</dl></details>"
    )


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def lines(text: str) -> str:
    """As the template filter `linebreaksbr`: the text escaped, each line break a `<br>`."""
    return esc(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")
