"""Keeps the search index current: applies the outbox (searchindex.models.OutboxEntry).

Crash-safe by order: a batch of entries is read (locked), its studies' documents are rewritten
and the index committed, and only then are the entries deleted, in the same database
transaction that locked them. A crash before the index commit leaves the entries (and the
old documents); a crash between the two commits leaves entries whose documents are already
right, and applying them again changes nothing. So a write committed while the worker is down
is applied when it starts again.

The worker sleeps on LISTEN searchindex_outbox (the triggers notify at commit) and wakes at
least every `poll_seconds` anyway, so a missed notification only delays an update.
"""

import logging
import select
from collections.abc import Callable

import tantivy
from django.db import connections, transaction

from . import index as search_index

logger = logging.getLogger(__name__)

CHANNEL = "searchindex_outbox"
BUMP_LIBRARY_VERSION = "SELECT studies_advance_library_version()"
BATCH = 500


def apply_pending(writer: tantivy.IndexWriter, alias: str, limit: int = BATCH) -> int:
    """Apply one batch of outbox entries; returns how many were applied (0: none pending)."""
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT id, study_id FROM searchindex_outboxentry ORDER BY id LIMIT %s "
            "FOR UPDATE SKIP LOCKED",
            [limit],
        )
        entries = cursor.fetchall()
        if not entries:
            return 0
        try:
            search_index.index_studies(writer, alias, [study for _, study in entries])
            writer.commit()
            # Other processes' readers see the commit within a moment (tantivy watches the
            # index); this process's at once.
            search_index.reload()
        except BaseException:
            writer.rollback()
            raise
        cursor.execute(
            "DELETE FROM searchindex_outboxentry WHERE id = ANY(%s)", [[pk for pk, _ in entries]]
        )
        # Pages and facet counts are cached by library version (studies.pagecache): one built
        # between the write and this commit showed the old index, so the version moves on.
        cursor.execute(BUMP_LIBRARY_VERSION)
    return len(entries)


def catch_up_in_session(alias: str) -> None:
    """Apply every pending entry at once, inside the caller's transaction (SEARCH_INDEX_SYNC).

    For the test suite, whose writes are never committed: only its own session sees them. Runs
    on the psycopg session under Django's connection, so that a page's counted queries stay
    the page's own.
    """
    connection = connections[alias]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        if search_index.open_index() is None:
            search_index.rebuild(alias, total=0, in_session=True)
            cursor.execute("DELETE FROM searchindex_outboxentry")
            return
        cursor.execute("SELECT id, study_id FROM searchindex_outboxentry ORDER BY id")
        entries = cursor.fetchall()
        if not entries:
            return
        index = search_index.open_index()
        assert index is not None
        writer = index.writer(heap_size=search_index.WRITER_HEAP, num_threads=1)
        try:
            search_index.index_studies(writer, alias, [s for _, s in entries], in_session=True)
            writer.commit()
        finally:
            writer.wait_merging_threads()
        search_index.reload()
        cursor.execute(
            "DELETE FROM searchindex_outboxentry WHERE id = ANY(%s)", [[pk for pk, _ in entries]]
        )


def apply_all(writer: tantivy.IndexWriter, alias: str) -> int:
    applied = 0
    while count := apply_pending(writer, alias):
        applied += count
    return applied


def wait_for_notification(alias: str, timeout: float) -> bool:
    """Sleep until a write's notification arrives (True) or `timeout` seconds pass."""
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    readable, _, _ = select.select([raw.fileno()], [], [], timeout)
    # Take what arrived, so the next wait starts clean.
    arrived = False
    for _ in raw.notifies(timeout=0):
        arrived = True
    return arrived or bool(readable)


def run(alias: str, poll_seconds: float, should_stop: Callable[[], bool]) -> None:
    """Apply the outbox until `should_stop()`; builds the index first when there is none."""
    if search_index.open_index() is None:
        logger.info("No search index yet: building it")
        search_index.rebuild(alias, total=0)
    index = search_index.open_index()
    assert index is not None
    writer = index.writer(heap_size=search_index.WRITER_HEAP, num_threads=1)
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        while not should_stop():
            applied = apply_all(writer, alias)
            if applied:
                logger.info("Search index: applied %d outbox entries", applied)
            if should_stop():
                break
            # In slices of at most a second, so that a stop request is heard promptly.
            waited = 0.0
            while waited < poll_seconds and not should_stop():
                if wait_for_notification(alias, min(1.0, poll_seconds - waited)):
                    break
                waited += 1.0
    finally:
        writer.wait_merging_threads()  # releases the index's writer lock
