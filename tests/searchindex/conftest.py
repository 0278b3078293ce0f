"""Fixtures of the search index's tests: an index of its own per test, built from the test's
data (which the test never commits: the index reads it on the test's connection)."""

import pytest
from django.db import DEFAULT_DB_ALIAS

from searchindex import index as search_index


@pytest.fixture
def search_index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    # These tests apply the outbox themselves (the worker), never before each search.
    settings.SEARCH_INDEX_SYNC = False
    search_index.forget_index()
    yield settings.SEARCH_INDEX_DIR
    search_index.forget_index()


@pytest.fixture
def build_index(search_index_dir):
    """Build the index from the database as it is now; returns the number indexed."""

    def build() -> int:
        return search_index.rebuild(DEFAULT_DB_ALIAS, total=0)

    return build
