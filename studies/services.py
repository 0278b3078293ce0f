"""Writes of the study library: publishing and unpublishing studies, saving an author list,
attaching and removing a study's files.

The admin calls these, and so can commands and imports: each is one transaction, checks the
library's rules first and says what it did or why not. The database checks the same rules again
at commit (`studies/sql/rules.sql`, `evaluation/migrations/0003_rules.py`); a write that breaks
one there (another curator's change in between) ends as a `ValidationError` with the rule's
words, never as a database error.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from evaluation.public import programs_citing_studies

from .models import (
    Authorship,
    Study,
    StudyFile,
    StudyStatus,
    publication_requirement_message,
)

# What the status rules read: `Study.missing_for_publication()` reads the row's copies of its
# links, and the messages name the study.
STATUS_COLUMNS = [
    "pk",
    "title",
    "short_title",
    "status",
    "is_multi_country",
    "country_codes",
    "type_slugs",
    "author_slugs",
]


@dataclass(frozen=True)
class StatusChange:
    """What setting the status of a selection of studies did."""

    status: StudyStatus
    changed: list[Study] = field(default_factory=list)
    unchanged: list[Study] = field(default_factory=list)  # had that status already
    refused: list[tuple[Study, str]] = field(default_factory=list)  # (study, the rule it breaks)


def database_message(error: IntegrityError) -> str:
    """The rule's own words from a trigger's error, without PostgreSQL's context lines."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "message_primary", None) or str(error)


def draft_cited_message(program_names: list[str]) -> str:
    names = ", ".join(f"“{name}”" for name in program_names)
    return (
        f"A study that a program cites stays published; cited by {names}. "
        "Remove it from the program first."
    )


def reasons_to_stay_published(study_ids: Collection[int]) -> dict[int, str]:
    """{study id: why it cannot become a draft} for the studies among `study_ids` that a
    program cites (as one of its studies or as the source of a figure)."""
    citing = programs_citing_studies(study_ids)
    return {study_id: draft_cited_message(names) for study_id, names in citing.items()}


def publish_studies(*, studies: QuerySet[Study]) -> StatusChange:
    """Publish the drafts among `studies` that have what a published study needs; the others
    are refused, each with what it lacks."""
    return _set_status(studies, Study.Status.PUBLISHED)


def unpublish_studies(*, studies: QuerySet[Study]) -> StatusChange:
    """Make the published studies among `studies` drafts, except those a program cites."""
    return _set_status(studies, Study.Status.DRAFT)


def _set_status(studies: QuerySet[Study], status: StudyStatus) -> StatusChange:
    # One UPDATE of one column for the whole selection. The status's rules are checked here
    # rather than by `full_clean()` on each study, which would re-read and re-check every other
    # field of every selected study for a change that touches none of them.
    selected = list(studies.select_related(None).prefetch_related(None).only(*STATUS_COLUMNS))
    unchanged = [study for study in selected if study.status == status]
    changing = [study for study in selected if study.status != status]
    if status == Study.Status.PUBLISHED:
        reasons = {
            study.pk: publication_requirement_message(missing)
            for study in changing
            if (missing := study.missing_for_publication())
        }
    else:
        reasons = reasons_to_stay_published([study.pk for study in changing])
    refused = [(study, reasons[study.pk]) for study in changing if study.pk in reasons]
    changing = [study for study in changing if study.pk not in reasons]
    try:
        with transaction.atomic():
            Study.objects.filter(pk__in=[study.pk for study in changing]).update(
                status=status, updated_at=timezone.now()
            )
    except IntegrityError as error:
        raise ValidationError(database_message(error)) from error
    for study in changing:
        study.status = status
    return StatusChange(
        status=status,
        changed=changing,
        unchanged=unchanged,
        refused=refused,
    )


def save_author_list(
    *, study: Study, authorships: Sequence[Authorship], removed: Iterable[Authorship] = ()
) -> None:
    """Write the new and changed rows of `study`'s author list and delete the `removed` ones.

    Rows whose position or author changed are removed first and written back with their ids, so
    that reordering (swapping positions 1 and 2) never collides with a row not yet saved. Each
    row passes `full_clean()` before it is written.
    """
    stored = {
        pk: (position, author_id)
        for pk, position, author_id in Authorship.objects.filter(study=study)
        .order_by()
        .values_list("pk", "position", "author_id")
    }
    moved = {
        row.pk
        for row in authorships
        if row.pk in stored and stored[row.pk] != (row.position, row.author_id)
    }
    with transaction.atomic():
        gone = [row.pk for row in removed if row.pk is not None] + list(moved)
        Authorship.objects.filter(study=study, pk__in=gone).delete()
        for row in authorships:
            row.study = study
            row.full_clean()
            row.save(force_insert=row.pk in moved)


# --- Study files ---------------------------------------------------------------------------------


def attach_study_file(
    *,
    study: Study,
    content: "File[Any]",
    label: str = "",
    language: str = "",
    is_main: bool = False,
) -> StudyFile:
    """Attach the PDF `content` to `study` after the model's checks (the bytes are a PDF pypdf
    opens, within the size limit; the stored name is generated), last in the study's order.

    The study's first file is its main file; `is_main` makes this one the main file instead of
    the current one. Processing (pages, text, preview) is left to `process_files`.
    Raises ValidationError with the model's messages.
    """
    with transaction.atomic():
        # One writer at a time per study, so positions and the main file stay consistent.
        Study.objects.select_for_update().filter(pk=study.pk).first()
        existing = StudyFile.objects.filter(study=study)
        last = existing.aggregate(last=Max("position"))["last"] or 0
        has_main = existing.filter(is_main=True).exists()
        study_file = StudyFile(
            study=study,
            file=content,
            label=label.strip(),
            language=language.strip(),
            position=last + 1,
            is_main=is_main or not has_main,
        )
        study_file.full_clean(exclude=["study"])
        if study_file.is_main and has_main:
            existing.filter(is_main=True).update(is_main=False)
        study_file.save()
    return study_file


def remove_study_file(*, study_file: StudyFile) -> None:
    """Detach a file; its stored bytes leave storage after the commit. When it was the main
    file, the next one in order becomes the main file."""
    with transaction.atomic():
        study = study_file.study
        was_main = study_file.is_main
        study_file.delete()
        if was_main:
            following = StudyFile.objects.filter(study=study).order_by("position", "id").first()
            if following is not None:
                following.is_main = True
                following.save(update_fields=["is_main"])
