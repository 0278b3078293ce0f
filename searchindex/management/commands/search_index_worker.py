"""Keep the search index current with the database (see searchindex/worker.py). `make run` and
`make dev` start it beside gunicorn; safe to stop and start at any moment."""

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from searchindex import index as search_index
from searchindex import worker


class Command(BaseCommand):
    help = "Apply the search index's outbox as writes commit (LISTEN/NOTIFY, polling too)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--poll", type=float, default=5.0, help="seconds between checks without a wake-up"
        )
        parser.add_argument("--once", action="store_true", help="apply what is pending, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        checks = 0

        def should_stop() -> bool:
            nonlocal checks
            checks += 1
            return stopping or (options["once"] and checks > 1)

        try:
            worker.run(options["database"], options["poll"], should_stop)
        except ValueError as error:  # tantivy: another writer holds the index
            raise CommandError(
                f"Cannot write the index in {search_index.index_dir()}: {error}"
            ) from error
        if options["verbosity"]:
            self.stdout.write("Search index worker stopped.")
