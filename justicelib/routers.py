"""Reads from PostgreSQL read replicas, writes to the primary (README, "Scaling out").

Replicas are named by DATABASE_REPLICA_URLS (settings.py makes them the aliases `replica_1`, …).
Without any, every query goes to `default`, as it always did.

What may read from a replica is decided per request, not per query, so that one page never mixes
a replica's slightly older state with the primary's: `ReplicaReadsMiddleware` allows replica reads
only for a visitor's GET or HEAD outside the admin, and only when that browser has not itself
written in the last few seconds (a replica may lag behind the write it just made: a curator who
saves and is redirected must see the save). Everything else reads the primary: the admin, every
unsafe request, management commands, imports, the shell, and any read inside a transaction on the
primary (the transaction's own writes are not on a replica yet).
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

PRIMARY = "default"
# Set by a response to an unsafe request; while it lasts, that browser reads the primary.
RECENT_WRITE_COOKIE = "justicelib_wrote"

_replica_reads_allowed: ContextVar[bool] = ContextVar("replica_reads_allowed", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def read_alias(model: type[Any]) -> str:
    """The database a read of `model` goes to now: for raw SQL, which the router never sees."""
    return router.db_for_read(model)


@cache
def admin_path() -> str:
    return reverse("admin:index")


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads outside a transaction may go to a replica."""
    token = _replica_reads_allowed.set(True)
    try:
        yield
    finally:
        _replica_reads_allowed.reset(token)


class PrimaryReplicaRouter:
    """Django's database router: reads to a random replica when allowed, everything else to the
    primary. Every alias holds the same data, so relations across them are allowed; migrations run
    on the primary only (replicas copy its schema)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        # A related object (a prefetch, `study.subject`) is read where its instance was.
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return str(instance._state.db)
        replicas = replica_aliases()
        if not replicas or not _replica_reads_allowed.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        # One replica per request would keep a page consistent under lag between replicas too;
        # random per query spreads the load, and replicas of one primary lag by milliseconds.
        return random.choice(replicas)

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Lets a visitor's safe request outside the admin read from replicas (see the module's note).

    It comes before the session middleware, so that a signed-in curator's session is read where
    the rest of the request reads.
    """

    SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.may_read_replicas(request):
            response = self.get_response(request)
        else:
            with replica_reads():
                response = self.get_response(request)
        if request.method not in self.SAFE_METHODS and replica_aliases():
            response.set_cookie(
                RECENT_WRITE_COOKIE,
                "1",
                max_age=settings.REPLICA_LAG_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def may_read_replicas(self, request: HttpRequest) -> bool:
        return (
            request.method in self.SAFE_METHODS
            and not request.path_info.startswith(admin_path())
            and RECENT_WRITE_COOKIE not in request.COOKIES
        )
