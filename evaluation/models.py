"""Program evaluation: programs, their indicators and the measurements that track them.

A program works against one crime in one community. Each indicator is measured at a baseline,
during monitoring and at an endline; every measurement names its source, a study in the library
wherever the figure comes from one. Published figures are not always a single number, so a
measurement says what it holds: a point value, a range of estimates, a change relative to the
baseline, or only the published words.

Rules live in the database first (constraints here; the cross-row phase order and the percent
range, which need other rows, in the constraint trigger of migration 0002; “no program cites a
draft study” in those of migration 0003), then in `clean()` with messages that name the rule.

Month precision: every month is stored as the 1st of the month and checked so.
"""

from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Round
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import loading
from core.text import normalise_newlines
from core.translation import curated_text
from history.tracking import track
from studies.models import (
    Country,
    SlugNaturalKeyManager,
    Study,
    Subject,
    is_not_blank,
    slug_is_well_formed,
    url_for_slug,
    validate_lowercase_slug,
)

from .choices import (
    DatePrecision,
    Direction,
    IndicatorKind,
    Phase,
    ProgramStatus,
    QualityRating,
    ResultLevel,
    StudyRole,
    Unit,
    ValueKind,
)
from .formatting import format_number, format_period, format_signed, format_value, required
from .querysets import MeasurementQuerySet, ProgramQuerySet
from .rules import PhasePeriod, order_problems


def first_of_month(field: str, what: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__day": 1}),
        name=f"%(class)s_{field}_is_first_of_month",
        violation_error_message=f"The {what} is stored as the first day of its month.",
    )


def same_method(first: str, second: str) -> bool | None:
    """Whether two stated methods are the same, ignoring case and spacing; None if one is not
    stated."""
    first, second = " ".join(first.split()).casefold(), " ".join(second.split()).casefold()
    if not first or not second:
        return None
    return first == second


def draft_study_message(study: Study) -> str:
    return (
        f"“{study}” is a draft: every program page is public, so it cites published studies "
        "only. Publish the study first."
    )


@track(model_name="ProgramEvent")
class Program(models.Model):
    """A program against one crime in one community, from its start month to its end month."""

    # Every enumeration is written once, in evaluation.choices (rules and formatting, which
    # this module imports, name their members too); the models expose them under these names.
    Status = ProgramStatus

    name = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        validators=[validate_lowercase_slug],
        help_text=_("Part of the program's address."),
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="programs")
    area = models.CharField(
        _("community or area"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. “Metro Cebu”, “Mukono County”; empty where no source names it (the page "
            "says “not published”)."
        ),
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        related_name="programs",
        help_text=_("The targeted crime, named as in the library."),
    )
    start_month = models.DateField(help_text=_("The month the program started."))
    dates_are_inferred = models.BooleanField(
        _("dates inferred"),
        default=False,
        db_default=False,
        help_text=_(
            "No source publishes the program's start or end: they are inferred from its "
            "studies' years (enter whole years, January to December), and the page says so."
        ),
    )
    end_month = models.DateField(
        null=True, blank=True, help_text=_("The month it ended; empty while it runs.")
    )
    summary = models.TextField(blank=True)
    # The curators' Spanish versions, shown on the Spanish pages; blank falls back to the English.
    name_es = models.CharField(
        _("name (Spanish)"), max_length=300, blank=True, default="", db_default=""
    )
    summary_es = models.TextField(_("summary (Spanish)"), blank=True, default="", db_default="")
    partners = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    studies = models.ManyToManyField(
        Study, through="ProgramStudy", related_name="programs", blank=True
    )

    objects = SlugNaturalKeyManager.from_queryset(ProgramQuerySet)()

    class Meta:
        ordering = ["country__name", "start_month", "name"]
        constraints = [
            first_of_month("start_month", "start month"),
            first_of_month("end_month", "end month"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="program_ends_after_it_starts",
                violation_error_message=_("A program ends in or after the month it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProgramStatus.COMPLETED) | Q(end_month__isnull=False),
                name="completed_program_has_end_month",
                violation_error_message=_("A completed program needs its end month."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgramStatus.values),
                name="program_status_is_known",
            ),
            models.CheckConstraint(
                condition=Q(dates_are_inferred=False)
                | Q(start_month__month=1) & (Q(end_month__isnull=True) | Q(end_month__month=12)),
                name="inferred_program_dates_are_whole_years",
                violation_error_message=_(
                    "Dates inferred from the studies are years: start in January, end in December."
                ),
            ),
            slug_is_well_formed("program"),
            is_not_blank("program", "name", "name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for_slug("evaluation:detail", self.slug)

    @property
    def localized_name(self) -> str:
        """The name in the page's language: the Spanish one on Spanish pages, when written."""
        return curated_text(self.name, self.name_es)

    @property
    def localized_summary(self) -> str:
        return curated_text(self.summary, self.summary_es)

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        normalise_newlines(self, "summary", "partners")
        if self.start_month:
            self.start_month = self.start_month.replace(day=1)
        if self.end_month:
            self.end_month = self.end_month.replace(day=1)

    @property
    def area_label(self) -> str:
        return self.area or str(_("area not published"))

    @property
    def period_label(self) -> str:
        if self.dates_are_inferred:
            # Only the years are known, from the studies: never a month.
            years = format_period(
                self.start_month.replace(month=1),
                (self.end_month or self.start_month).replace(month=12),
            )
            if self.end_month is None:
                years = _("since %(month)s") % {"month": self.start_month.year}
            return _("%(years)s (inferred from the studies' dates; not published)") % {
                "years": years
            }
        if self.end_month is None:
            return _("since %(month)s") % {
                "month": date_format(self.start_month, "YEAR_MONTH_FORMAT")
            }
        return format_period(self.start_month, self.end_month)

    @property
    def headline_indicator(self):
        """The indicator the program list shows (`for_listing()` prefetches it)."""
        if hasattr(self, "headline_indicators"):
            return next(iter(self.headline_indicators), None)
        return self.indicators.filter(is_headline=True).first()


@track(model_name="ProgramStudyEvent")
class ProgramStudy(models.Model):
    """A study about a program, and what it is to the program (its baseline, its evaluation…)."""

    Role = StudyRole

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="study_links")
    # A program's evidence should not vanish with a deleted study: unlink it first.
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="program_links")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Manager(models.Manager):
        def get_by_natural_key(self, program_slug, study_slug):
            return self.get(program__slug=program_slug, study__slug=study_slug)

    objects = Manager()

    class Meta:
        verbose_name = "study about the program"
        verbose_name_plural = "studies about the program"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "study"],
                name="program_study_once",
                violation_error_message=_("This study is already linked to the program."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=StudyRole.values),
                name="program_study_role_is_known",
            ),
        ]

    def __str__(self):
        return f"{self.study} ({self.get_role_display()})"

    def clean(self):
        if self.study_id and not self.study.is_published:
            raise ValidationError({"study": draft_study_message(self.study)})

    def natural_key(self):
        return (self.program.slug, self.study.slug)

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = ["evaluation.program", "studies.study"]  # type: ignore[attr-defined]


@track(model_name="IndicatorEvent")
class Indicator(models.Model):
    """What a program measures, in one unit, and which way is better."""

    Kind = IndicatorKind

    Level = ResultLevel

    Unit = Unit

    Direction = Direction

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=300)
    short_name = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("For the program list, e.g. “prevalence of minors”."),
    )
    slug = models.SlugField(
        max_length=100,
        validators=[validate_lowercase_slug],
        help_text=_("Unique within the program."),
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    level = models.CharField(
        _("result level"),
        max_length=20,
        choices=Level.choices,
        default=Level.OUTCOME,
        db_default=Level.OUTCOME,
        help_text=_(
            "Output: what the program did (victims supported, arrests); outcome: how the "
            "justice system or survivors fare; impact: how common the crime is."
        ),
    )
    is_cumulative = models.BooleanField(
        _("cumulative count"),
        default=False,
        db_default=False,
        help_text=_(
            "A running total over the program (465 victims supported 2005–2017), not a "
            "level measured at a baseline and an endline. Counts only."
        ),
    )
    definition = models.TextField(help_text=_("What exactly is counted, of whom, where."))
    unit = models.CharField(max_length=20, choices=Unit.choices)
    direction = models.CharField(max_length=20, choices=Direction.choices)
    method = models.CharField(
        _("method of measurement"),
        max_length=300,
        help_text=_("e.g. undercover investigation, casefile review, household survey."),
    )
    disaggregation = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "The subgroup, where the figures are for one, e.g. “children aged 15 and under”."
        ),
    )
    notes = models.TextField(blank=True)
    is_headline = models.BooleanField(
        _("headline indicator"),
        default=False,
        help_text=_("Its change is shown in the list of programs (one per program)."),
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text=_("Order on the program page.")
    )

    class Manager(models.Manager):
        def get_by_natural_key(self, program_slug, slug):
            return self.get(program__slug=program_slug, slug=slug)

    objects = Manager()

    class Meta:
        ordering = ["program", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "slug"],
                name="indicator_slug_unique_in_program",
                violation_error_message=_("The program already has an indicator with this slug."),
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(is_headline=True),
                name="one_headline_indicator_per_program",
                violation_error_message=_("A program has at most one headline indicator."),
                violation_error_code="second_headline",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=IndicatorKind.values),
                name="indicator_kind_is_known",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=Unit.values),
                name="indicator_unit_is_known",
            ),
            models.CheckConstraint(
                condition=Q(level__in=ResultLevel.values),
                name="indicator_level_is_known",
            ),
            models.CheckConstraint(
                condition=Q(is_cumulative=False) | Q(unit=Unit.COUNT),
                name="cumulative_indicator_is_a_count",
                violation_error_message=_(
                    "Only a count adds up over time: a cumulative indicator's unit is “Count”."
                ),
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values),
                name="indicator_direction_is_known",
            ),
            slug_is_well_formed("indicator"),
            is_not_blank("indicator", "name", "name"),
        ]

    def __str__(self):
        label = f"{self.name} ({self.disaggregation})" if self.disaggregation else self.name
        return f"{self.program}: {label}" if self.program_id else label

    def natural_key(self):
        return (self.program.slug, self.slug)

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = ["evaluation.program"]  # type: ignore[attr-defined]

    def clean(self):
        normalise_newlines(self, "definition", "notes")
        if self.unit == self.Unit.PERCENT and self.pk:
            outside = [m for m in self.measurements.all() if m.percent_problem()]
            if outside:
                raise ValidationError(
                    {
                        "unit": "A percent lies between 0 and 100, and these figures do not: "
                        + "; ".join(f"{m.phase} {m.display_value}" for m in outside)
                        + "."
                    }
                )

    # --- Derived from the (prefetched) measurements, never stored ----------------------------

    @cached_property
    def ordered_measurements(self) -> list["Measurement"]:
        return sorted(self.measurements.all(), key=lambda m: (m.period_start, m.period_end))

    @cached_property
    def baseline(self) -> "Measurement | None":
        return next((m for m in self.ordered_measurements if m.is_baseline), None)

    @cached_property
    def endline(self) -> "Measurement | None":
        return next((m for m in self.ordered_measurements if m.is_endline), None)

    @cached_property
    def latest(self) -> "Measurement | None":
        """The last measurement after the baseline: the endline if there is one."""
        later = [m for m in self.ordered_measurements if not m.is_baseline]
        return self.endline or (later[-1] if later else None)

    @property
    def label(self) -> str:
        return self.short_name or self.name


# The share a measurement's counts give, in percent, computed in numeric (not integer) division.
COUNTED_PERCENT = (
    Cast(F("numerator"), models.DecimalField(max_digits=30, decimal_places=10))
    * 100
    / F("denominator")
)


# The five dimensions of USAID's Data Quality Assessment (ADS 201.3.5.7), each a rating and a
# note on a measurement: (field, what a rating of it judges).
QUALITY_DIMENSIONS = [
    (
        "validity",
        _("validity"),
        _("The figure clearly and adequately represents what the indicator measures."),
    ),
    (
        "reliability",
        _("reliability"),
        _("Collected and analysed the same way over time: stable and consistent."),
    ),
    (
        "precision",
        _("precision"),
        _(
            "Detailed enough to act on: e.g. its margin of error is smaller than the change "
            "it should show."
        ),
    ),
    (
        "timeliness",
        _("timeliness"),
        _("Current, and available often enough to inform decisions."),
    ),
    (
        "integrity",
        _("integrity"),
        _("Safeguards against bias, transcription error and manipulation."),
    ),
]
QUALITY_RATING_FIELDS = [name for name, _label, _help in QUALITY_DIMENSIONS]


def quality_rating_field(index: int) -> models.CharField:
    _name, label, help_text = QUALITY_DIMENSIONS[index]
    return models.CharField(
        label,
        max_length=20,
        choices=QualityRating.choices,
        default=QualityRating.NOT_ASSESSED,
        db_default=QualityRating.NOT_ASSESSED,
        help_text=help_text,
    )


def quality_note_field(index: int) -> models.TextField:
    return models.TextField(
        format_lazy(_("{dimension} note"), dimension=QUALITY_DIMENSIONS[index][1]),
        blank=True,
        default="",
        db_default="",
        help_text=_("What the rating rests on (required unless “not assessed”)."),
    )


def quality_constraints() -> list[models.BaseConstraint]:
    """A rating is one of the known ones, and one that is given says what it rests on: a DQA
    documents its reasons, and a bare “meets” or “does not meet” could not be checked."""
    constraints: list[models.BaseConstraint] = []
    for name, label, _help in QUALITY_DIMENSIONS:
        constraints += [
            models.CheckConstraint(
                condition=Q(**{f"{name}__in": QualityRating.values}),
                name=f"measurement_{name}_rating_is_known",
            ),
            models.CheckConstraint(
                condition=Q(**{name: QualityRating.NOT_ASSESSED})
                | Q(**{f"{name}_note__regex": r"\S"}),
                name=f"measurement_{name}_rating_has_note",
                violation_error_message=format_lazy(
                    _(
                        "The {dimension} rating says what it rests on: write its note, or set it "
                        "to “not assessed”."
                    ),
                    dimension=label,
                ),
            ),
        ]
    # Someone made each rating: the source's own assessment, or a curator's reading of it.
    constraints.append(
        models.CheckConstraint(
            condition=Q(**dict.fromkeys(QUALITY_RATING_FIELDS, QualityRating.NOT_ASSESSED))
            | Q(quality_assessed_by__regex=r"\S"),
            name="measurement_quality_rating_names_who_rated",
            violation_error_message=_(
                "Data-quality ratings name who made them (“assessed by”): the source's own "
                "assessment, or the curator who read it."
            ),
        )
    )
    return constraints


# Named at module level: django-stubs only follows `from_queryset` assigned to a name.
MeasurementManagerBase = models.Manager.from_queryset(MeasurementQuerySet)


class MeasurementManager(MeasurementManagerBase):
    def get_by_natural_key(self, program_slug, indicator_slug, phase, period_start):
        return self.get(
            indicator__program__slug=program_slug,
            indicator__slug=indicator_slug,
            phase=phase,
            period_start=period_start,
        )


@track(model_name="MeasurementEvent")
class Measurement(models.Model):
    """One published figure of an indicator, for one phase and period, with its source."""

    Phase = Phase

    ValueKind = ValueKind

    # Set by the pages' and downloads' loading (`values_by_category`); not a field.
    prefetched_breakdown_values: list["BreakdownValue"]

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    period_start = models.DateField(help_text=_("First month the figure covers."))
    period_end = models.DateField(
        blank=True, help_text=_("Last month the figure covers; empty for a single month.")
    )
    period_wording = models.CharField(
        max_length=100,
        blank=True,
        help_text=_(
            "How the source states the period when vaguer than months, e.g. “early 2000s”."
        ),
    )
    value_kind = models.CharField(max_length=20, choices=ValueKind.choices, default=ValueKind.POINT)
    value = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "The value; for a relative change, the change in percent (−79 for “−79 %”); for "
            "a minimum or an approximate figure, the number the words give (220 for “more "
            "than 220”, 500000 for “nearly 500,000”)."
        ),
    )
    value_low = models.DecimalField(
        _("range from"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    value_high = models.DecimalField(
        _("range to"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    published_wording = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "The source's own words where they qualify the number: “nearly a third”, "
            "“more than 220”, “almost none”."
        ),
    )
    ci_lower = models.DecimalField(
        _("95 % CI lower bound"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    ci_upper = models.DecimalField(
        _("95 % CI upper bound"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    numerator = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Where the source gives the counts of a share: the part (27 minors…)."),
    )
    denominator = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("…of the whole (…among 1,203 people).")
    )
    design_effect = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_(
            "Where the source gives one: how much the sampling design inflates the variance "
            "over simple random sampling (the significance test divides the sample by it)."
        ),
    )
    source_study = models.ForeignKey(
        Study,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        help_text=_("The study in the library that published the figure."),
    )
    source_reference = models.CharField(
        _("page or table"),
        max_length=200,
        blank=True,
        help_text=_("Where in the study, e.g. “p. 12”."),
    )
    source_citation = models.TextField(
        blank=True,
        help_text=_("Sources outside the library (or beside the study), e.g. a news article."),
    )
    notes = models.TextField(blank=True)

    # --- Method and data quality --------------------------------------------------------------
    method = models.CharField(
        _("method"),
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "How this figure was measured, where the source says (e.g. “household survey, "
            "1,806 households”); empty: the indicator's method. Compared between the baseline "
            "and later figures."
        ),
    )
    collected_by = models.CharField(
        _("collected by"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("Who collected the data: an organisation, a team, an agency."),
    )
    fieldwork_start = models.DateField(
        _("fieldwork from"), null=True, blank=True, help_text=_("When data collection began.")
    )
    fieldwork_end = models.DateField(
        _("fieldwork to"),
        null=True,
        blank=True,
        help_text=_("When it ended; empty if the source gives one date."),
    )
    fieldwork_precision = models.CharField(
        _("fieldwork dated"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        db_default=DatePrecision.DAY,
        help_text=_("“To the month” where the source gives months only (the day is stored as 1)."),
    )
    validity = quality_rating_field(0)
    validity_note = quality_note_field(0)
    reliability = quality_rating_field(1)
    reliability_note = quality_note_field(1)
    precision = quality_rating_field(2)
    precision_note = quality_note_field(2)
    timeliness = quality_rating_field(3)
    timeliness_note = quality_note_field(3)
    integrity = quality_rating_field(4)
    integrity_note = quality_note_field(4)
    quality_assessed_by = models.CharField(
        _("quality assessed by"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Who rated the data's quality: e.g. “the evaluators (report, annex 2)” or a curator."
        ),
    )
    limitations = models.TextField(
        _("known limitations"),
        blank=True,
        default="",
        db_default="",
        help_text=_("What the source says limits the figure: sample, coverage, bias…"),
    )
    not_comparable_reason = models.TextField(
        _("not directly comparable because"),
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Where this figure cannot be set directly against the baseline, why (a new sample "
            "frame, a changed definition…). Methods that differ are flagged without it."
        ),
    )

    objects = MeasurementManager()

    # The admin's inline formset checks a whole set of measurements at once (stored rows may be
    # about to change), so its forms turn off the check against the stored rows.
    check_order_against_stored = True

    class Meta:
        ordering = ["indicator", "period_start", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(phase=Phase.BASELINE),
                name="one_baseline_per_indicator",
                violation_error_message=_("An indicator has at most one baseline."),
                violation_error_code="second_baseline",
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(phase=Phase.ENDLINE),
                name="one_endline_per_indicator",
                violation_error_message=_("An indicator has at most one endline."),
                violation_error_code="second_endline",
            ),
            models.UniqueConstraint(
                fields=["indicator", "phase", "period_start"],
                name="measurement_phase_period_unique",
                violation_error_message=_(
                    "The indicator already has a figure for this phase starting in this month."
                ),
            ),
            first_of_month("period_start", "period's first month"),
            first_of_month("period_end", "period's last month"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="measurement_period_ends_after_it_starts",
                violation_error_message=_("A period ends in or after the month it starts."),
            ),
            models.CheckConstraint(
                condition=Q(phase__in=Phase.values),
                name="measurement_phase_is_known",
            ),
            models.CheckConstraint(
                condition=Q(value_kind__in=ValueKind.values),
                name="measurement_value_kind_is_known",
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.POINT)
                | Q(value__isnull=False, value_low__isnull=True, value_high__isnull=True),
                name="point_measurement_has_value",
                violation_error_message=_("A point value needs the value (and no range)."),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.RANGE)
                | Q(
                    value__isnull=True,
                    value_low__isnull=False,
                    value_high__isnull=False,
                    value_low__lte=F("value_high"),
                ),
                name="range_measurement_has_ordered_bounds",
                violation_error_message=_(
                    "A range of estimates needs “range from” and “range to”, "
                    "from ≤ to, and no single value."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.RELATIVE_CHANGE)
                | Q(
                    value__isnull=False,
                    value__gte=-100,
                    value_low__isnull=True,
                    value_high__isnull=True,
                ),
                name="relative_change_has_value_from_minus_100",
                violation_error_message=_(
                    "A relative change needs its value in percent, at least −100 (and no range)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.RELATIVE_CHANGE, phase=Phase.BASELINE),
                name="baseline_is_not_a_relative_change",
                violation_error_message=_(
                    "A baseline cannot be a change relative to the baseline."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.WORDING_ONLY)
                | (
                    Q(value__isnull=True, value_low__isnull=True, value_high__isnull=True)
                    & ~Q(published_wording="")
                ),
                name="wording_only_measurement_has_wording",
                violation_error_message=_(
                    "A figure published in words only needs the published wording, and no number."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.MINIMUM)
                | (
                    Q(value__isnull=False, value_low__isnull=True, value_high__isnull=True)
                    & Q(published_wording__regex=r"\S")
                ),
                name="minimum_measurement_has_value_and_wording",
                violation_error_message=_(
                    "A minimum needs its number (220 for “more than 220”, no range) and the "
                    "published wording that says it is a minimum."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=ValueKind.APPROXIMATE)
                | (
                    Q(value__isnull=False, value_low__isnull=True, value_high__isnull=True)
                    & Q(published_wording__regex=r"\S")
                ),
                name="approximate_measurement_has_value_and_wording",
                violation_error_message=_(
                    "An approximate figure needs its number (500000 for “nearly 500,000”, no "
                    "range) and the published wording that says it is approximate."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ci_lower__isnull=True, ci_upper__isnull=True)
                | Q(ci_lower__isnull=False, ci_upper__isnull=False),
                name="confidence_interval_has_both_bounds",
                violation_error_message=_(
                    "Give both bounds of the confidence interval, or neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ci_lower__isnull=True)
                | Q(value__isnull=False, ci_lower__lte=F("value"), ci_upper__gte=F("value")),
                name="confidence_interval_contains_value",
                violation_error_message=_(
                    "The confidence interval must contain the value "
                    "(lower bound ≤ value ≤ upper bound)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sample_size__isnull=True) | Q(sample_size__gte=1),
                name="sample_size_is_positive",
                violation_error_message=_("A sample size is at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False),
                name="measurement_counts_come_together",
                violation_error_message=_(
                    "Give both the numerator and the denominator, or neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__gte=1, numerator__lte=F("denominator")),
                name="measurement_numerator_within_denominator",
                violation_error_message=_(
                    "The numerator is a part of the denominator: at most the denominator, "
                    "which is at least 1."
                ),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(value_kind=ValueKind.POINT),
                name="measurement_counts_are_of_a_point_value",
                violation_error_message=_(
                    "Counts (numerator and denominator) go with a point value."
                ),
            ),
            # “Agrees within rounding”: the stated value is the share the counts give, rounded to
            # some number of decimals (2.2 for 27 of 1,203 = 2.244…); 2.5 is refused.
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(value__in=[Round(COUNTED_PERCENT, places) for places in range(5)]),
                name="measurement_value_agrees_with_counts",
                violation_error_message=_(
                    "The value must be the share the numerator and denominator give, in percent, "
                    "rounded (27 of 1,203 is 2.2 %%)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(design_effect__isnull=True) | Q(design_effect__gt=0),
                name="measurement_design_effect_is_positive",
                violation_error_message=_("A design effect is greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(source_study__isnull=False) | ~Q(source_citation=""),
                name="measurement_names_its_source",
                violation_error_message=_(
                    "Name the source: a study in the library, or a citation."
                ),
            ),
            # Spaces alone would pass for a source above and show as none on the page.
            models.CheckConstraint(
                condition=Q(source_citation="") | Q(source_citation__regex=r"\S"),
                name="measurement_source_citation_is_not_blank",
                violation_error_message=_(
                    "The source citation cannot be only spaces: write the "
                    "source, or leave it empty and pick a study."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fieldwork_end__isnull=True)
                | Q(fieldwork_start__isnull=False, fieldwork_end__gte=F("fieldwork_start")),
                name="measurement_fieldwork_ends_after_it_starts",
                violation_error_message=_(
                    "Fieldwork ends on or after the day it starts (give its start too)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fieldwork_precision__in=DatePrecision.values),
                name="measurement_fieldwork_precision_is_known",
            ),
            models.CheckConstraint(
                condition=~Q(fieldwork_precision=DatePrecision.MONTH)
                | Q(fieldwork_start__isnull=False, fieldwork_start__day=1)
                & (Q(fieldwork_end__isnull=True) | Q(fieldwork_end__day=1)),
                name="measurement_fieldwork_months_are_first_days",
                violation_error_message=_(
                    "Fieldwork dated to the month is stored as the first day of each month, "
                    "and needs its start month."
                ),
            ),
            # Comparability is judged against the baseline: the baseline itself has nothing to
            # be compared with.
            models.CheckConstraint(
                condition=~Q(phase=Phase.BASELINE) | Q(not_comparable_reason=""),
                name="baseline_has_no_comparability_reason",
                violation_error_message=_(
                    "The baseline is what later figures are compared with: write why a later "
                    "figure is not directly comparable on that figure."
                ),
            ),
            models.CheckConstraint(
                condition=Q(not_comparable_reason="") | Q(not_comparable_reason__regex=r"\S"),
                name="measurement_comparability_reason_is_not_blank",
                violation_error_message=_(
                    "The reason a figure is not directly comparable cannot be only spaces."
                ),
            ),
            *quality_constraints(),
        ]

    def __str__(self):
        return f"{self.get_phase_display()} {self.period_label}: {self.display_value}"

    # Built without Model.__init__: a program page reads 500 of them (core/loading.py).
    from_db = classmethod(loading.from_db)  # type: ignore[var-annotated]  # generic

    @property
    def values_by_category(self) -> list["BreakdownValue"]:
        """Its values by category: as the page's and the downloads' querysets loaded them
        (`Prefetch(..., to_attr=...)`: a list, which unlike a prefetched manager costs no
        queryset per measurement — 500 measurements made 500 clones), else one query."""
        loaded = getattr(self, "prefetched_breakdown_values", None)
        return loaded if loaded is not None else list(self.breakdown_values.all())

    def natural_key(self):
        return (*self.indicator.natural_key(), self.phase, self.period_start.isoformat())

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = ["evaluation.indicator"]  # type: ignore[attr-defined]

    def clean(self):
        normalise_newlines(
            self,
            "source_citation",
            "notes",
            "limitations",
            "not_comparable_reason",
            *(f"{name}_note" for name in QUALITY_RATING_FIELDS),
        )
        if self.fieldwork_precision == DatePrecision.MONTH:
            if self.fieldwork_start:
                self.fieldwork_start = self.fieldwork_start.replace(day=1)
            if self.fieldwork_end:
                self.fieldwork_end = self.fieldwork_end.replace(day=1)
        if self.period_start:
            self.period_start = self.period_start.replace(day=1)
        if self.period_start and not self.period_end:
            self.period_end = self.period_start
        elif self.period_end:
            self.period_end = self.period_end.replace(day=1)
        errors = {}
        if self.source_study_id and not self.source_study.is_published:
            errors["source_study"] = draft_study_message(self.source_study)
        problem = self.percent_problem()
        if problem:
            errors["value"] = problem
        indicator = self._indicator_if_known()
        if self.numerator is not None and indicator and indicator.unit != Indicator.Unit.PERCENT:
            errors["numerator"] = _(
                "A numerator and denominator give a share: the indicator's unit is not percent."
            )
        if self.check_order_against_stored and self.indicator_id and self._has_period():
            stored = Measurement.objects.filter(indicator_id=self.indicator_id).exclude(pk=self.pk)
            problems = order_problems(
                self.phase_period(),
                [m.phase_period() for m in stored.only("phase", "period_start", "period_end")],
            )
            if problems:
                errors["period_start"] = problems
        if errors:
            raise ValidationError(errors)

    def _has_period(self) -> bool:
        return self.phase in self.Phase.values and bool(self.period_start and self.period_end)

    def phase_period(self) -> PhasePeriod:
        return PhasePeriod(self.phase, self.period_start, self.period_end)

    def percent_problem(self) -> str | None:
        """A percent lies in 0–100: the value, the range and the interval of a percent indicator."""
        indicator = self._indicator_if_known()
        if indicator is None or indicator.unit != Indicator.Unit.PERCENT:
            return None
        if self.value_kind not in (
            self.ValueKind.POINT,
            self.ValueKind.RANGE,
            self.ValueKind.MINIMUM,
            self.ValueKind.APPROXIMATE,
        ):
            return None  # a relative change (e.g. +136 %) is not a share
        numbers = [self.value, self.value_low, self.value_high, self.ci_lower, self.ci_upper]
        # Values that are not numbers yet have failed their own field's validation.
        known = [n for n in numbers if isinstance(n, Decimal | int | float)]
        outside = [n for n in known if not 0 <= n <= 100]
        if outside:
            shown = ", ".join(format_number(n) for n in outside)
            return f"A percent lies between 0 and 100 ({shown} does not)."
        return None

    def _indicator_if_known(self) -> Indicator | None:
        # The admin validates new measurements of an indicator that is not saved yet: use the
        # instance the form attached rather than a query.
        if Measurement.indicator.is_cached(self):
            return self.indicator
        if self.indicator_id:
            return self.indicator
        return None

    # --- How the figure reads ----------------------------------------------------------------

    @property
    def is_baseline(self) -> bool:
        return self.phase == self.Phase.BASELINE

    @property
    def is_monitoring(self) -> bool:
        return self.phase == self.Phase.MONITORING

    @property
    def is_endline(self) -> bool:
        return self.phase == self.Phase.ENDLINE

    @property
    def is_range(self) -> bool:
        return self.value_kind == self.ValueKind.RANGE

    @property
    def is_relative_change(self) -> bool:
        return self.value_kind == self.ValueKind.RELATIVE_CHANGE

    @property
    def is_wording_only(self) -> bool:
        return self.value_kind == self.ValueKind.WORDING_ONLY

    @property
    def is_minimum(self) -> bool:
        return self.value_kind == self.ValueKind.MINIMUM

    @property
    def is_approximate(self) -> bool:
        return self.value_kind == self.ValueKind.APPROXIMATE

    @property
    def is_cumulative_total(self) -> bool:
        """A cumulative indicator's later figure: a total over the program so far, not an
        endline level (465 victims supported 2005–2017)."""
        return not self.is_baseline and self.indicator.is_cumulative

    @property
    def phase_label(self) -> str:
        """“Baseline”, “Endline”…; a cumulative total reads as one: “Cumulative total”."""
        if self.is_cumulative_total:
            return str(_("Cumulative total") if self.is_endline else _("Running total"))
        return self.get_phase_display()

    @property
    def wording_is_the_figure(self) -> bool:
        """Whether the source's words are the figure itself: words only, a minimum (“more than
        220”), or a relative change published in words (“nearly 50 % reduction”), whose stored
        number only orders it."""
        return (
            self.is_wording_only
            or self.is_minimum
            or self.is_approximate
            or (self.is_relative_change and bool(self.published_wording))
        )

    @property
    def period_label(self) -> str:
        if not self.period_start:
            return ""
        label = format_period(self.period_start, self.period_end)
        return f"{self.period_wording} ({label})" if self.period_wording else label

    @property
    def display_value(self) -> str:
        """“8.16 %”, “15 %–30 %”, “−79 % vs baseline”, ““almost none””, ““more than 220””."""
        unit = self.indicator.unit
        if self.value_kind == self.ValueKind.RANGE:
            low, high = required(self.value_low), required(self.value_high)
            return f"{format_value(low, unit)}–{format_value(high, unit)}"
        if self.value_kind == self.ValueKind.RELATIVE_CHANGE:
            if self.published_wording:
                # “nearly 50 %” is not −50 %: the number stored beside the words only orders it.
                return _("“%(wording)s” vs baseline") % {"wording": self.published_wording}
            return _("%(change)s vs baseline") % {
                "change": format_signed(required(self.value), " %")
            }
        if self.value_kind in (
            self.ValueKind.WORDING_ONLY,
            self.ValueKind.MINIMUM,
            self.ValueKind.APPROXIMATE,
        ):
            # “more than 220” is not 220, “nearly 500,000” not 500,000: the words are the figure.
            return f"“{self.published_wording}”"
        return format_value(required(self.value), unit)

    @property
    def display_counts(self) -> str:
        """“27 of 1,203”, where the source gives the counts."""
        if self.numerator is None or self.denominator is None:
            return ""
        return _("%(numerator)s of %(denominator)s") % {
            "numerator": format_number(self.numerator),
            "denominator": format_number(self.denominator),
        }

    @property
    def display_value_with_counts(self) -> str:
        """“2.2 % — 27 of 1,203”, or the value alone."""
        counts = self.display_counts
        return f"{self.display_value} — {counts}" if counts else self.display_value

    @property
    def effective_sample_size(self) -> float | None:
        """The sample the significance test uses: the denominator (else the sample size),
        divided by the design effect where the source gives one."""
        n = self.denominator or self.sample_size
        if not n:
            return None
        return n / float(self.design_effect) if self.design_effect else float(n)

    @property
    def share(self) -> float | None:
        """The share on the 0–1 scale: from the counts where given, else the value."""
        if self.numerator is not None and self.denominator:
            return self.numerator / self.denominator
        return float(self.value) / 100 if self.value is not None else None

    @property
    def display_interval(self) -> str:
        if self.ci_lower is None:
            return ""
        unit = self.indicator.unit
        return f"{format_value(self.ci_lower, unit)}–{format_value(required(self.ci_upper), unit)}"

    # --- Method and data quality ---------------------------------------------------------------

    @property
    def method_used(self) -> str:
        """The figure's own method where the source gives it, else its indicator's."""
        return self.method or self.indicator.method

    def not_comparable_reasons(self, baseline: "Measurement | None") -> list[str]:
        """Why this figure cannot be set directly against `baseline`, in words: the curator's
        reason, and methods that differ (compared without case or extra spaces). Empty when
        nothing says so."""
        if self.is_baseline:
            return []
        reasons = [self.not_comparable_reason] if self.not_comparable_reason else []
        if baseline is not None and same_method(baseline.method_used, self.method_used) is False:
            reasons.append(
                _("The baseline was measured by “%(before)s”, this figure by “%(after)s”.")
                % {"before": baseline.method_used, "after": self.method_used}
            )
        return reasons

    @property
    def fieldwork_label(self) -> str:
        """“March–April 2014”, “3 March 2014 – 20 April 2014”, or “” when not published."""
        start, end = self.fieldwork_start, self.fieldwork_end
        if start is None:
            return ""
        if self.fieldwork_precision == DatePrecision.MONTH:
            return format_period(start, end or start)
        if end is None or end == start:
            return date_format(start, "DATE_FORMAT")
        return f"{date_format(start, 'DATE_FORMAT')} – {date_format(end, 'DATE_FORMAT')}"

    @property
    def quality_ratings(self) -> list[tuple[str, str, str]]:
        """(dimension, rating, note) for each of the five DQA dimensions, in the page's language."""
        return [
            (
                str(label),
                str(QualityRating(getattr(self, name)).label),
                getattr(self, f"{name}_note"),
            )
            for name, label, _help in QUALITY_DIMENSIONS
        ]

    @property
    def quality_is_recorded(self) -> bool:
        """Whether any dimension is rated or has a note."""
        return any(
            getattr(self, name) != QualityRating.NOT_ASSESSED or getattr(self, f"{name}_note")
            for name in QUALITY_RATING_FIELDS
        )

    @property
    def has_method_and_quality(self) -> bool:
        """Whether anything beyond the indicator's method is recorded (the page's disclosure)."""
        return bool(
            self.method
            or self.collected_by
            or self.fieldwork_start
            or self.limitations
            or self.not_comparable_reason
            or self.quality_is_recorded
        )


@track(model_name="TargetEvent")
class Target(models.Model):
    """What an indicator should reach in a period, as set by someone on a date and why.

    A target is never overwritten: revising it writes a new row (`services.revise_target`,
    `services.save_target`; in the admin, “Revise this target…”) for the same indicator and
    period, and leaves the old one as it was, only no longer current. The database refuses any
    other change (the trigger of migration 0009), a revision of another period (that of
    migration 0012), and keeps one current target per indicator and period (a partial unique
    constraint)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField(help_text=_("First month the target covers."))
    period_end = models.DateField(help_text=_("Last month the target covers."))
    value = models.DecimalField(max_digits=14, decimal_places=4)
    date_set = models.DateField(help_text=_("The day the target was set."))
    set_by = models.CharField(max_length=200, help_text=_("Who set it: a person or a body."))
    rationale = models.TextField(blank=True, help_text=_("Why this value."))
    is_current = models.BooleanField(default=True, db_default=True)
    revises = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text=_("The target this one replaced."),
    )

    class Meta:
        ordering = ["indicator", "period_start", "date_set", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"],
                condition=Q(is_current=True),
                name="one_current_target_per_indicator_and_period",
                violation_error_message=_(
                    "The indicator already has a current target for this period: revise it."
                ),
            ),
            first_of_month("period_start", "period's first month"),
            first_of_month("period_end", "period's last month"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="target_period_ends_after_it_starts",
                violation_error_message=_("A period ends in or after the month it starts."),
            ),
            is_not_blank("target", "set_by", "who set it"),
        ]

    def __str__(self):
        return f"{format_period(self.period_start, self.period_end)}: {self.display_value}"

    def clean(self):
        normalise_newlines(self, "rationale")
        if self.period_start:
            self.period_start = self.period_start.replace(day=1)
        if self.period_end:
            self.period_end = self.period_end.replace(day=1)
        if self.pk:
            stored = Target.objects.filter(pk=self.pk).first()
            fixed = ("value", "period_start", "period_end", "date_set", "set_by", "rationale")
            if stored and any(getattr(stored, f) != getattr(self, f) for f in fixed):
                raise ValidationError(
                    _("A target is never overwritten: add a revision (a new target) instead.")
                )
        if self._state.adding and self.revises_id is not None:
            self._check_revision()

    def _check_revision(self) -> None:
        revised = self.revises
        assert revised is not None
        if not Target.objects.filter(pk=revised.pk, is_current=True).exists():
            raise ValidationError(
                {
                    "revises": _(
                        "This target has already been revised: revise the current one instead."
                    )
                }
            )
        same = (
            self.indicator_id == revised.indicator_id
            and self.period_start == revised.period_start
            and self.period_end == revised.period_end
        )
        if not same:
            raise ValidationError(
                _(
                    "A revision keeps the indicator and period of the target it revises "
                    "(%(period)s); for another period, add a new target."
                )
                % {"period": revised.period_label}
            )

    def validate_constraints(self, exclude=None):
        """A new revision is checked as the current target it is about to be: the target it
        revises stops being current in the same transaction (`services.save_target`), so the
        one current target per period is not broken by it."""
        if not (self._state.adding and self.revises_id is not None):
            return super().validate_constraints(exclude)
        self.is_current, was_current = False, self.is_current
        try:
            super().validate_constraints(exclude)
        finally:
            self.is_current = was_current

    @property
    def period_label(self) -> str:
        return format_period(self.period_start, self.period_end)

    @property
    def display_value(self) -> str:
        return format_value(self.value, self.indicator.unit)


# --- Disaggregation: an indicator's dimensions and a measurement's values by category ---------


@track(model_name="DimensionEvent")
class Dimension(models.Model):
    """A way an indicator's figures are broken down (venue type, sex, age group, location),
    with its categories in order.

    `categories_are_exhaustive` says that the categories cover everyone the total counts (sex:
    female, male), so that counts by category that fall short of the total contradict it; a
    list of some venue types does not."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(max_length=100, help_text=_("e.g. “venue type”, “sex”, “age group”."))
    position = models.PositiveSmallIntegerField(default=1, help_text=_("Order on the page."))
    categories_are_exhaustive = models.BooleanField(
        _("categories cover the whole total"),
        default=False,
        db_default=False,
        help_text=_(
            "Tick when every person (or case) the total counts falls in one of the categories: "
            "counts by category must then add up to the total."
        ),
    )

    class Manager(models.Manager):
        def get_by_natural_key(self, program_slug, indicator_slug, name):
            return self.get(
                indicator__program__slug=program_slug, indicator__slug=indicator_slug, name=name
            )

    objects = Manager()

    class Meta:
        ordering = ["indicator_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "name"],
                name="dimension_name_unique_in_indicator",
                violation_error_message=_("The indicator already has a dimension of this name."),
            ),
            is_not_blank("dimension", "name", "name"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.indicator.natural_key(), self.name)

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = ["evaluation.indicator"]  # type: ignore[attr-defined]


@track(model_name="CategoryEvent")
class Category(models.Model):
    """One category of a dimension: “public spaces” of “venue type”."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=1)

    class Manager(models.Manager):
        def get_by_natural_key(self, program_slug, indicator_slug, dimension_name, name):
            return self.get(
                dimension__indicator__program__slug=program_slug,
                dimension__indicator__slug=indicator_slug,
                dimension__name=dimension_name,
                name=name,
            )

    objects = Manager()

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["dimension_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "name"],
                name="category_name_unique_in_dimension",
                violation_error_message=_("The dimension already has a category of this name."),
            ),
            is_not_blank("category", "name", "name"),
        ]

    def __str__(self):
        if Category.dimension.is_cached(self) or self.dimension_id:
            return f"{self.dimension.name}: {self.name}"
        return self.name

    def natural_key(self):
        return (*self.dimension.natural_key(), self.name)

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = ["evaluation.dimension"]  # type: ignore[attr-defined]


@track(model_name="BreakdownValueEvent")
class BreakdownValue(models.Model):
    """A measurement's value for one category of a dimension (“public spaces”: 2.4 %), or for
    one category of each of two dimensions (“female, aged 15–17”), beside its total.

    The database keeps one value per measurement and combination, the categories on dimensions
    of the measurement's own indicator (two different ones, the first created first), and the
    value in the unit's range (the constraint trigger of migration 0012)."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="breakdown_values"
    )
    # A category with figures is not deleted by accident: remove its figures first. (RESTRICT,
    # not PROTECT: deleting the whole indicator still takes both with it.)
    category = models.ForeignKey(Category, on_delete=models.RESTRICT, related_name="+")
    second_category = models.ForeignKey(
        Category,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a value by two dimensions at once: the category of the second one."),
    )
    value = models.DecimalField(max_digits=14, decimal_places=4)
    numerator = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Where the source gives the counts of a share.")
    )
    denominator = models.PositiveIntegerField(null=True, blank=True)
    published_wording = models.CharField(max_length=300, blank=True)
    source_reference = models.CharField(
        _("source, page or table"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where in the measurement's source (“table 3”), or the source itself where the "
            "value comes from another (“Orientación Popular, November 2022”)."
        ),
    )
    notes = models.TextField(blank=True)

    class Manager(models.Manager):
        def get_by_natural_key(
            self,
            program_slug,
            indicator_slug,
            phase,
            period_start,
            dimension,
            category,
            second_dimension="",
            second_category="",
        ):
            second = (
                Q(second_category__isnull=True)
                if not second_category
                else Q(
                    second_category__dimension__name=second_dimension,
                    second_category__name=second_category,
                )
            )
            return self.get(
                second,
                measurement__indicator__program__slug=program_slug,
                measurement__indicator__slug=indicator_slug,
                measurement__phase=phase,
                measurement__period_start=period_start,
                category__dimension__name=dimension,
                category__name=category,
            )

    objects = Manager()

    class Meta:
        # By id, not by the measurement's own ordering (a join to its indicator and program).
        ordering = [
            "measurement_id",
            "category__dimension__position",
            "category__dimension_id",
            "category__position",
            F("second_category__position").asc(nulls_first=True),  # a category's own value first
            "pk",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "category", "second_category"],
                nulls_distinct=False,
                name="breakdown_value_once_per_combination",
                violation_error_message=_(
                    "The measurement already has a value for this combination of categories."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(second_category=F("category")),
                name="breakdown_categories_differ",
                violation_error_message=_("The two categories of a value must differ."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__gte=1, numerator__lte=F("denominator")),
                name="breakdown_counts_come_together",
                violation_error_message=_(
                    "Give both the numerator and the denominator, or neither; the numerator is "
                    "at most the denominator, which is at least 1."
                ),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(value__in=[Round(COUNTED_PERCENT, places) for places in range(5)]),
                name="breakdown_value_agrees_with_counts",
                violation_error_message=_(
                    "The value must be the share the numerator and denominator give, in percent, "
                    "rounded (27 of 1,203 is 2.2 %%)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.combination_label}: {self.display_value}"

    def natural_key(self):
        """The measurement's key, then each category's dimension and name (empty for none)."""
        names = [(c.dimension.name, c.name) for c in self.categories]
        names += [("", "")] * (2 - len(names))
        return (*self.measurement.natural_key(), *(part for pair in names for part in pair))

    # Django reads the attribute off the method; mypy allows no attributes on functions.
    natural_key.dependencies = [  # type: ignore[attr-defined]
        "evaluation.measurement",
        "evaluation.category",
    ]

    @property
    def categories(self) -> list[Category]:
        return [c for c in (self.category, self.second_category) if c is not None]

    @property
    def combination_label(self) -> str:
        """“public spaces”, “female, 15–17”."""
        return ", ".join(c.name for c in self.categories)

    @property
    def dimension_ids(self) -> tuple[int, ...]:
        return tuple(c.dimension_id for c in self.categories)

    @property
    def display_value(self) -> str:
        return format_value(self.value, self.measurement.indicator.unit)

    @property
    def display_value_with_counts(self) -> str:
        if self.numerator is None or self.denominator is None:
            return self.display_value
        counts = _("%(numerator)s of %(denominator)s") % {
            "numerator": format_number(self.numerator),
            "denominator": format_number(self.denominator),
        }
        return f"{self.display_value} — {counts}"

    def clean(self):
        errors: dict[str, str] = {}
        # The admin and the import validate values of a measurement not saved yet: use the
        # instance attached rather than a query.
        known = BreakdownValue.measurement.is_cached(self) or self.measurement_id
        indicator = self.measurement.indicator if known else None
        first = self.category if self.category_id else None
        second = self.second_category if self.second_category_id else None
        if first and second and first.dimension_id == second.dimension_id:
            errors["second_category"] = str(
                _(
                    "The two categories are of the same dimension (%(dimension)s): pick one "
                    "of another."
                )
                % {"dimension": first.dimension.name}
            )
        elif first and second and second.dimension_id < first.dimension_id:
            # One order for a pair, so that (female, 15–17) and (15–17, female) are one value.
            self.category, self.second_category = second, first
        if indicator is not None:
            for name, category in (("category", first), ("second_category", second)):
                if category and category.dimension.indicator_id != indicator.pk:
                    errors[name] = str(
                        _("“%(category)s” is not a category of this indicator's dimensions.")
                        % {"category": category}
                    )
            unit = indicator.unit
            if self.value is not None:
                if unit == Indicator.Unit.PERCENT and not 0 <= self.value <= 100:
                    errors["value"] = str(
                        _("A percent lies between 0 and 100 (%(value)s does not).")
                        % {"value": format_number(self.value)}
                    )
                elif unit == Indicator.Unit.COUNT and (
                    self.value < 0 or self.value != self.value.to_integral_value()
                ):
                    errors["value"] = str(
                        _("A count is a whole number, at least 0 (%(value)s is not).")
                        % {"value": format_number(self.value)}
                    )
            if self.numerator is not None and unit != Indicator.Unit.PERCENT:
                errors["numerator"] = str(
                    _(
                        "A numerator and denominator give a share: the indicator's unit is not "
                        "percent."
                    )
                )
        if errors:
            raise ValidationError(errors)
