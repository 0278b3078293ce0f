"""Downloads: one study's citation, and every study that matches the list page's filters.

List exports stream: studies are read in chunks of `EXPORT_CHUNK_SIZE` (with their authors, types
and countries prefetched per chunk) and written out as they are formatted, so an export of 100,000
studies holds one chunk in memory and costs four queries per chunk, never one per study.
"""

import csv
import itertools
import json
from collections.abc import Iterable, Iterator

from django.db import connections
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from justicelib.routers import read_alias
from justicelib.site import site_root

from .citations import (
    CSV_HEADER,
    CsvNames,
    CsvSource,
    StudyAddresses,
    csv_row_of,
    to_bibtex,
    to_csl_json,
    to_ris,
)
from .filters import StudyFilterSet
from .models import Study
from .signposting import export_links

EXPORT_CHUNK_SIZE = 1000
# Rows of the CSV's single query fetched per round trip of its server-side cursor.
CSV_CHUNK_SIZE = 2000
# Only text formats declare a charset: JSON is UTF-8 by definition and its media type has none.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json",
}
CITATION_FORMATS = ["bib", "ris", "json"]
LIST_FORMATS = ["csv", *CITATION_FORMATS]


@require_safe
def study_citation(request, slug: str, fmt: str):
    if fmt not in CITATION_FORMATS:
        raise Http404("No such citation format.")
    study = get_object_or_404(Study.objects.published().for_listing(), slug=slug)
    body = "".join(written_as(fmt, [study], site_root()))
    headers = {**attachment(slug, fmt), "Link": export_links(study)}
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], headers=headers)


@require_safe
def list_export(request, fmt: str):
    if fmt not in LIST_FORMATS:
        raise Http404("No such export format.")
    filterset = StudyFilterSet(request.GET, queryset=Study.objects.published())
    if filterset.notices:
        # The list page shows results despite these; a file must not silently differ from what
        # was asked for, so the export refuses instead.
        message = "The export was not made. Fix these parameters and try again:\n"
        return HttpResponseBadRequest(
            message + "".join(f"- {notice}\n" for notice in filterset.notices),
            content_type="text/plain; charset=utf-8",
        )
    # The rows are read while the response streams, after the view has returned: connect now, so
    # that a database outage is still the 503 page rather than a response cut off mid-way.
    # Chosen now too: the rows are read after the request's replica choice has ended.
    alias = read_alias(Study)
    connections[alias].ensure_connection()
    if fmt == "csv":
        # A CSV needs no model instance: one query's rows, from a server-side cursor.
        names = CsvNames()
        rows = filterset.qs.for_csv().using(alias).iterator(chunk_size=CSV_CHUNK_SIZE)
        pieces = csv_lines(map(names.source, rows), site_root())
    else:
        studies = filterset.qs.for_listing().using(alias).iterator(chunk_size=EXPORT_CHUNK_SIZE)
        pieces = written_as(fmt, studies, site_root())
    return StreamingHttpResponse(
        in_batches(pieces),
        content_type=CONTENT_TYPES[fmt],
        headers=attachment("studies", fmt),
    )


def attachment(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition_header(True, f"{name}.{fmt}")}


def written_as(fmt: str, studies: Iterable[Study], base_url: str) -> Iterator[str]:
    """The studies as one citation file in `fmt`, piece by piece (a CSV is `csv_lines`)."""
    writers = {"bib": bibtex_entries, "ris": ris_records, "json": csl_json_array}
    return writers[fmt](studies, base_url)


class _Echo:
    """A file-like object whose `write` returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


# Excel opens a CSV by double-click as UTF-8 only when it starts with a byte-order mark; without
# one it guesses the machine's code page and “Côte d’Ivoire” comes out garbled. Python
# (encoding="utf-8-sig"), pandas and spreadsheet programs other than Excel skip the mark.
BYTE_ORDER_MARK = "\ufeff"


def csv_lines(sources: Iterable[CsvSource], base_url: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    addresses = StudyAddresses(base_url)
    yield BYTE_ORDER_MARK + writer.writerow(CSV_HEADER)
    for source in sources:
        yield writer.writerow(csv_row_of(source, addresses))


def bibtex_entries(studies: Iterable[Study], base_url: str) -> Iterator[str]:
    """Entries separated by blank lines, each under its study's stored key: unique in the
    database, so the same in every export whatever its order or filter."""
    for study in studies:
        yield to_bibtex(study, base_url) + "\n"


def ris_records(studies: Iterable[Study], base_url: str) -> Iterator[str]:
    for study in studies:
        yield to_ris(study, base_url) + "\r\n"


def csl_json_array(studies: Iterable[Study], base_url: str) -> Iterator[str]:
    """A JSON array written item by item: CSL-JSON files are arrays, even of one item."""
    yield "["
    separator = "\n"
    for study in studies:
        yield separator + json.dumps(to_csl_json(study, base_url), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def in_batches(pieces: Iterable[str], size: int = 100) -> Iterator[str]:
    """Join small pieces into larger chunks: one write per 100 rows rather than per row."""
    for batch in itertools.batched(pieces, size, strict=False):
        yield "".join(batch)
