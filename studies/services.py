"""Writes of the study library: publishing and unpublishing studies, saving an author list.

The admin calls these, and so can commands and imports: each is one transaction, checks the
library's rules first and says what it did or why not. The database checks the same rules again
at commit (`studies/sql/rules.sql`, `evaluation/migrations/0003_rules.py`); a write that breaks
one there (another curator's change in between) ends as a `ValidationError` with the rule's
words, never as a database error.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from evaluation.public import programs_citing_studies

from .models import Authorship, Study, StudyStatus, publication_requirement_message

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
