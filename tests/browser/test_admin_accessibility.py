"""The curators' admin with a screen reader, on a phone and a laptop, and without JavaScript.

axe-core finds no serious or critical violation on any page a curator uses, at 375 and 1366 px;
the indicator and measurement pages fit the screen's width; a study can be added with
JavaScript turned off (the autocomplete fields are then plain selects).

Each test has a gunicorn of its own (`fresh_served_site`): the admin caches content type ids,
and these tests write (a history event, a study).
"""

import re

import pytest
from playwright.sync_api import expect

from studies.models import Study

from .conftest import CURATOR_PASSWORD, CURATOR_USERNAME

WIDTHS = {"phone": (375, 812), "laptop": (1366, 900)}
# Each vocabulary and record a curator keeps: its list, its add form, one change form.
CHANGELISTS = [
    "studies/study",
    "studies/author",
    "studies/country",
    "studies/subject",
    "studies/resourcetype",
    "evaluation/program",
    "evaluation/indicator",
    "evaluation/measurement",
]
# Pages that held wide tables of inputs: they must fit the screen's width.
FIT_THE_SCREEN = ("evaluation/indicator", "evaluation/measurement")


def log_in(page) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(CURATOR_USERNAME)
    page.get_by_label("Password").fill(CURATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def record_pages(page) -> dict[str, str]:
    """The index and each model's list, add form and first change form, found from the lists as
    a curator would."""
    pages = {"index": "/admin/"}
    for model in CHANGELISTS:
        changelist = f"/admin/{model}/"
        page.goto(changelist)
        pages[f"{model} list"] = changelist
        pages[f"{model} add"] = f"{changelist}add/"
        pages[f"{model} change"] = page.locator("#result_list tbody th a").first.get_attribute(
            "href"
        )
    return pages


def curator_pages(page) -> dict[str, str]:
    """Every page a curator uses, by name: the records' pages, a history and a restore page."""
    pages = record_pages(page)
    study = pages["studies/study change"]
    pages["studies/study history"] = study.replace("/change/", "/history/")
    page.goto(pages["studies/study history"])
    pages["studies/study restore"] = page.get_by_role(
        "link", name=re.compile("Restore this version")
    ).first.get_attribute("href")
    page.goto("/admin/evaluation/measurement/")
    pages["evaluation/measurement import"] = page.get_by_role(
        "link", name=re.compile("Import measurements|Importar mediciones")
    ).get_attribute("href")
    return pages


@pytest.fixture
def admin_browser(browser, fresh_served_site):
    """`open_page(width, height)`: a new browser context on this test's server."""
    contexts = []

    def open_page(width, height, **options):
        context = browser.new_context(
            base_url=fresh_served_site.url, viewport={"width": width, "height": height}, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_every_curator_page_has_no_serious_violation_and_fits_the_screen(
    admin_browser, check_accessibility
):
    # An earlier version of a study, for the restore page.
    study = Study.objects.order_by("pk").first()
    study.short_title = "An earlier short title"
    study.save()

    failures = []
    for device, (width, height) in WIDTHS.items():
        page = admin_browser(width, height)
        page.goto("/admin/login/")
        check_accessibility(page)
        log_in(page)
        for name, path in curator_pages(page).items():
            response = page.goto(path)
            assert response.status == 200, f"{name}: {path}"
            try:
                check_accessibility(page)
            except AssertionError as error:
                failures.append(f"{device}, {name}: {error}")
            if name.startswith(FIT_THE_SCREEN) and horizontal_overflow(page) > 0:
                failures.append(f"{device}, {name}: {horizontal_overflow(page)} px too wide")
    assert not failures, "\n\n".join(failures)


def test_select2_fields_opened_have_no_serious_violation(admin_browser, check_accessibility):
    """The search field of an open autocomplete (drawn by select2) is named after the field."""
    page = admin_browser(*WIDTHS["laptop"])
    log_in(page)
    page.goto("/admin/studies/study/")
    page.locator("#result_list tbody th a").first.click()

    countries = page.locator("#id_countries + .select2-container")
    expect(countries.get_by_role("combobox")).to_have_accessible_name(re.compile("^Countries"))
    countries.locator(".select2-search__field").fill("Cam")
    expect(page.locator(".select2-results__option", has_text="Cambodia")).to_be_visible()
    check_accessibility(page)
    page.keyboard.press("Escape")

    # A single select's search field is in its dropdown.
    page.locator("#id_authorships-0-author + .select2-container").click()
    search = page.locator(".select2-container--open .select2-search__field")
    expect(search).to_have_accessible_name("Author, row 1")
    check_accessibility(page)


def test_the_measurement_blocks_show_figure_period_and_source_together(admin_browser):
    """On a laptop, a measurement's phase, period, value and source are all on screen."""
    page = admin_browser(*WIDTHS["laptop"])
    log_in(page)
    page.goto("/admin/evaluation/indicator/")
    page.locator("#result_list tbody th a").first.click()
    assert horizontal_overflow(page) == 0
    block = page.locator("#measurements-0")
    for field in ["phase", "period_start", "period_end", "value_kind", "value", "source_study"]:
        box = block.locator(f".field-{field}").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, (field, box)
    # Each measurement has a page of its own, one link away.
    page.get_by_role("link", name="Edit measurements of this indicator").click()
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    assert horizontal_overflow(page) == 0


def test_a_curator_adds_a_study_without_javascript(admin_browser):
    """With JavaScript off, the autocomplete fields are plain selects of every choice."""
    page = admin_browser(*WIDTHS["laptop"], java_script_enabled=False)
    log_in(page)
    page.goto("/admin/studies/study/add/")
    title = "Police Response to Land Theft in Gulu, 2019-2024"
    page.get_by_label("Title:", exact=True).fill(title)
    page.get_by_label("Slug:").fill("police-response-gulu")  # no script fills it
    page.get_by_label("Publication month:").fill("2024-05")
    page.locator("#id_resource_types").select_option(label="Endline Study")
    page.get_by_label("Subject:").select_option(label="Land theft")
    page.locator("#id_countries").select_option(label="Uganda")
    page.get_by_label("Status:").select_option(label="Published")
    page.get_by_label("Author, row 1").select_option(label="Robin Haarr")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    study = Study.objects.get(slug="police-response-gulu")
    assert [a.author.name for a in study.authorships.all()] == ["Robin Haarr"]
    assert [c.name for c in study.countries.all()] == ["Uganda"]
    assert [t.name for t in study.resource_types.all()] == ["Endline Study"]


def test_every_curator_page_in_spanish_has_no_serious_violation(admin_browser, check_accessibility):
    # The admin follows the browser's language: a curator whose browser asks for Spanish.
    failures = []
    for device, (width, height) in WIDTHS.items():
        page = admin_browser(width, height, extra_http_headers={"Accept-Language": "es"})
        page.goto("/admin/login/")
        assert page.locator("html").get_attribute("lang") == "es"
        check_accessibility(page)
        page.locator("#id_username").fill(CURATOR_USERNAME)
        page.locator("#id_password").fill(CURATOR_PASSWORD)
        page.locator("input[type=submit]").click()
        expect(page.locator("#user-tools")).to_be_visible()
        pages = record_pages(page)
        for model in CHANGELISTS:
            pages[f"{model} history"] = pages[f"{model} change"].replace("/change/", "/history/")
        for name, path in pages.items():
            response = page.goto(path)
            assert response.status == 200, f"{name}: {path}"
            try:
                check_accessibility(page)
            except AssertionError as error:
                failures.append(f"{device}, {name}: {error}")
    assert not failures, "\n\n".join(failures)


def test_a_curator_revises_a_target_on_a_phone_without_javascript(
    admin_browser, check_accessibility
):
    """The “Revise this target…” link opens a form filled in from the current target; saved,
    both targets are listed and only the new one can be revised. Readable at 375 px."""
    import datetime

    from evaluation.models import Indicator, Target

    old = Target.objects.create(
        indicator=Indicator.objects.order_by("pk").first(),
        period_start=datetime.date(2015, 1, 1),
        period_end=datetime.date(2015, 12, 1),
        value=10,
        date_set=datetime.date(2012, 3, 1),
        set_by="Program board",
    )
    revise_url = f"/admin/evaluation/target/add/?revises={old.pk}"
    # With scripts on (axe and the width are measured by script): the form reads well.
    phone = admin_browser(*WIDTHS["phone"])
    log_in(phone)
    phone.goto(revise_url)
    check_accessibility(phone)
    assert horizontal_overflow(phone) == 0

    # The journey itself with scripts off.
    page = admin_browser(*WIDTHS["phone"], java_script_enabled=False)
    log_in(page)
    page.goto(f"/admin/evaluation/indicator/{old.indicator_id}/change/")
    page.get_by_role("link", name="Revise this target…").click()
    expect(page.get_by_label("Value:")).to_have_value("10.0000")
    page.get_by_label("Value:").fill("6")
    page.get_by_label("Date set:").fill("2013-06-01")
    page.get_by_label("Set by:").fill("Donor review")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.get_by_role("link", name="Revise this target…")).to_have_count(1)
    assert Target.objects.get(pk=old.pk).is_current is False
    assert Target.objects.get(revises=old).value == 6


def test_a_measurements_method_and_quality_fit_a_phone(admin_browser, check_accessibility):
    page = admin_browser(*WIDTHS["phone"])
    log_in(page)
    page.goto("/admin/evaluation/measurement/")
    page.locator("#result_list tbody th a").first.click()
    page.get_by_text("Method and data quality").click()  # opens the folded fieldset
    expect(page.get_by_label("Validity:", exact=True)).to_be_visible()
    check_accessibility(page)
    assert horizontal_overflow(page) == 0
