"""Measure what processing one long PDF costs: `manage.py bench_processing --pages 300`.

Writes a report-like PDF (headings, paragraphs, a table per chapter; reportlab, a development
dependency) and times each step of `studies.processing` — pypdf's text of every page, PDFium's
preview — with its peak Python memory, then poppler's `pdftotext` on the same file when it is
installed, for the comparison the module docstring of `studies.processing` sums up.
"""

import io
import random
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from django.core.management import BaseCommand, CommandError, CommandParser

from studies.processing import extract, render_preview

WORDS = (
    "survey household violence police court prosecution survivors trafficking labour "
    "exploitation prevalence estimate sample district province interview respondents "
    "confidence interval percent baseline endline program evaluation justice system "
    "the of and in to a for with on by from that this was were are is".split()
)


def report_pdf(pages: int, seed: int = 7) -> bytes:
    """About `pages` pages of a report: a heading and paragraphs per page, a table every tenth."""
    try:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table
    except ImportError as error:
        raise CommandError("bench_processing needs reportlab (pip install -e '.[dev]').") from error
    chance = random.Random(seed)
    styles = getSampleStyleSheet()

    def sentence() -> str:
        return " ".join(chance.choices(WORDS, k=chance.randint(8, 22))).capitalize() + "."

    story: list[Any] = []
    for page in range(1, pages + 1):
        story.append(Paragraph(f"{page}. {sentence()}", styles["Heading2"]))
        for _ in range(5):
            story.append(Paragraph(" ".join(sentence() for _ in range(5)), styles["BodyText"]))
        if page % 10 == 0:
            rows = [["District", "Baseline", "Endline", "Change"]] + [
                [f"District {n}", f"{chance.random():.2f}", f"{chance.random():.2f}", "-"]
                for n in range(6)
            ]
            story.append(Table(rows, style=[("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
        story.append(PageBreak())
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def measured(step: Callable[[], Any]) -> tuple[Any, float, int]:
    """`step()`'s result, its wall time (s) and its peak Python allocation (bytes): two runs,
    since tracing allocations slows Python code down about twofold."""
    started = time.perf_counter()
    result = step()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


class Command(BaseCommand):
    help = "Time and peak memory of processing a generated report-like PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pages", type=int, default=300)

    def handle(self, *args, **options) -> None:
        content = report_pdf(options["pages"])
        self.stdout.write(f"PDF: {options['pages']} pages, {len(content) / 1e6:.2f} MB")
        extracted, seconds, peak = measured(lambda: extract(content))
        words = sum(len(text.split()) for text in extracted.pages)
        self.stdout.write(
            f"pypdf text:      {seconds:6.2f} s, peak {peak / 1e6:6.1f} MB (Python), "
            f"{len(extracted.pages)} pages, {words:,} words"
        )
        preview, seconds, peak = measured(lambda: render_preview(content))
        self.stdout.write(
            f"PDFium preview:  {seconds:6.2f} s, peak {peak / 1e6:6.1f} MB (Python), "
            f"{len(preview) / 1e3:.1f} KB WebP"
        )
        if shutil.which("pdftotext"):
            with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
                handle.write(content)
                handle.flush()
                started = time.perf_counter()
                output = subprocess.run(
                    ["pdftotext", "-layout", handle.name, "-"],
                    capture_output=True,
                    check=True,
                ).stdout.decode("utf-8", "replace")
                seconds = time.perf_counter() - started
            poppler_pages = output.split("\f")
            poppler_words = len(output.split())
            self.stdout.write(
                f"pdftotext:       {seconds:6.2f} s (a child process), "
                f"{len(poppler_pages) - 1} pages, {poppler_words:,} words"
            )
        else:
            self.stdout.write("pdftotext:       not installed (apt-get install poppler-utils)")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Peak resident memory of this process: {rss:.0f} MB")
