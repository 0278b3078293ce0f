"""The search index's outbox: which studies changed since the index last caught up."""

from django.db import models


class OutboxEntry(models.Model):
    """A study whose index document may be out of date.

    Written by database triggers (searchindex/sql/outbox.sql) in the same transaction as the
    write to a study, its authors, countries, types or subject, so a committed write always
    leaves an entry, whoever made it (admin, import, raw SQL). The worker deletes an entry only
    after the index commit that reflects it, so a crash anywhere leaves it to be applied again.
    Not a foreign key: a deleted study's entry must outlive it (its document leaves the index).
    """

    study_id = models.BigIntegerField()
    created_at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        verbose_name_plural = "outbox entries"

    def __str__(self) -> str:
        return f"study {self.study_id} changed at {self.created_at}"
