"""A program as an IATI activity (IATI Standard 2.03): what it is, where, when, the studies that
measured it, and its results (each indicator with its baseline and its later figures).

The element order follows the schema's sequences (tests validate every program's file against
the official XSD). Text goes through `xml_text`; numbers are written exactly, as stored. IATI's
`baseline` and `actual` carry one value in the indicator's measure, so only point values become
them; a range, a change relative to the baseline, a minimum or words are told, as the program
page says them, in the indicator's description (a target for such a period stays, alone).
"""

import calendar
import datetime
import xml.etree.ElementTree as ET

from django.conf import settings
from django.utils import timezone

from core.text import xml_text
from justicelib.site import absolute_url

from .choices import Direction, ProgramStatus, ResultLevel, StudyRole, Unit
from .models import BreakdownValue, Indicator, Measurement, Program, Target
from .tables import plain_number
from .targets import target_rows

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# IATI ActivityStatus: 1 pipeline, 2 implementation, 4 closed.
ACTIVITY_STATUS = {
    ProgramStatus.PLANNED: "1",
    ProgramStatus.ACTIVE: "2",
    ProgramStatus.COMPLETED: "4",
}
# IATI ActivityDateType: 2 actual start, 4 actual end.
ACTUAL_START, ACTUAL_END = "2", "4"
# IATI ResultType: 1 output, 2 outcome, 3 impact: the indicator's level in the results chain.
RESULT_TYPE: dict[str, str] = {
    ResultLevel.OUTPUT: "1",
    ResultLevel.OUTCOME: "2",
    ResultLevel.IMPACT: "3",
}
# IATI IndicatorMeasure: 1 unit, 2 percentage.
MEASURE: dict[str, str] = {Unit.PERCENT: "2"}
UNIT = "1"
# IATI DocumentCategory: A07 review of project performance and evaluation, A08 results.
STUDY_CATEGORY: dict[str, str] = {StudyRole.RELATED: "A08"}
EVALUATION = "A07"
# IATI OrganisationRole 4: implementing; OrganisationType 21: international NGO.
IMPLEMENTING, INTERNATIONAL_NGO = "4", "21"


def sub(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attributes.items()})
    if text:
        element.text = xml_text(text)
    return element


def narrative(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = sub(parent, tag, **attributes)
    sub(element, "narrative", text)
    return element


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def activity_xml(program: Program) -> bytes:
    """The `<iati-activities>` document holding `program` (loaded with
    `for_detail().with_measurement_sources()`)."""
    root = ET.Element(
        "iati-activities",
        {
            "version": "2.03",
            "generated-datetime": timezone.now().replace(microsecond=0).isoformat(),
        },
    )
    activity = sub(root, "iati-activity", **{XML_LANG: "en"})
    organisation_ref = settings.IATI_ORGANISATION_REF
    # The organisations' names are required narratives: never an empty one.
    organisation_name = settings.IATI_ORGANISATION_NAME.strip() or organisation_ref
    sub(activity, "iati-identifier", f"{organisation_ref}-{program.slug}")
    reporting = sub(activity, "reporting-org", ref=organisation_ref, type=INTERNATIONAL_NGO)
    sub(reporting, "narrative", organisation_name)
    narrative(activity, "title", program.name)
    narrative(activity, "description", program.summary or program.name, type="1")
    participating = sub(activity, "participating-org", ref=organisation_ref, role=IMPLEMENTING)
    sub(participating, "narrative", organisation_name)
    sub(activity, "activity-status", code=ACTIVITY_STATUS[ProgramStatus(program.status)])
    sub(activity, "activity-date", type=ACTUAL_START, iso_date=program.start_month.isoformat())
    if program.end_month:
        end = month_end(program.end_month).isoformat()
        sub(activity, "activity-date", type=ACTUAL_END, iso_date=end)
    sub(activity, "recipient-country", code=program.country.code)
    for link in program.study_links.all():
        document_link(activity, link.study, STUDY_CATEGORY.get(link.role, EVALUATION))
    for indicator in program.indicators.all():
        result(activity, indicator)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def document_link(parent: ET.Element, study, category: str) -> None:
    link = sub(
        parent, "document-link", url=absolute_url(study.get_absolute_url()), format="text/html"
    )
    narrative(link, "title", study.title)
    sub(link, "category", code=category)


def result(activity: ET.Element, indicator: Indicator) -> None:
    element = sub(activity, "result", type=RESULT_TYPE[ResultLevel(indicator.level)])
    narrative(element, "title", indicator.name)
    ascending = "1" if indicator.direction == Direction.HIGHER_IS_BETTER else "0"
    iati_indicator = sub(
        element, "indicator", measure=MEASURE.get(indicator.unit, UNIT), ascending=ascending
    )
    narrative(iati_indicator, "title", indicator.name)
    measurements = indicator.ordered_measurements
    # IATI's baseline and actual need a value for a quantitative measure: a figure without one
    # (a range, a change, words, a minimum) is told in the indicator's description instead.
    in_words = [m for m in measurements if not has_value(m)]
    description = [indicator.definition]
    if in_words:
        description.append(
            "Published without a single value: " + " ".join(figure_words(m) for m in in_words)
        )
    narrative(iati_indicator, "description", " ".join(description))
    for measurement in measurements:
        if measurement.is_baseline and has_value(measurement):
            baseline(iati_indicator, measurement)
    targets = target_rows(indicator)
    target_of = {id(row.actual): row.target for row in targets if row.actual is not None}
    for measurement in measurements:
        if measurement.is_baseline:
            continue
        target = target_of.get(id(measurement))
        if has_value(measurement):
            period(iati_indicator, measurement, target)
        elif target is not None:
            target_period(iati_indicator, target)
    for row in targets:
        if row.actual is None:
            target_period(iati_indicator, row.target)


def has_value(measurement: Measurement) -> bool:
    """A point value is one number in the indicator's measure, as IATI's `value` holds."""
    return measurement.value_kind == Measurement.ValueKind.POINT


def figure_words(measurement: Measurement) -> str:
    """“7 % (“≈ 7 %”). Baseline, 2006. Source: …”: the figure as the program page says it."""
    words = [f"{measurement.display_value}."]
    if measurement.published_wording and not measurement.wording_is_the_figure:
        words[0] = f"{measurement.display_value} (“{measurement.published_wording}”)."
    words.append(f"{measurement.phase_label}, {measurement.period_label}.")
    study = measurement.source_study
    if study is not None and study.is_published:
        where = f", {measurement.source_reference}" if measurement.source_reference else ""
        words.append(f"Source: {study.title}{where}.")
        if measurement.source_citation:
            words.append(measurement.source_citation)
    elif measurement.source_citation:
        words.append(f"Source: {measurement.source_citation}")
    return " ".join(str(w) for w in words)


def figure_comment(parent: ET.Element, measurement: Measurement) -> None:
    words = [figure_words(measurement)]
    if measurement.method:
        words.append(f"Method: {measurement.method}.")
    if measurement.limitations:
        words.append(f"Known limitations: {measurement.limitations}")
    # The indicator's baseline, from the prefetched measurements: no query.
    reasons = measurement.not_comparable_reasons(measurement.indicator.baseline)
    if reasons:
        words.append("Not directly comparable with the baseline: " + " ".join(reasons))
    narrative(parent, "comment", " ".join(str(w) for w in words))


def source_link(parent: ET.Element, measurement: Measurement) -> None:
    study = measurement.source_study
    if study is not None and study.is_published:
        document_link(parent, study, "A08")


def baseline(indicator: ET.Element, measurement: Measurement) -> None:
    element = sub(
        indicator,
        "baseline",
        year=str(measurement.period_start.year),
        iso_date=measurement.period_start.isoformat(),
        value=plain_number(measurement.value),
    )
    source_link(element, measurement)
    figure_comment(element, measurement)
    for part in measurement.values_by_category:
        # A disaggregated baseline: one more baseline per value by category, with its dimensions.
        element = sub(
            indicator,
            "baseline",
            year=str(measurement.period_start.year),
            iso_date=measurement.period_start.isoformat(),
            value=plain_number(part.value),
        )
        dimensions(element, part)
        part_comment(element, part)


def dimensions(parent: ET.Element, part: BreakdownValue) -> None:
    for category in part.categories:
        sub(parent, "dimension", name=category.dimension.name, value=category.name)


def part_comment(parent: ET.Element, part: BreakdownValue) -> None:
    words = [part.display_value_with_counts]
    if part.published_wording:
        words.append(f"“{part.published_wording}”")
    if part.source_reference:
        words.append(f"Source: {part.source_reference}")
    if part.notes:
        words.append(part.notes)
    narrative(parent, "comment", " ".join(str(w) for w in words))


def target_element(parent: ET.Element, target: Target) -> None:
    element = sub(parent, "target", value=plain_number(target.value))
    words = f"Set by {target.set_by} on {target.date_set.isoformat()}."
    narrative(element, "comment", f"{words} {target.rationale}".strip())


def target_period(indicator: ET.Element, target: Target) -> None:
    """A period with a target and no figure yet."""
    element = sub(indicator, "period")
    sub(element, "period-start", iso_date=target.period_start.isoformat())
    sub(element, "period-end", iso_date=month_end(target.period_end).isoformat())
    target_element(element, target)


def period(indicator: ET.Element, measurement: Measurement, target: Target | None = None) -> None:
    element = sub(indicator, "period")
    sub(element, "period-start", iso_date=measurement.period_start.isoformat())
    sub(element, "period-end", iso_date=month_end(measurement.period_end).isoformat())
    if target is not None:
        target_element(element, target)
    actual = sub(element, "actual", value=plain_number(measurement.value))
    figure_comment(actual, measurement)
    source_link(actual, measurement)
    for part in measurement.values_by_category:
        actual = sub(element, "actual", value=plain_number(part.value))
        dimensions(actual, part)
        part_comment(actual, part)
