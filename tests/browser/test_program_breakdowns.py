"""A program's figures by category on a phone (375 px) and a laptop (1366 px): the table fits,
each row reads as a block of labelled cells on a phone, and nothing needs JavaScript."""

import pytest

from tests.browser.test_home_and_program_pages import WIDTHS

DOMINICAN_REPUBLIC = "/programs/dominican-republic-commercial-sexual-exploitation-of-children/"


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized_page(request, browser, served_site):
    viewport = WIDTHS[request.param]
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=1,
        base_url=served_site.url,
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page, viewport["width"]
    context.close()


def test_the_breakdown_table_fits_the_screen_and_names_its_columns(sized_page):
    page, width = sized_page
    page.goto(DOMINICAN_REPUBLIC)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    table = page.locator("div.breakdown table")
    assert table.locator("caption").inner_text() == "prevalence of minors by venue type"
    cell = table.locator("td[data-label='Endline 2022']").first
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert cell.inner_text().startswith("1.7\u00a0%") or cell.inner_text().startswith("1.7 %")
    display = table.locator("tbody tr").first.evaluate("row => getComputedStyle(row).display")
    assert display == ("block" if width < 600 else "table-row")
    if width < 600:
        label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Endline 2022"'
