"""Read attached study files: pages, size, checksum, each page's text and a preview.

    manage.py process_files           # the files not processed yet
    manage.py process_files --all     # every file again (after a change to the processing)
    manage.py process_files --watch   # keep looking for new files (what `make run` starts)

Safe to run twice: each file's results replace its earlier ones, in one transaction.
"""

import time

from django.core.management import BaseCommand, CommandParser
from django.db import close_old_connections

from studies.models import StudyFile
from studies.processing import process_file

WATCH_INTERVAL_SECONDS = 5
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Read the pages, text and preview of study files (the unprocessed ones by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Process every file again.")
        parser.add_argument(
            "--watch",
            action="store_true",
            help=f"Keep running, looking for new files every {WATCH_INTERVAL_SECONDS} s.",
        )

    def handle(self, *args, **options) -> None:
        self.run_once(every_file=options["all"])
        while options["watch"]:
            time.sleep(WATCH_INTERVAL_SECONDS)
            # A long-lived process: drop a connection the database closed meanwhile.
            close_old_connections()
            self.run_once(every_file=False, quiet=True)

    def run_once(self, *, every_file: bool, quiet: bool = False) -> None:
        files = StudyFile.objects.select_related("study").order_by("id")
        if not every_file:
            files = files.unprocessed()
        pending = list(files.only("id", "file", "study__slug"))
        if not pending:
            if not quiet:
                self.stdout.write("No file to process.")
            return
        problems = 0
        for done, study_file in enumerate(pending, start=1):
            result = process_file(study_file)
            if result.processing_error:
                problems += 1
                self.stderr.write(f"{study_file.study.slug}: {result.processing_error}")
            self.progress(done, len(pending))
        self.stdout.write(
            f"\nProcessed {len(pending)} file{'s' if len(pending) != 1 else ''}"
            f"{f', {problems} with problems' if problems else ''}."
        )

    def progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        self.stdout.write(
            f"\r[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{total} files", ending=""
        )
        self.stdout.flush()
