"""Public pages of program evaluation. Views parse input, call querysets, render."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from core.filters import without_empty_parameters
from core.pagination import page_or_nearest
from core.spreadsheet import spreadsheet_safe
from justicelib.site import absolute_url

from .filters import ProgramFilterSet
from .models import Measurement, Program
from .presentation import indicator_panels, program_cards, timeline

CSV_COLUMNS = [
    "program",
    "indicator",
    "indicator_slug",
    "disaggregation",
    "unit",
    "direction",
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
    "source_study",
    "source_study_url",
    "source_reference",
    "source_citation",
    "notes",
]


PROGRAMS_PER_PAGE = 20


def program_list(request):
    if redirect := without_empty_parameters(request):
        return redirect
    filterset = ProgramFilterSet(request.GET, queryset=Program.objects.for_listing())
    paginator = Paginator(filterset.qs, PROGRAMS_PER_PAGE)
    page, page_notice = page_or_nearest(paginator, request.GET.get("page"))
    context = {
        "page": page,
        "cards": program_cards(page.object_list),
        "facet_blocks": filterset.facet_blocks(),
        "notices": [*filterset.notices, *([page_notice] if page_notice else [])],
    }
    return render(request, "evaluation/program_list.html", context)


def program_detail(request, slug):
    program = get_object_or_404(Program.objects.for_detail(), slug=slug)
    context = {
        "program": program,
        "timeline": timeline(program),
        "indicator_panels": indicator_panels(program),
    }
    return render(request, "evaluation/program_detail.html", context)


def measurements_csv(request, slug):
    """One row per measurement of the program, in plain numbers, with each source."""
    program = get_object_or_404(Program, slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-measurements.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for measurement in Measurement.objects.of_program(program):
        writer.writerow(csv_row(request, program, measurement))
    return response


def csv_row(request, program: Program, m: Measurement) -> list:
    indicator, study = m.indicator, m.source_study
    study_url = absolute_url(study.get_absolute_url()) if study and study.is_published else ""
    return [
        spreadsheet_safe(program.name),
        spreadsheet_safe(indicator.name),
        indicator.slug,
        spreadsheet_safe(indicator.disaggregation),
        indicator.unit,
        indicator.direction,
        m.phase,
        f"{m.period_start:%Y-%m}",
        f"{m.period_end:%Y-%m}",
        spreadsheet_safe(m.period_wording),
        m.value_kind,
        number(m.value),
        number(m.value_low),
        number(m.value_high),
        spreadsheet_safe(m.published_wording),
        number(m.ci_lower),
        number(m.ci_upper),
        m.sample_size if m.sample_size is not None else "",
        spreadsheet_safe(study.title) if study and study.is_published else "",
        study_url,
        spreadsheet_safe(m.source_reference),
        spreadsheet_safe(m.source_citation),
        spreadsheet_safe(m.notes),
    ]


def number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"
