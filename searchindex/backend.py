"""The study list answered from the search index: the matches' order, their number and the
facet counts, for a `StudyFilterSet`'s cleaned filters (`studies.search.SearchBackend`).

Rows still come from PostgreSQL (by id), and so do snippets: the index only decides which
studies, in what order, and how many of each facet value.
"""

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Concatenate

import tantivy
from django.db import connections
from django.db.models import F

from core.lookups import IsAnyOf
from studies.search import Unanswerable

from . import index as search_index
from .query import Unsupported, parse, to_tantivy

if TYPE_CHECKING:
    from studies.facets import Counts
    from studies.filters import StudyFilterSet

logger = logging.getLogger(__name__)

MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
# Enough buckets for every country, subject, type and year: counted exactly, not top-N.
ALL_BUCKETS = 100_000
AUTHOR_LIMIT = 15
# From this match on, a page in date order is found from the matches' count per month: collecting
# the first N matches in month order grows with N (5 ms at 40,000 of 100,000 studies), the
# aggregation does not (about 2 ms), but costs more than collecting the first page's 20.
COUNT_MONTHS_FROM = 1_000


def _terms(field: str, size: int = ALL_BUCKETS) -> dict[str, object]:
    return {"terms": {"field": field, "size": size, "segment_size": ALL_BUCKETS}}


def _any_of(field: str, values: list[str]) -> tantivy.Query:
    return tantivy.Query.term_set_query(search_index.SCHEMA, field, values)


def _filter(query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
    """A condition that narrows without changing the score."""
    return (MUST, tantivy.Query.const_score_query(query, 0.0))


def answered[**P, R](
    method: Callable[Concatenate["TantivyBackend", P], R],
) -> Callable[Concatenate["TantivyBackend", P], R]:
    """tantivy's errors at search time (a prefix phrase expanding to too many words) become
    `Unanswerable`: PostgreSQL answers, the page never fails."""

    def wrapper(self: "TantivyBackend", /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except ValueError as error:
            logger.warning("The search index could not answer: %s", error)
            raise Unanswerable(str(error)) from error

    return wrapper


class TantivyBackend:
    """The index's answers for one filtered list (see `studies.search.SearchBackend`)."""

    def __init__(self, filterset: "StudyFilterSet", index: tantivy.Index) -> None:
        self.filterset = filterset
        self.index = index

    @cached_property
    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    # --- the query --------------------------------------------------------------------------
    @cached_property
    def text_query(self) -> tantivy.Query | None:
        """The search words as a tantivy query (None without words); PostgreSQL parses them."""
        words = self.filterset.cleaned("q")
        if not words:
            return None
        with connections[self.filterset.queryset.db].cursor() as cursor:
            cursor.execute("SELECT studies_prefix_query(%s)::text", [words])
            (tsquery,) = cursor.fetchone()
        try:
            node = parse(tsquery)
        except Unsupported as error:
            logger.info("Search %r left to PostgreSQL: %s", tsquery, error)
            raise Unanswerable(str(error)) from error
        if node is None:
            return tantivy.Query.empty_query()
        try:
            return to_tantivy(node)
        except (Unsupported, ValueError) as error:
            logger.info("Search %r left to PostgreSQL: %s", tsquery, error)
            raise Unanswerable(str(error)) from error

    def conditions(self, skip: tuple[str, ...] = ()) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The filters as clauses, every one but those named in `skip`."""
        filterset, clauses = self.filterset, []
        if "has_full_text" not in skip and filterset.cleaned("has_full_text"):
            # The index does not know which files have a text layer (it is not indexed, so that
            # processing a file never has to touch the index): PostgreSQL answers this list.
            raise Unanswerable("has_full_text")
        if "country" not in skip and (codes := filterset.selected("country")):
            options = []
            named = [code for code in codes if code != "MULTIPLE"]
            if named:
                options.append((SHOULD, _any_of("country", named)))
            if len(named) != len(codes):
                options.append((SHOULD, _any_of("flags", ["multiple"])))
            clauses.append(_filter(tantivy.Query.boolean_query(options)))
        for name, field in [("subject", "subject_slug"), ("type", "type"), ("author", "author")]:
            if name not in skip and (values := filterset.selected(name)):
                clauses.append(_filter(_any_of(field, list(values))))
        months = filterset.month_range()
        if "date" not in skip and months:
            clauses.append(
                _filter(
                    tantivy.Query.range_query(
                        search_index.SCHEMA,
                        "month",
                        tantivy.FieldType.Integer,
                        search_index.month_number(months.first) if months.first else None,
                        search_index.month_number(months.last) if months.last else None,
                    )
                )
            )
        if "q" not in skip and self.text_query is not None:
            clauses.append((MUST, self.text_query))
        return clauses

    def query(
        self,
        skip: tuple[str, ...] = (),
        extra: list[tuple[tantivy.Occur, tantivy.Query]] | None = None,
    ) -> tantivy.Query:
        clauses = [*self.conditions(skip), *(extra or [])]
        if not clauses:
            return tantivy.Query.all_query()
        if not any(occur == MUST for occur, _ in clauses):
            clauses.append((MUST, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    # --- what the list asks -----------------------------------------------------------------
    @answered
    def count(self, skip: tuple[str, ...] = ()) -> int:
        return self._count(self.query(skip))

    def _count(self, query: tantivy.Query) -> int:
        result = self.searcher.search(query, limit=1, count=True)
        return int(result.count)  # type: ignore[attr-defined]  # the stubs omit `count`

    def _ids(self, hits: list[tuple[object, tantivy.DocAddress]]) -> list[int]:
        values = self.searcher.fast_field_values("id", [address for _, address in hits])
        return [int(pk) for pk in values if pk is not None]

    @answered
    def ids_between(self, start: int, stop: int) -> list[int]:
        """The ids of the matches `start` to `stop` in the list's order.

        By relevance: BM25, title matches first. By date: the matches' count per month says
        which months the page spans and how many matches come before them (one aggregation,
        where collecting the first `stop` matches in month order cost 5 ms on page 2,000 of
        100,000 studies); the studies of those months are put in order (month, title, id) by
        PostgreSQL, so the page is exactly the one PostgreSQL would show. By title: left to
        PostgreSQL (its collation decides the order).
        """
        sort = self.filterset.sort_order
        limit = max(stop - start, 0)
        if not limit:
            return []
        if sort == "relevance" and self.text_query is not None:
            hits = self.searcher.search(self.query(), limit=limit, offset=start).hits
            return self._ids(hits)
        if sort not in ("newest", "oldest"):
            raise Unanswerable(f"sort {sort}")
        span = (
            self._months_near_the_top(start, stop, newest=sort == "newest")
            if start < COUNT_MONTHS_FROM
            else months_spanned(self._month_counts(), start, stop, newest=sort == "newest")
        )
        if span is None:
            return []
        low, high, before = span
        window = self.query(extra=[_filter(self._month_range(low, high))])
        ids = self._ids(self.searcher.search(window, limit=ALL_BUCKETS).hits)
        # The months and the status as well as the ids: PostgreSQL then walks the index of the
        # list's order from the page's first month and stops at its last row (0.3 ms), where
        # the ids alone made it fetch and sort every study of those months (6.7 ms for 931).
        months = (search_index.month_of_number(low), search_index.month_of_number(high))
        return list(
            self.filterset.queryset.filter(publication_month__range=months)
            .filter(IsAnyOf(F("pk"), ids))
            .sorted_by(sort)
            .values_list("pk", flat=True)[start - before : stop - before]
        )

    def _months_near_the_top(
        self, start: int, stop: int, newest: bool
    ) -> tuple[int, int, int] | None:
        """As `months_spanned`, from the first `stop` matches in month order and a count."""
        order = tantivy.Order.Desc if newest else tantivy.Order.Asc
        hits = self.searcher.search(
            self.query(), limit=stop - start, offset=start, order_by_field="month", order=order
        ).hits
        if not hits:
            return None
        first, last = int(hits[0][0]), int(hits[-1][0])
        if start == 0:  # the first page: its first month is the first, nothing comes before
            return min(first, last), max(first, last), 0
        before_range = (
            self._month_range(first + 1, None) if newest else self._month_range(None, first - 1)
        )
        before = self._count(self.query(extra=[_filter(before_range)]))
        return min(first, last), max(first, last), before

    def _month_counts(self) -> dict[int, int]:
        """The number of matches in each month (by `index.month_number`) that has any."""
        result = self.searcher.aggregate(self.query(), {"month": _terms("month")})
        found = result["month"]
        assert isinstance(found, dict)
        return {int(float(b["key"])): int(b["doc_count"]) for b in found["buckets"]}

    @staticmethod
    def _month_range(low: int | None, high: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(
            search_index.SCHEMA, "month", tantivy.FieldType.Integer, low, high
        )

    @answered
    def facet_counts(self) -> "Counts":
        """The raw counts `studies.facets.count_facets` gives, from the index: each facet over
        the matches with every other filter applied, authors sampled as PostgreSQL samples."""
        from studies.facets import AUTHOR_SAMPLE_ABOVE, AUTHOR_SAMPLE_EVERY, FACET_PARTS

        counts: Counts = {part: {} for part in FACET_PARTS}
        selected_authors = self.filterset.selected("author")

        def buckets(result: dict[str, object], name: str) -> dict[str, int]:
            found = result[name]
            assert isinstance(found, dict)
            return {str(b["key"]): int(b["doc_count"]) for b in found["buckets"]}

        # Facets whose own filter is not set share the full query's pass.
        groups: dict[tuple[str, ...], list[str]] = {}
        for facet in ["country", "subject", "type", "author", "year"]:
            skip: tuple[str, ...] = (
                (facet,) if facet != "year" and self.filterset.selected(facet) else ()
            )
            groups.setdefault(skip, []).append(facet)
        fields = {
            "country": ["country", "flags"],
            "subject": ["subject"],
            "type": ["type"],
            "year": ["year"],
        }
        for skip, facets in groups.items():
            query = self.query(skip)
            aggregations = {
                f"{facet}:{field}": _terms(field)
                for facet in facets
                if facet != "author"
                for field in fields[facet]
            }
            if aggregations:
                result = self.searcher.aggregate(query, aggregations)
                for facet in facets:
                    if facet == "country":
                        counts["country"] = buckets(result, "country:country")
                        multiple = buckets(result, "country:flags").get("multiple", 0)
                        counts["multiple"] = {"multiple": multiple}
                    elif facet != "author":
                        counts[facet] = buckets(result, f"{facet}:{facet}")
            if "author" in facets:
                total = self._count(query)
                factor = AUTHOR_SAMPLE_EVERY if total > AUTHOR_SAMPLE_ABOVE else 1
                counted = query
                if factor > 1:
                    counted = tantivy.Query.boolean_query(
                        [(MUST, query), _filter(_any_of("flags", ["sample"]))]
                    )
                result = self.searcher.aggregate(counted, {"author": _terms("author")})
                ranked = sorted(
                    ((slug, n * factor) for slug, n in buckets(result, "author").items()),
                    key=lambda item: (-item[1], item[0]),
                )
                counts["author"] = dict(ranked[:AUTHOR_LIMIT])
                counts["author_factor"] = {str(factor): 0}
                for slug in selected_authors:
                    with_author = tantivy.Query.boolean_query(
                        [(MUST, query), _filter(_any_of("author", [slug]))]
                    )
                    n = self._count(with_author)
                    if n:
                        counts["selected_author"][slug] = n
        return counts


def months_spanned(
    counts: dict[int, int], start: int, stop: int, newest: bool
) -> tuple[int, int, int] | None:
    """The months (lowest, highest) that hold matches `start` to `stop` in month order, and
    how many matches come before the first of them; None when `start` is past the last match.
    `counts` is the number of matches per month."""
    position, first, last = 0, None, None
    for month in sorted(counts, reverse=newest):
        if first is None and position + counts[month] > start:
            first, before = month, position
        if first is not None:
            last = month
        position += counts[month]
        if position >= stop:
            break
    if first is None or last is None:
        return None
    return min(first, last), max(first, last), before
