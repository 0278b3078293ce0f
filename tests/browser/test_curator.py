"""A curator's story in the admin: sign in, add a study with an author picked by autocomplete."""

import re

from playwright.sync_api import expect

from .conftest import CURATOR_PASSWORD, CURATOR_USERNAME

TITLE = "Police Response to Land Theft in Gulu, 2019-2024"


def pick_by_autocomplete(page, select_id: str, typed: str, choice: str) -> None:
    """Choose `choice` in the admin's select2 autocomplete for <select id=select_id>."""
    page.locator(f"#{select_id} + .select2-container").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    option = page.locator(".select2-results__option", has_text=choice)
    expect(option).to_have_count(1)  # the server's answer has arrived (the list starts empty)
    option.click()
    expect(page.locator(f"#{select_id}").locator("option:checked")).to_have_text(choice)


def test_curator_adds_a_study_with_an_autocompleted_author(page, served_site):
    page.goto("/admin/")
    expect(page).to_have_title(re.compile("Log in"))
    page.get_by_label("Username").fill(CURATOR_USERNAME)
    page.get_by_label("Password").fill(CURATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()

    page.goto("/admin/studies/study/add/")
    page.get_by_label("Title:", exact=True).press_sequentially(TITLE)  # typed: key by key
    # The admin's JavaScript fills the slug from the title.
    expect(page.get_by_label("Slug:")).to_have_value(
        "police-response-to-land-theft-in-gulu-2019-2024"
    )
    page.get_by_label("Publication month:").fill("2024-05")
    pick_by_autocomplete(page, "id_resource_types", "Endline", "Endline Study")
    page.get_by_label("Subject:").select_option(label="Land theft")
    pick_by_autocomplete(page, "id_countries", "Ugan", "Uganda")
    page.get_by_label("Status:").select_option(label="Published")

    # The first author row is numbered 1; its author is found by typing part of the name.
    expect(page.locator("#id_authorships-0-position")).to_have_value("1")
    pick_by_autocomplete(page, "id_authorships-0-author", "Haarr", "Robin Haarr")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".messagelist")).to_contain_text(TITLE)

    # The public sees it at once: newest first on the list, then its own page.
    page.goto("/studies/?sort=newest")
    expect(page.locator(".results-count")).to_have_text("27 studies found")
    first_card = page.locator(".cards .card").first
    expect(first_card.get_by_role("heading")).to_have_text(TITLE)
    expect(first_card).to_contain_text("Robin Haarr")
    expect(first_card).to_contain_text("May 2024")
    first_card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    details = page.locator("article .meta")
    for shown in ["Robin Haarr", "Endline Study", "May 2024", "Land theft", "Uganda"]:
        expect(details.get_by_text(shown, exact=True)).to_be_visible()
