"""Settings of the test suite: the site's own, plus one read replica when none is configured.

The replica is a second connection to the test database (Django's test MIRROR), so the tests
exercise the database router (justicelib/routers.py) as a site with replicas runs it: a visitor's
page read from `replica_1`, the admin and every write on `default`.
"""

import os

from .settings import *  # noqa: F403
from .settings import DATABASES

if not any(alias.startswith("replica_") for alias in DATABASES):
    DATABASES["replica_1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}

# The suite runs on PostgreSQL's search; `make test` runs the list's search, filter and facet
# tests a second time with SEARCH_BACKEND=tantivy. Each test then has an index of its own
# (tests/conftest.py), caught up with the test's uncommitted writes before each search.
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "postgres")
SEARCH_INDEX_SYNC = True
