"""The study list on a phone (375 px) and a laptop (1366 px), by touch, mouse and keyboard alone.

On a phone the results come first: the filters wait behind a “Filters (N active)” disclosure,
with or without JavaScript. From the keyboard, a skip link leads to the results, and ticking a
facet applies it at once.
"""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}
WIDTHS = {"phone": PHONE, "laptop": LAPTOP}
MAX_TABS_TO_FIRST_RESULT = 10


@pytest.fixture
def open_page(browser, served_site):
    """`open_page(viewport, javascript=True)`: a page of its own browser context at that size."""
    contexts = []

    def open_(viewport, javascript=True):
        context = browser.new_context(
            viewport=viewport,
            base_url=served_site.url,
            java_script_enabled=javascript,
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def focused_is_a_study_link(page) -> bool:
    return page.evaluate("document.activeElement.matches('.cards .card h3 a')")


def tab_to_first_result(page, tabs: int = 0) -> int:
    """Press Tab until a study's link has focus, Enter on “Skip to results” on the way; the
    number of Tab presses it took, counting on from `tabs`."""
    while not focused_is_a_study_link(page):
        assert tabs < 60, "the keyboard never reaches a study"
        page.keyboard.press("Tab")
        tabs += 1
        if page.evaluate("document.activeElement.textContent.trim() === 'Skip to results'"):
            page.keyboard.press("Enter")
    return tabs


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    "path", ["/studies/", "/studies/?country=KH&country=PH&subject=sex-trafficking"]
)
def test_a_phone_shows_the_first_result_in_the_first_screen(open_page, path, javascript):
    page = open_page(PHONE, javascript)
    page.goto(path)
    first = page.locator(".cards .card").first.get_by_role("link")
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    # The active filters are shown above the results, not only inside the folded form.
    if "country" in path:
        chips = page.get_by_role("list", name="Active filters")
        expect(chips).to_be_in_viewport()
        assert chips.bounding_box()["y"] < box["y"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_phone_folds_the_filters_behind_a_disclosure_that_counts_them(open_page, javascript):
    page = open_page(PHONE, javascript)
    page.goto("/studies/?country=KH&country=PH&subject=sex-trafficking")
    disclosure = page.locator("summary")
    expect(disclosure).to_have_text("Filters (3 active)")
    search = page.get_by_label("Search", exact=True)
    expect(search).to_be_hidden()
    disclosure.click()
    expect(search).to_be_visible()
    expect(page.get_by_role("group", name="Country").get_by_label("Cambodia")).to_be_checked()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_laptop_shows_the_filters_beside_the_results(open_page, javascript):
    page = open_page(LAPTOP, javascript)
    page.goto("/studies/?country=KH")
    expect(page.locator("summary")).to_be_hidden()  # nothing to unfold
    search = page.get_by_label("Search", exact=True)
    expect(search).to_be_visible()
    first = page.locator(".cards .card").first
    expect(first).to_be_in_viewport()
    assert search.bounding_box()["x"] < first.bounding_box()["x"]  # the form on the left


@pytest.mark.parametrize("width", WIDTHS)
def test_skip_to_results_reaches_the_first_study_in_two_tabs(open_page, width):
    page = open_page(WIDTHS[width])
    page.goto("/studies/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # on screen while focused
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="26 studies found")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused_is_a_study_link(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_keyboard_alone_filters_and_reaches_the_first_result_in_ten_tabs(
    open_page, served_site, width
):
    page = open_page(WIDTHS[width])
    page.goto("/studies/")
    tabs = 0
    # To the content (skipping the header), then into the filters.
    for _ in range(2):
        page.keyboard.press("Tab")
        tabs += 1
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    australia = page.get_by_role("group", name="Country").get_by_label("Australia")
    while not page.evaluate("document.activeElement.matches('input[type=checkbox]')"):
        page.keyboard.press("Tab")
        tabs += 1
        if page.evaluate("document.activeElement.tagName === 'SUMMARY'"):
            page.keyboard.press("Enter")  # unfold the filters (a phone)
        assert tabs < MAX_TABS_TO_FIRST_RESULT, "the first facet is too far"
    expect(australia).to_be_focused()
    # Ticking applies the filter, and the new page opens at its results.
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(f"{served_site.url}/studies/?country=AU#results")
    expect(page.get_by_role("heading", name="1 study found")).to_be_focused()
    tabs = tab_to_first_result(page, tabs)
    expect(page.get_by_role("link", name="Spot Fires In Supply Chains")).to_be_focused()
    assert tabs <= MAX_TABS_TO_FIRST_RESULT, f"{tabs} Tab presses"
    print(f"{width}: {tabs} Tab presses from the page's load to the filtered first result")


@pytest.mark.parametrize("width", WIDTHS)
def test_from_a_fresh_page_the_first_result_is_ten_tabs_away_at_most(open_page, width):
    page = open_page(WIDTHS[width])
    page.goto("/studies/?country=KH&country=PH&subject=sex-trafficking")
    tabs = tab_to_first_result(page)
    assert tabs <= MAX_TABS_TO_FIRST_RESULT, f"{tabs} Tab presses"


def test_without_javascript_a_tick_waits_for_the_button_which_lands_on_the_results(
    open_page, served_site
):
    page = open_page(LAPTOP, javascript=False)
    page.goto("/studies/")
    page.get_by_role("group", name="Country").get_by_label("Cambodia").check()
    expect(page).to_have_url(f"{served_site.url}/studies/")  # nothing sent yet
    page.get_by_role("button", name="Apply filters").click()
    # The server drops the empty parameters (not the order, which only JavaScript leaves out
    # when it is the default); the browser keeps the fragment.
    expect(page).to_have_url(f"{served_site.url}/studies/?country=KH&sort=newest#results")
    expect(page.locator(".results-count")).to_have_text("5 studies found")


def test_a_search_typed_on_the_plain_list_is_sorted_by_relevance(open_page, served_site):
    page = open_page(LAPTOP)
    page.goto("/studies/")
    sort = page.get_by_label("Sort")
    expect(sort.locator("option")).to_have_text(["Newest first", "Oldest first", "Title A–Z"])
    page.get_by_label("Search", exact=True).fill("trafficking")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{served_site.url}/studies/?q=trafficking#results")
    expect(sort).to_have_value("relevance")


FOCUS_COLOUR = (0xB3, 0x6B, 0x00)  # --focus in site.css
OUTLINE_REACH = 6  # px around an element: a 3px outline drawn 2px away from it


def shows_focus_outline(page) -> bool:
    """Whether pixels of the focus colour surround the focused element, as the screen shows it
    (a month field's calendar button is focused inside the field: computed styles cannot say)."""
    box = page.evaluate(
        """() => { const r = document.activeElement.getBoundingClientRect();
                   return {x: r.x, y: r.y, width: r.width, height: r.height}; }"""
    )
    viewport = page.viewport_size
    left, top = max(box["x"] - OUTLINE_REACH, 0), max(box["y"] - OUTLINE_REACH, 0)
    right = min(box["x"] + box["width"] + OUTLINE_REACH, viewport["width"])
    bottom = min(box["y"] + box["height"] + OUTLINE_REACH, viewport["height"])
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    picture = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    # An RGB picture's colours are (count, (r, g, b)) pairs.
    colours: list[tuple[int, tuple[int, int, int]]] = picture.getcolors(  # type: ignore[assignment]
        maxcolors=picture.width * picture.height
    )
    return any(
        all(abs(got - wanted) <= 12 for got, wanted in zip(colour, FOCUS_COLOUR, strict=True))
        for _count, colour in colours
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_control_shows_where_the_focus_is(open_page, width):
    """Tab through the whole page: each stop is outlined on screen, the month fields' calendar
    buttons included."""
    page = open_page(WIDTHS[width])
    page.goto("/studies/?country=KH")
    if width == "phone":
        page.locator("summary").click()
    stops = 0
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        stops += 1
        assert shows_focus_outline(page), page.evaluate("document.activeElement.outerHTML")
    assert stops > 30, "Tab went through the page's controls"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_study_list_has_no_serious_accessibility_violations(
    open_page, check_accessibility, width
):
    page = open_page(WIDTHS[width])
    page.goto("/studies/?q=Cambodai&country=KH&country=TH&from=2014-03&to=2018-08")
    check_accessibility(page)
    if width == "phone":
        page.locator("summary").click()  # the unfolded form too
    check_accessibility(page)
    page.goto("/studies/?country=KH")  # with empty years in the histogram
    check_accessibility(page)
