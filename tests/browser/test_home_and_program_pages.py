"""The home page and the program pages on a phone (375 px) and a laptop (1366 px): the chart's
text legible, its labels apart, tables that fit, and no serious accessibility violation."""

import pytest

from tests.conftest import as_shown

CAMBODIA = "/programs/cambodia-sex-trafficking-of-children/"
WIDTHS = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1366, "height": 900}}
LEGIBLE_PX = 11

# Each visible chart drawing: its texts' font size on screen (the font size in SVG units times
# the SVG's scale) and their boxes, by role.
CHART_TEXT = """() => [...document.querySelectorAll('figure.chart svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const scale = svg.getScreenCTM().a;
    return [...svg.querySelectorAll('g text')].map(text => {
      const box = text.getBoundingClientRect();
      return {
        text: text.textContent,
        px: parseFloat(getComputedStyle(text).fontSize) * scale,
        box: [box.left, box.right, box.top, box.bottom],
        axisTitle: text === svg.querySelector('g text'),
        tick: text.getAttribute('text-anchor') === 'end',
        label: text.getAttribute('font-weight') === '600',
      };
    });
  })"""


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized_page(request, browser, served_site):
    viewport = WIDTHS[request.param]
    context = browser.new_context(
        viewport=viewport, device_scale_factor=1, base_url=served_site.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page, viewport["width"]
    context.close()


def overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def test_the_program_chart_is_legible_and_its_labels_apart(sized_page):
    page, width = sized_page
    page.goto(CAMBODIA)
    charts = page.evaluate(CHART_TEXT)
    # One drawing per indicator chart is shown (the wide or the narrow one), never both.
    assert len(charts) == page.locator("figure.chart").count() >= 1
    for texts in charts:
        small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < LEGIBLE_PX]
        assert not small, f"text under {LEGIBLE_PX} px at {width} px: {small}"
        (title,) = [t for t in texts if t["axisTitle"]]
        for tick in (t for t in texts if t["tick"]):
            assert not overlap(title["box"], tick["box"]), (title["text"], tick["text"])
        labels = [t for t in texts if t["label"]]
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert not overlap(a["box"], b["box"]), (a["text"], b["text"])
            assert a["box"][0] >= 0 and a["box"][1] <= width, a["text"]


def test_program_tables_fit_the_screen(sized_page):
    page, width = sized_page
    page.goto(CAMBODIA)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    source = page.locator("table.stack-table td[data-label='Source']").first
    box = source.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    display = page.locator("table.stack-table tbody tr").first.evaluate(
        "row => getComputedStyle(row).display"
    )
    # On a phone each row is a block of labelled cells; on a laptop a table row.
    assert display == ("block" if width < 600 else "table-row")
    if width < 600:
        label = source.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Source"'


@pytest.mark.parametrize("path", ["/", "/programs/", CAMBODIA])
def test_home_and_program_pages_have_no_serious_accessibility_violations(
    sized_page, served_site, check_accessibility, path
):
    page, width = sized_page
    response = page.goto(path)
    assert response.status == 200, served_site.log()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check_accessibility(page)


def test_the_home_page_shows_the_steps_results_and_featured_study(sized_page):
    page, _ = sized_page
    page.goto("/")
    assert page.locator("ol.steps > li").count() == 4
    cambodia = page.locator(
        ".result-card", has_text="Combating sex trafficking of children in Cambodia"
    )
    assert cambodia.locator("svg.sparkline").is_visible()
    assert as_shown("15 %–30 % → 2.2 %") in cambodia.inner_text()
    page.locator("#featured-heading ~ h3 a").click()
    assert page.locator("h1").inner_text() == "Scale of Harm"
