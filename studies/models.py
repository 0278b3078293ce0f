"""The study library: studies and the vocabularies that describe them.

Vocabularies (countries, subjects, resource types, authors) have natural keys (ISO code or slug) so
that fixtures load into any database and loading them twice changes nothing.
"""

import datetime
from urllib.parse import quote

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from history.tracking import track

from .files import STUDY_FILE_DIRECTORY, delete_when_unreferenced
from .querysets import StudyQuerySet
from .validators import validate_pdf

# Every slug is part of an address: lower-case words of letters and digits joined by single
# hyphens (“land-theft”). The URL patterns accept more (Django's <slug:…>); the database accepts
# only this, so no row can make a page that links to it fail.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MESSAGE = (
    "Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”."
)
validate_lowercase_slug = RegexValidator(SLUG_PATTERN, SLUG_MESSAGE, code="invalid_slug")

# Where text is required, it must be more than spaces: a blank title would leave a page's link
# with nothing to click.
NOT_BLANK = r"\S"

EARLIEST_PUBLICATION_MONTH = datetime.date(1900, 1, 1)


def slug_is_well_formed(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(slug__regex=SLUG_PATTERN),
        name=f"{model}_slug_is_well_formed",
        violation_error_message=SLUG_MESSAGE,
    )


def is_not_blank(model: str, field: str, what: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__regex": NOT_BLANK}),
        name=f"{model}_{field}_is_not_blank",
        violation_error_message=f"The {what} cannot be blank.",
    )


def url_for_slug(viewname: str, slug: str) -> str:
    """The address of the page named `viewname` for `slug`.

    The database holds only well-formed slugs (the `…_slug_is_well_formed` constraints); were a
    malformed one to come back anyway (an old dump restored), its link answers 404 instead of
    failing every page that lists it.
    """
    try:
        return reverse(viewname, kwargs={"slug": slug})
    except NoReverseMatch:
        prefix = reverse(viewname, kwargs={"slug": "-"}).removesuffix("-/")
        return f"{prefix}{quote(slug, safe='')}/"


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
            is_not_blank("country", "name", "name"),
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
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_lowercase_slug])

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        constraints = [slug_is_well_formed("subject"), is_not_blank("subject", "name", "name")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


@track(model_name="ResourceTypeEvent")
class ResourceType(models.Model):
    """The kind of publication: crime prevalence study, program evaluation, white paper…"""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_lowercase_slug])

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            slug_is_well_formed("resourcetype"),
            is_not_blank("resourcetype", "name", "name"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


# Module-level so that the constraints in Meta can name the members (a nested Meta cannot see
# its model's class body); the models expose them as `Author.Kind` and `Study.Status`.
class AuthorKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


@track(model_name="AuthorEvent")
class Author(models.Model):
    """A person or an organisation credited with a study.

    One row per real author: “IJM” and “International Justice Mission” are one organisation (the
    short form is kept in `alternate_names`); “IJM Australia” is another.
    """

    Kind = AuthorKind

    name = models.CharField(max_length=300, help_text="As it should be displayed.")
    slug = models.SlugField(max_length=300, unique=True, validators=[validate_lowercase_slug])
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
                condition=models.Q(kind__in=AuthorKind.values),
                name="author_kind_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=AuthorKind.ORGANISATION) | ~models.Q(family_name=""),
                name="person_author_has_family_name",
                violation_error_message="A person needs a family name (used in citations).",
            ),
            slug_is_well_formed("author"),
            is_not_blank("author", "name", "name"),
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


def missing_for_publication(*, has_type: bool, has_author: bool, has_country: bool) -> list[str]:
    """What a published study lacks, in the words the admin and the database both use."""
    wanted = [
        (has_type, "a resource type"),
        (has_author, "an author"),
        (has_country, "a country (or “multiple countries”)"),
    ]
    return [what for present, what in wanted if not present]


def publication_requirement_message(missing: list[str]) -> str:
    """“A published study needs an author and a country …”."""
    listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
    return f"A published study needs {listed}. Add what is missing, or keep it as a draft."


# The columns that triggers derive from the study's own text and links: recording them would
# record every link change twice and make snapshots heavy; the links have their own events.
STUDY_DERIVED_FIELDS = ["search_vector", "country_codes", "type_slugs", "author_slugs"]


class StudyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


@track(exclude=STUDY_DERIVED_FIELDS, model_name="StudyEvent")
class Study(models.Model):
    """A publication in the library. Only published studies are shown to the public."""

    Status = StudyStatus

    title = models.CharField(max_length=500)
    short_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The short name used on the website, e.g. “IJM Manila”.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        validators=[validate_lowercase_slug],
        help_text="Part of the study's address.",
    )
    description = models.TextField(blank=True)
    # Month precision: the day is always the 1st (enforced below); show it as “May 2018”.
    publication_month = models.DateField(
        help_text="The month of publication; the day is ignored and stored as the 1st."
    )
    resource_types = models.ManyToManyField(ResourceType, related_name="studies")
    authors = models.ManyToManyField(Author, through="Authorship", related_name="studies")
    countries = models.ManyToManyField(Country, related_name="studies", blank=True)
    # Ticked for a study of several countries that it does not name; a study that names two or
    # more countries counts as multi-country without it (`covers_multiple_countries`). Never
    # both ticked and naming countries (constraint trigger, migration 0011).
    is_multi_country = models.BooleanField(
        "multiple countries",
        default=False,
        help_text="Tick only when the study covers several countries without naming them; a "
        "study naming two or more countries is listed under “Multiple countries” anyway.",
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="studies")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Served from our own origin, so only a real PDF is accepted (`validate_pdf`, run by
    # `clean_fields`) and it is stored under a generated name (`GeneratedNameStorage`); replaced
    # or removed files leave storage (see `save`).
    pdf = models.FileField(
        "PDF file",
        upload_to=STUDY_FILE_DIRECTORY,
        blank=True,
        help_text="A PDF document, not password-protected.",
    )
    external_url = models.URLField(
        "external URL",
        max_length=500,
        blank=True,
        # URLField also accepts ftp: and ftps:; a link on the page must open in a browser.
        validators=[URLValidator(schemes=["http", "https"])],
    )
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
                condition=models.Q(status__in=StudyStatus.values),
                name="study_status_is_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(slug__in=RESERVED_STUDY_SLUGS),
                name="study_slug_is_not_reserved",
                violation_error_message="This address is taken by the site itself (e.g. the feed): "
                "choose another slug.",
            ),
            slug_is_well_formed("study"),
            is_not_blank("study", "title", "title"),
            models.CheckConstraint(
                condition=Q(external_url="") | Q(external_url__iregex=r"^https?://\S+$"),
                name="study_external_url_is_http",
                violation_error_message="The external URL must be an http:// or https:// address.",
            ),
            # The upper bound (the end of next year) needs today's date, which a CHECK cannot
            # read: a trigger enforces it (migration 0011).
            models.CheckConstraint(
                condition=Q(publication_month__gte=EARLIEST_PUBLICATION_MONTH),
                name="study_published_from_1900",
                violation_error_message="The publication month cannot be before 1900.",
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
                condition=Q(status=StudyStatus.PUBLISHED),
                name="study_published_newest_idx",
            ),
            models.Index(
                "publication_month",
                "title",
                "id",
                condition=Q(status=StudyStatus.PUBLISHED),
                name="study_published_oldest_idx",
            ),
            models.Index(
                "title", "id", condition=Q(status=StudyStatus.PUBLISHED), name="study_title_idx"
            ),
        ]

    def __str__(self):
        return self.short_title or self.title

    def save(self, *args, **kwargs):
        # The file this row named before, so that a replaced or cleared file leaves storage.
        previous_file = (
            Study.objects.filter(pk=self.pk).values_list("pdf", flat=True).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        if previous_file and previous_file != self.pdf.name:
            delete_when_unreferenced(previous_file)

    def get_absolute_url(self):
        return url_for_slug("studies:detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    def clean_fields(self, exclude=None):
        """Django's field checks, and the bytes of a newly attached file.

        `validate_pdf` runs here rather than as a field validator so that no migration has to
        import it; a file already stored was checked when it was attached.
        """
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "pdf" not in (exclude or ()) and self.pdf and not self.pdf._committed:
            try:
                validate_pdf(self.pdf)
            except ValidationError as error:
                errors.setdefault("pdf", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        if self.publication_month:
            self.publication_month = self.publication_month.replace(day=1)
            # The database refuses only months beyond next year (a forthcoming report may be
            # imported ahead); a curator enters what has been published.
            if self.publication_month > timezone.localdate().replace(day=1):
                raise ValidationError(
                    {"publication_month": "The publication month cannot be in the future."}
                )

    def missing_for_publication(self) -> list[str]:
        """What a published study must have and this stored study lacks, e.g. ["an author"].

        Reads the copies of the links on the row itself (kept by triggers), so it costs no
        query; the constraint trigger of migration 0011 checks the same at commit.
        """
        return missing_for_publication(
            has_type=bool(self.type_slugs),
            has_author=bool(self.author_slugs),
            has_country=bool(self.country_codes) or self.is_multi_country,
        )

    @property
    def covers_multiple_countries(self) -> bool:
        """Listed under “Multiple countries”: ticked so, or naming two or more countries.

        Reads the prefetched countries where a list has them (`for_listing()`).
        """
        return self.is_multi_country or len(self.countries.all()) >= 2

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def file_url(self) -> str:
        """The address that serves the uploaded PDF (never the storage's own URL), or ""."""
        if not self.pdf:
            return ""
        return reverse("studies:file", kwargs={"slug": self.slug})

    @property
    def download_url(self) -> str:
        """The file to download: the uploaded PDF first, else the external address."""
        return self.file_url or self.external_url


@receiver(post_delete, sender=Study)
def delete_study_file(sender, instance: Study, **kwargs) -> None:
    """A deleted study's file leaves storage (also for the admin's bulk delete, which does not
    call `Study.delete`)."""
    delete_when_unreferenced(instance.pdf.name)


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

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = ["studies.study", "studies.author"]  # type: ignore[attr-defined]


# The study's links to countries and resource types are plain many-to-many tables; these proxies
# of them give their rows events too, so that a study's links can be shown and restored as of a
# version.
@track(model_name="StudyCountryEvent")
class StudyCountry(Study.countries.through):  # type: ignore[name-defined]  # made at run time
    class Meta:
        proxy = True
        verbose_name = "study's country"
        verbose_name_plural = "studies' countries"


@track(model_name="StudyResourceTypeEvent")
class StudyResourceType(Study.resource_types.through):  # type: ignore[name-defined]  # made at run time
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
