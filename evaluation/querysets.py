"""Reads of program evaluation: what a list or a page loads, and the facets of the program list.

Each page's loading is fixed in its queryset method (`for_listing`, `for_detail`), so that its
number of queries does not grow with the number of programs, indicators or measurements.
"""

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery

from core.facets import FacetOption
from core.translation import curated_text
from studies.public import STUDY_TEXT_FIELDS, defer_study_text

from .choices import Phase

if TYPE_CHECKING:
    # Measurement is named in a string ruff does not read (MeasurementQuerySet's base).
    from .models import Measurement, Program  # noqa: F401


class ProgramQuerySet(models.QuerySet["Program"]):
    # Set by `for_detail()`: after its prefetches, load the indicators' measurements and their
    # values by category by program (`load_measurements`, `load_breakdown_values`), and with
    # `with_measurement_sources()` every measurement's source study. Django's own prefetch asks
    # by indicator, then by measurement: an `IN` list of 500 ids cost 6 ms of a program page.
    _loads_figures = False
    _loads_measurement_sources = False

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]  # private to Django, not in its stubs
        clone._loads_figures = self._loads_figures
        clone._loads_measurement_sources = self._loads_measurement_sources
        return clone

    def _prefetch_related_objects(self) -> None:
        super()._prefetch_related_objects()  # type: ignore[misc]  # as _clone
        programs: Any = self._result_cache
        if not (self._loads_figures and programs):
            return
        load_targets_and_dimensions(programs)
        if self._loads_measurement_sources:
            load_measurements(programs)
            prefetch_source_studies(
                [m for p in programs for i in p.indicators.all() for m in i.measurements.all()]
            )
        else:
            load_measurements(programs, listed_in_full=True)
        load_breakdown_values(programs)

    def for_listing(self) -> Self:
        """What the program list shows: country, subject, and the headline indicator's figures."""
        Indicator = apps.get_model("evaluation", "Indicator")
        Measurement = apps.get_model("evaluation", "Measurement")
        # The headline change needs the baseline and the latest figure only: the endline, or
        # else the last monitoring figure. A ten-year monthly series is not loaded for that.
        last_monitoring = (
            Measurement.objects.filter(indicator=OuterRef("indicator"), phase=Phase.MONITORING)
            .order_by("-period_start")
            .values("period_start")[:1]
        )
        headline_figures = Measurement.objects.filter(
            Q(phase__in=[Phase.BASELINE, Phase.ENDLINE])
            | Q(phase=Phase.MONITORING, period_start=Subquery(last_monitoring))
        )
        return self.select_related("country", "subject").prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(is_headline=True).prefetch_related(
                    Prefetch("measurements", queryset=headline_figures)
                ),
                to_attr="headline_indicators",
            )
        )

    def for_home(self) -> Self:
        """The home page's program cards: as `for_listing`, but every figure of the headline
        indicator (its sparkline draws them all) with its source study, in three queries
        however many programs and figures."""
        Indicator = apps.get_model("evaluation", "Indicator")
        Measurement = apps.get_model("evaluation", "Measurement")
        figures = Measurement.objects.select_related("source_study").defer(
            *defer_study_text("source_study")
        )
        return self.select_related("country", "subject").prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(is_headline=True).prefetch_related(
                    Prefetch("measurements", queryset=figures)
                ),
                to_attr="headline_indicators",
            )
        )

    def with_monitoring_figures(self) -> Self:
        """The programs that have published figures from monitoring (between baseline and
        endline), by name."""
        Measurement = apps.get_model("evaluation", "Measurement")
        monitored = Measurement.objects.filter(phase=Phase.MONITORING).values("indicator__program")
        return self.filter(pk__in=monitored).order_by("name")

    def for_detail(self) -> Self:
        """What a program page shows: every indicator with its measurements, its targets and
        its dimensions, and the program's studies."""
        ProgramStudy = apps.get_model("evaluation", "ProgramStudy")
        Indicator = apps.get_model("evaluation", "Indicator")
        Target = apps.get_model("evaluation", "Target")
        Dimension = apps.get_model("evaluation", "Dimension")
        # In the indicators' own order within one program, written out: Indicator's ordering
        # starts with its program's (the country's name), a join to sort by it. Whether each
        # has targets and dimensions, so that they are asked for only where there are some
        # (`load_targets_and_dimensions`).
        indicators = Indicator.objects.order_by("position", "pk").annotate(
            has_targets=Exists(Target.objects.filter(indicator=OuterRef("pk"))),
            has_dimensions=Exists(Dimension.objects.filter(indicator=OuterRef("pk"))),
        )
        queryset = self.select_related("country", "subject").prefetch_related(
            Prefetch("indicators", queryset=indicators),
            # The measurements follow (`load_measurements`): in full, with their source
            # studies, only the figures the page's table lists; the chart's only for the rest of
            # a long series. Joining a study to each of 500 monthly figures built 500 study
            # instances, 8 ms of the page; reading their 39 columns, 3 ms more.
            Prefetch(
                "study_links",
                queryset=ProgramStudy.objects.select_related("study")
                .defer(*defer_study_text("study"))
                .order_by("study__publication_month", "study__title"),
            ),
        )
        queryset._loads_figures = True
        return queryset

    def with_measurement_sources(self) -> Self:
        """`for_detail()` and the source study of every measurement (the IATI file's
        document links), in one more query."""
        queryset = self.all()
        queryset._loads_measurement_sources = True
        return queryset

    def in_countries(self, codes: list[str]) -> Self:
        return self.filter(country__code__in=codes)

    def about_subjects(self, slugs: list[str]) -> Self:
        return self.filter(subject__slug__in=slugs)


# A program measured monthly for ten years has 120 monitoring figures: its page lists the
# latest of them and the chart draws them all; the CSV download has every one.
TABLE_MONITORING_ROWS = 12

# What a program page reads of a figure it draws but does not list (`listed_measurements`):
# the chart's values and period, the timeline's phase, the table's optional columns.
SERIES_FIELDS = (
    "id",
    "indicator_id",
    "phase",
    "period_start",
    "period_end",
    "period_wording",
    "value_kind",
    "value",
    "value_low",
    "value_high",
    "published_wording",
    "ci_lower",
    "ci_upper",
    "sample_size",
)
# Should anything read another column of such a figure, it is read for all of them at once
# (one query, not one a figure); tests set FETCH_RAISE here to prove nothing does.
SERIES_FETCH_MODE = models.FETCH_PEERS


def listed_measurements(measurements: list["Measurement"]) -> list["Measurement"]:
    """What a page's table lists of an indicator's `measurements` (in time order): everything,
    or for a long monitoring series the baseline, the endline and the latest monitoring
    figures (the chart draws them all, the CSV has them all)."""
    monitoring = [m for m in measurements if m.is_monitoring]
    if len(monitoring) <= TABLE_MONITORING_ROWS:
        return measurements
    shown = set(map(id, monitoring[-TABLE_MONITORING_ROWS:]))
    return [m for m in measurements if not m.is_monitoring or id(m) in shown]


def load_measurements(programs: list["Program"], listed_in_full: bool = False) -> None:
    """The measurements of `programs`' indicators (loaded), as `indicator.measurements.all()`
    reads them: one query by program. Django's prefetch asks by indicator id and files each
    row through its generic machinery, which for a program's 500 monthly figures cost 3 ms
    more than the query; this files them as it does (a queryset holding each indicator's
    rows, each row knowing its indicator).

    With `listed_in_full`, the figures a table lists (`listed_measurements`) are read in full
    with their source studies, in a second query, and the rest only in `SERIES_FIELDS`."""
    Measurement = apps.get_model("evaluation", "Measurement")
    indicators = {i.pk: i for program in programs for i in program.indicators.all()}
    rows: dict[int, list] = {pk: [] for pk in indicators}
    if indicators:
        program_ids = [program.pk for program in programs]
        # In each indicator's time order. Measurement's own ordering starts with its
        # indicator's, then its program's: three joins to sort rows filed by indicator anyway.
        measurements = Measurement.objects.filter(indicator__program__in=program_ids).order_by(
            "indicator_id", "period_start", "period_end", "pk"
        )
        if listed_in_full:
            measurements = measurements.only(*SERIES_FIELDS).fetch_mode(SERIES_FETCH_MODE)
        for measurement in measurements:
            rows[measurement.indicator_id].append(measurement)
        if listed_in_full:
            rows = _listed_in_full(rows)
        for pk, indicator_rows in rows.items():
            for measurement in indicator_rows:
                Measurement.indicator.field.set_cached_value(measurement, indicators[pk])
    for pk, indicator in indicators.items():
        file_prefetched(indicator, "measurements", rows[pk])


def file_prefetched(instance: models.Model, name: str, rows: list) -> None:
    """`rows` as `instance.<name>.all()` gives them: what Django's prefetch_one_level stores
    (its private attributes, unlike its stubs)."""
    queryset: Any = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def load_targets_and_dimensions(programs: list["Program"]) -> None:
    """The targets, and the dimensions with their categories, of `programs`' indicators
    (loaded by `for_detail()`), asked only for the indicators that have some: a program whose
    indicators have neither, as most do, is two queries shorter."""
    Target = apps.get_model("evaluation", "Target")
    # Annotated by for_detail() with has_targets and has_dimensions, which mypy cannot see.
    indicators: list[Any] = [i for program in programs for i in program.indicators.all()]
    models.prefetch_related_objects(
        [i for i in indicators if i.has_targets],
        # In Target's own order within an indicator, without its join to the program.
        Prefetch(
            "targets",
            queryset=Target.objects.order_by("indicator_id", "period_start", "date_set", "pk"),
        ),
    )
    models.prefetch_related_objects(
        [i for i in indicators if i.has_dimensions], "dimensions__categories"
    )
    for indicator in indicators:
        if not indicator.has_targets:
            file_prefetched(indicator, "targets", [])
        if not indicator.has_dimensions:
            file_prefetched(indicator, "dimensions", [])


def _listed_in_full(rows: dict[int, list["Measurement"]]) -> dict[int, list["Measurement"]]:
    """`rows` (each indicator's figures, read in `SERIES_FIELDS`) with the ones a table lists
    read again in full, with their source studies: one query."""
    Measurement = apps.get_model("evaluation", "Measurement")
    # `load_measurements` read each indicator's rows in time order already.
    listed = [m.pk for indicator_rows in rows.values() for m in listed_measurements(indicator_rows)]
    if not listed:
        return rows
    full = {
        m.pk: m
        for m in Measurement.objects.filter(pk__in=listed)
        .order_by()  # filed by id: no sort, and no join for one
        .select_related("source_study")
        .defer(*defer_study_text("source_study"))
    }
    # A listed figure deleted between the two reads is left out, as if it had gone before the
    # first: its lean copy would fetch its other columns from a row that no longer exists.
    gone = set(listed) - full.keys()
    return {
        pk: [full.get(m.pk, m) for m in indicator_rows if m.pk not in gone]
        for pk, indicator_rows in rows.items()
    }


def load_breakdown_values(programs: list["Program"]) -> None:
    """The values by category of every measurement of `programs` (loaded with their
    indicators, dimensions and measurements), as `values_by_category` reads them: one query
    by program, and none when no indicator has a dimension (a value needs a category of its
    own indicator's dimensions; a trigger of migration 0014 says so)."""
    BreakdownValue = apps.get_model("evaluation", "BreakdownValue")
    indicators = [i for program in programs for i in program.indicators.all()]
    measurements = {m.pk: m for i in indicators for m in i.measurements.all()}
    for measurement in measurements.values():
        measurement.prefetched_breakdown_values = []
    measured = [i.pk for i in indicators if i.dimensions.all()]
    if not measured:
        return
    for value in breakdown_values().filter(measurement__indicator__in=measured):
        measurement = measurements[value.measurement_id]
        # As Django's prefetch does: the value knows its measurement without a query.
        BreakdownValue.measurement.field.set_cached_value(value, measurement)
        measurement.prefetched_breakdown_values.append(value)


def source_studies(lookup: str = "source_study") -> Prefetch:
    """Measurements' source studies, as a link to each needs them (title and address)."""
    Study = apps.get_model("studies", "Study")
    return Prefetch(lookup, queryset=Study.objects.defer(*STUDY_TEXT_FIELDS))


def prefetch_source_studies(measurements: list["Measurement"]) -> None:
    """The source study of each of `measurements`, in one query for all."""
    models.prefetch_related_objects(measurements, source_studies())


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def for_table(self) -> Self:
        """What a row of the measurements table (CSV, JSON, import) shows: its indicator and
        program, and its source study, in one query; its values by category and its
        indicator's dimensions (whether the values add up), in three more per chunk of rows."""
        return (
            self.select_related("indicator__program", "source_study")
            .defer(*defer_study_text("source_study"))
            .prefetch_related(
                "indicator__dimensions__categories",
                Prefetch(
                    "breakdown_values",
                    queryset=breakdown_values(),
                    to_attr="prefetched_breakdown_values",
                ),
            )
        )

    def in_table_order(self) -> Self:
        """Program by program, indicator by indicator, in time order."""
        return self.order_by(
            "indicator__program__slug",
            "indicator__position",
            "indicator__pk",
            "period_start",
            "period_end",
        )

    def of_program(self, program: "Program") -> Self:
        """A program's measurements, indicator by indicator, in time order, with their sources."""
        return self.filter(indicator__program=program).for_table().in_table_order()


def breakdown_values() -> models.QuerySet:
    """A measurement's values by category, with their categories and dimensions, in one query."""
    BreakdownValue = apps.get_model("evaluation", "BreakdownValue")
    return BreakdownValue.objects.select_related(
        "category__dimension", "second_category__dimension"
    )


def country_facet(programs: ProgramQuerySet) -> list[FacetOption]:
    """Every country that has a program, with the number of `programs` in it."""
    Country = apps.get_model("studies", "Country")
    rows = (
        Country.objects.annotate(
            programs_total=Count("programs"),
            matches=Count("programs", filter=Q(programs__in=programs.values("pk"))),
        )
        .filter(programs_total__gt=0)
        .order_by("name")  # Meta.ordering does not apply to a grouped query
        .values_list("code", "name", "name_es", "matches")
    )
    return [FacetOption(code, curated_text(name, name_es), n) for code, name, name_es, n in rows]


def subject_facet(programs: ProgramQuerySet) -> list[FacetOption]:
    """Every subject (targeted crime) that has a program, with the number of `programs` about it."""
    Subject = apps.get_model("studies", "Subject")
    rows = (
        Subject.objects.annotate(
            programs_total=Count("programs"),
            matches=Count("programs", filter=Q(programs__in=programs.values("pk"))),
        )
        .filter(programs_total__gt=0)
        .order_by("name")
        .values_list("slug", "name", "name_es", "matches")
    )
    return [FacetOption(slug, curated_text(name, name_es), n) for slug, name, name_es, n in rows]
