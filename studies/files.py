"""Where a study's files are stored, and when a stored file may go.

Stored names are generated (`studies/<random>.pdf`), never taken from the uploader: a name chosen
by the uploader can collide, leak a draft's title, or carry an extension the server would honour.
A file leaves storage only once the transaction that replaced or removed it has committed, and
only when no study still names it (a copied row, a fixture loaded twice).
"""

import os
import posixpath
import uuid

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models import Q

STUDY_FILE_DIRECTORY = "studies/"
# The kinds of file the library stores; any other extension an uploader wrote is dropped.
KNOWN_EXTENSIONS = {".pdf", ".png", ".webp"}


class GeneratedNameStorage(FileSystemStorage):
    """The site's storage for uploads (settings.STORAGES["default"]): every file a field stores
    gets a fresh random name in the field's folder, whatever the uploader called it.

    Naming here rather than in an `upload_to` function keeps the rule out of the migrations
    (Django writes a field's callables into them) and covers every writer: a form, a command
    calling `FieldFile.save()`, an import.
    """

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        directory, name = posixpath.split(os.fspath(filename).replace("\\", "/"))
        extension = posixpath.splitext(name)[1].lower()
        if extension not in KNOWN_EXTENSIONS:
            extension = ""
        return super().generate_filename(posixpath.join(directory, uuid.uuid4().hex + extension))


def delete_when_unreferenced(name: str | None) -> None:
    """After the current transaction commits, delete the stored file `name` unless a study or
    a study file still names it.

    Outside a transaction this runs at once.
    """
    if not name:
        return

    def delete() -> None:
        from .models import Study, StudyFile

        if not (
            Study.objects.filter(pdf=name).exists()
            or StudyFile.objects.filter(Q(file=name) | Q(preview=name)).exists()
        ):
            default_storage.delete(name)

    transaction.on_commit(delete)
