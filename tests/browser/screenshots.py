"""Full-page screenshots of the study and program pages at a phone's and a laptop's width, for
review.

Not part of the test suite (the file name does not start with `test_`): `make screenshots
SCREENSHOTS_DIR=docs/screenshots/after` runs it on the demo data, served by gunicorn as in the
browser tests. Pictures are taken at a device scale factor of 1 and stored with 256 colours, so
each stays small (a few hundred kilobytes for a long page) and text stays sharp.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 900}}
PAGES = {
    "study-list": "/studies/",
    "study-list-filtered": "/studies/?country=KH&q=police",
    "study-detail": "/studies/scale-of-harm/",
    "program-list": "/programs/",
    # Every demo program: each has figures, and all but two a chart (their second figure is
    # missing or in words).
    **{
        f"program-{slug}": f"/programs/{slug}/"
        for slug in (
            "cambodia-sex-trafficking-of-children",
            "metro-cebu-project-lantern",
            "philippines-sex-trafficking-of-children-2003-2015",
            "mukono-property-grabbing-from-widows",
            "guatemala-sexual-violence-against-children",
            "dominican-republic-commercial-sexual-exploitation-of-children",
            "philippines-online-sexual-exploitation-of-children",
            "ghana-lake-volta-child-trafficking",
        )
    },
}


@pytest.fixture(scope="module")
def screenshots_dir() -> Path:
    directory = os.environ.get("SCREENSHOTS_DIR")
    if not directory:
        pytest.fail("Set SCREENSHOTS_DIR (e.g. docs/screenshots/after).")
    path = Path(settings.BASE_DIR, directory)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(browser, served_site, screenshots_dir, name, width):
    context = browser.new_context(
        viewport=WIDTHS[width],
        base_url=served_site.url,
        device_scale_factor=1,
        is_mobile=width == "phone",
        has_touch=width == "phone",
    )
    try:
        page = context.new_page()
        response = page.goto(PAGES[name])
        assert response.status == 200, served_site.log()
        path = screenshots_dir / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True)
        with Image.open(path) as picture:
            small = picture.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
        small.save(path, optimize=True)
    finally:
        context.close()
