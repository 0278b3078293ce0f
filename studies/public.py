"""What program evaluation may use of the study library besides its models.

Other apps call these (and read `studies.models`), never the library's other modules; the
architecture test (`tests/architecture/test_app_boundaries.py`) holds them to it.
"""

from .querysets import STUDY_TEXT_FIELDS, StudyQuerySet

# The type of `Study.objects` and its filters, for other apps' annotations.
__all__ = ["STUDY_TEXT_FIELDS", "StudyQuerySet", "defer_study_text"]


def defer_study_text(relation: str) -> list[str]:
    """`defer()` arguments that leave out a related study's heavy columns (description, search
    document, copied links): a link to a study needs its title and address only."""
    return [f"{relation}__{field}" for field in STUDY_TEXT_FIELDS]
