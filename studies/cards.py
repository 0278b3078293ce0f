"""The study cards of the list and the home page, as plain strings made once per page.

The template engine resolves every `{{ study.x.y }}` by trying a dictionary lookup, then an
attribute, then an index, and renders each `{% translate %}` anew: a card of a study with its
authors, types and countries cost some 40 lookups, 8 translations, a nested include and 5 loops,
about 6 ms for a page of 20 (a third of an uncached list page's CPU time). A `StudyCard` holds
what the card shows as strings, so `study_cards.html` only prints them: the same HTML, measured
in the closing note of issue 11. Escaping stays the template's: only the snippet, whose markers
`highlight` turns into `<mark>` after escaping the text, is marked safe.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.translation import curated_text

from .models import Study
from .templatetags.library import has_match, highlight


@dataclass(frozen=True, slots=True)
class StudyCard:
    url: str
    title: str
    short_title: str
    # The matched words, marked; from a file (with its page) when the study's own text lacks them.
    snippet: SafeString
    snippet_page: int | None
    has_several_authors: bool
    authors: str
    types: str
    month: datetime.date
    month_label: str
    countries: str
    subject: str


def study_cards(studies: Iterable[Study]) -> list[StudyCard]:
    """The cards of `studies`, loaded with `for_cards()` (and `with_snippets()` when the list
    searches): no query."""
    return [study_card(study) for study in studies]


def study_card(study: Study) -> StudyCard:
    search_headline = getattr(study, "search_headline", None)
    file_headline = getattr(study, "file_headline", None)
    if file_headline and not has_match(search_headline):
        snippet, snippet_page = highlight(file_headline), getattr(study, "file_match_page", None)
    else:
        snippet, snippet_page = highlight(search_headline), None
    authors = names_of(study, "card_author_names")
    countries = localized_names(study, "card_country_names")
    return StudyCard(
        url=study.get_absolute_url(),
        title=study.localized_title,
        short_title=study.short_title,
        snippet=snippet,
        snippet_page=snippet_page,
        has_several_authors=len(authors) != 1,
        authors="; ".join(authors),
        types="; ".join(localized_names(study, "card_type_names")),
        month=study.publication_month,
        month_label=date_format(study.publication_month, "YEAR_MONTH_FORMAT"),
        # The rule of `Study.covers_multiple_countries`, on the names read with the row.
        countries=countries_label(countries, study.is_multi_country or len(countries) >= 2),
        subject=study.subject.localized_name,
    )


def names_of(study: Study, annotation: str) -> list[str]:
    """One of the arrays of names `for_cards()` annotates a study with."""
    names: list[str] = getattr(study, annotation)
    return names


def localized_names(study: Study, annotation: str) -> list[str]:
    """The names in the page's language: the array and its Spanish twin (`…_es`)."""
    english, spanish = names_of(study, annotation), names_of(study, f"{annotation}_es")
    return [curated_text(name, name_es) for name, name_es in zip(english, spanish, strict=True)]


def countries_label(names: list[str], covers_multiple_countries: bool) -> str:
    """“Kenya, Uganda”; “Multiple countries (Kenya, Uganda)”; “Multiple countries”; or “—”."""
    named = ", ".join(names)
    if covers_multiple_countries:
        multiple = _("Multiple countries")
        return f"{multiple} ({named})" if named else multiple
    return named or "—"
