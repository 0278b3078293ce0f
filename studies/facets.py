"""Facet counts of the study list: how many matches each option would give, and the year histogram.

Each facet is counted “given the other filters”: over the matches with every filter applied but
its own, so ticking a second country shows what it adds. All facets come back from one query
(`count_facets`), and the counts of one combination of filters are cached until the library
next changes (`StudyFacets.counts`), so every page of a result set, for every visitor, shares
one computation.
"""

import hashlib
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connections, transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.facets import FacetOption, facet_block
from core.translation import curated_text
from justicelib.routers import read_alias

from .models import Author, Country, LibraryVersion, ResourceType, Study, Subject
from .querysets import MULTI_COUNTRY_SQL
from .search import Unanswerable

if TYPE_CHECKING:
    from .filters import StudyFilterSet
    from .querysets import StudyQuerySet

FACET_CACHE_SECONDS = 3600  # the key changes with every write, so this only bounds memory
FACET_LEGENDS = {
    "country": _("Country"),
    "subject": _("Subject"),
    "type": _("Resource type"),
    "author": _("Author"),
}


# One SELECT per facet over the matching studies' own columns; the counts of all facets come
# back from one query (one pass per distinct set of matches), whatever the number of values.
# Countries and types are grouped by the whole array first (few distinct combinations), then
# unnested: far cheaper than unnesting every row. Authors are too many for that: over a large
# set of matches they are counted on a fixed eighth of the studies (id % 8 = 0) and scaled, and
# the page says the counts are estimates.
AUTHOR_SAMPLE_ABOVE = 20_000
AUTHOR_SAMPLE_EVERY = 8
FACET_COLUMNS = [
    "id",
    "subject_id",
    "is_multi_country",
    "publication_month",
    "country_codes",
    "type_slugs",
    "author_slugs",
]
AUTHOR_FACTOR = (
    "(SELECT CASE WHEN count(*) > {threshold} THEN {every} ELSE 1 END AS factor FROM {m})"
)
FACET_PARTS = {
    "country": "SELECT 'country', code, sum(n)::int FROM "
    "(SELECT country_codes, count(*) AS n FROM {m} GROUP BY 1) AS g, unnest(g.country_codes) code "
    "GROUP BY code",
    "multiple": "SELECT 'multiple', 'multiple', count(*)::int FROM {m} WHERE " + MULTI_COUNTRY_SQL,
    "subject": "SELECT 'subject', subject_id::text, count(*)::int FROM {m} GROUP BY subject_id",
    "type": "SELECT 'type', slug, sum(n)::int FROM "
    "(SELECT type_slugs, count(*) AS n FROM {m} GROUP BY 1) AS g, unnest(g.type_slugs) AS slug "
    "GROUP BY slug",
    "author": "(SELECT 'author', slug, (count(*) * s.factor)::int FROM {m}, "
    + AUTHOR_FACTOR
    + " AS s, unnest(author_slugs) AS slug "
    "WHERE s.factor = 1 OR {m}.id %% {every} = 0 GROUP BY slug, s.factor "
    "ORDER BY 3 DESC, 2 LIMIT {limit})",
    "author_factor": "SELECT 'author_factor', s.factor::text, 0 FROM " + AUTHOR_FACTOR + " AS s",
    "selected_author": "SELECT 'selected_author', slug, count(*)::int FROM {m}, "
    "unnest(author_slugs) AS slug WHERE slug = ANY(%s) GROUP BY slug",
    "year": "SELECT 'year', extract(year FROM publication_month)::int::text, count(*)::int "
    "FROM {m} GROUP BY 2",
}
# Raw facet counts: {part: {value: count}}.
type Counts = dict[str, dict[str, int]]

FACET_OF_PART = {
    "country": "country", "multiple": "country", "subject": "subject", "type": "type",
    "author": "author", "author_factor": "author", "selected_author": "author", "year": "year",
}  # fmt: skip


def count_facets(
    bases: dict[str, "StudyQuerySet"], selected_authors: list[str], author_limit: int = 15
) -> Counts:
    """Raw facet counts: {part: {value: count}} in one query.

    `bases` maps each facet (country, subject, type, author, year) to the queryset its counts
    are taken over: the matches with every filter except the facet's own. Facets sharing a
    queryset share one pass over it.
    """
    ctes: list[str] = []
    cte_params: list[Any] = []
    names: dict[tuple[str, tuple[Any, ...]], str] = {}
    parts: list[str] = []
    part_params: list[list[str]] = []
    for part, facet in FACET_OF_PART.items():
        if part == "selected_author" and not selected_authors:
            continue
        sql, params = bases[facet].order_by().values(*FACET_COLUMNS).query.sql_with_params()
        key = (sql, tuple(params))
        if key not in names:
            names[key] = f"m{len(names)}"
            ctes.append(f"{names[key]} AS MATERIALIZED ({sql})")
            cte_params.extend(params)
        parts.append(
            FACET_PARTS[part].format(
                m=names[key],
                limit=int(author_limit),
                every=int(AUTHOR_SAMPLE_EVERY),
                threshold=int(AUTHOR_SAMPLE_ABOVE),
            )
        )
        if part == "selected_author":
            part_params.append(list(selected_authors))
    query = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    counts: Counts = {part: {} for part in FACET_PARTS}
    alias = read_alias(Study)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # Enough memory to keep the matches in memory rather than in a temporary file.
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(query, [*cte_params, *part_params])
        for part, value, count in cursor.fetchall():
            counts[part][value] = count
    return counts


Vocabulary = dict[str, list[tuple[Any, ...]]]


def vocabulary(version: int) -> Vocabulary:
    """Every country, subject and type with its names, in order, cached like the counts until
    the library changes (the vocabularies' triggers bump its version too): three queries of
    every list page that the next page with the same version does not ask again."""
    key = f"vocabulary:{version}"
    terms: Vocabulary | None = cache.get(key)
    if terms is None:
        terms = {
            "country": list(Country.objects.values_list("code", "name", "name_es")),
            "subject": list(Subject.objects.values_list("pk", "slug", "name", "name_es")),
            "type": list(ResourceType.objects.values_list("slug", "name", "name_es")),
        }
        cache.set(key, terms, timeout=FACET_CACHE_SECONDS)
    return terms


def facet_options(
    counts: Counts, selected: dict[str, list[str]], terms: Vocabulary
) -> dict[str, list[FacetOption]]:
    """Name the counted values: every country, subject and type of `terms` (zero counts
    included, so the page can show them disabled) and the counted authors."""
    countries = [
        FacetOption(code, curated_text(name, name_es), counts["country"].get(code, 0))
        for code, name, name_es in terms["country"]
    ]
    countries.append(
        FacetOption("multiple", str(_("Multiple countries")), counts["multiple"].get("multiple", 0))
    )
    subjects = [
        FacetOption(slug, curated_text(name, name_es), counts["subject"].get(str(pk), 0))
        for pk, slug, name, name_es in terms["subject"]
    ]
    types = [
        FacetOption(slug, curated_text(name, name_es), counts["type"].get(slug, 0))
        for slug, name, name_es in terms["type"]
    ]
    author_counts = {**counts["author"], **counts["selected_author"]}
    wanted = set(author_counts) | set(selected.get("author", []))
    names = dict(Author.objects.filter(slug__in=wanted).values_list("slug", "name"))
    authors = sorted(
        (FacetOption(slug, names[slug], author_counts.get(slug, 0)) for slug in names),
        key=lambda option: (-option.count, option.label),
    )
    return {"country": countries, "subject": subjects, "type": types, "author": authors}


def authors_are_estimated(counts: Counts) -> bool:
    return counts["author_factor"].get("1") is None and bool(counts["author_factor"])


def year_counts(counts: Counts) -> list[tuple[int, int]]:
    """Studies per year from the first year with a study to the last, empty years included (a
    gap in publishing shows as a gap, not as two neighbouring bars)."""
    by_year = {int(year): count for year, count in counts["year"].items()}
    if not by_year:
        return []
    return [(year, by_year.get(year, 0)) for year in range(min(by_year), max(by_year) + 1)]


class StudyFacets:
    """The facets of one filtered study list: each option counted given the other filters, the
    year histogram of the matches, and which counts are estimates."""

    def __init__(self, filterset: "StudyFilterSet") -> None:
        self.filterset = filterset

    @cached_property
    def version(self) -> int:
        """The library's version the page's cached parts are keyed by (read once a page)."""
        return LibraryVersion.current()

    @cached_property
    def counts(self) -> Counts:
        """Raw counts (see `count_facets`) for these filters, cached until the library changes.

        The page number and the order do not change the counts, so the key is the filters as
        understood without `sort`.
        """
        understood = QueryDict(self.filterset.cleaned_querystring(), mutable=True)
        understood.pop("sort", None)
        digest = hashlib.sha256(understood.urlencode().encode()).hexdigest()
        key = f"facets:{self.version}:{digest}"
        counts: Counts | None = cache.get(key)
        if counts is None:
            counts = self.indexed_counts()
        if counts is None:
            bases = {name: self.filterset.queryset_without(name) for name in self.filterset.FACETS}
            bases["year"] = self.filterset.qs
            counts = count_facets(bases, self.filterset.selected("author"))
        cache.set(key, counts, timeout=FACET_CACHE_SECONDS)
        return counts

    def indexed_counts(self) -> Counts | None:
        """The counts from the search index, when one answers this list."""
        backend = self.filterset.search_index
        if backend is None:
            return None
        try:
            return backend.facet_counts()
        except Unanswerable:
            return None

    @cached_property
    def options(self) -> dict[str, list[FacetOption]]:
        """Each facet's options with their counts, named."""
        selected = {"author": self.filterset.selected("author")}
        return facet_options(self.counts, selected, vocabulary(self.version))

    def estimated(self) -> set[str]:
        """Facets whose counts are estimates (authors over many matches: see `count_facets`)."""
        return {"author"} if authors_are_estimated(self.counts) else set()

    @property
    def match_count(self) -> int:
        """The number of matches: every study has a publication year, and the years are
        counted exactly over the matches (authors alone are sampled). The list's total then
        costs no count of its own (3 ms in the index for a word in half of 100,000 studies)."""
        return sum(self.counts["year"].values())

    def year_histogram(self) -> list[tuple[int, int]]:
        """Matches per publication year, oldest year first."""
        return year_counts(self.counts)

    def blocks(self) -> list[dict[str, Any]]:
        """The facets as the filter form shows them: options with counts and checked states."""
        estimated = self.estimated()
        return [
            facet_block(
                name,
                str(FACET_LEGENDS[name]),
                options,
                self.filterset.selected(name),
                name in estimated,
            )
            for name, options in self.options.items()
        ]
