"""What the study library may ask of program evaluation: which programs and figures cite a study,
and the programs its home page shows.

Other apps call these (and read `evaluation.models`), never evaluation's other modules; the
architecture test (`tests/architecture/test_app_boundaries.py`) holds them to it.
"""

from collections.abc import Collection

from django.db.models import QuerySet

from studies.models import Study

from .models import Measurement, Program, ProgramStudy
from .presentation import ProgramCard, program_cards


def measurements_citing(study: Study) -> QuerySet[Measurement]:
    """The measurements whose source is `study`, with their indicator and program loaded."""
    return (
        Measurement.objects.filter(source_study=study)
        .select_related("indicator__program")
        .order_by("indicator__program__name", "indicator__position", "period_start")
    )


def programs_citing(study: Study) -> QuerySet[ProgramStudy]:
    """The programs that name `study` as one of theirs, as links: `link.program`, `link.role`."""
    return (
        ProgramStudy.objects.filter(study=study).select_related("program").order_by("program__name")
    )


def programs_citing_studies(study_ids: Collection[int]) -> dict[int, list[str]]:
    """{study id: names of the programs that cite it}, as one of their studies or as the source
    of a figure, for the studies among `study_ids` that any program cites (two queries)."""
    pairs = set(
        ProgramStudy.objects.filter(study_id__in=study_ids).values_list("study_id", "program__name")
    )
    pairs |= set(
        Measurement.objects.filter(source_study_id__in=study_ids)
        .values_list("source_study_id", "indicator__program__name")
        .distinct()
    )
    citing: dict[int, list[str]] = {}
    for study_id, name in sorted(pairs, key=lambda pair: pair[1]):
        citing.setdefault(study_id, []).append(name)
    return citing


def home_program_cards(limit: int) -> list[ProgramCard]:
    """Up to `limit` program cards for the home page (headline change in words, sparkline), the
    programs with a published change first."""
    cards = program_cards(Program.objects.for_home()[:limit], with_sparklines=True)
    return sorted(cards, key=lambda card: card.headline_change is None)


def programs_with_monitoring_figures(limit: int) -> QuerySet[Program]:
    """Up to `limit` programs that publish monitoring figures (where the home page's “monitor”
    step links)."""
    return Program.objects.with_monitoring_figures()[:limit]
