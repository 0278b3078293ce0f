"""Full-text search of the study library: the query, its ranking and snippets, and what to offer
when nothing matches (the search respelt, or the filters whose removal finds studies).

The search document is built by the database (`studies_search_document` in studies/sql/search.sql)
and the visitor's words become a tsquery there too (`studies_prefix_query`); this module says how
a list uses them. `StudyQuerySet.matching` and `.with_snippets` are the ORM's way in.
"""

from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, TextField, Value
from django.db.models.functions import Coalesce, NullIf

if TYPE_CHECKING:
    from .filters import StudyFilterSet

# Markers for matched words in snippets: the text is HTML-escaped after PostgreSQL marks it, and
# only then are the markers turned into <mark>, so a study's text can never inject HTML.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"


class PrefixQuery(Func):
    """The visitor's words as a tsquery: websearch syntax, every word also a prefix."""

    function = "studies_prefix_query"
    output_field = SearchQueryField()


class Matches(Func):
    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class Rank(Func):
    """Cover density rank; weights D, C, B, A so a title match beats a description match."""

    function = "ts_rank_cd"
    template = "ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', %(expressions)s)"
    output_field = FloatField()


class Headline(Func):
    function = "ts_headline"
    template = (
        f"ts_headline('justicelib', %(expressions)s, "
        f"'StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_STOP}, MaxWords=30, MinWords=12, "
        f'MaxFragments=2, FragmentDelimiter=" … "\')'
    )
    output_field = TextField()


def matches(query: str) -> Matches:
    """The condition that a study's search document matches the visitor's words."""
    return Matches(F("search_vector"), PrefixQuery(Value(query)))


def rank(query: str) -> Rank:
    """How well a study matches, for ordering by relevance: title matches first."""
    return Rank(F("search_vector"), PrefixQuery(Value(query)))


def headline(query: str) -> Headline:
    """A study's description (or title, without one) around the matched words, marked."""
    return Headline(
        Coalesce(NullIf(F("description"), Value("")), F("title")), PrefixQuery(Value(query))
    )


def spelling_suggestion(query: str) -> str | None:
    """The query with each unknown word replaced by the nearest word in the library, if any.

    A word is known when some library word starts with it (prefix search finds it). Unknown
    words are matched by trigram similarity (pg_trgm) against the words the triggers collect.
    All words are looked up in one query.
    """
    words = query.split()
    candidates = [
        word.strip('"-').lower()
        for word in words
        if len(word.strip('"-')) >= 3 and word.strip('"-').isalpha() and word.lower() != "or"
    ][:20]
    if not candidates:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT wanted.word,
                   EXISTS (SELECT 1 FROM studies_searchterm
                           WHERE word LIKE lower(unaccent(wanted.word)) || '%%'),
                   (SELECT word FROM studies_searchterm
                    WHERE word %% lower(unaccent(wanted.word))
                    ORDER BY similarity(word, lower(unaccent(wanted.word))) DESC, word
                    LIMIT 1)
            FROM unnest(%s::text[]) AS wanted(word)
            """,
            [candidates],
        )
        nearest = {word: near for word, known, near in cursor.fetchall() if not known and near}
    if not nearest:
        return None
    corrected = []
    for word in words:
        bare = word.strip('"-').lower()
        corrected.append(word.lower().replace(bare, nearest[bare]) if bare in nearest else word)
    return " ".join(corrected)


def spelling_correction(filterset: "StudyFilterSet") -> "StudyFilterSet | None":
    """The same filters with the search words respelt, when that finds studies."""
    query = filterset.cleaned("q")
    suggestion = spelling_suggestion(query) if query else None
    if not suggestion:
        return None
    data = filterset.data.copy()
    data["q"] = suggestion
    corrected = type(filterset)(data, queryset=filterset.queryset)
    return corrected if corrected.qs.exists() else None


def filters_to_drop(filterset: "StudyFilterSet") -> list[tuple[str, int]]:
    """For an empty result: active filters whose removal alone finds studies, with counts."""
    active = filterset.active_filters()
    counts = count_each([filterset.queryset_without(name) for name in active])
    return [(name, count) for name, count in zip(active, counts, strict=True) if count]


def count_each(querysets: list) -> list[int]:
    """The number of rows of each queryset, from one query."""
    if not querysets:
        return []
    parts, params = [], []
    for queryset in querysets:
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS matches)")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return list(cursor.fetchone())
