"""Where a study's files are stored, and when a stored file may go.

Stored names are generated (`studies/<random>.pdf`), never taken from the uploader: a name chosen
by the uploader can collide, leak a draft's title, or carry an extension the server would honour.
A file leaves storage only once the transaction that replaced or removed it has committed, and
only when no study still names it (a copied row, a fixture loaded twice).
"""

import uuid

from django.core.files.storage import default_storage
from django.db import transaction

STUDY_FILE_DIRECTORY = "studies"


def study_file_name(instance, filename: str) -> str:
    """`upload_to` for study files: a fresh random name; the uploader's `filename` is ignored."""
    return f"{STUDY_FILE_DIRECTORY}/{uuid.uuid4().hex}.pdf"


def delete_when_unreferenced(name: str) -> None:
    """After the current transaction commits, delete the stored file `name` if no study uses it.

    Outside a transaction this runs at once.
    """
    if not name:
        return

    def delete() -> None:
        from .models import Study

        if not Study.objects.filter(pdf=name).exists():
            default_storage.delete(name)

    transaction.on_commit(delete)
