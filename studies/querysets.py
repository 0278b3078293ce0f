"""Reads of the study library: what the public sees, how lists load, how facets are counted."""

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import ExtractYear


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
        """Studies whose title, short title, description or authors contain every word."""
        Authorship = apps.get_model("studies", "Authorship")
        for word in query.split():
            author_match = Authorship.objects.filter(
                study=OuterRef("pk"), author__name__icontains=word
            )
            self = self.filter(
                Q(title__icontains=word)
                | Q(short_title__icontains=word)
                | Q(description__icontains=word)
                | Exists(author_match)
            )
        return self

    def sorted_by(self, sort: str):
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
