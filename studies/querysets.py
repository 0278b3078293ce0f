"""Reads of the study library: what the public sees, how lists load, how facets are counted."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.postgres.search import SearchQueryField
from django.db import connection, models, transaction
from django.db.models import BooleanField, F, FloatField, Func, Prefetch, Q, TextField, Value
from django.db.models.functions import Coalesce, NullIf

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


# The heavy columns of a study, which a mere link to it (title, address) does not need.
STUDY_TEXT_FIELDS = ("description", "search_vector", "country_codes", "type_slugs", "author_slugs")


def defer_study_text(relation: str) -> list[str]:
    """`defer()` arguments that leave out a related study's heavy columns."""
    return [f"{relation}__{field}" for field in STUDY_TEXT_FIELDS]


# Listed under “Multiple countries”: ticked so without naming them, or naming two or more
# (the same rule as `Study.covers_multiple_countries`, on the row's own columns).
MULTI_COUNTRY = Q(is_multi_country=True) | Q(country_codes__len__gte=2)
MULTI_COUNTRY_SQL = "(is_multi_country OR cardinality(country_codes) >= 2)"


class StudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=self.model.Status.PUBLISHED)

    def visible_to(self, user):
        """What `user` may read: everything for curators who may view studies, else published."""
        if user.is_active and user.is_staff and user.has_perm("studies.view_study"):
            return self
        return self.published()

    def for_listing(self):
        """What a list of studies shows: subject, authors in order, types, countries."""
        Authorship = apps.get_model("studies", "Authorship")
        return self.select_related("subject").prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("author").order_by("position"),
            ),
            "resource_types",
            "countries",
        )

    def in_countries(self, codes: list[str], include_multi_country: bool = False):
        """Studies in any of the countries (ISO codes); with the flag, multi-country ones too."""
        condition = Q(country_codes__overlap=codes) if codes else Q()
        if include_multi_country:
            condition |= MULTI_COUNTRY
        return self.filter(condition) if condition else self

    def with_any_type(self, slugs: list[str]):
        return self.filter(type_slugs__overlap=slugs)

    def by_any_author(self, slugs: list[str]):
        return self.filter(author_slugs__overlap=slugs)

    def published_between(
        self, first_month: datetime.date | None = None, last_month: datetime.date | None = None
    ):
        """Studies published from `first_month` to `last_month`, both included (either open).

        Months are first days (`publication_month` always is), so plain comparisons use the
        month index.
        """
        if first_month is not None:
            self = self.filter(publication_month__gte=first_month)
        if last_month is not None:
            self = self.filter(publication_month__lte=last_month)
        return self

    def matching(self, query: str):
        """Full-text matches for `query` (websearch syntax, prefixes, accents ignored), ranked.

        Searches title, short title, authors, subject, countries (and their aliases) and
        description; `search_rank` orders them with title matches first.
        """
        tsquery = PrefixQuery(Value(query))
        return self.filter(Matches(F("search_vector"), tsquery)).annotate(
            search_rank=Rank(F("search_vector"), tsquery)
        )

    def with_snippets(self, query: str):
        """Each study with `search_headline`: its text around the matched words, marked.

        Costly per row, so only pages of results ask for it (not exports or feeds).
        """
        return self.annotate(
            search_headline=Headline(
                Coalesce(NullIf(F("description"), Value("")), F("title")), PrefixQuery(Value(query))
            )
        )

    def rows_between(self, start: int, stop: int) -> list:
        """Rows `start` to `stop` in this queryset's order, as a list.

        Ids first, then the rows by id: a deep page (offset 80,000) then walks an index of
        the order alone instead of sorting every matching row with its text.
        """
        ids = list(self.values_list("pk", flat=True)[start:stop])
        rows = {row.pk: row for row in self.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]

    def sorted_by(self, sort: str):
        if sort == "relevance" and "search_rank" in self.query.annotations:
            return self.order_by("-search_rank", "-publication_month", "pk")
        orderings = {
            "newest": ["-publication_month", "title", "pk"],
            "oldest": ["publication_month", "title", "pk"],
            "title": ["title", "pk"],
        }
        return self.order_by(*orderings.get(sort, orderings["newest"]))


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int


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
FACET_OF_PART = {
    "country": "country", "multiple": "country", "subject": "subject", "type": "type",
    "author": "author", "author_factor": "author", "selected_author": "author", "year": "year",
}  # fmt: skip


def count_facets(bases: dict, selected_authors: list[str], author_limit: int = 15) -> dict:
    """Raw facet counts: {part: {value: count}} in one query.

    `bases` maps each facet (country, subject, type, author, year) to the queryset its counts
    are taken over: the matches with every filter except the facet's own. Facets sharing a
    queryset share one pass over it.
    """
    ctes, cte_params, names = [], [], {}
    parts, part_params = [], []
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
    counts: dict[str, dict[str, int]] = {part: {} for part in FACET_PARTS}
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory to keep the matches in memory rather than in a temporary file.
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(query, [*cte_params, *part_params])
        for part, value, count in cursor.fetchall():
            counts[part][value] = count
    return counts


def facet_options(counts: dict, selected: dict[str, list[str]]) -> dict[str, list[FacetOption]]:
    """Name the counted values: every country, subject and type (zero counts included, so the
    page can show them disabled) and the counted authors."""
    Country = apps.get_model("studies", "Country")
    Subject = apps.get_model("studies", "Subject")
    ResourceType = apps.get_model("studies", "ResourceType")
    Author = apps.get_model("studies", "Author")
    countries = [
        FacetOption(code, name, counts["country"].get(code, 0))
        for code, name in Country.objects.values_list("code", "name")
    ]
    countries.append(
        FacetOption("multiple", "Multiple countries", counts["multiple"].get("multiple", 0))
    )
    subjects = [
        FacetOption(slug, name, counts["subject"].get(str(pk), 0))
        for pk, slug, name in Subject.objects.values_list("pk", "slug", "name")
    ]
    types = [
        FacetOption(slug, name, counts["type"].get(slug, 0))
        for slug, name in ResourceType.objects.values_list("slug", "name")
    ]
    author_counts = {**counts["author"], **counts["selected_author"]}
    wanted = set(author_counts) | set(selected.get("author", []))
    names = dict(Author.objects.filter(slug__in=wanted).values_list("slug", "name"))
    authors = sorted(
        (FacetOption(slug, names[slug], author_counts.get(slug, 0)) for slug in names),
        key=lambda option: (-option.count, option.label),
    )
    return {"country": countries, "subject": subjects, "type": types, "author": authors}


def authors_are_estimated(counts: dict) -> bool:
    return counts["author_factor"].get("1") is None and bool(counts["author_factor"])


def year_counts(counts: dict) -> list[tuple[int, int]]:
    """Studies per year from the first year with a study to the last, empty years included (a
    gap in publishing shows as a gap, not as two neighbouring bars)."""
    by_year = {int(year): count for year, count in counts["year"].items()}
    if not by_year:
        return []
    return [(year, by_year.get(year, 0)) for year in range(min(by_year), max(by_year) + 1)]


def related_studies(study, limit: int = 5):
    """Published studies sharing the subject or a country with `study`, newest first.

    Reads the study's own columns (subject, country codes), so the newest-first index walks
    until it has found `limit` of them: no join, no DISTINCT.
    """
    Study = study.__class__
    related = Q(subject_id=study.subject_id)
    if study.country_codes:
        related |= Q(country_codes__overlap=study.country_codes)
    return (
        Study.objects.published()
        .filter(related)
        .exclude(pk=study.pk)
        .sorted_by("newest")
        .select_related("subject")[:limit]
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
