"""Reads of the study library: what the public sees and how lists load.

Facet counts are in `studies.facets`; the search expressions in `studies.search`.
"""

import datetime
from typing import TYPE_CHECKING, Self

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q

from . import search

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import Study

# The heavy columns of a study, which a mere link to it (title, address) does not need.
STUDY_TEXT_FIELDS = (
    "description",
    "description_es",
    "search_vector",
    "country_codes",
    "type_slugs",
    "author_slugs",
)


# The columns of a study that its card reads (`for_cards`).
CARD_FIELDS = (
    "slug",
    "title",
    "title_es",
    "short_title",
    "publication_month",
    "is_multi_country",
    "subject",
)

# Listed under “Multiple countries”: ticked so without naming them, or naming two or more
# (the same rule as `Study.covers_multiple_countries`, on the row's own columns).
MULTI_COUNTRY = Q(is_multi_country=True) | Q(country_codes__len__gte=2)
MULTI_COUNTRY_SQL = "(is_multi_country OR cardinality(country_codes) >= 2)"


class StudyQuerySet(models.QuerySet["Study"]):
    def published(self) -> Self:
        return self.filter(status=self.model.Status.PUBLISHED)

    def visible_to(self, user: "User | AnonymousUser") -> Self:
        """What `user` may read: everything for curators who may view studies, else published."""
        if user.is_active and user.is_staff and user.has_perm("studies.view_study"):
            return self
        return self.published()

    def for_listing(self) -> Self:
        """What a list of studies shows (and its citations name): subject, publisher, authors in
        order, types, countries.

        Without the search document, which only the database's matching reads: a kilobyte or
        more a study (its files' words too), turned into a string for nothing — half the time
        of a page of 20 search results' rows at 100,000 studies.
        """
        Authorship = apps.get_model("studies", "Authorship")
        return (
            self.defer("search_vector")
            .select_related("subject", "publisher")
            .prefetch_related(
                Prefetch(
                    "authorships",
                    queryset=Authorship.objects.select_related("author").order_by("position"),
                ),
                "resource_types",
                "countries",
            )
        )

    def for_cards(self) -> Self:
        """What a study's card in a list shows (`studies.cards`), in one query: the row's own
        columns, its subject, and the names of its authors (in order), types and countries as
        arrays, English and Spanish, ordered as `for_listing()` orders them.

        `for_listing()` builds some 190 model instances for a page of 20 studies (authorships,
        authors, types, countries) in four queries, 7 ms of CPU time; a card needs only names.
        """
        Authorship = apps.get_model("studies", "Authorship")
        ResourceType = apps.get_model("studies", "ResourceType")
        Country = apps.get_model("studies", "Country")

        def names(model: type[models.Model], field: str) -> ArraySubquery:
            return ArraySubquery(
                model._default_manager.filter(studies=OuterRef("pk")).order_by("name").values(field)
            )

        return (
            self.only(*CARD_FIELDS)
            .select_related("subject")
            .annotate(
                card_author_names=ArraySubquery(
                    Authorship.objects.filter(study=OuterRef("pk"))
                    .order_by("position")
                    .values("author__name")
                ),
                card_type_names=names(ResourceType, "name"),
                card_type_names_es=names(ResourceType, "name_es"),
                card_country_names=names(Country, "name"),
                card_country_names_es=names(Country, "name_es"),
            )
        )

    def with_files(self) -> Self:
        """The studies' files in order, prefetched (one query for all the studies)."""
        StudyFile = apps.get_model("studies", "StudyFile")
        return self.prefetch_related(
            Prefetch("files", queryset=StudyFile.objects.order_by("position", "id"))
        )

    def for_page(self) -> Self:
        """What a study's own page shows: `for_listing()` and the study's files in order (one
        query more, whatever the number of files)."""
        StudyFile = apps.get_model("studies", "StudyFile")
        return self.for_listing().prefetch_related(
            Prefetch("files", queryset=StudyFile.objects.order_by("position", "id"))
        )

    def for_csv(self) -> models.QuerySet:
        """What a CSV row prints, as named tuples read in one query (`citations.CsvSource`).

        No model instances and no prefetch queries: the authors' names (in order) come as an
        array from a correlated subquery, so an export streams from one server-side cursor.
        """
        Authorship = apps.get_model("studies", "Authorship")
        return self.annotate(
            author_names=ArraySubquery(
                Authorship.objects.filter(study=OuterRef("pk"))
                .order_by("position")
                .values("author__name")
            ),
        ).values_list(
            "title",
            "short_title",
            "citation_key",
            "slug",
            "author_names",
            "publisher__name",
            # The row's own facet arrays, named in Python (`citations.CsvNames`): a subquery
            # each would double the query's time.
            "type_slugs",
            "publication_month",
            "country_codes",
            "is_multi_country",
            "subject__name",
            "description",
            "language",
            "rights",
            "license_url",
            "pdf",
            "external_url",
            named=True,
        )

    def in_countries(self, codes: list[str], include_multi_country: bool = False) -> Self:
        """Studies in any of the countries (ISO codes); with the flag, multi-country ones too."""
        condition = Q(country_codes__overlap=codes) if codes else Q()
        if include_multi_country:
            condition |= MULTI_COUNTRY
        return self.filter(condition) if condition else self

    def with_any_type(self, slugs: list[str]) -> Self:
        return self.filter(type_slugs__overlap=slugs)

    def by_any_author(self, slugs: list[str]) -> Self:
        return self.filter(author_slugs__overlap=slugs)

    def with_full_text(self) -> Self:
        """Studies with at least one file whose text was extracted (not only scanned pages)."""
        files = apps.get_model("studies", "StudyFile").objects.filter(
            study=OuterRef("pk"), has_text_layer=True
        )
        return self.filter(Exists(files))

    def published_between(
        self, first_month: datetime.date | None = None, last_month: datetime.date | None = None
    ) -> Self:
        """Studies published from `first_month` to `last_month`, both included (either open).

        Months are first days (`publication_month` always is), so plain comparisons use the
        month index.
        """
        if first_month is not None:
            self = self.filter(publication_month__gte=first_month)
        if last_month is not None:
            self = self.filter(publication_month__lte=last_month)
        return self

    def matching(self, query: str) -> Self:
        """Full-text matches for `query` (websearch syntax, prefixes, accents ignored), ranked.

        Searches title, short title, authors, subject, countries (and their aliases) and
        description; `search_rank` orders them with title matches first.
        """
        return self.filter(search.matches(query)).annotate(search_rank=search.rank(query))

    def with_snippets(self, query: str) -> Self:
        """Each study with `search_headline`: its text around the matched words, marked.

        Costly per row, so only pages of results ask for it (not exports or feeds).
        """
        pages = search.first_matching_page(query)

        def unless_the_description_matches(subquery: models.Subquery) -> models.Case:
            # The card shows the description's snippet when it matches: the files' pages are
            # then not read (each costs a parse of its text, 0.3 ms a study).
            return models.Case(
                models.When(search.description_matches(query), then=models.Value(None)),
                default=subquery,
            )

        return self.annotate(
            search_headline=search.headline(query),
            # The words from a file, with their page, for a study whose own text does not
            # show the match (`studies.cards`).
            file_match_page=unless_the_description_matches(
                models.Subquery(pages.values("number")[:1])
            ),
            file_headline=unless_the_description_matches(
                models.Subquery(
                    pages.annotate(headline=search.page_headline(query)).values("headline")[:1]
                )
            ),
        )

    def rows_between(self, start: int, stop: int) -> list["Study"]:
        """Rows `start` to `stop` in this queryset's order, as a list.

        Ids first, then the rows by id: a deep page (offset 80,000) then walks an index of
        the order alone instead of sorting every matching row with its text.
        """
        ids = list(self.values_list("pk", flat=True)[start:stop])
        rows = {row.pk: row for row in self.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]

    def sorted_by(self, sort: str) -> Self:
        if sort == "relevance" and "search_rank" in self.query.annotations:
            return self.order_by("-search_rank", "-publication_month", "pk")
        orderings = {
            "newest": ["-publication_month", "title", "pk"],
            "oldest": ["publication_month", "title", "pk"],
            "title": ["title", "pk"],
        }
        return self.order_by(*orderings.get(sort, orderings["newest"]))


RELATED_STUDY_FIELDS = (
    "slug",
    "title",
    "title_es",
    "publication_month",
    "subject__name",
    "subject__name_es",
    "subject__slug",
)


def related_studies(study: "Study", limit: int = 5) -> StudyQuerySet:
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
        .select_related("subject")
        # A link with its date and subject: the columns those need, not the study's texts.
        .only(*RELATED_STUDY_FIELDS)[:limit]
    )


def study_pages_matching(study: "Study", words: str) -> models.QuerySet:
    """The pages of `study`'s files whose text matches `words` (the list's search syntax), in
    file and page order, each with `headline` (its text around the words, marked) and its file."""
    StudyFilePage = apps.get_model("studies", "StudyFilePage")
    return (
        StudyFilePage.objects.filter(file__study=study)
        # A page without text (a scan) matches nothing, whatever the words say.
        .exclude(text="")
        .filter(search.page_matches(words))
        .select_related("file")
        .only("number", "file__id", "file__label", "file__is_main", "file__position")
        .annotate(headline=search.page_headline(words))
        .order_by("file__position", "file_id", "number")
    )
