"""Attach a PDF to a study from the command line, or detach one (`--remove`).

    manage.py attach_file scale-of-harm report.pdf --label "Full report" --language en --main
    manage.py attach_file scale-of-harm report.pdf --remove

It goes through the same checks as the admin (`studies.services.attach_study_file`: the bytes
must be a PDF pypdf opens, within the size limit; the stored name is generated) and leaves the
pages, text and preview to `manage.py process_files`. An unknown study, a missing file or one
that is not a PDF ends with a message and exit status 1.
"""

import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import BaseCommand, CommandError, CommandParser

from studies.models import Study, StudyFile
from studies.services import attach_study_file, remove_study_file


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Attach a PDF to a study (or detach it with --remove); process it with process_files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The study's slug, e.g. scale-of-harm.")
        parser.add_argument(
            "path",
            nargs="?",
            help="The PDF to attach; with --remove, the file whose bytes to detach (optional "
            "with --label, or when the study has one file).",
        )
        parser.add_argument("--label", default="", help="e.g. “Full report”, “Summary”.")
        parser.add_argument("--language", default="", help="A BCP 47 code, e.g. es.")
        parser.add_argument("--main", action="store_true", help="Make it the study's main file.")
        parser.add_argument("--remove", action="store_true", help="Detach instead of attach.")

    def handle(self, *args, **options) -> None:
        slug = options["slug"]
        try:
            study = Study.objects.get(slug=slug)
        except Study.DoesNotExist as error:
            raise CommandError(f"There is no study with the slug “{slug}”.") from error
        path = Path(options["path"]) if options["path"] else None
        if path is not None and not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        if options["remove"]:
            self.remove(study, path, options["label"])
            return
        if path is None:
            raise CommandError("Give the path of the PDF to attach.")
        with path.open("rb") as handle:
            try:
                study_file = attach_study_file(
                    study=study,
                    content=File(handle, name=path.name),
                    label=options["label"],
                    language=options["language"],
                    is_main=options["main"],
                )
            except ValidationError as error:
                raise CommandError(
                    f"{path} was not attached: {' '.join(error.messages)}"
                ) from error
        self.stdout.write(
            f"Attached {path.name} to “{study}” as file {study_file.position}"
            f"{' (main file)' if study_file.is_main else ''}. "
            "Run `manage.py process_files` to read its pages (make run does it by itself)."
        )

    def remove(self, study: Study, path: Path | None, label: str) -> None:
        files = list(StudyFile.objects.filter(study=study))
        if label:
            files = [candidate for candidate in files if candidate.label == label]
        if path is not None:
            wanted = file_sha256(path)
            files = [candidate for candidate in files if stored_sha256(candidate) == wanted]
        if not files:
            raise CommandError(f"“{study}” has no such file to remove.")
        if len(files) > 1:
            raise CommandError(
                f"“{study}” has {len(files)} files that match: name one with --label or a path."
            )
        remove_study_file(study_file=files[0])
        self.stdout.write(f"Removed {files[0]} from “{study}”.")


def stored_sha256(study_file: StudyFile) -> str:
    """The checksum processing stored, or the stored bytes' own when not yet processed."""
    if study_file.sha256:
        return study_file.sha256
    try:
        return file_sha256(Path(study_file.file.path))
    except (FileNotFoundError, NotImplementedError):
        return ""
