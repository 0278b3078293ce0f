"""Build the search index from PostgreSQL, from scratch: after a restore, a schema change, or
to check that the index and the database agree. Safe to run twice: each run replaces the whole
index in one commit, and readers keep the previous one until then."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from searchindex import index as search_index
from studies.models import Study


class Command(BaseCommand):
    help = "Rebuild the search index (SEARCH_INDEX_DIR) from the published studies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        started = time.monotonic()
        total = Study.objects.using(alias).published().count()

        def progress(done: int) -> None:
            share = done / total if total else 1
            sys.stderr.write(
                f"\rIndexing [{'#' * int(share * 30):<30}] {done:>9,}/{total:,} "
                f"{time.monotonic() - started:6.1f}s"
            )
            sys.stderr.flush()

        try:
            # One snapshot for the documents and the outbox: the entries it holds are reflected
            # by this build and leave the outbox once the index is committed; later ones wait
            # for the worker.
            outermost = not connections[alias].in_atomic_block  # else: the caller's snapshot
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT coalesce(array_agg(id), '{}') FROM searchindex_outboxentry")
                (reflected,) = cursor.fetchone()
                count = search_index.rebuild(
                    alias, total, progress if options["verbosity"] else None
                )
                cursor.execute(
                    "DELETE FROM searchindex_outboxentry WHERE id = ANY(%s)", [reflected]
                )
        except ValueError as error:  # tantivy: another writer (the worker) holds the index
            raise CommandError(f"Cannot write the index: {error}") from error
        if options["verbosity"]:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Indexed {count:,} published studies in {search_index.index_dir()} "
            f"({time.monotonic() - started:.1f} s)."
        )
