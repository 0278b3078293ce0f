"""What the library records about every write: one event row per insert, update and delete.

PostgreSQL triggers (django-pghistory) write the events, so every writer is recorded — the admin,
management commands, fixtures, bulk updates and raw SQL — with a full snapshot of the row. The
request (user, URL) or the management command is attached as context where there is one.
"""

import pghistory
import pgtrigger


def track(*, exclude: list[str] | None = None, model_name: str | None = None):
    """Decorate a model so that its inserts, updates and deletes are kept as events.

    An update is an event only when a recorded field changes other than the auto_now timestamp:
    triggers that maintain derived columns (search vectors, facet arrays) touch rows without
    changing anything a curator wrote, and a save that changes nothing is no news. Each call
    builds its own trackers: pghistory fills a tracker's condition with the first model's fields.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(condition=pgtrigger.AnyChange(exclude_auto=True)),
        pghistory.DeleteEvent(),
        exclude=exclude,
        model_name=model_name,
    )
