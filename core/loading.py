"""Loading model instances from rows without `Model.__init__`, for the models a page reads by the
hundred (a program page's 500 measurements, the studies its table cites).

`Model.from_db` is Django's documented hook for this. Django builds each instance through
`__init__`, which sets the fields one by one and sends the pre_init and post_init signals: about
11 µs a row of 60 columns. The instance made here is the same one — its loaded fields in
`__dict__` (a deferred field is one missing there, as in Django), its state saying it came from
`db` — in about 2 µs. A model may use it only while nothing listens for its init signals
(tests/architecture/test_fast_loading.py checks): history is kept by database triggers.
"""

from collections.abc import Collection
from typing import Any

from django.db import models


def from_db[M: models.Model](
    cls: type[M],
    db: str | None,
    field_names: Collection[str],
    values: Collection[Any],
    *,
    fetch_mode: Any = None,
) -> M:
    """`Model.from_db`, for `classmethod(from_db)` on a model. `field_names` are the attribute
    names of `values`, in their order, as Django's iterables pass them."""
    new = cls.__new__(cls)
    new.__dict__.update(zip(field_names, values, strict=True))
    state = new._state = models.base.ModelState()
    state.adding = False
    state.db = db
    if fetch_mode is not None:
        state.fetch_mode = fetch_mode
    return new
