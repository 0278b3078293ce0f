"""Reads of the study library: what the public sees, how lists load, how facets are counted."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.postgres.search import SearchQueryField
from django.db import connection, models
from django.db.models import BooleanField, Count, F, FloatField, Func, Prefetch, Q, TextField, Value
from django.db.models.functions import Coalesce, ExtractYear, NullIf

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


class StudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

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
        Study = self.model
        condition = Q()
        if codes:
            condition |= Q(
                id__in=Study.countries.through.objects.filter(country__code__in=codes).values(
                    "study_id"
                )
            )
        if include_multi_country:
            condition |= Q(is_multi_country=True)
        return self.filter(condition) if condition else self

    def with_any_type(self, slugs: list[str]):
        Study = self.model
        return self.filter(
            id__in=Study.resource_types.through.objects.filter(resourcetype__slug__in=slugs).values(
                "study_id"
            )
        )

    def by_any_author(self, slugs: list[str]):
        Authorship = apps.get_model("studies", "Authorship")
        return self.filter(
            id__in=Authorship.objects.filter(author__slug__in=slugs).values("study_id")
        )

    def published_between(self, year_from: int | None = None, year_to: int | None = None):
        if year_from is not None:
            self = self.filter(publication_month__year__gte=year_from)
        if year_to is not None:
            self = self.filter(publication_month__year__lte=year_to)
        return self

    def matching(self, query: str):
        """Full-text matches for `query` (websearch syntax, prefixes, accents ignored), ranked.

        Searches title, short title, authors, subject, countries (and their aliases) and
        description; `search_rank` orders them with title matches first.
        """
        tsquery = PrefixQuery(Value(query))
        return self.filter(Matches(F("search_vector"), tsquery)).annotate(
            search_rank=Rank(F("search_vector"), tsquery),
            search_headline=Headline(
                Coalesce(NullIf(F("description"), Value("")), F("title")), tsquery
            ),
        )

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


def country_facet(studies) -> list[FacetOption]:
    """Every country with the number of `studies` in it, then the “multiple countries” option."""
    Country = apps.get_model("studies", "Country")
    rows = Country.objects.annotate(
        matches=Count("studies", filter=Q(studies__in=studies.values("pk")))
    ).values_list("code", "name", "matches")
    multi = studies.filter(is_multi_country=True).count()
    options = [FacetOption(code, name, n) for code, name, n in rows]
    return [*options, FacetOption("multiple", "Multiple countries", multi)]


def subject_facet(studies) -> list[FacetOption]:
    Subject = apps.get_model("studies", "Subject")
    rows = Subject.objects.annotate(
        matches=Count("studies", filter=Q(studies__in=studies.values("pk")))
    ).values_list("slug", "name", "matches")
    return [FacetOption(*row) for row in rows]


def type_facet(studies) -> list[FacetOption]:
    ResourceType = apps.get_model("studies", "ResourceType")
    rows = ResourceType.objects.annotate(
        matches=Count("studies", filter=Q(studies__in=studies.values("pk")))
    ).values_list("slug", "name", "matches")
    return [FacetOption(*row) for row in rows]


def author_facet(studies, selected: list[str], limit: int = 15) -> list[FacetOption]:
    """The authors with most matches (and every selected one), most prolific first."""
    Author = apps.get_model("studies", "Author")
    rows = (
        Author.objects.annotate(
            matches=Count("authorships", filter=Q(authorships__study__in=studies.values("pk")))
        )
        .filter(Q(matches__gt=0) | Q(slug__in=selected))
        .order_by("-matches", "name")
        .values_list("slug", "name", "matches")[:limit]
    )
    return [FacetOption(*row) for row in rows]


def year_histogram(studies) -> list[tuple[int, int]]:
    """(year, number of studies) for each year that has any, oldest first."""
    rows = (
        studies.order_by()
        .annotate(year=ExtractYear("publication_month"))
        .values("year")
        .annotate(matches=Count("pk"))
        .order_by("year")
        .values_list("year", "matches")
    )
    return list(rows)


def related_studies(study, limit: int = 5):
    """Published studies sharing the subject or a country with `study`, newest first."""
    Study = study.__class__
    country_ids = [country.pk for country in study.countries.all()]
    return (
        Study.objects.published()
        .filter(Q(subject_id=study.subject_id) | Q(countries__in=country_ids))
        .exclude(pk=study.pk)
        .distinct()
        .sorted_by("newest")
        .select_related("subject")[:limit]
    )


def spelling_suggestion(query: str) -> str | None:
    """The query with each unknown word replaced by the nearest word in the library, if any.

    A word is known when some library word starts with it (prefix search finds it). Unknown
    words are matched by trigram similarity (pg_trgm) against the words the triggers collect.
    """
    words = query.split()
    corrected, changed = [], False
    with connection.cursor() as cursor:
        for word in words:
            bare = word.strip('"-').lower()
            if len(bare) < 3 or bare == "or" or not bare.isalpha():
                corrected.append(word)
                continue
            cursor.execute(
                """
                SELECT lower(unaccent(%(word)s)) AS wanted,
                       EXISTS (SELECT 1 FROM studies_searchterm
                               WHERE word LIKE lower(unaccent(%(word)s)) || '%%') AS known,
                       (SELECT word FROM studies_searchterm
                        WHERE word %% lower(unaccent(%(word)s))
                        ORDER BY similarity(word, lower(unaccent(%(word)s))) DESC, word
                        LIMIT 1) AS nearest
                """,
                {"word": bare},
            )
            _, known, nearest = cursor.fetchone()
            if known or not nearest:
                corrected.append(word)
            else:
                corrected.append(word.replace(bare, nearest) if bare in word else nearest)
                changed = True
    return " ".join(corrected) if changed else None
