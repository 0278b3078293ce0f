"""Public pages of the study library. Views parse input, call querysets, render."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.facets import FacetOption
from core.filters import without_empty_parameters
from core.pagination import page_or_nearest
from evaluation.public import (
    home_program_cards,
    measurements_citing,
    programs_citing,
    programs_with_monitoring_figures,
)
from justicelib.site import site_root

from . import search
from .cards import study_cards
from .citations import citation_context
from .facets import StudyFacets
from .filters import DATE_PARAMETERS, SORT_CHOICES, MonthRange, StudyFilterSet
from .models import Country, HomePage, Study, StudyFile, Subject
from .pagecache import cached_for_visitors
from .querysets import related_studies, study_pages_matching
from .serving import serve_field_file
from .signposting import oai_records, study_page_links

STUDIES_PER_PAGE = 20
HOME_PROGRAMS = 6
HOME_MONITORED_PROGRAMS = 3
# The steps of the evidence model link to the studies that hold them, by resource type: a
# baseline measures how common the crime is and how the justice system responds.
BASELINE_TYPES = ["crime-prevalence-study", "public-justice-system-performance-study"]
ENDLINE_TYPES = ["endline-study"]
# What a chip calls each filter: “Country: Cambodia”.
CHIP_NAMES = {
    "country": gettext_lazy("Country"),
    "subject": gettext_lazy("Subject"),
    "type": gettext_lazy("Type"),
    "author": gettext_lazy("Author"),
}


def home(request):
    published = Study.objects.published()
    context = {
        "home": HomePage.objects.current(),
        # Programs with a published change first (a stable sort keeps the list's order).
        "program_cards": home_program_cards(HOME_PROGRAMS),
        "monitored_programs": programs_with_monitoring_figures(HOME_MONITORED_PROGRAMS),
        "baseline_query": urlencode([("type", slug) for slug in BASELINE_TYPES]),
        "endline_query": urlencode([("type", slug) for slug in ENDLINE_TYPES]),
        "study_count": published.count(),
        "country_count": Country.objects.filter(studies__in=published).distinct().count(),
        "newest_cards": study_cards(published.sorted_by("newest").for_cards()[:5]),
        # Alphabetical, whatever the capitalisation: a grouped query ignores Meta.ordering.
        "subjects": Subject.objects.annotate(
            study_count=Count("studies", filter=Q(studies__status=Study.Status.PUBLISHED))
        )
        .filter(study_count__gt=0)
        .order_by(Lower("name"), "name"),
    }
    return render(request, "studies/home.html", context)


@cached_for_visitors
def study_list(request):
    if redirect := without_empty_parameters(request):
        return redirect
    filterset = StudyFilterSet(
        request.GET, queryset=Study.objects.published(), use_search_index=True
    )
    notices = [*filterset.notices, *filterset.date_range_notices()]
    facets = StudyFacets(filterset)
    page, page_notice = paginate(listing(filterset), request.GET.get("page"), facets.match_count)
    # Zero results never strand a visitor: respell the search, or say which filter to drop.
    searched_for, filters_to_drop = None, []
    if page.paginator.count == 0:
        corrected = search.spelling_correction(filterset)
        if corrected:
            searched_for, filterset = filterset.cleaned("q"), corrected
            facets = StudyFacets(filterset)
            page, page_notice = paginate(
                listing(filterset), request.GET.get("page"), facets.match_count
            )
        else:
            filters_to_drop = [
                {
                    "label": StudyFilterSet.PARAMETER_LABELS[name],
                    "count": count,
                    "url": url_without(request.GET, *StudyFilterSet.parameters_of(name)),
                }
                for name, count in search.filters_to_drop(filterset)
            ]
    notices += [page_notice] if page_notice else []
    months = filterset.month_range()
    context = {
        "searched_for": searched_for,
        "filters_to_drop": filters_to_drop,
        "year_bars": year_links(request.GET, facets.year_histogram(), months),
        # Export and feed links carry only what the page understood, so they never fail on a
        # parameter the page ignored with a notice.
        "export_query": filterset.cleaned_querystring(),
        "filterset": filterset,
        "page": page,
        "cards": study_cards(page.object_list),
        "facet_blocks": facets.blocks(),
        "chips": active_filter_chips(request.GET, filterset, facets.options),
        "notices": notices,
        "query": filterset.cleaned("q") or "",
        "sort": filterset.sort_order,
        "sort_choices": sort_choices(searching=bool(filterset.cleaned("q"))),
        "dates": filterset.date_fields(),
        "has_full_text": bool(filterset.cleaned("has_full_text")),
    }
    return render(request, "studies/study_list.html", context)


def sort_choices(searching: bool) -> list[tuple[str, str]]:
    """The orders the sort menu offers: relevance only to a search (without words to match,
    every study is equally relevant)."""
    return [
        (value, str(label)) for value, label in SORT_CHOICES if searching or value != "relevance"
    ]


def listing(filterset: StudyFilterSet):
    """The matches as the list shows them, with snippets of the matched words when searching."""
    studies = filterset.qs.for_cards()
    query = filterset.cleaned("q")
    return search.listing(filterset, studies.with_snippets(query) if query else studies)


def study_detail(request, slug):
    study = get_object_or_404(Study.objects.published().for_page(), slug=slug)
    words, page_matches, find_notice = search_in_files(request, study)
    # A citation, the page's metadata and its Link header name the study's one address, the
    # English page's, whichever language the page is read in.
    with translation.override(settings.LANGUAGE_CODE):
        citation = citation_context(study, site_root())
        links = study_page_links(study)
    context = {
        "study": study,
        "related_studies": related_studies(study),
        **citation,
        "oai_records": oai_records(study),
        "citing_measurements": measurements_citing(study),
        "citing_programs": programs_citing(study),
        "find_words": words,
        "page_matches": page_matches,
        "find_notice": find_notice,
    }
    response = render(request, "studies/study_detail.html", context)
    response.headers["Link"] = links
    return response


FIND_MAX_LENGTH = 200
FIND_MAX_PAGES = 50


def search_in_files(request: HttpRequest, study: Study) -> tuple[str, list | None, str]:
    """The words of the page's “search in the files” form, the pages that match them (None
    when nothing was asked), and a notice for words that cannot be searched."""
    words = " ".join(request.GET.get("find", "").split())
    if not words:
        return "", None, ""
    if len(words) > FIND_MAX_LENGTH:
        return "", None, _("Search for at most %(count)d characters.") % {"count": FIND_MAX_LENGTH}
    if "\x00" in words:  # PostgreSQL text cannot hold NUL: never send it to a query
        return "", None, _("Null characters are not allowed.")
    if all(word.startswith("-") for word in words.split()):
        # Words after a minus sign only leave pages out: alone, they would list every page.
        return (
            words,
            None,
            _("Name at least one word to look for; a word after a minus sign is left out."),
        )
    return words, list(study_pages_matching(study, words)[:FIND_MAX_PAGES]), ""


class StudyPaginator(Paginator):
    """Reads a page as ids first, then rows (see `StudyQuerySet.rows_between`); with
    `known_count`, the number of matches is not asked again."""

    def __init__(self, object_list, per_page, known_count: int | None = None):
        super().__init__(object_list, per_page)
        if known_count is not None:
            self.count = known_count  # Paginator.count is a cached_property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(self.object_list.rows_between(bottom, top), number, self)


def paginate(queryset, raw_page: str | None, known_count: int | None = None):
    """The requested page of studies, or the nearest real one with a notice saying why.
    `known_count`: the number of matches, when the facet counts have it (`match_count`)."""
    return page_or_nearest(StudyPaginator(queryset, STUDIES_PER_PAGE, known_count), raw_page)


def active_filter_chips(
    params: QueryDict, filterset: StudyFilterSet, facets: dict[str, list[FacetOption]]
) -> list[dict]:
    """One removable chip per active filter value: its label and the URL without it."""
    chips = []
    for name in StudyFilterSet.FACETS:
        labels = {option.value.lower(): option.label for option in facets[name]}
        for value in filterset.selected(name):
            label = labels.get(value.lower(), value)
            chips.append(
                {
                    "label": _("%(filter)s: %(value)s")
                    % {"filter": CHIP_NAMES[name], "value": label},
                    "url": url_without(params, name, value=value),
                }
            )
    if months := filterset.month_range():
        chips.append(
            {
                "label": _("Published %(range)s") % {"range": months.describe()},
                "url": url_without(params, *DATE_PARAMETERS),
            }
        )
    if filterset.cleaned("has_full_text"):
        chips.append({"label": _("Has full text"), "url": url_without(params, "has_full_text")})
    if filterset.cleaned("q"):
        chips.append(
            {
                "label": _("Search: %(query)s") % {"query": filterset.cleaned("q")},
                "url": url_without(params, "q"),
            }
        )
    return chips


def url_without(params: QueryDict, *names: str, value: str | None = None) -> str:
    """The current query string without `names` (or only without that one value of a name)."""
    remaining = params.copy()
    remaining.pop("page", None)
    for name in names:
        if value is None:
            remaining.pop(name, None)
        else:
            kept = [
                part
                for item in params.getlist(name)
                for part in item.split(",")
                if part.strip().lower() != value.lower()
            ]
            remaining.setlist(name, kept)
    query = remaining.urlencode()
    # Not a bare "?": a browser resolves it to the list without filters, but other clients
    # (Python's urljoin among them) keep the current query string.
    return f"?{query}" if query else reverse("studies:list")


def year_links(params: QueryDict, histogram: list[tuple[int, int]], months: MonthRange) -> list:
    """Each bar of the year histogram with the URL of its studies: the range cut to that year,
    so the page it opens counts what the bar counted."""
    base = params.copy()
    for name in ["page", *DATE_PARAMETERS]:
        base.pop(name, None)
    links = []
    for year, count in histogram:
        query = base.copy()
        query.update(months.within_year(year).parameters())
        links.append({"year": year, "count": count, "url": f"?{query.urlencode()}"})
    return links


# A study file is shown by the browser's PDF viewer and nothing else: no script, no plugin, no
# same-origin access even if some browser were talked into rendering it as a page.
def study_file(request: HttpRequest, slug: str) -> HttpResponseBase:
    """A study's main file (`Study.pdf`, kept by the database on the main `StudyFile`), from our
    own origin but inert (see `studies.serving`). Drafts exist only for curators.
    `?download=1` asks for a download."""
    study = get_object_or_404(
        Study.objects.visible_to(request.user).only("slug", "status", "pdf"), slug=slug
    )
    main_file = study.files.filter(is_main=True).first()
    if main_file is not None:
        main_file.study = study
        return serve_study_file(request, main_file)
    if not study.pdf.name:
        raise Http404("This study has no file.")
    # A PDF uploaded before studies had files: its stored name is never reused for other bytes
    # (names are generated per upload), so it identifies the content.
    return serve_field_file(
        request,
        study.pdf,
        etag=f'"{hashlib.sha256(study.pdf.name.encode()).hexdigest()[:32]}"',
        filename=f"{study.slug}.pdf",
        public=study.is_published,
    )


def study_file_download(request: HttpRequest, slug: str, file_id: int) -> HttpResponseBase:
    """One of a study's files, named after the study and the file's label
    (“scale-of-harm-summary.pdf”)."""
    study_file = get_object_or_404(
        StudyFile.objects.select_related("study").filter(
            study__in=Study.objects.visible_to(request.user)
        ),
        study__slug=slug,
        pk=file_id,
    )
    return serve_study_file(request, study_file)


def serve_study_file(request: HttpRequest, study_file: StudyFile) -> HttpResponseBase:
    """The ETag is the file's checksum once processed; before, the generated stored name (never
    reused for other bytes) stands in."""
    checksum = (
        study_file.sha256 or hashlib.sha256((study_file.file.name or "").encode()).hexdigest()
    )
    return serve_field_file(
        request,
        study_file.file,
        etag=f'"{checksum}"',
        filename=study_file.download_name,
        public=study_file.study.is_published,
    )


def study_file_preview(request: HttpRequest, slug: str, file_id: int) -> HttpResponseBase:
    """The first page of a study's file as a small WebP image."""
    study_file = get_object_or_404(
        StudyFile.objects.select_related("study")
        .filter(study__in=Study.objects.visible_to(request.user))
        .exclude(preview=""),
        study__slug=slug,
        pk=file_id,
    )
    # Preview names are generated per processing run: the name identifies the image.
    return serve_field_file(
        request,
        study_file.preview,
        etag=f'"{hashlib.sha256((study_file.preview.name or "").encode()).hexdigest()[:32]}"',
        filename=study_file.download_name.removesuffix(".pdf") + ".webp",
        content_type="image/webp",
        public=study_file.study.is_published,
    )
