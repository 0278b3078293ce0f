"""Full-text search of the study library: the query, its ranking and snippets, and what to offer
when nothing matches (the search respelt, or the filters whose removal finds studies).

The search document is built by the database (`studies_search_document` in studies/sql/search.sql)
and the visitor's words become a tsquery there too (`studies_prefix_query`); this module says how
a list uses them. `StudyQuerySet.matching` and `.with_snippets` are the ORM's way in.
"""

import logging
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQueryField,
    SearchRank,
    SearchVector,
)
from django.db import connections
from django.db.models import BooleanField, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.module_loading import import_string

from core.lookups import IsAnyOf
from justicelib.routers import read_alias

if TYPE_CHECKING:
    from .facets import Counts
    from .filters import StudyFilterSet
    from .models import Study
    from .querysets import StudyQuerySet

logger = logging.getLogger(__name__)

# Markers for matched words in snippets: the text is HTML-escaped after PostgreSQL marks it, and
# only then are the markers turned into <mark>, so a study's text can never inject HTML.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"


class PrefixQuery(Func):
    """The visitor's words as a tsquery: websearch syntax, every word also a prefix, and the
    curators' synonyms ORed in (`studies_prefix_query` in studies/sql/search.sql).

    Django's `SearchQuery` knows plain, phrase, raw and websearch queries, not prefixes. The
    function reads the synonym table, so it is STABLE, which PostgreSQL would call again for every
    row it ranks; as a scalar subquery it runs once per statement (an InitPlan).
    """

    function = "studies_prefix_query"
    template = "(SELECT %(function)s(%(expressions)s))"
    output_field = SearchQueryField()


class Matches(Func):
    """`document @@ query`. Django's `search_vector=…` lookup would wrap any query that is not
    its own `SearchQuery` in `plainto_tsquery()`, losing the prefixes."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# Weights of the search document's parts in PostgreSQL's order D, C, B, A (the files' text,
# countries and description, authors and subject, title): a title match beats a description
# match, which beats a match only inside a PDF (stripped of positions, it adds no cover density).
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]


def matches(query: str) -> Matches:
    """The condition that a study's search document matches the visitor's words."""
    return Matches(F("search_vector"), PrefixQuery(Value(query)))


def rank(query: str) -> SearchRank:
    """How well a study matches, for ordering by relevance: cover density (how close together
    the words are), weighted so that title matches come first."""
    return SearchRank(
        F("search_vector"), PrefixQuery(Value(query)), weights=RANK_WEIGHTS, cover_density=True
    )


def headline(query: str) -> SearchHeadline:
    """A study's description (or title, without one) around the matched words, marked."""
    return SearchHeadline(
        Coalesce(NullIf(F("description"), Value("")), F("title")),
        PrefixQuery(Value(query)),
        config="justicelib",
        start_sel=HIGHLIGHT_START,
        stop_sel=HIGHLIGHT_STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


# --- Backends: who answers the public list's matching, ranking and facet counts -------------
# SEARCH_BACKEND "postgres" (the database's own search, the expressions above) or "tantivy" (the
# search index of the `searchindex` app, kept current from PostgreSQL). PostgreSQL stays the
# fallback: a list the index cannot answer (no index, a query shape it does not translate, the
# title order) is answered by PostgreSQL, and both give the same matches and counts.
BACKENDS = {"tantivy": "searchindex.public.backend_for"}


class Unanswerable(Exception):
    """The search index cannot answer this list; PostgreSQL does."""


class SearchBackend(Protocol):
    """What the list asks of a search backend, for one filter set's cleaned filters.

    Any method may raise `Unanswerable`; the caller then asks PostgreSQL.
    """

    def count(self, skip: tuple[str, ...] = ()) -> int:
        """The number of matches with every filter but those named in `skip`."""
        ...

    def ids_between(self, start: int, stop: int) -> list[int]:
        """The ids of the matches `start` to `stop`, in the list's order."""
        ...

    def facet_counts(self) -> "Counts":
        """Raw facet counts, as `studies.facets.count_facets` gives them."""
        ...


def index_backend(filterset: "StudyFilterSet") -> SearchBackend | None:
    """The configured search index's backend for this list, or None for PostgreSQL's search."""
    path = BACKENDS.get(settings.SEARCH_BACKEND)
    if path is None:
        return None
    backend: SearchBackend | None = import_string(path)(filterset)
    return backend


class IndexedListing:
    """The list's matches in the index's order, with rows (and snippets) from PostgreSQL by id:
    what `StudyPaginator` reads (`count()`, `rows_between`). Falls back to `fallback`, the
    PostgreSQL listing, for what the index cannot answer."""

    def __init__(
        self, filterset: "StudyFilterSet", backend: SearchBackend, fallback: "StudyQuerySet"
    ) -> None:
        self.filterset, self.backend, self.fallback = filterset, backend, fallback

    def count(self) -> int:
        try:
            return self.backend.count()
        except Unanswerable:
            return self.fallback.count()

    def rows_between(self, start: int, stop: int) -> list["Study"]:
        try:
            ids = self.backend.ids_between(start, stop)
        except Unanswerable:
            rows: list[Study] = self.fallback.rows_between(start, stop)
            return rows
        studies = self.filterset.queryset.for_cards()
        query = self.filterset.cleaned("q")
        if query:
            studies = studies.with_snippets(query)
        by_id = {study.pk: study for study in studies.filter(IsAnyOf(F("pk"), ids))}
        return [by_id[pk] for pk in ids if pk in by_id]


def listing(
    filterset: "StudyFilterSet", fallback: "StudyQuerySet"
) -> "IndexedListing | StudyQuerySet":
    """The list's matches as the paginator reads them: from the search index when one answers
    this list, else `fallback` (PostgreSQL's)."""
    backend = filterset.search_index
    return IndexedListing(filterset, backend, fallback) if backend is not None else fallback


def count_matches(filterset: "StudyFilterSet", skip: tuple[str, ...] = ()) -> int | None:
    """The number of matches without the filters in `skip`, from the index (None without one)."""
    backend = filterset.search_index
    if backend is None:
        return None
    try:
        return backend.count(skip)
    except Unanswerable:
        return None


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
    from .models import SearchTerm  # models import the querysets, which import this module

    with connections[read_alias(SearchTerm)].cursor() as cursor:
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
    corrected = type(filterset)(
        data, queryset=filterset.queryset, use_search_index=filterset.use_search_index
    )
    found = count_matches(corrected)
    return corrected if (corrected.qs.exists() if found is None else found) else None


def filters_to_drop(filterset: "StudyFilterSet") -> list[tuple[str, int]]:
    """For an empty result: active filters whose removal alone finds studies, with counts."""
    active = filterset.active_filters()
    indexed = [count_matches(filterset, skip=(name,)) for name in active]
    if active and None not in indexed:
        return [(name, n) for name, n in zip(active, indexed, strict=True) if n]
    counts = count_each([filterset.queryset_without(name) for name in active])
    return [(name, count) for name, count in zip(active, counts, strict=True) if count]


def count_each(querysets: list[QuerySet[Any]]) -> list[int]:
    """The number of rows of each queryset, from one query."""
    if not querysets:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets:
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS matches)")
        params.extend(query_params)
    # The counts read where the querysets would (the router's choice for this request).
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return list(cursor.fetchone())


# --- Inside a study's files ------------------------------------------------------------------
# A page's words as the index on studies_studyfilepage has them (`StudyFilePage.Meta.indexes`).
PAGE_DOCUMENT = SearchVector("text", config="justicelib")


def page_matches(query: str) -> Matches:
    """The condition that a page's text matches the visitor's words (the list's query)."""
    return Matches(PAGE_DOCUMENT, PrefixQuery(Value(query)))


class DescriptionMatches(Func):
    """Whether a study's description matches the words: the description's part (weight C) of
    its stored search document, `ts_filter(search_vector, '{c}') @@ query`, with no text to parse.
    """

    # The two expressions (the document and the query) around the weight and the operator.
    template = "(ts_filter(%(expressions)s))"
    arg_joiner = ", '{c}') @@ ("
    output_field = BooleanField()


def description_matches(query: str) -> Q:
    return ~Q(description="") & Q(DescriptionMatches(F("search_vector"), PrefixQuery(Value(query))))


def page_headline(query: str) -> SearchHeadline:
    """A page's text around the matched words, marked like the list's snippets."""
    return SearchHeadline(
        F("text"),
        PrefixQuery(Value(query)),
        config="justicelib",
        start_sel=HIGHLIGHT_START,
        stop_sel=HIGHLIGHT_STOP,
        max_words=30,
        min_words=12,
        max_fragments=1,
    )


def first_matching_page(query: str) -> "QuerySet[Any]":
    """For a study (OuterRef "pk"), its first page that matches, in file and page order."""
    from .models import StudyFilePage

    return (
        StudyFilePage.objects.filter(file__study=OuterRef("pk"))
        .filter(page_matches(query))
        .order_by("file__position", "file_id", "number")
    )
