"""The study library: studies and the vocabularies that describe them.

Vocabularies (countries, subjects, resource types, authors) have natural keys (ISO code or slug) so
that fixtures load into any database and loading them twice changes nothing.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from history.tracking import track

from .querysets import StudyQuerySet


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CountryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


@track(model_name="CountryEvent")
class Country(models.Model):
    """A country, by its ISO 3166-1 alpha-2 code (stored upper-case)."""

    code = models.CharField("ISO 3166-1 alpha-2 code", max_length=2, unique=True)
    name = models.CharField(max_length=100, unique=True)
    # Other names visitors search by ("DR", "Philippine"); matched by the search in issue 4.
    aliases = models.CharField(
        max_length=300, blank=True, help_text="Other names, comma-separated, e.g. “DR”."
    )

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}$"),
                name="country_code_is_two_capital_letters",
                violation_error_message="The ISO code must be two capital letters, e.g. KH.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def clean(self):
        self.code = (self.code or "").strip().upper()


@track(model_name="SubjectEvent")
class Subject(models.Model):
    """What a study is about, as the organisation names it (e.g. “Land theft”)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


@track(model_name="ResourceTypeEvent")
class ResourceType(models.Model):
    """The kind of publication: crime prevalence study, program evaluation, white paper…"""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


@track(model_name="AuthorEvent")
class Author(models.Model):
    """A person or an organisation credited with a study.

    One row per real author: “IJM” and “International Justice Mission” are one organisation (the
    short form is kept in `alternate_names`); “IJM Australia” is another.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=300, help_text="As it should be displayed.")
    slug = models.SlugField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For citations: a person is cited “Family, Given”; an organisation by its name.
    family_name = models.CharField(max_length=150, blank=True)
    given_names = models.CharField(max_length=150, blank=True)
    alternate_names = models.CharField(
        max_length=300, blank=True, help_text="Other names, comma-separated, e.g. “IJM”."
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["person", "organisation"]),
                name="author_kind_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="organisation") | ~models.Q(family_name=""),
                name="person_author_has_family_name",
                violation_error_message="A person needs a family name (used in citations).",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    @property
    def is_person(self) -> bool:
        return self.kind == self.Kind.PERSON


# Addresses under /studies/ that the site uses itself, so no study can take them.
RESERVED_STUDY_SLUGS = ["feed"]


# The columns that triggers derive from the study's own text and links: recording them would
# record every link change twice and make snapshots heavy; the links have their own events.
STUDY_DERIVED_FIELDS = ["search_vector", "country_codes", "type_slugs", "author_slugs"]


@track(exclude=STUDY_DERIVED_FIELDS, model_name="StudyEvent")
class Study(models.Model):
    """A publication in the library. Only published studies are shown to the public."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=500)
    short_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The short name used on the website, e.g. “IJM Manila”.",
    )
    slug = models.SlugField(max_length=200, unique=True, help_text="Part of the study's address.")
    description = models.TextField(blank=True)
    # Month precision: the day is always the 1st (enforced below); show it as “May 2018”.
    publication_month = models.DateField(
        help_text="The month of publication; the day is ignored and stored as the 1st."
    )
    resource_types = models.ManyToManyField(ResourceType, related_name="studies")
    authors = models.ManyToManyField(Author, through="Authorship", related_name="studies")
    countries = models.ManyToManyField(Country, related_name="studies", blank=True)
    is_multi_country = models.BooleanField(
        "multiple countries",
        default=False,
        help_text="The study covers several countries (name them above where the study does).",
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="studies")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    pdf = models.FileField("PDF file", upload_to="studies/", blank=True)
    external_url = models.URLField("external URL", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Weighted document (title A; authors and subject B; countries C; description D) kept up to
    # date by database triggers (migration 0002), so that every writer — admin, fixtures, bulk
    # loads, raw SQL — leaves it right. Never written by Django.
    search_vector = SearchVectorField(null=True, editable=False)
    # Copies of the study's links (country codes, type and author slugs), kept by the same
    # triggers, so that filters and facet counts read one table: counting 100,000 studies' facets
    # is one pass over it instead of three joins (see `studies.facets`).
    country_codes = ArrayField(
        models.CharField(max_length=2), default=list, blank=True, editable=False
    )
    type_slugs = ArrayField(
        models.SlugField(max_length=200), default=list, blank=True, editable=False
    )
    author_slugs = ArrayField(
        models.SlugField(max_length=300), default=list, blank=True, editable=False
    )

    objects = SlugNaturalKeyManager.from_queryset(StudyQuerySet)()

    class Meta:
        ordering = ["-publication_month", "title"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publication_month__day=1),
                name="study_publication_month_is_first_of_month",
                violation_error_message="The publication month is stored as its first day.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="study_status_is_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(slug__in=RESERVED_STUDY_SLUGS),
                name="study_slug_is_not_reserved",
                violation_error_message="This address is taken by the site itself (e.g. the feed): "
                "choose another slug.",
            ),
        ]
        indexes = [
            models.Index(fields=["publication_month"], name="study_publication_month_idx"),
            models.Index(fields=["updated_at", "id"], name="study_updated_at_idx"),
            GinIndex(fields=["search_vector"], name="study_search_vector_idx"),
            GinIndex(fields=["country_codes"], name="study_country_codes_idx"),
            GinIndex(fields=["type_slugs"], name="study_type_slugs_idx"),
            GinIndex(fields=["author_slugs"], name="study_author_slugs_idx"),
            # The columns facet counts read, so that counting all published studies is an
            # index-only scan rather than a read of every row's text.
            models.Index(
                fields=["status"],
                include=[
                    "subject_id",
                    "is_multi_country",
                    "publication_month",
                    "country_codes",
                    "type_slugs",
                    "author_slugs",
                ],
                name="study_facet_columns_idx",
            ),  # fmt: skip
            # The list's default order, so that a page (even a deep one) is read in index order.
            models.Index(
                F("publication_month").desc(),
                "title",
                "id",
                condition=Q(status="published"),
                name="study_published_newest_idx",
            ),
            models.Index(
                "publication_month",
                "title",
                "id",
                condition=Q(status="published"),
                name="study_published_oldest_idx",
            ),
            models.Index("title", "id", condition=Q(status="published"), name="study_title_idx"),
        ]

    def __str__(self):
        return self.short_title or self.title

    def get_absolute_url(self):
        return reverse("studies:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if self.publication_month:
            self.publication_month = self.publication_month.replace(day=1)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def download_url(self) -> str:
        """The file to download: the uploaded PDF first, else the external address."""
        if self.pdf:
            return self.pdf.url
        return self.external_url


class AuthorshipManager(models.Manager):
    def get_by_natural_key(self, study_slug, position):
        return self.get(study__slug=study_slug, position=position)


@track(model_name="AuthorshipEvent")
class Authorship(models.Model):
    """An author's place in a study's author list (position 1 is the first author)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField(default=1)

    objects = AuthorshipManager()

    class Meta:
        ordering = ["study", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "position"],
                name="authorship_unique_position",
                violation_error_message="Two authors cannot share one position.",
            ),
            models.UniqueConstraint(
                fields=["study", "author"],
                name="authorship_author_once_per_study",
                violation_error_message="This author is already listed on the study.",
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="authorship_position_from_one"
            ),
        ]

    def __str__(self):
        return f"{self.author} ({self.position})"

    def natural_key(self):
        return (*self.study.natural_key(), self.position)

    natural_key.dependencies = ["studies.study", "studies.author"]


# The study's links to countries and resource types are plain many-to-many tables; these proxies
# of them give their rows events too, so that a study's links can be shown and restored as of a
# version.
@track(model_name="StudyCountryEvent")
class StudyCountry(Study.countries.through):
    class Meta:
        proxy = True
        verbose_name = "study's country"
        verbose_name_plural = "studies' countries"


@track(model_name="StudyResourceTypeEvent")
class StudyResourceType(Study.resource_types.through):
    class Meta:
        proxy = True
        verbose_name = "study's resource type"
        verbose_name_plural = "studies' resource types"


class SearchTerm(models.Model):
    """A word that occurs in the library (unaccented, lower case), for spelling suggestions.

    Filled by database triggers as studies and vocabularies are written; a trigram index finds
    the nearest word to a misspelt one (“Cambodai” → “cambodia”).
    """

    word = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="searchterm_word_trgm_idx"),
        ]

    def __str__(self):
        return self.word


class LibraryVersion(models.Model):
    """A counter that database triggers bump on every write to the library's tables.

    Cached facet counts are keyed by it, so a curator's edit is visible on the next page view.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"library version {self.version}"

    @classmethod
    def current(cls) -> int:
        return cls.objects.values_list("version", flat=True).first() or 0
