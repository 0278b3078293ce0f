"""Public pages of program evaluation. Views parse input, call querysets, render."""

import csv
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from core.filters import without_empty_parameters
from core.pagination import page_or_nearest

from . import iati, tables
from .filters import ProgramFilterSet
from .models import Measurement, Program
from .presentation import indicator_panels, program_cards, timeline

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
    """One row per measurement of the program, in plain numbers, with each source: the file
    `import_measurements` reads back."""
    program = get_object_or_404(Program, slug=slug)
    rows = tables.csv_rows(Measurement.objects.of_program(program).iterator(chunk_size=2000))
    return csv_response(rows, f"{program.slug}-measurements.csv")


def program_iati(request, slug):
    """The program as an IATI 2.03 activity with its results."""
    program = get_object_or_404(Program.objects.for_detail().with_measurement_sources(), slug=slug)
    response = HttpResponse(
        iati.activity_xml(program), content_type="application/xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{program.slug}-iati.xml"'
    return response


def all_measurements_csv(request):
    """Every program's measurements, the same columns as one program's download."""
    measurements = Measurement.objects.for_table().in_table_order().iterator(chunk_size=2000)
    return csv_response(tables.csv_rows(measurements), "measurements.csv")


def all_measurements_json(request):
    """Every program's measurements as JSON: the CSV's columns, exact numbers, null for empty."""
    measurements = Measurement.objects.for_table().in_table_order().iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        json_array(
            tables.json_record(row)
            for row in tables.table_rows(tables.with_baselines(measurements))
        ),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'inline; filename="measurements.json"'
    return response


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    # Streamed: a million rows are written as they are read, never held in memory.
    pseudo_buffer = Echo()
    writer = csv.writer(pseudo_buffer)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class Echo:
    """A file-like object whose `write` returns what it was given (Django's streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def json_array(records) -> Iterator[str]:
    yield '{"measurements": ['
    for i, record in enumerate(records):
        yield ("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"
