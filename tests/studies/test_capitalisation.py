"""One capitalisation style per vocabulary: the admin warns, and saves the label as written."""

import pytest

from studies.capitalisation import Style, capitalisation_style, capitalisation_warning
from studies.models import ResourceType, Subject

TITLE_CASE = ["Forced Labour", "Modern Slavery in Supply Chains", "Violence Against Children"]


@pytest.mark.parametrize(
    ("label", "style"),
    [
        ("Modern Slavery in Supply Chains", Style.TITLE),
        ("Cybersex trafficking of children", Style.SENTENCE),
        ("Child sex trafficking in Metro Manila", Style.SENTENCE),  # proper nouns in a sentence
        ("Land", None),  # one word cannot tell
        ("Land of IJM", None),  # nor short words and acronyms
    ],
)
def test_capitalisation_style(label, style):
    assert capitalisation_style(label) == style


def test_a_label_unlike_most_others_gets_a_warning():
    warning = capitalisation_warning("Land theft", TITLE_CASE, "subjects")
    assert warning == (
        "“Land theft” is in Sentence case, but most subjects are in Title Case "
        "(e.g. “Forced Labour”). The site reads best with one style."
    )


def test_no_warning_in_the_usual_style_or_without_a_majority():
    assert capitalisation_warning("Land Theft", TITLE_CASE, "subjects") is None
    assert capitalisation_warning("Land theft", ["Forced Labour", "Sex trafficking"], "x") is None
    assert capitalisation_warning("Land theft", [], "subjects") is None


def test_admin_saves_an_unusual_label_with_a_warning(admin_client, db):
    for name in TITLE_CASE:
        Subject.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    response = admin_client.post(
        "/admin/studies/subject/add/", {"name": "Land theft", "slug": "land-theft"}, follow=True
    )
    assert Subject.objects.filter(name="Land theft").exists()
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert ("warning", capitalisation_warning("Land theft", TITLE_CASE, "subjects")) in messages


def test_admin_saves_a_usual_label_without_a_warning(admin_client, db):
    ResourceType.objects.create(name="Program Evaluation", slug="program-evaluation")
    ResourceType.objects.create(name="Crime Prevalence Study", slug="crime-prevalence-study")
    response = admin_client.post(
        "/admin/studies/resourcetype/add/",
        {"name": "Impact Study", "slug": "impact-study"},
        follow=True,
    )
    assert ResourceType.objects.filter(name="Impact Study").exists()
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
