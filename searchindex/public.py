"""What other apps ask of the search index (studies.search names these functions)."""

import logging
from typing import TYPE_CHECKING

from . import index as search_index
from .backend import TantivyBackend

if TYPE_CHECKING:
    from studies.filters import StudyFilterSet

logger = logging.getLogger(__name__)


def backend_for(filterset: "StudyFilterSet") -> TantivyBackend | None:
    """The index's answers for this list, or None when there is no index (PostgreSQL answers)."""
    index = search_index.open_index()
    if index is None:
        logger.warning(
            "No search index in %s: the list is searched by PostgreSQL "
            "(run manage.py rebuild_search_index)",
            search_index.index_dir(),
        )
        return None
    return TantivyBackend(filterset, index)
