"""What OAI-PMH needs beyond the library itself: the records that harvesters must forget.

A harvester that copied a study must learn when it is gone, or it keeps it forever. The database
writes a `DeletedStudy` whenever a published study stops being published under its address —
deleted, returned to draft, or given another slug — and removes it when a study is published
under that slug again (trigger `oai_track_deleted_studies`, oai/sql/deleted_records.sql). So
every writer (admin, commands, imports, plain SQL) leaves the list right, and it is never pruned:
the repository announces `deletedRecord` = persistent.
"""

from django.db import models


class DeletedStudy(models.Model):
    slug = models.CharField(max_length=200, unique=True)
    deleted_at = models.DateTimeField(help_text="When it stopped being published at this slug.")

    class Meta:
        verbose_name_plural = "deleted studies"
        indexes = [models.Index(fields=["deleted_at", "slug"], name="oai_deleted_at_idx")]

    def __str__(self):
        return self.slug
