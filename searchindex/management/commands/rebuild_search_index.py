"""Build the search index from PostgreSQL, from scratch: after a restore, a schema change, or
to check that the index and the database agree. Safe to run twice: each run replaces the whole
index in one commit, and readers keep the previous one until then."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from searchindex import index as search_index
from studies.models import Study


class Command(BaseCommand):
    help = "Rebuild the search index (SEARCH_INDEX_DIR) from the published studies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        total = Study.objects.using(alias).published().count()
        started = time.monotonic()

        def progress(done: int) -> None:
            share = done / total if total else 1
            sys.stderr.write(
                f"\rIndexing [{'#' * int(share * 30):<30}] {done:>9,}/{total:,} "
                f"{time.monotonic() - started:6.1f}s"
            )
            sys.stderr.flush()

        try:
            count = search_index.rebuild(alias, total, progress if options["verbosity"] else None)
        except ValueError as error:  # tantivy: another writer (the worker) holds the index
            raise CommandError(f"Cannot write the index: {error}") from error
        if options["verbosity"]:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Indexed {count:,} published studies in {search_index.index_dir()} "
            f"({time.monotonic() - started:.1f} s)."
        )
