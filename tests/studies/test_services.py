"""The study library's writes (`studies.services`), called as the admin, a command or an import
would call them: what each one does, what it refuses and how it says so."""

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import Program, ProgramStudy
from studies.models import Authorship, Country, Study, Subject
from studies.services import publish_studies, save_author_list, unpublish_studies


def selection(*studies: Study):
    return Study.objects.filter(pk__in=[study.pk for study in studies])


def test_publishing_publishes_complete_drafts_and_reports_the_rest(make_study, make_author):
    complete = make_study("Complete", status="draft", authors=[make_author()], countries=["KH"])
    lacking = make_study("Notes", status="draft")
    published = make_study("Already out")

    result = publish_studies(studies=selection(complete, lacking, published))

    assert [study.pk for study in result.changed] == [complete.pk]
    assert [study.pk for study in result.unchanged] == [published.pk]
    assert [(study.pk, reason) for study, reason in result.refused] == [
        (
            lacking.pk,
            "A published study needs an author and a country (or “multiple countries”). "
            "Add what is missing, or keep it as a draft.",
        )
    ]
    assert dict(Study.objects.values_list("title", "status")) == {
        "Complete": "published",
        "Notes": "draft",
        "Already out": "published",
    }


def test_unpublishing_keeps_a_study_that_a_program_cites(make_study):
    cited, uncited = make_study("Evaluation"), make_study("Notes")
    program = Program.objects.create(
        name="Project Lantern",
        slug="project-lantern",
        country=Country.objects.get_or_create(code="PH", defaults={"name": "Philippines"})[0],
        area="Metro Cebu",
        subject=Subject.objects.get(slug="sex-trafficking"),
        start_month="2010-01-01",
    )
    ProgramStudy.objects.create(program=program, study=cited, role="evaluation")

    result = unpublish_studies(studies=selection(cited, uncited))

    assert [study.pk for study in result.changed] == [uncited.pk]
    [(kept, reason)] = result.refused
    assert kept.pk == cited.pk
    assert reason.startswith("A study that a program cites stays published; cited by “Project")
    cited.refresh_from_db()
    assert cited.status == Study.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_rule_the_database_checks_at_commit_ends_as_a_validation_error(make_study):
    """Another curator's change between the check and the commit: the trigger's own words."""
    draft = make_study("Notes", status="draft", countries=["KH"])
    # The row's copy of its authors says it has one (as it would have a moment ago); it has none.
    Study.objects.filter(pk=draft.pk).update(author_slugs=["someone"])

    with pytest.raises(ValidationError) as refused:
        publish_studies(studies=selection(draft))

    assert refused.value.messages == [
        "The published study “Notes” needs an author. Add what is missing, or keep it as a draft."
    ]
    draft.refresh_from_db()
    assert draft.status == Study.Status.DRAFT


def authors_in_order(study: Study) -> list[tuple[int, str]]:
    return [(row.pk, row.author.name) for row in study.authorships.order_by("position")]


def test_swapping_two_authors_keeps_each_rows_id(make_study, make_author):
    first, second = make_author("First"), make_author("Second")
    study = make_study(authors=[first, second])
    one, two = study.authorships.order_by("position")
    one.position, two.position = 2, 1

    save_author_list(study=study, authorships=[one, two])

    assert authors_in_order(study) == [(two.pk, "Second"), (one.pk, "First")]


def test_a_new_author_and_a_removed_one_in_one_save(make_study, make_author):
    study = make_study(authors=[make_author("Leaving"), make_author("Staying")])
    leaving, staying = study.authorships.order_by("position")
    staying.position = 1
    newcomer = Authorship(author=make_author("Newcomer"), position=2)

    save_author_list(study=study, authorships=[staying, newcomer], removed=[leaving])

    assert [name for _pk, name in authors_in_order(study)] == ["Staying", "Newcomer"]


def test_a_position_held_by_a_stored_author_is_refused_and_nothing_changes(make_study, make_author):
    study = make_study(authors=[make_author("First"), make_author("Second")])
    before = authors_in_order(study)
    newcomer = Authorship(author=make_author("Newcomer"), position=2)

    with pytest.raises(ValidationError, match="Two authors cannot share one position."):
        save_author_list(study=study, authorships=[newcomer])

    assert authors_in_order(study) == before
