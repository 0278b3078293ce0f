"""A visitor's story on the public site, checked at each step by what the page shows."""

from pathlib import Path

from playwright.sync_api import expect

# The demo data's Cambodian and Philippine studies published from March 2014 to August 2018.
CAMBODIA_OR_PHILIPPINES_2014_03_TO_2018_08 = {
    "Justice Review: A Journal of Protection and Justice for the Poor",  # 2018-08, multi-country
    "Child Sex Trafficking in Metro Manila",  # 2018-05
    "Evaluation of the Program to Combat Sex Trafficking of Children in the Philippines: "
    "2003-2015",  # 2017-08
    "Labour Trafficking in Cambodia",  # 2016-11
    "Child Sex Trafficking in Angeles City",  # 2016-10
    "External Evaluation of IJM’s Program to Combat Sex Trafficking of Children in Cambodia, "
    "2004-2014",  # 2015-12
}


def card_titles(page) -> set[str]:
    return {title.strip() for title in page.locator(".cards .card h3").all_inner_texts()}


def card_field(page, term: str) -> list[str]:
    """The value of one field (“Country”, “Published”…) on every result card."""
    return page.locator(".cards .card").evaluate_all(
        """(cards, term) => cards.map(card => {
            const dt = [...card.querySelectorAll('dt')].find(dt => dt.textContent.trim() === term);
            return dt ? dt.nextElementSibling.textContent.trim() : null;
        })""",
        term,
    )


def test_visitor_searches_filters_opens_a_study_and_downloads_its_ris(page, served_site):
    count = page.locator(".results-count")

    page.goto("/studies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Explore the studies")
    expect(count).to_have_text("26 studies found")

    # A search with a typo is respelled rather than answered with nothing.
    page.get_by_label("Search", exact=True).fill("Cambodai")
    page.get_by_role("button", name="Apply filters").click()
    expect(count).to_have_text("5 studies found")
    did_you_mean = page.locator(".did-you-mean")
    expect(did_you_mean).to_contain_text("No study matches “Cambodai”")
    expect(did_you_mean).to_contain_text("Showing results for “cambodia”")
    expect(did_you_mean.get_by_role("link", name="cambodia")).to_be_visible()
    expect(page.get_by_label("Search", exact=True)).to_have_value("cambodia")
    assert all("Cambodia" in countries for countries in card_field(page, "Country"))
    # Countries without a matching study cannot be ticked.
    countries = page.get_by_role("group", name="Country")
    expect(countries.get_by_label("Philippines")).to_be_disabled()
    expect(countries.get_by_label("Cambodia")).to_be_enabled()

    # Drop the search (its chip) to widen to every study again, then tick two countries.
    page.get_by_role("link", name="Remove filter Search: cambodia").click()
    expect(count).to_have_text("26 studies found")
    expect(page.locator(".did-you-mean")).to_have_count(0)
    # Each tick applies at once (JavaScript submits the form on change).
    with page.expect_navigation():
        countries.get_by_label("Cambodia").check()
    expect(count).to_have_text("5 studies found")
    with page.expect_navigation():
        countries.get_by_label("Philippines").check()
    expect(count).to_have_text("12 studies found")  # 5 Cambodian + 7 Philippine
    chips = page.get_by_role("list", name="Active filters")
    expect(chips.get_by_role("link", name="Remove filter Country: Cambodia")).to_be_visible()
    expect(chips.get_by_role("link", name="Remove filter Country: Philippines")).to_be_visible()
    expect(countries.get_by_label("Cambodia")).to_be_checked()
    expect(countries.get_by_label("Philippines")).to_be_checked()
    for shown in card_field(page, "Country"):
        assert "Cambodia" in shown or "Philippines" in shown, shown

    # Narrow the publication months: March 2014 to August 2018, both months included.
    months = page.get_by_role("group", name="Publication month")
    months.get_by_label("From").fill("2014-03")
    months.get_by_label("to").fill("2018-08")
    page.get_by_role("button", name="Apply filters").click()
    expect(count).to_have_text("6 studies found")
    assert card_titles(page) == CAMBODIA_OR_PHILIPPINES_2014_03_TO_2018_08
    expect(months.get_by_label("From")).to_have_value("2014-03")
    expect(months.get_by_label("to")).to_have_value("2018-08")
    expect(countries.get_by_label("Cambodia")).to_be_checked()
    for published in page.locator(".cards .card time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime'))"
    ):
        assert "2014-03" <= published <= "2018-08", published

    # Open a study by its title.
    page.get_by_role("link", name="Labour Trafficking in Cambodia").click()
    expect(page).to_have_url(f"{served_site.url}/studies/labour-trafficking-in-cambodia/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Labour Trafficking in Cambodia")
    expect(page.locator("time")).to_have_text("November 2016")

    # Download its reference for a reference manager.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="RIS", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ris"), download.suggested_filename
    ris = Path(download.path()).read_text(encoding="utf-8")
    assert ris.startswith("TY  - "), ris[:200]
    assert "Labour Trafficking in Cambodia" in ris
    assert "\nPY  - 2016" in ris, ris
    assert ris.rstrip().endswith("ER  -"), ris[-200:]


def test_visitor_pages_through_the_studies_and_opens_a_year(page, served_site):
    count = page.locator(".results-count")
    page.goto("/studies/")
    first_page = card_titles(page)

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{served_site.url}/studies/?page=2")
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    second_page = card_titles(page)
    assert len(first_page) == 20 and len(second_page) == 6, (first_page, second_page)
    assert not first_page & second_page

    # A bar of the year histogram opens that year's studies, as many as the bar counts.
    bar = page.locator(".histogram a").filter(has=page.locator(".year", has_text="2016"))
    bar_count = bar.locator(".count").inner_text()
    bar.click()
    expect(page).to_have_url(f"{served_site.url}/studies/?year_from=2016&year_to=2016")
    expect(count).to_have_text(f"{bar_count} studies found")
    chips = page.get_by_role("list", name="Active filters")
    expect(chips.get_by_role("link", name="Remove filter Published 2016")).to_be_visible()
    assert all(published.endswith("2016") for published in card_field(page, "Published"))


def test_the_filter_form_sends_only_what_is_set(page, served_site):
    page.goto("/studies/")
    page.get_by_role("group", name="Country").get_by_label("Cambodia").check()  # applies at once
    # No `q=`, no empty years or months, no default order: only the ticked country, and the
    # page opens at the results.
    expect(page).to_have_url(f"{served_site.url}/studies/?country=KH#results")
    expect(page.locator(".results-count")).to_have_text("5 studies found")
