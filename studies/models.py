"""The study library: studies and the vocabularies that describe them.

Vocabularies (countries, subjects, resource types, authors) have natural keys (ISO code or slug) so
that fixtures load into any database and loading them twice changes nothing.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import IsNull
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _

from core import loading
from core.text import normalise_newlines
from core.translation import curated_text
from history.tracking import track

from .files import STUDY_FILE_DIRECTORY, delete_when_unreferenced
from .identifiers import (
    LANGUAGE_PATTERN,
    ORCID_PATTERN,
    ROR_PATTERN,
    language_problem,
    normalise_language,
    normalise_orcid,
    normalise_ror,
    orcid_problem,
    ror_problem,
)
from .querysets import StudyQuerySet
from .validators import validate_pdf

# Every slug is part of an address: lower-case words of letters and digits joined by single
# hyphens (“land-theft”). The URL patterns accept more (Django's <slug:…>); the database accepts
# only this, so no row can make a page that links to it fail.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MESSAGE = _(
    "Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”."
)
validate_lowercase_slug = RegexValidator(SLUG_PATTERN, SLUG_MESSAGE, code="invalid_slug")
CITATION_KEY_MESSAGE = (
    "Use lower-case letters and digits, words joined by single hyphens, e.g. “ijm2023scale”."
)
validate_citation_key = RegexValidator(
    SLUG_PATTERN, CITATION_KEY_MESSAGE, code="invalid_citation_key"
)

# Where text is required, it must be more than spaces: a blank title would leave a page's link
# with nothing to click.
NOT_BLANK = r"\S"

EARLIEST_PUBLICATION_MONTH = datetime.date(1900, 1, 1)
DEFAULT_LANGUAGE = "en"


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


class NamedInSpanishToo(models.Model):
    """A vocabulary term with the curators' Spanish name, shown on the Spanish pages (a blank one
    shows the English)."""

    name_es = models.CharField(
        _("name (Spanish)"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        abstract = True

    @property
    def localized_name(self) -> str:
        # Each vocabulary's `name` is its string (`__str__`), the English this falls back to.
        return curated_text(str(self), self.name_es)


@track(model_name="CountryEvent")
class Country(NamedInSpanishToo):
    """A country, by its ISO 3166-1 alpha-2 code (stored upper-case)."""

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(max_length=100, unique=True)
    # Other names visitors search by ("DR", "Philippine"); matched by the search in issue 4.
    aliases = models.CharField(
        max_length=300, blank=True, help_text=_("Other names, comma-separated, e.g. “DR”.")
    )

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}$"),
                name="country_code_is_two_capital_letters",
                violation_error_message=_("The ISO code must be two capital letters, e.g. KH."),
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
class Subject(NamedInSpanishToo):
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
class ResourceType(NamedInSpanishToo):
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

    name = models.CharField(max_length=300, help_text=_("As it should be displayed."))
    slug = models.SlugField(max_length=300, unique=True, validators=[validate_lowercase_slug])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For citations: a person is cited “Family, Given”; an organisation by its name.
    family_name = models.CharField(max_length=150, blank=True)
    given_names = models.CharField(max_length=150, blank=True)
    alternate_names = models.CharField(
        max_length=300, blank=True, help_text=_("Other names, comma-separated, e.g. “IJM”.")
    )
    # Identifiers that let catalogues tell this author from namesakes; checked (checksums
    # included) in `clean_fields`, their shape and owner kind by the database.
    # Room for a pasted address; the database keeps only the 19-character iD.
    orcid = models.CharField(
        "ORCID iD",
        max_length=50,
        blank=True,
        default="",
        db_default="",
        help_text="People only, e.g. 0000-0002-1825-0097 (the address is accepted too).",
    )
    ror = models.CharField(
        "ROR id",
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text="Organisations only, e.g. https://ror.org/03yrm5c26 (the bare id is accepted "
        "too).",
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
                violation_error_message=_("A person needs a family name (used in citations)."),
            ),
            slug_is_well_formed("author"),
            is_not_blank("author", "name", "name"),
            models.CheckConstraint(
                condition=Q(orcid="") | (Q(orcid__regex=ORCID_PATTERN) & Q(kind=AuthorKind.PERSON)),
                name="author_orcid_is_a_persons_orcid",
                violation_error_message="An ORCID iD is 16 digits in groups of four (e.g. "
                "0000-0002-1825-0097), and only people have one.",
            ),
            models.CheckConstraint(
                condition=Q(ror="") | (Q(ror__regex=ROR_PATTERN) & Q(kind=AuthorKind.ORGANISATION)),
                name="author_ror_is_an_organisations_ror",
                violation_error_message="A ROR id is an address like https://ror.org/03yrm5c26, "
                "and only organisations have one.",
            ),
            models.UniqueConstraint(
                fields=["orcid"],
                condition=~Q(orcid=""),
                name="author_orcid_is_unique",
                violation_error_message="Another author already has this ORCID iD: it is the "
                "same person, so use that author.",
            ),
            models.UniqueConstraint(
                fields=["ror"],
                condition=~Q(ror=""),
                name="author_ror_is_unique",
                violation_error_message="Another author already has this ROR id: it is the same "
                "organisation, so use that author.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean_fields(self, exclude=None):
        """Identifiers in their canonical form first, then Django's checks and the checksums."""
        exclude = exclude or ()
        self.orcid = normalise_orcid(self.orcid or "")
        self.ror = normalise_ror(self.ror or "")
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field, problem in [("orcid", orcid_problem), ("ror", ror_problem)]:
            value = getattr(self, field)
            if field not in exclude and value and field not in errors and (why := problem(value)):
                errors[field] = [why]
        if errors:
            raise ValidationError(errors)

    def clean(self):
        if self.orcid and self.kind != self.Kind.PERSON:
            raise ValidationError(
                {"orcid": "Only people have an ORCID iD; organisations have a ROR id."}
            )
        if self.ror and self.kind != self.Kind.ORGANISATION:
            raise ValidationError(
                {"ror": "Only organisations have a ROR id; people have an ORCID iD."}
            )

    @property
    def is_person(self) -> bool:
        return self.kind == self.Kind.PERSON

    @property
    def orcid_url(self) -> str:
        """The ORCID iD as the address ORCID asks to display, or ""."""
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""

    @property
    def identifier_url(self) -> str:
        """The author's persistent identifier as an address: ORCID for people, ROR for
        organisations; "" when there is none."""
        return self.orcid_url if self.is_person else self.ror


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


# The citation key is left out too: the database fills it after the insert (no curator's change),
# and a study keeps its key through any restore of an older version, since readers' documents
# cite it.
@track(exclude=[*STUDY_DERIVED_FIELDS, "citation_key"], model_name="StudyEvent")
class Study(models.Model):
    """A publication in the library. Only published studies are shown to the public."""

    # Built without Model.__init__: a program page's table cites a study a row (core/loading.py).
    from_db = classmethod(loading.from_db)  # type: ignore[var-annotated]  # generic

    Status = StudyStatus

    title = models.CharField(max_length=500)
    short_title = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The short name used on the website, e.g. “IJM Manila”."),
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        validators=[validate_lowercase_slug],
        help_text=_("Part of the study's address."),
    )
    description = models.TextField(blank=True)
    # The curators' Spanish versions, shown on the Spanish pages; blank falls back to the English.
    title_es = models.CharField(
        _("title (Spanish)"), max_length=500, blank=True, default="", db_default=""
    )
    description_es = models.TextField(
        _("description (Spanish)"), blank=True, default="", db_default=""
    )
    # Month precision: the day is always the 1st (enforced below); show it as “May 2018”.
    publication_month = models.DateField(
        help_text=_("The month of publication; the day is ignored and stored as the 1st.")
    )
    resource_types = models.ManyToManyField(ResourceType, related_name="studies")
    authors = models.ManyToManyField(Author, through="Authorship", related_name="studies")
    countries = models.ManyToManyField(Country, related_name="studies", blank=True)
    # Ticked for a study of several countries that it does not name; a study that names two or
    # more countries counts as multi-country without it (`covers_multiple_countries`). Never
    # both ticked and naming countries (constraint trigger, migration 0011).
    is_multi_country = models.BooleanField(
        _("multiple countries"),
        default=False,
        help_text=_(
            "Tick only when the study covers several countries without naming them; a "
            "study naming two or more countries is listed under “Multiple countries” anyway."
        ),
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="studies")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Served from our own origin, so only a real PDF is accepted (`validate_pdf`, run by
    # `clean_fields`) and it is stored under a generated name (`GeneratedNameStorage`); replaced
    # or removed files leave storage (see `save`).
    pdf = models.FileField(
        _("PDF file"),
        upload_to=STUDY_FILE_DIRECTORY,
        blank=True,
        help_text=_("A PDF document, not password-protected."),
    )
    external_url = models.URLField(
        _("external URL"),
        max_length=500,
        blank=True,
        # URLField also accepts ftp: and ftps:; a link on the page must open in a browser.
        validators=[URLValidator(schemes=["http", "https"])],
    )
    # --- How the study is cited and may be reused --------------------------------------------
    # An author row rather than text: the organisation is spelled once, keeps its ROR id, and a
    # rename reaches every citation. Only organisations issue reports (a trigger, migration 0016).
    publisher = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_studies",
        limit_choices_to={"kind": AuthorKind.ORGANISATION},
        verbose_name="publisher / issuing institution",
        help_text="The organisation that issued the report (for its own reports, usually its "
        "author). Leave empty when unknown: citations then name no institution.",
    )
    # Made once, at the commit that first gives the study an author, by a database trigger
    # (migration 0016), from the first author, the year and the first word of the title:
    # “ijm2023scale”, “-2” appended when taken. Exports read it and never make their own, so a
    # study keeps its key whatever the order or the filter of an export.
    # The database defaults let writers that name no new column (raw SQL, COPY) still insert.
    citation_key = models.CharField(
        "citation key",
        max_length=100,
        blank=True,
        default="",
        db_default="",
        validators=[validate_citation_key],
        help_text="The study's BibTeX key, e.g. “ijm2023scale”. Leave empty to have one made "
        "from the first author, the year and the title; change it only when you must, since "
        "readers' documents cite it.",
    )
    language = models.CharField(
        max_length=35,
        default=DEFAULT_LANGUAGE,
        db_default=DEFAULT_LANGUAGE,
        # Blank in a form means the default (see clean_fields); the database holds a tag.
        blank=True,
        help_text="The language the study is written in, as a BCP 47 code: “en” for English "
        "(the default), “es” for Spanish, “fr” for French.",
    )
    # Per study until files have their own model (a study has one file today).
    rights = models.CharField(
        "rights / licence",
        max_length=500,
        blank=True,
        default="",
        db_default="",
        help_text="Who holds the rights and how the study may be reused, e.g. “© International "
        "Justice Mission. All rights reserved.” or “CC BY 4.0”.",
    )
    license_url = models.URLField(
        "licence URL",
        max_length=500,
        blank=True,
        default="",
        db_default="",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The licence's address, e.g. https://creativecommons.org/licenses/by/4.0/",
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
                violation_error_message=_("The publication month is stored as its first day."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=StudyStatus.values),
                name="study_status_is_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(slug__in=RESERVED_STUDY_SLUGS),
                name="study_slug_is_not_reserved",
                violation_error_message=_(
                    "This address is taken by the site itself (e.g. the feed): choose another slug."
                ),
            ),
            slug_is_well_formed("study"),
            is_not_blank("study", "title", "title"),
            models.CheckConstraint(
                condition=Q(external_url="") | Q(external_url__iregex=r"^https?://\S+$"),
                name="study_external_url_is_http",
                violation_error_message=_(
                    "The external URL must be an http:// or https:// address."
                ),
            ),
            models.CheckConstraint(
                condition=Q(license_url="") | Q(license_url__iregex=r"^https?://\S+$"),
                name="study_license_url_is_http",
                violation_error_message="The licence URL must be an http:// or https:// address.",
            ),
            models.CheckConstraint(
                condition=Q(citation_key="") | Q(citation_key__regex=SLUG_PATTERN),
                name="study_citation_key_is_well_formed",
                violation_error_message=CITATION_KEY_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["citation_key"],
                condition=~Q(citation_key=""),
                name="study_citation_key_is_unique",
                violation_error_message="Another study already has this citation key: choose "
                "another (e.g. add “-2”).",
            ),
            models.CheckConstraint(
                condition=Q(language__regex=LANGUAGE_PATTERN),
                name="study_language_is_a_language_tag",
                violation_error_message="The language must be a BCP 47 code such as “en”.",
            ),
            # The upper bound (the end of next year) needs today's date, which a CHECK cannot
            # read: a trigger enforces it (migration 0011).
            models.CheckConstraint(
                condition=Q(publication_month__gte=EARLIEST_PUBLICATION_MONTH),
                name="study_published_from_1900",
                violation_error_message=_("The publication month cannot be before 1900."),
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

    @property
    def localized_title(self) -> str:
        """The title in the page's language: the Spanish one on Spanish pages, when written."""
        return curated_text(self.title, self.title_es)

    @property
    def localized_description(self) -> str:
        return curated_text(self.description, self.description_es)

    def natural_key(self):
        return (self.slug,)

    def clean_fields(self, exclude=None):
        """Django's field checks, and the bytes of a newly attached file.

        `validate_pdf` runs here rather than as a field validator so that no migration has to
        import it; a file already stored was checked when it was attached.
        """
        # What a curator pastes is put in canonical form before it is checked.
        self.citation_key = (self.citation_key or "").strip().lower()
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
        if "language" not in (exclude or ()) and "language" not in errors:
            self.language = normalise_language(self.language or "") or DEFAULT_LANGUAGE
            if problem := language_problem(self.language):
                errors["language"] = [problem]
        if errors:
            raise ValidationError(errors)

    def clean(self):
        normalise_newlines(self, "description")
        if self.publisher_id is not None and self.publisher.is_person:
            raise ValidationError(
                {
                    "publisher": "A publisher is an organisation: choose the institution that "
                    "issued the study, not a person."
                }
            )
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


# What processing derives from a file's bytes (`studies.processing`): recording it would make
# every reprocessing an event; the file itself, its label, language and order are recorded.
STUDY_FILE_DERIVED_FIELDS = [
    "pages",
    "size_bytes",
    "sha256",
    "processed_at",
    "has_text_layer",
    "processing_error",
    "preview",
]
PREVIEW_DIRECTORY = "studies/previews/"


def pages_label(count: int) -> str:
    """“1 page”, “12 pages”, in the page's language."""
    return ngettext("%(count)d page", "%(count)d pages", count) % {"count": count}


class StudyFileQuerySet(models.QuerySet):
    def unprocessed(self) -> "StudyFileQuerySet":
        """Files attached (or replaced) since processing last ran on them."""
        return self.filter(processed_at__isnull=True)


@track(exclude=STUDY_FILE_DERIVED_FIELDS, model_name="StudyFileEvent")
class StudyFile(models.Model):
    """One PDF of a study (the full report, a summary, an annex, a translation), in order.

    At most one file per study is its main file (a partial unique constraint). The facts below
    the file (pages, size, checksum, text, preview) are filled by `manage.py process_files`, off
    the request, so that attaching stays fast; `processed_at` is NULL until then.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="files")
    # Only a real PDF is accepted (`validate_pdf`, run by `clean_fields`), stored under a
    # generated name (`GeneratedNameStorage`).
    file = models.FileField(_("PDF file"), upload_to=STUDY_FILE_DIRECTORY, max_length=200)
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("What this file is, e.g. “Full report”, “Summary”, “Annex”."),
    )
    # Blank: the study's own language.
    language = models.CharField(
        _("language"),
        max_length=35,
        blank=True,
        default="",
        db_default="",
        help_text=_("A BCP 47 code such as “es”; leave blank when it is the study's language."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    is_main = models.BooleanField(_("main file"), default=False)
    pages = models.PositiveIntegerField(null=True, blank=True, editable=False)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    processed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # NULL until processed; False for a scanned PDF whose pages carry no text.
    has_text_layer = models.BooleanField(null=True, blank=True, editable=False)
    processing_error = models.TextField(blank=True, default="", editable=False)
    preview = models.FileField(upload_to=PREVIEW_DIRECTORY, blank=True, editable=False)

    objects = StudyFileQuerySet.as_manager()

    class Meta:
        ordering = ["study", "position", "id"]
        verbose_name = _("study file")
        constraints = [
            models.UniqueConstraint(
                fields=["study"],
                condition=Q(is_main=True),
                name="studyfile_one_main_file_per_study",
                violation_error_message=_("A study has one main file: untick the other first."),
            ),
            models.UniqueConstraint(
                fields=["study", "position"],
                name="studyfile_unique_position",
                violation_error_message=_("Two files of a study cannot share one position."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="studyfile_position_from_one"
            ),
            models.CheckConstraint(
                condition=Q(language="") | Q(language__regex=LANGUAGE_PATTERN),
                name="studyfile_language_is_a_language_tag",
                violation_error_message="The language must be a BCP 47 code such as “es”.",
            ),
            models.CheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="studyfile_sha256_is_hex",
            ),
        ]

    def __str__(self):
        return self.label or self.file.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        previous = (
            StudyFile.objects.filter(pk=self.pk).values_list("file", "preview").first()
            if self.pk
            else None
        )
        if previous and previous[0] != self.file.name:
            # New bytes: what was derived from the old ones no longer holds.
            self.processed_at = None
            self.preview = ""
        super().save(*args, **kwargs)
        if previous:
            if previous[0] != self.file.name:
                delete_when_unreferenced(previous[0])
            if previous[1] and previous[1] != self.preview.name:
                delete_when_unreferenced(previous[1])

    def clean_fields(self, exclude=None):
        """Django's field checks, and the bytes of a newly attached file (see Study)."""
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "file" not in (exclude or ()) and self.file and not self.file._committed:
            try:
                validate_pdf(self.file)
            except ValidationError as error:
                errors.setdefault("file", []).extend(error.messages)
        if "language" not in (exclude or ()) and self.language and "language" not in errors:
            self.language = normalise_language(self.language)
            if problem := language_problem(self.language):
                errors["language"] = [problem]
        if errors:
            raise ValidationError(errors)

    @property
    def is_processed(self) -> bool:
        return self.processed_at is not None

    @property
    def language_label(self) -> str:
        """The file's language in the page's language (“Spanish”, “español”); the study's when
        the file names none; the tag itself for a language Django does not name."""
        tag = self.language or self.study.language
        try:
            return str(get_language_info(tag.split("-")[0])["name_translated"])
        except KeyError:
            return tag

    @property
    def pages_label(self) -> str:
        return pages_label(self.pages or 0)

    @property
    def url(self) -> str:
        """The address that serves this file (`studies.serving`), never the storage's own."""
        return reverse("studies:study_file", kwargs={"slug": self.study.slug, "file_id": self.pk})

    @property
    def preview_url(self) -> str:
        if not self.preview:
            return ""
        return reverse(
            "studies:study_file_preview", kwargs={"slug": self.study.slug, "file_id": self.pk}
        )

    @property
    def download_name(self) -> str:
        """A readable name for the saved file: the study's slug and the label, “scale-of-harm.pdf”,
        “scale-of-harm-summary.pdf”."""
        from django.utils.text import slugify

        label = slugify(self.label) if self.label and not self.is_main else ""
        return f"{self.study.slug}-{label}.pdf" if label else f"{self.study.slug}.pdf"


@receiver(post_delete, sender=StudyFile)
def delete_stored_study_file(sender, instance: StudyFile, **kwargs) -> None:
    delete_when_unreferenced(instance.file.name)
    delete_when_unreferenced(instance.preview.name)


class StudyFilePage(models.Model):
    """The text of one page of a study file (page 1 first), as processing extracted it."""

    file = models.ForeignKey(StudyFile, on_delete=models.CASCADE, related_name="page_texts")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["file", "number"]
        indexes = [
            # The search within a study's files (its page) and the snippet's page number.
            GinIndex(
                SearchVector("text", config="justicelib"), name="studyfilepage_text_search_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="studyfilepage_unique_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="studyfilepage_number_from_one"
            ),
        ]

    def __str__(self):
        return f"{self.file} p. {self.number}"


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
                violation_error_message=_("Two authors cannot share one position."),
            ),
            models.UniqueConstraint(
                fields=["study", "author"],
                name="authorship_author_once_per_study",
                violation_error_message=_("This author is already listed on the study."),
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


def synonym_lexeme(field: str) -> models.Func:
    """The one search word (lexeme) of a term, as search compares it: `studies_synonym_lexeme`
    in studies/sql/search.sql (“Labors” → “labor”); NULL for none (“the”) or several."""
    return models.Func(F(field), function="studies_synonym_lexeme", output_field=models.TextField())


@track(model_name="SearchSynonymEvent")
class SearchSynonym(models.Model):
    """A word a visitor may search for that also finds other words or phrases: another spelling
    (“labor” → “labour”) or what an acronym stands for (“OSEC” → “online sexual exploitation of
    children”).

    The search query expands it in the database (`studies_prefix_query`), so the list, its
    facets, the exports, the feed and the API all find the same studies. One direction only:
    “labour” → “labor” is a row of its own.
    """

    term = models.CharField(
        max_length=100,
        help_text=_(
            "One word a visitor may type, e.g. “labor” or “OSEC”. Other forms of it "
            "(“labors”) expand too."
        ),
    )
    also_finds = models.CharField(
        max_length=500,
        help_text=_(
            "Words or phrases that a search for the term also finds, comma-separated, "
            "e.g. “labour” or “online sexual exploitation of children”."
        ),
    )

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(
                synonym_lexeme("term"),
                name="searchsynonym_term_is_unique",
                violation_error_message=_(
                    "This word, or another form of it, already has "
                    "synonyms: add to that row instead."
                ),
            ),
            models.CheckConstraint(
                condition=IsNull(synonym_lexeme("term"), False),
                name="searchsynonym_term_is_one_word",
                violation_error_message=_(
                    "The term must be one word that search keeps: not "
                    "blank, not several words, not a common word such as “the”."
                ),
            ),
            models.CheckConstraint(
                condition=IsNull(
                    models.Func(
                        F("also_finds"),
                        function="studies_synonym_expansion",
                        output_field=models.TextField(),
                    ),
                    False,
                ),
                name="searchsynonym_also_finds_words",
                violation_error_message=_(
                    "Give the words or phrases it also finds, separated "
                    "by commas; each needs a word that search keeps (not only “the”, “of”…)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.term} → {self.also_finds}"

    def clean(self):
        # Spaces and stray commas are not a curator's meaning: tidy them rather than refuse.
        self.term = (self.term or "").strip()
        phrases = [" ".join(part.split()) for part in (self.also_finds or "").split(",")]
        self.also_finds = ", ".join(phrase for phrase in phrases if phrase)


class LibraryVersion(models.Model):
    """A number that database triggers advance on every write to the library's tables.

    Cached pages, facet counts and vocabularies are keyed by it, so a curator's edit is visible
    on the next page view. It never repeats a number, even after a flush or a restore
    (`studies_advance_library_version` in studies/sql/search.sql), since running servers keep
    caches keyed by the numbers they have seen.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"library version {self.version}"

    @classmethod
    def current(cls) -> int:
        pinned = _pinned_library_version.get()
        if pinned is not None:
            return pinned
        return cls.objects.values_list("version", flat=True).first() or 0

    @classmethod
    @contextmanager
    def pinned(cls, version: int) -> Iterator[None]:
        """Within the block, `current()` answers `version` without asking the database: a page
        keyed by a version it has read (studies/pagecache.py) keys its parts by the same one."""
        token = _pinned_library_version.set(version)
        try:
            yield
        finally:
            _pinned_library_version.reset(token)


_pinned_library_version: ContextVar[int | None] = ContextVar("library_version", default=None)


class HomePageManager(models.Manager["HomePage"]):
    def current(self) -> "HomePage":
        """The home page's content with its featured study, or (none saved yet) an unsaved
        empty one, which the page shows with its built-in introduction."""
        saved: HomePage | None = self.select_related("featured_study__subject").first()
        return saved if saved is not None else HomePage()


@track(model_name="HomePageEvent")
class HomePage(models.Model):
    """What the home page says: the organisation's introduction, its words for each step of
    the evidence model and a featured study, edited by curators.

    There is one: its primary key is always 1 (a named constraint), so the admin edits it
    rather than adding another. Text is plain: paragraphs separated by a blank line, shown
    escaped.
    """

    SINGLE_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLE_PK, editable=False)
    heading = models.CharField(max_length=200, help_text="The page's title.")
    introduction = models.TextField(
        blank=True, help_text="Plain text; a blank line starts a new paragraph."
    )
    baseline_text = models.TextField(
        "step 1: baseline",
        blank=True,
        help_text="How a program's evidence starts: the baseline. Empty: a one-line summary.",
    )
    monitoring_text = models.TextField(
        "step 2: monitoring", blank=True, help_text="Measuring while the program runs."
    )
    endline_text = models.TextField(
        "step 3: endline", blank=True, help_text="Measuring again, and what it is used for."
    )
    sharing_text = models.TextField(
        "step 4: sharing", blank=True, help_text="Sharing what was learned."
    )
    featured_study = models.ForeignKey(
        Study,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"status": StudyStatus.PUBLISHED},
        help_text="A published study shown on the home page (hidden if it is unpublished).",
    )
    featured_text = models.TextField(
        "what to say about it",
        blank=True,
        help_text="A sentence or two, in the study's own words. Empty: its description's first "
        "paragraph.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = HomePageManager()

    class Meta:
        verbose_name = "home page"
        verbose_name_plural = "home page"
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="home_page_is_the_only_one",
                violation_error_message="The site has one home page: edit it instead of adding "
                "another.",
            ),
            is_not_blank("homepage", "heading", "heading"),
        ]

    def __str__(self):
        return "Home page"

    def natural_key(self):
        return ("home page",)

    def clean(self):
        if self.featured_study_id and not self.featured_study.is_published:
            message = f"“{self.featured_study}” is a draft: feature a published study."
            raise ValidationError({"featured_study": message})

    @property
    def shown_featured_study(self) -> "Study | None":
        """The featured study, if the public may see it."""
        study = self.featured_study if self.featured_study_id else None
        return study if study is not None and study.is_published else None

    @property
    def featured_summary(self) -> str:
        study = self.shown_featured_study
        if study is None:
            return ""
        return self.featured_text or study.description.strip().split("\n\n")[0]
