"""A curator on a phone reads a study's history and restores the earlier title."""

from django.db import connection
from playwright.sync_api import expect

from studies.models import Study

from .conftest import CURATOR_PASSWORD, CURATOR_USERNAME

PHONE = {"width": 375, "height": 700}


def test_history_on_a_phone_is_readable_accessible_and_restores(
    browser, served_site, check_accessibility
):
    study = Study.objects.get(slug="scale-of-harm")
    with connection.cursor() as cursor:  # an edit made outside the admin, in SQL
        cursor.execute(
            "UPDATE studies_study SET title = 'Scale of Harm (typo)' WHERE id = %s", [study.pk]
        )
    context = browser.new_context(viewport=PHONE, base_url=served_site.url, is_mobile=True)
    try:
        page = context.new_page()
        page.goto("/admin/")
        page.get_by_label("Username").fill(CURATOR_USERNAME)
        page.get_by_label("Password").fill(CURATOR_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/admin/studies/study/{study.pk}/history/")

        table = page.get_by_role("table")
        expect(table).to_contain_text("Scale of Harm (typo)")
        expect(table).to_contain_text("database (SQL, no context)")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        check_accessibility(page)

        page.get_by_role("link", name="Restore this version…").first.click()
        expect(page.get_by_role("table")).to_contain_text("Scale of Harm (typo)")
        check_accessibility(page)
        page.get_by_role("button", name="Restore this version").click()

        expect(page.locator(".messagelist")).to_contain_text("Restored the version")
    finally:
        context.close()
    study.refresh_from_db()
    assert study.title == "Scale of Harm"
