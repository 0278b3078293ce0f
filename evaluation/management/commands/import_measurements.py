"""`manage.py import_measurements PATH [--dry-run]`: a measurements table (CSV or XLSX, the
columns of /programs/<slug>/measurements.csv) back into the database, all or nothing."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from evaluation.imports import ImportFailed, import_file


class Command(BaseCommand):
    help = (
        "Import measurements from a CSV or XLSX file with the columns of a program's "
        "measurements.csv. Rows are matched by program, indicator, phase and first month. "
        "Any problem: nothing is written, and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and show what would change; write nothing.",
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_file(path, dry_run=dry_run)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing imported: {len(failure.problems)} problem(s) in {path}."
            ) from None
        for measurement in result.created:
            self.stdout.write(f"created: {measurement.indicator.slug} {measurement}")
        for measurement, changes in result.updated:
            self.stdout.write(
                f"updated: {measurement.indicator.slug} {measurement.phase} "
                f"{measurement.period_start:%Y-%m}: {'; '.join(changes)}"
            )
        for part in result.created_parts:
            self.stdout.write(f"created: {_part_label(part)}: {part.value.normalize():f}")
        for part, changes in result.updated_parts:
            self.stdout.write(f"updated: {_part_label(part)}: {'; '.join(changes)}")
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(prefix + result.summary)


def _part_label(part) -> str:
    """“minors baseline 2014-01 by venue type: public spaces”."""
    m = part.measurement
    return f"{m.indicator.slug} {m.phase} {m.period_start:%Y-%m}, {part.combination_label}"
