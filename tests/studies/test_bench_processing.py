"""`manage.py bench_processing` reports each step's time and memory (run small here)."""

import io

from django.core.management import call_command


def test_bench_processing_reports_each_step():
    out = io.StringIO()
    call_command("bench_processing", pages=3, stdout=out)
    report = out.getvalue()
    assert "PDF: 3 pages" in report
    assert "pypdf text:" in report and "3 pages" in report
    assert "KB WebP" in report
    assert "Peak resident memory" in report
