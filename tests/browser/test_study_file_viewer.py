"""A study's file on its page, on a phone (375 px) and a laptop (1366 px): the facts and the
download link fit the screen, and “Read it here” opens the browser's own PDF viewer in the page.

Why the browser's viewer rather than PDF.js: Chromium shows the file with its own viewer (zoom,
search, page thumbnails) at both widths without a byte of our JavaScript, the page works without
JavaScript, and a browser without a viewer (many phones) gets the download link beside it.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from studies.models import Study
from studies.services import attach_study_file
from tests.studies.pdfs import three_page_report

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def study_with_file(served_site):
    study = Study.objects.published().order_by("slug").first()
    study_file = attach_study_file(
        study=study, content=ContentFile(three_page_report(), name="r.pdf"), label="Full report"
    )
    call_command("process_files", stdout=io.StringIO())
    study_file.refresh_from_db()
    yield study
    # The browser tests' server reads the default media folder: leave nothing there.
    for name in (study_file.file.name, study_file.preview.name):
        if name:
            default_storage.delete(name)


@pytest.fixture
def open_page(browser, served_site):
    contexts = []

    def open_(viewport):
        context = browser.new_context(
            viewport=viewport,
            base_url=served_site.url,
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_viewer_opens_in_the_page_and_fits_the_screen(open_page, study_with_file, viewport):
    page = open_page(viewport)
    page.goto(study_with_file.get_absolute_url())
    block = page.locator(".study-file")
    assert "3 pages" in block.inner_text()
    preview = page.locator(".study-file-preview")
    preview.scroll_into_view_if_needed()
    # The image arrives after the page (and lazily): wait for it rather than race it.
    preview.evaluate(
        "img => img.complete ? null : new Promise(done => img.onload = img.onerror = done)"
    )
    assert preview.evaluate("img => img.naturalWidth") == 320
    page.get_by_text("Read it here").click()
    frame = page.locator(".study-file-viewer iframe")
    frame.wait_for(state="visible")
    box = frame.bounding_box()
    assert box is not None
    assert box["width"] <= viewport["width"]
    assert box["height"] >= 300
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # The frame holds the PDF itself (sandboxed, framed by our page only), shown by the
    # browser's viewer: not an error page (a refused frame is an empty "about:" document).
    document = frame.element_handle().content_frame()
    assert document is not None
    document.wait_for_load_state()
    assert document.url.endswith(study_with_file.files.get().url)
    assert document.evaluate("document.contentType") == "application/pdf"


def test_the_file_block_and_search_in_files_are_accessible(
    page, study_with_file, check_accessibility
):
    page.goto(study_with_file.get_absolute_url() + "?find=quokka")
    assert "1 page matches" in page.locator("#page-matches-heading").inner_text()
    page.get_by_text("Read it here").click()
    check_accessibility(page)
