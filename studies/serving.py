"""Serving a study's PDF (and its preview) from our own origin, inert and resumable.

A bare media URL would let the web server guess the type and let a PDF's scripts run with the
site's cookies; this response is `application/pdf` (never sniffed), sandboxed by CSP, named
after the study, and answers HTTP range requests (a viewer asks for the pages it shows, a
download resumes) and conditional requests (the ETag is the file's checksum).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header

# Sandboxed (no script, no forms, an opaque origin) and framed only by our own pages: the study
# page shows the file in an <iframe> (the rest of the site may be framed by no one).
STUDY_FILE_CSP = "sandbox; frame-ancestors 'self'"
# One range, the only kind a PDF viewer or a download manager asks for; "bytes=-500" is the
# last 500 bytes. Several ranges (multipart answers) are served as the whole file, which the
# standard allows.
RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")
CHUNK = 64 * 1024


class UnsatisfiableRange(Exception):
    pass


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range `header` asks of a file of `size` bytes; None for the whole file (no
    header, or one that is not a single byte range: ignored, as the standard says).

    Raises UnsatisfiableRange when the range starts past the end (answered with 416).
    """
    if not header or "," in header:
        return None
    match = RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise UnsatisfiableRange
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # malformed: ignored
    if start >= size:
        raise UnsatisfiableRange
    return ByteRange(start, end)


def read_range(handle: IO[bytes], byte_range: ByteRange) -> Iterator[bytes]:
    try:
        handle.seek(byte_range.start)
        remaining = byte_range.length
        while remaining > 0 and (chunk := handle.read(min(CHUNK, remaining))):
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def inert_headers(response: HttpResponseBase, *, etag: str, public: bool) -> HttpResponseBase:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = STUDY_FILE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["ETag"] = etag
    response.headers["Accept-Ranges"] = "bytes"
    # Revalidated on every use (cheap, with the ETag), so an unpublished study's file is not
    # served from a cache; a draft's file is never stored by shared caches.
    if public:
        patch_cache_control(response, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def serve_file(
    request: HttpRequest,
    handle: IO[bytes],
    *,
    size: int,
    etag: str,
    filename: str,
    content_type: str = "application/pdf",
    as_attachment: bool = False,
    public: bool = True,
) -> HttpResponseBase:
    """The file open in `handle` (closed when the answer is sent), whole or the asked range."""
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        handle.close()
        return inert_headers(not_modified, etag=etag, public=public)
    header = request.headers.get("Range")
    # If-Range: the range only holds for the version the client has; another gets it all.
    if header and request.headers.get("If-Range", etag) != etag:
        header = None
    try:
        byte_range = requested_range(header, size)
    except UnsatisfiableRange:
        handle.close()
        refused = HttpResponse(status=416)
        refused.headers["Content-Range"] = f"bytes */{size}"
        return inert_headers(refused, etag=etag, public=public)
    response: HttpResponseBase
    if byte_range is None:
        response = FileResponse(
            handle, as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    else:
        response = StreamingHttpResponse(
            read_range(handle, byte_range), status=206, content_type=content_type
        )
        response.headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
        response.headers["Content-Length"] = str(byte_range.length)
        response.headers["Content-Disposition"] = (
            content_disposition_header(as_attachment, filename) or ""
        )
    return inert_headers(response, etag=etag, public=public)


def serve_field_file(
    request: HttpRequest,
    field_file: FieldFile,
    *,
    etag: str,
    filename: str,
    content_type: str = "application/pdf",
    public: bool = True,
) -> HttpResponseBase:
    """A stored file (a `FileField`'s value) through `serve_file`; a file gone from storage is a
    404, not a 500. `?download=1` asks for a download instead of display."""
    try:
        handle = field_file.open("rb")
        size = field_file.size
    except FileNotFoundError as error:
        raise Http404("This file is missing.") from error
    return serve_file(
        request,
        handle,
        size=size,
        etag=etag,
        filename=filename,
        content_type=content_type,
        as_attachment=request.GET.get("download") == "1",
        public=public,
    )
