"""Under the site's Content-Security-Policy, the public pages and the curator's admin work and the
browser reports no violation: nothing inline was left that the policy refuses."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CURATOR_PASSWORD, CURATOR_USERNAME
from .test_curator import pick_by_autocomplete

# Collected in the page itself: the browser fires this event for every refused script, style,
# image or connection. Init scripts run outside the page's policy.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} `
        + `at ${event.sourceFile}:${event.lineNumber}`);
});
"""
PUBLIC_PAGES = [
    "/",
    "/studies/",
    "/studies/?country=KH,PH&sort=newest",
    "/studies/child-sex-trafficking-in-metro-manila/",
    "/programs/",
]


def watch(page):
    """`page`, collecting every CSP violation and console error it reports."""
    messages = []
    page.on(
        "console",
        lambda message: messages.append(message.text) if message.type == "error" else None,
    )
    page.context.add_init_script(COLLECT_VIOLATIONS)

    def violations() -> list[str]:
        reported = page.evaluate("() => window.__cspViolations || []")
        refused = [text for text in messages if "Content Security Policy" in text]
        return reported + refused

    page.violations = violations
    return page


@pytest.fixture
def watched_page(page):
    return watch(page)


@pytest.fixture
def watched_admin_page(browser, fresh_served_site):
    context = browser.new_context(base_url=fresh_served_site.url)
    context.set_default_timeout(10_000)
    yield watch(context.new_page())
    context.close()


def test_public_pages_report_no_violation(watched_page, served_site):
    page = watched_page
    pages = [*PUBLIC_PAGES]
    page.goto("/programs/")
    # A program's page: the first card's link (the list also links its downloads).
    pages.append(page.locator("main .cards a[href^='/programs/']").first.get_attribute("href"))
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.violations() == [], path
    # The stylesheet applied: the histogram's bars are drawn with a width.
    page.goto("/studies/")
    bar = page.locator(".histogram .bar rect").last
    expect(bar).to_have_attribute("width", re.compile(r"^\d+%$"))


def test_the_admin_works_with_no_violation(watched_admin_page):
    page = watched_admin_page
    page.goto("/admin/")
    page.get_by_label("Username").fill(CURATOR_USERNAME)
    page.get_by_label("Password").fill(CURATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()
    assert page.violations() == []

    page.goto("/admin/studies/study/")
    expect(page.locator("#result_list")).to_be_visible()
    assert page.violations() == []

    page.locator("#result_list tbody a").first.click()
    expect(page.get_by_label("Title:", exact=True)).not_to_have_value("")
    # The admin's scripts run: select2 autocomplete, the collapsible fieldset.
    page.locator("#id_resource_types + .select2-container").click()
    page.locator(".select2-container--open .select2-search__field").fill("White")
    page.locator(".select2-results__option", has_text="Article or White Paper").click()
    checked = page.locator("#id_resource_types option:checked", has_text="Article or White Paper")
    expect(checked).to_have_count(1)
    page.get_by_role("heading", name="History").click()
    expect(page.get_by_text("Created at:")).to_be_visible()
    assert page.violations() == []

    # The record's history page (history/admin.py) and its stylesheet.
    page.goto(page.url.rstrip("/").removesuffix("/change") + "/history/")
    expect(page.locator(".history-table")).to_be_visible()
    assert page.violations() == []

    page.goto("/admin/studies/study/add/")
    page.get_by_label("Title:", exact=True).press_sequentially("A new study")
    expect(page.get_by_label("Slug:")).to_have_value("a-new-study")  # prepopulated by script
    pick_by_autocomplete(page, "id_resource_types", "Endline", "Endline Study")
    assert page.violations() == []

    # The indicator page's measurement blocks and the measurement pages, with their stylesheet.
    page.goto("/admin/evaluation/indicator/")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#measurements-group")).to_be_visible()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#measurements-group .form-multiline')).display"
    ) == ("grid")
    page.get_by_role("link", name="Edit measurements of this indicator").click()
    page.locator("#result_list tbody th a").first.click()
    expect(page.get_by_label("Phase:")).to_be_visible()
    assert page.violations() == []
