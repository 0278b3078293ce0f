"""Checks on the files curators attach to studies.

The site serves these files from its own origin, so a file that is not what it claims to be (an
HTML page named `report.pdf`) could run script in a reader's — or a superuser's — browser. Every
writer (the admin, management commands, imports) goes through the model's validators, so the rule
lives here, once: the bytes must be a PDF that a PDF library opens, within a size limit.

Encrypted PDFs are refused, even those that open without a password: readers on slow connections
and screen readers cope badly with them, and the library must be able to read their text (for
search, in a later issue). Curators upload an unprotected copy instead.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from pypdf import PdfReader
from pypdf.errors import PyPdfError

PDF_MAGIC = b"%PDF-"
# The PDF specification lets the header start anywhere in the first 1,024 bytes (readers accept
# leading junk); we ask for it at the start, as every PDF writer puts it, so that no other format
# can hide a PDF header further down.
MAGIC_LENGTH = len(PDF_MAGIC)


NOT_A_PDF = _lazy("This file is not a PDF. Upload the study as a PDF document.")
UNREADABLE = _lazy("The stored file could not be read; upload it again.")


def validate_pdf(file: File) -> None:
    """Refuse `file` unless it is a readable, unencrypted PDF of at most STUDY_FILE_MAX_BYTES.

    Checks go from cheapest to dearest: the size (no read), the first bytes, then a parse of the
    document's structure and page tree (pypdf reads the cross-reference table and the page
    objects, not the whole file).
    """
    limit = settings.STUDY_FILE_MAX_BYTES
    try:
        size = file.size
    except OSError as error:
        raise ValidationError(UNREADABLE, code="unreadable") from error
    if size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest file the library accepts is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("This file is empty."), code="empty")
    was_closed = file.closed
    try:
        file.open("rb")
        file.seek(0)
        if file.read(MAGIC_LENGTH) != PDF_MAGIC:
            raise ValidationError(NOT_A_PDF, code="not_pdf")
        file.seek(0)
        page_count = pdf_page_count(file)
    except OSError as error:
        raise ValidationError(UNREADABLE, code="unreadable") from error
    finally:
        if not file.closed:
            file.seek(0)
            if was_closed:
                file.close()
    if page_count == 0:
        raise ValidationError(_("This PDF has no pages."), code="no_pages")


def pdf_page_count(file: File) -> int:
    """The number of pages of the PDF in `file` (read from its current position).

    Raises ValidationError when pypdf cannot read it or it is encrypted.
    """
    try:
        # strict=False: tolerate the small defects common in real reports (a wrong xref offset),
        # which every reader repairs; what cannot be parsed at all is refused.
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "This PDF is encrypted (password-protected). Upload an unprotected copy, so "
                    "that every reader can open it."
                ),
                code="encrypted",
            )
        return len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        # pypdf raises its own errors for most malformed files, and plain Python ones for some (a
        # dictionary where a number should be); all of them mean "not a PDF we can serve".
        raise ValidationError(NOT_A_PDF, code="not_pdf") from error
