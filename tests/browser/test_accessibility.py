"""Accessibility: axe-core on the public pages, the keyboard path to the content, a phone screen.

axe's colour-contrast rule needs the real stylesheet, hence the first test: gunicorn (through
WhiteNoise) must serve it.
"""

import re

import pytest
from playwright.sync_api import expect

STUDY_PAGES = {
    "home": "/",
    "study list": "/studies/",
    # Respelled search (“did you mean”), two countries, a month range: notices, chips, facets.
    "study list, searched and filtered": (
        "/studies/?q=Cambodai&country=KH&country=TH&from=2014-03&to=2018-08&sort=newest"
    ),
    # Nothing found: the suggestions of filters to drop.
    "study list, no results": "/studies/?country=AU&type=endline-study",
    "study detail": "/studies/labour-trafficking-in-cambodia/",
}


def test_the_stylesheet_is_served(page, served_site):
    response = page.request.get("/static/css/site.css")
    assert response.status == 200, served_site.log()
    assert response.headers["content-type"].startswith("text/css")
    page.goto("/studies/")
    # The stylesheet applies: the skip link is moved off screen until it has focus.
    assert page.locator(".skip-link").first.bounding_box()["x"] < 0


@pytest.mark.parametrize("path", STUDY_PAGES.values(), ids=STUDY_PAGES.keys())
def test_study_pages_have_no_serious_accessibility_violations(
    page, served_site, check_accessibility, path
):
    response = page.goto(path)
    assert response.status == 200, served_site.log()
    check_accessibility(page)


def test_program_pages_have_no_serious_accessibility_violations(
    page, served_site, check_accessibility
):
    response = page.goto("/programs/")
    assert response.status == 200, served_site.log()
    check_accessibility(page)
    links = page.locator("main a[href^='/programs/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    details = [href for href in links if re.fullmatch(r"/programs/[-\w]+/", href)]
    assert details, "the program list links to the demo programs"
    print(f"axe on {details[0]}")
    response = page.goto(details[0])
    assert response.status == 200, served_site.log()
    check_accessibility(page)


def test_axe_fails_a_page_with_a_serious_violation(browser, check_accessibility):
    """The check can fail: axe-core (from axe-playwright-python) runs and its findings count."""
    page = browser.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
        with pytest.raises(AssertionError, match="image-alt"):
            check_accessibility(page)
    finally:
        page.close()


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page, served_site):
    page.goto("/studies/")
    page.keyboard.press("Tab")
    # The study list offers a shorter way first (tests/browser/test_phone_and_keyboard.py).
    expect(page.get_by_role("link", name="Skip to results")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    # Focused, it is on screen.
    box = page.get_by_role("link", name="Skip to content").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{served_site.url}/studies/#main")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes on from the content, not back to the header.
    page.keyboard.press("Tab")
    in_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert in_main, page.evaluate("document.activeElement.outerHTML")


PHONE = {"width": 375, "height": 700}


@pytest.mark.parametrize("path", ["/studies/", "/studies/labour-trafficking-in-cambodia/", "/"])
def test_no_horizontal_scrolling_on_a_phone(browser, served_site, path):
    context = browser.new_context(viewport=PHONE, base_url=served_site.url, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE["width"] + 1:
            too_wide = page.evaluate(
                """width => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .slice(0, 10)
                    .map(e => e.outerHTML.slice(0, 150))""",
                PHONE["width"],
            )
            pytest.fail(
                f"{path} is {scroll_width}px wide on a {PHONE['width']}px screen; too wide:\n"
                + "\n".join(too_wide)
            )
    finally:
        context.close()


SPANISH_PAGES = {
    **{f"{name} (es)": f"/es{path}" for name, path in STUDY_PAGES.items()},
    "program list (es)": "/es/programs/",
    "program page (es)": "/es/programs/cambodia-sex-trafficking-of-children/",
}


@pytest.mark.parametrize("path", SPANISH_PAGES.values(), ids=SPANISH_PAGES.keys())
def test_spanish_pages_have_no_serious_accessibility_violations(
    page, served_site, check_accessibility, path
):
    for width, height in [(375, 812), (1366, 900)]:  # a phone and a laptop
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(path)
        assert response.status == 200, served_site.log()
        assert page.locator("html").get_attribute("lang") == "es"
        check_accessibility(page)
