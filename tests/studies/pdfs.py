"""Small real PDFs for the tests, written by reportlab: text on chosen pages, an image-only page
(as a scanner makes), any number of pages."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def scanned_page_image():
    """A grey page-sized picture with no text, like a scan."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), (200, 200, 200)).save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def report_pdf(pages: list[str | None]) -> bytes:
    """A PDF with one page per item: its text, or for None an image-only page."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for text in pages:
        if text is None:
            document.drawImage(scanned_page_image(), 40, 40, width - 80, height - 80)
        else:
            writer = document.beginText(60, height - 80)
            writer.setFont("Helvetica", 11)
            for line in text.splitlines():
                writer.textLine(line)
            document.drawText(writer)
        document.showPage()
    document.save()
    return buffer.getvalue()


def three_page_report() -> bytes:
    """Page 3 alone says “quokka”; page 2 is a scan (no text)."""
    return report_pdf(
        [
            "Scale of harm: an estimate of forced labour in the fishing industry.\n"
            "Summary of the method and of the main findings.",
            None,
            "Annex: interviews with boat crews near the quokka colony on the island.",
        ]
    )


def scanned_pdf(pages: int = 2) -> bytes:
    return report_pdf([None] * pages)
