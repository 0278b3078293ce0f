"""Settings of the test suite: the site's own, plus one read replica when none is configured.

The replica is a second connection to the test database (Django's test MIRROR), so the tests
exercise the database router (justicelib/routers.py) as a site with replicas runs it: a visitor's
page read from `replica_1`, the admin and every write on `default`.
"""

from .settings import *  # noqa: F403
from .settings import DATABASES

if not any(alias.startswith("replica_") for alias in DATABASES):
    DATABASES["replica_1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
