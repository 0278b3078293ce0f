"""What other apps ask of the search index (studies.search names these functions)."""

import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections

from . import index as search_index
from .backend import TantivyBackend
from .worker import catch_up_in_session

if TYPE_CHECKING:
    from studies.filters import StudyFilterSet

logger = logging.getLogger(__name__)

# Whether the index is current is asked at most this often per process (one small query).
FRESHNESS_CHECK_SECONDS = 5.0
_freshness: dict[str, tuple[float, bool]] = {}
_missing_warned_at = -1e9


def index_is_current(alias: str) -> bool:
    """False when an outbox entry has waited longer than SEARCH_INDEX_MAX_LAG seconds: the
    worker is not running (or is stuck), so the index no longer says what the library holds."""
    checked_at, current = _freshness.get(alias, (0.0, True))
    now = time.monotonic()
    if now - checked_at < FRESHNESS_CHECK_SECONDS:
        return current
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM searchindex_outboxentry "
            "WHERE created_at < now() - make_interval(secs => %s))",
            [settings.SEARCH_INDEX_MAX_LAG],
        )
        (late,) = cursor.fetchone()
    current = not late
    if not current:
        logger.warning(
            "The search index is behind the database by more than %s s (is "
            "`manage.py search_index_worker` running?): the list is searched by PostgreSQL",
            settings.SEARCH_INDEX_MAX_LAG,
        )
    _freshness[alias] = (now, current)
    return current


def backend_for(filterset: "StudyFilterSet") -> TantivyBackend | None:
    """The index's answers for this list, or None when there is no index or it is stale
    (PostgreSQL answers)."""
    alias = filterset.queryset.db
    if settings.SEARCH_INDEX_SYNC:
        catch_up_in_session(alias)
    index = search_index.open_index()
    if index is None:
        global _missing_warned_at
        if time.monotonic() - _missing_warned_at < FRESHNESS_CHECK_SECONDS * 12:
            return None  # said at most once a minute, not on every page
        _missing_warned_at = time.monotonic()
        logger.warning(
            "No search index in %s: the list is searched by PostgreSQL "
            "(run manage.py rebuild_search_index)",
            search_index.index_dir(),
        )
        return None
    if not settings.SEARCH_INDEX_SYNC and not index_is_current(alias):
        return None
    return TantivyBackend(filterset, index)
