"""Every link on the public pages goes somewhere, and where it goes shows what the link promised.

Each page below is parsed with the standard library's HTML parser; every `<a href>` on it is
followed with the test client. Any internal link must answer below 400 without carrying an empty
parameter or a doubled `?`; links to other sites must at least be http(s); a `#fragment` must name
an element on the page. Then the links that promise something are checked against the page they
open: the next page lists other studies, a year bar opens that year's count under that year's
chip, a spelling correction opens the corrected results, a chip's removal drops only that chip, a
facet link lists studies under that facet, a title opens the page with that title.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest

from evaluation.models import Program
from studies.feeds import FEED_SIZE

STUDY_COUNT = 26  # the demo library's published studies
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr",
}  # fmt: skip
CONTAINERS = {"li", "p", "dd", "td", "h1", "h2", "h3", "nav"}


@dataclass
class Element:
    """An open or closed element: its tag, attributes, text and the elements around it."""

    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)
    ancestors: list["Element"] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def within(self, css_class: str) -> bool:
        return any(css_class in (a.attrs.get("class") or "").split() for a in self.ancestors)

    @property
    def container(self) -> "Element | None":
        """The nearest list item, paragraph or cell around the link: where its context is."""
        return next((a for a in reversed(self.ancestors) if a.tag in CONTAINERS), None)


class Page(HTMLParser):
    """A page's links, ids and the few things the checks read (count, chips, titles, h1)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.open: list[Element] = []
        self.links: list[Element] = []
        self.ids: set[str] = set()
        self.h1s: list[Element] = []
        self.search_value: str | None = None
        self.card_months: list[str] = []  # each study card's month of publication, YYYY-MM
        self.feed(html)
        self.close()
        match = re.search(r"(\d+) stud(?:y|ies) found", html)
        self.count = int(match.group(1)) if match else None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "input" and attrs.get("id") == "id_q":
            self.search_value = attrs.get("value", "")
        if tag == "time" and any(element.attrs.get("class") == "card" for element in self.open):
            self.card_months.append(attrs["datetime"][:7])
        if tag in VOID_ELEMENTS:
            return
        element = Element(tag, attrs, ancestors=list(self.open))
        self.open.append(element)
        if tag == "a" and "href" in attrs:
            self.links.append(element)
        if tag == "h1":
            self.h1s.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)

    # --- what the checks read -------------------------------------------------------------
    @property
    def heading(self) -> str:
        return self.h1s[0].text if self.h1s else ""

    def links_within(self, css_class: str) -> list[Element]:
        return [link for link in self.links if link.within(css_class)]

    @property
    def chips(self) -> list[str]:
        """The active filters' chips, by name (“Country: Cambodia”, “Published 2016”)."""
        return [
            link.attrs["aria-label"].removeprefix("Remove filter ")
            for link in self.links_within("chips")
            if link.attrs.get("aria-label", "").startswith("Remove filter ")
        ]

    @property
    def card_titles(self) -> list[str]:
        return [
            link.text
            for link in self.links
            if link.within("card") and link.container and link.container.tag == "h3"
        ]


@dataclass
class Landing:
    """Where a link led: the final status (after any redirect), its type, body and parsed page."""

    status: int
    content_type: str
    body: str
    page: Page


def fetch(client, url: str) -> Landing:
    response = client.get(url, follow=True)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    body = content.decode() if "charset=utf-8" in content_type or "json" in content_type else ""
    page = Page(body if content_type.startswith("text/html") else "")
    return Landing(response.status_code, content_type, body, page)


# Each page, and the kinds of promise its links must include (so a page that lost, say, its
# year histogram cannot pass by having nothing to check).
PAGES = {
    "home": (
        "/",
        {"study", "facet", "program", "step-baseline", "step-monitoring", "step-endline"}
        | {"step-sharing"},
    ),
    "studies": ("/studies/", {"next", "year", "export", "feed", "study"}),
    "studies, page 2": ("/studies/?page=2", {"previous", "year", "study"}),
    "filtered": (
        "/studies/?country=KH&country=PH&from=2013-06",
        {"year", "chip", "clear", "export", "feed", "study"},
    ),
    "searched": ("/studies/?q=trafficking", {"year", "chip", "clear", "study"}),
    "misspelled": ("/studies/?q=Cambodai", {"did-you-mean", "year", "chip", "study"}),
    "nothing found": ("/studies/?country=GT&subject=land-theft", {"drop", "chip"}),
    "study": ("/studies/labour-trafficking-in-cambodia/", {"facet", "study", "download"}),
    "programs": ("/programs/", {"program"}),
    "program": (None, {"program-filter", "study", "download"}),
}


@pytest.mark.parametrize("name", PAGES)
def test_every_link_answers_and_opens_what_it_promised(client, demo_data, name):
    url, promises = PAGES[name]
    url = url or Program.objects.order_by("name").first().get_absolute_url()
    here = fetch(client, url)
    assert here.status == 200, url
    kept: set[str] = set()
    landings: dict[str, Landing] = {}
    for link in here.page.links:
        href = link.attrs["href"]
        target = urlsplit(urljoin(f"http://testserver{url}", href))
        if href.startswith("#"):
            assert href[1:] in here.page.ids, f"{url}: {href} names no element on the page"
            continue
        if target.netloc != "testserver":
            assert target.scheme in {"http", "https"}, f"{url}: {href}"
            continue
        assert "??" not in href, f"{url}: {href}"
        assert not href.endswith("?"), f"{url}: {href} ends in a bare '?'"
        empty = [key for key, value in parse_qsl(target.query, keep_blank_values=True) if not value]
        assert not empty, f"{url}: {href} sends empty parameters {empty}"
        address = f"{target.path}?{target.query}" if target.query else target.path
        if address not in landings:
            landings[address] = fetch(client, address)
        landing = landings[address]
        assert landing.status < 400, f"{url}: “{link.text}” → {address} answered {landing.status}"
        kept.add(keeps_its_promise(here, link, landing, address))
    assert promises <= kept, f"{url}: no link of kind {promises - kept} to check"


def keeps_its_promise(here: Landing, link: Element, landing: Landing, address: str) -> str:
    """Asserts that `landing` shows what `link`, on the page `here`, said it would; returns
    which kind of promise that was."""
    there, text = landing.page, link.text
    why = f"{here.page.heading}: “{text}” → {address}"
    path, query = urlsplit(address).path, urlsplit(address).query
    if link.attrs.get("rel") in {"next", "prev"}:
        assert there.card_titles, why
        assert not set(there.card_titles) & set(here.page.card_titles), f"{why}: same studies"
        assert there.count == here.page.count, why
        return "next" if link.attrs["rel"] == "next" else "previous"
    if link.within("steps"):
        return step_link_keeps_its_promise(link, landing, address, why)
    if link.within("histogram"):
        bar = re.fullmatch(r"(\d{4}) (\d+)", text)
        assert bar, f"{why}: a histogram bar reads “year count”"
        year, count = bar.groups()
        assert there.count == int(count), f"{why}: the bar counts {count}, the page {there.count}"
        published = [chip for chip in there.chips if chip.startswith("Published")]
        assert len(published) == 1 and year in published[0], f"{why}: chips {there.chips}"
        assert all(month.startswith(year) for month in there.card_months), why
        return "year"
    if link.within("did-you-mean"):
        assert there.count == here.page.count and there.count is not None and there.count > 0, why
        assert there.search_value == text, why
        assert f"Search: {text}" in there.chips, why
        assert "did-you-mean" not in landing.body, why
        return "did-you-mean"
    if link.within("chips") and text == "Clear all":
        assert there.chips == [] and there.count == STUDY_COUNT, why
        return "clear"
    if link.within("chips"):
        removed = link.attrs["aria-label"].removeprefix("Remove filter ")
        assert there.chips == [chip for chip in here.page.chips if chip != removed], why
        facet = removed.split(":")[0] + ":"
        if not any(chip.startswith(facet) for chip in there.chips):
            # A whole filter gone widens the results (one value of several ORed narrows them).
            assert there.count is not None and here.page.count is not None, why
            assert there.count >= here.page.count, why
        return "chip"
    if link.within("drop-filters"):
        assert link.container, why
        (promised,) = re.findall(r"to see (\d+) stud", link.container.text)
        assert there.count == int(promised), why
        return "drop"
    if path.startswith("/studies/export."):
        assert landing.status == 200, why
        if path.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(landing.body)))
            assert len(rows) - 1 == here.page.count, f"{why}: “Download all {here.page.count}”"
        return "export"
    if path == "/studies/feed/":
        assert landing.content_type.startswith("application/atom+xml"), why
        assert here.page.count is not None, why
        assert landing.body.count("<entry>") == min(here.page.count, FEED_SIZE), why
        return "feed"
    if re.fullmatch(r"/studies/[\w-]+/cite\.\w+|/programs/[\w-]+/[\w.-]+\.csv", path):
        assert landing.status == 200 and "html" not in landing.content_type, why
        return "download"
    if match := re.fullmatch(r"/(studies|programs)/[\w-]+/", path):
        if text == f"http://testserver{address}":  # a citation's link to the study itself
            assert there.heading == here.page.heading, why
        else:
            assert there.heading == text, f"{why}: the page is titled “{there.heading}”"
        return "study" if match.group(1) == "studies" else "program"
    if path == "/studies/" and query:
        facet_link_keeps_its_promise(here, link, there, query, why)
        return "facet"
    if path == "/programs/" and query:
        assert re.search(r"[1-9]\d* programs?\b", landing.body), why
        assert here.page.heading in there.card_titles, f"{why}: the program is not listed"
        return "program-filter"
    return "other"


def step_link_keeps_its_promise(link: Element, landing: Landing, address: str, why: str) -> str:
    """A step of the evidence model on the home page opens where the library holds it."""
    (step,) = [a.attrs["data-step"] for a in link.ancestors if "data-step" in a.attrs]
    there, path = landing.page, urlsplit(address).path
    if step == "baseline":
        assert sorted(there.chips) == [
            "Type: Crime Prevalence Study",
            "Type: Public Justice System Performance Study",
        ], why
        assert there.count and there.count > 0, why
    elif step == "endline":
        assert there.chips == ["Type: Endline Study"] and there.count and there.count > 0, why
    elif step == "monitoring":
        assert there.heading == link.text, why
        assert 'role="rowheader">Monitoring</th>' in landing.body, f"{why}: no monitoring figure"
    else:
        assert path == "/programs/", why
        assert re.search(r"[1-9]\d* programs?\b", landing.body), why
    return f"step-{step}"


def facet_link_keeps_its_promise(here: Landing, link: Element, there: Page, query: str, why: str):
    """A link to the studies of one author, type, country or subject (study page, home)."""
    (name,) = {key for key, _value in parse_qsl(query)}
    label = {"country": "Country", "subject": "Subject", "type": "Type", "author": "Author"}[name]
    assert f"{label}: {link.text}" in there.chips, f"{why}: chips {there.chips}"
    assert there.count and there.count > 0, why
    counted = re.search(r"\((\d+)\)", link.container.text) if link.container else None
    if counted:  # the home page says how many studies each subject has
        assert there.count == int(counted.group(1)), why
    if link.within("meta") and there.count <= 20:  # from a study's page: it is among them
        assert here.page.heading in there.card_titles, why


@pytest.mark.parametrize("start", ["/studies/", "/studies/?sort=title&subject=sex-trafficking"])
def test_next_pages_reach_every_study_once(client, demo_data, start):
    url, seen, counts = start, [], set()
    while url:
        page = fetch(client, url).page
        seen += page.card_titles
        counts.add(page.count)
        following = [link.attrs["href"] for link in page.links if link.attrs.get("rel") == "next"]
        url = urljoin(url, following[0]) if following else None
    (count,) = counts
    assert len(seen) == len(set(seen)) == count
    if start == "/studies/":
        assert count == STUDY_COUNT and len(seen) > 20  # more than one page
