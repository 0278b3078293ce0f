"""Reading a study file once it is attached: pages, size, checksum, each page's text, a preview.

Runs off the request (`manage.py process_files`, which `make run` keeps watching), so that an
admin save stays fast however long the PDF. Safe to run again: a file is processed from its
bytes alone and its rows are replaced in one transaction.

Text: pypdf, already used to validate uploads. On a generated 300-page report pypdf took longer
than poppler's `pdftotext` but gave the same words in reading order (`manage.py bench_processing`
measures it); one dependency fewer on the server and no child process outweighs that for a job
that runs once per file, off the request. Preview: PDFium (pypdfium2) renders the first page,
Pillow writes a small WebP.
"""

import hashlib
import io
import logging
from dataclasses import dataclass

import pypdfium2
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .models import StudyFile, StudyFilePage

logger = logging.getLogger(__name__)

# The preview is shown beside the file's facts, about 160 CSS pixels wide: twice that for
# high-density screens, and a WebP quality that keeps it to a few KB.
PREVIEW_WIDTH = 320
PREVIEW_QUALITY = 60
# A page with fewer letters than this (a scan with a page number, a blank page) has no text.
MIN_LETTERS_FOR_TEXT = 20
PDFIUM_ERRORS = (pypdfium2.PdfiumError, OSError, ValueError)


@dataclass(frozen=True)
class Extracted:
    pages: list[str]
    size_bytes: int
    sha256: str

    @property
    def has_text_layer(self) -> bool:
        return any(
            sum(character.isalpha() for character in text) >= MIN_LETTERS_FOR_TEXT
            for text in self.pages
        )


def extract(content: bytes) -> Extracted:
    """The text of every page of the PDF `content` (page 1 first), its size and checksum."""
    reader = PdfReader(io.BytesIO(content), strict=False)
    pages = []
    for page in reader.pages:
        try:
            text = page.extract_text() or ""
        except (PyPdfError, ValueError, KeyError, TypeError) as error:
            # One unreadable page (a broken font) leaves the others' text.
            logger.warning("A page's text could not be read: %s", error)
            text = ""
        # PostgreSQL text cannot hold NUL characters, which some fonts' mappings produce.
        pages.append(text.replace("\x00", ""))
    return Extracted(
        pages=pages, size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest()
    )


def render_preview(content: bytes) -> bytes:
    """The first page as a WebP image PREVIEW_WIDTH pixels wide."""
    document = pypdfium2.PdfDocument(content)
    try:
        page = document[0]
        width = page.get_width()
        bitmap = page.render(scale=PREVIEW_WIDTH / width if width else 1)
        image = bitmap.to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=PREVIEW_QUALITY, method=6)
    return buffer.getvalue()


def process_file(study_file: StudyFile) -> StudyFile:
    """Read `study_file`'s bytes and store what they say; a file that cannot be read gets a
    `processing_error` (shown to curators) rather than stopping the run."""
    try:
        with study_file.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        # Marked, so that a watching process does not retry it every few seconds.
        StudyFile.objects.filter(pk=study_file.pk, file=study_file.file.name).update(
            processing_error="The stored file is missing: attach it again.",
            processed_at=timezone.now(),
        )
        study_file.refresh_from_db()
        return study_file
    error = ""
    try:
        extracted = extract(content)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as problem:
        extracted = Extracted(
            pages=[], size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest()
        )
        error = f"The PDF's pages could not be read: {problem}"
    preview = b""
    try:
        preview = render_preview(content)
    except PDFIUM_ERRORS as problem:
        error = error or f"The first page could not be drawn: {problem}"
    with transaction.atomic():
        locked = StudyFile.objects.select_for_update().filter(pk=study_file.pk).first()
        if locked is None or locked.file.name != study_file.file.name:
            # Removed or replaced meanwhile: the next run reads the new bytes.
            return study_file
        StudyFilePage.objects.filter(file=locked).delete()
        StudyFilePage.objects.bulk_create(
            StudyFilePage(file=locked, number=number, text=text)
            for number, text in enumerate(extracted.pages, start=1)
        )
        locked.pages = len(extracted.pages) or None
        locked.size_bytes = extracted.size_bytes
        locked.sha256 = extracted.sha256
        locked.has_text_layer = extracted.has_text_layer
        locked.processing_error = error
        if preview:
            # The stored name is generated (GeneratedNameStorage); the old preview leaves
            # storage after the commit (StudyFile.save).
            locked.preview = ContentFile(preview, name="preview.webp")
        locked.processed_at = timezone.now()
        locked.save()
    return locked


def image_size(content: bytes) -> tuple[int, int]:
    """The width and height of an image (for tests and the bench)."""
    with Image.open(io.BytesIO(content)) as image:
        return image.size
