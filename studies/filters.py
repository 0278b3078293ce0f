"""The public study list's filters: parse the URL's query parameters, forgiving bad input.

Every parameter may repeat (`?country=kh&country=ph`): values OR within one filter, AND across
filters. Unknown or malformed values are never an error page: they are dropped and reported in
`StudyFilterSet.notices`, which the page shows.
"""

import datetime
import hashlib
import re
from functools import cached_property

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import QueryDict

from .models import Author, Country, LibraryVersion, ResourceType, Study, Subject
from .querysets import (
    FacetOption,
    authors_are_estimated,
    count_each,
    count_facets,
    facet_options,
    spelling_suggestion,
    year_counts,
)

MAX_QUERY_LENGTH = 200
FACET_CACHE_SECONDS = 3600  # the key changes with every write, so this only bounds memory
MULTIPLE_COUNTRIES = "multiple"
SORT_CHOICES = [
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("title", "Title A–Z"),
]


class ValueListField(forms.Field):
    """A repeatable parameter whose values must exist in a vocabulary; unknown ones are dropped.

    Comma-separated values are accepted too (`?country=kh,ph`). Values that exist are returned
    normalised; the others are kept in `self.ignored` for the page to report.
    """

    widget = forms.SelectMultiple

    def __init__(self, *, vocabulary, to_field, normalise=str.lower, extra_values=(), **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.vocabulary, self.to_field, self.normalise = vocabulary, to_field, normalise
        self.extra_values = set(extra_values)
        self.ignored: list[str] = []

    def clean(self, value):
        raw = [part for item in value or [] for part in str(item).split(",")]
        wanted, unusable = [], []
        for item in raw:
            item = self.normalise(item.strip())[:100]
            if "\x00" in item:  # PostgreSQL text cannot hold NUL: never send it to a query
                unusable.append(item.replace("\x00", "\\0"))
            elif item and item not in wanted:
                wanted.append(item)
        lookup = [item for item in wanted if item not in self.extra_values]
        known = set()
        if lookup:
            known = set(
                self.vocabulary.filter(**{f"{self.to_field}__in": lookup}).values_list(
                    self.to_field, flat=True
                )
            )
        self.ignored = unusable + [
            item for item in wanted if item not in known and item not in self.extra_values
        ]
        return [item for item in wanted if item in known or item in self.extra_values]


def facet_block(
    name: str, legend: str, options: list[FacetOption], selected: list[str], estimated=False
) -> dict:
    """A facet as `studies/includes/facet.html` draws it: each option counted and checked."""
    chosen = {value.lower() for value in selected}
    return {
        "name": name,
        "legend": legend,
        "estimated": estimated,
        "options": [
            {
                "value": option.value,
                "label": option.label,
                "count": option.count,
                "selected": option.value.lower() in chosen,
            }
            for option in options
        ],
    }


class ValueListFilter(django_filters.Filter):
    field_class = ValueListField


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1900, max_value=2100, **kwargs)
        self.error_messages["invalid"] = "is not a year"


class YearFilter(django_filters.Filter):
    field_class = YearField


class MonthField(forms.CharField):
    """A month as `YYYY-MM` (what `<input type="month">` sends), cleaned to its first day."""

    def clean(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError("is not a month like 2014-03")
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class StudyFilterSet(django_filters.FilterSet):
    country = ValueListFilter(
        method="filter_country",
        vocabulary=Country.objects.all(),
        to_field="code",
        normalise=str.upper,
        extra_values=[MULTIPLE_COUNTRIES.upper()],
    )
    subject = ValueListFilter(
        method="filter_subject", vocabulary=Subject.objects.all(), to_field="slug"
    )
    type = ValueListFilter(
        method="filter_type", vocabulary=ResourceType.objects.all(), to_field="slug"
    )
    author = ValueListFilter(
        method="filter_author", vocabulary=Author.objects.all(), to_field="slug"
    )
    year_from = YearFilter(method="filter_year_from")
    year_to = YearFilter(method="filter_year_to")
    month_from = MonthFilter(method="filter_month_from")  # the URL parameter is `from` (below)
    month_to = MonthFilter(method="filter_month_to")  # the URL parameter is `to` (below)
    q = django_filters.CharFilter(method="filter_query", strip=True)
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    # Labels for notices and chips.
    PARAMETER_LABELS = {
        "country": "country",
        "subject": "subject",
        "type": "type",
        "author": "author",
        "year_from": "year from",
        "year_to": "year to",
        "from": "from month",
        "to": "to month",
        "q": "search",
        "sort": "sort",
    }
    FACETS = ["country", "subject", "type", "author"]

    class Meta:
        model = Study
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        self.notices: list[str] = []
        if data is not None:
            data = data.copy()
            query = data.get("q", "")
            if len(query) > MAX_QUERY_LENGTH:
                data["q"] = query[:MAX_QUERY_LENGTH]
                self.notices.append(
                    f"Your search was {len(query):,} characters long; "
                    f"only the first {MAX_QUERY_LENGTH} were used."
                )
        super().__init__(data, *args, **kwargs)

    # --- filtering --------------------------------------------------------------------------
    def filter_country(self, queryset, name, codes):
        if not codes:
            return queryset
        include_multi = MULTIPLE_COUNTRIES.upper() in codes
        codes = [code for code in codes if code != MULTIPLE_COUNTRIES.upper()]
        return queryset.in_countries(codes, include_multi_country=include_multi)

    def filter_subject(self, queryset, name, slugs):
        return queryset.filter(subject__slug__in=slugs) if slugs else queryset

    def filter_type(self, queryset, name, slugs):
        return queryset.with_any_type(slugs) if slugs else queryset

    def filter_author(self, queryset, name, slugs):
        return queryset.by_any_author(slugs) if slugs else queryset

    def filter_year_from(self, queryset, name, year):
        return queryset.published_between(year_from=year) if year is not None else queryset

    def filter_year_to(self, queryset, name, year):
        return queryset.published_between(year_to=year) if year is not None else queryset

    def filter_month_from(self, queryset, name, month):
        return queryset.filter(publication_month__gte=month) if month else queryset

    def filter_month_to(self, queryset, name, month):
        return queryset.filter(publication_month__lte=month) if month else queryset

    def filter_query(self, queryset, name, query):
        return queryset.matching(query) if query else queryset

    def filter_sort(self, queryset, name, sort):
        return queryset  # ordering is applied once, after every filter (see `qs`)

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_sorted_qs"):
            self._sorted_qs = super().qs.sorted_by(self.sort_order)
            self._collect_notices()
        return self._sorted_qs

    @property
    def sort_order(self) -> str:
        """The requested order; relevance by default when searching, newest otherwise."""
        default = "relevance" if self.cleaned("q") else "newest"
        sort = self.cleaned("sort") or default
        return default if sort == "relevance" else sort

    def cleaned(self, name):
        self.form.is_valid()
        return self.form.cleaned_data.get(name)

    def cleaned_querystring(self) -> str:
        """The filters as understood (ignored values left out), as a query string."""
        self.form.is_valid()
        query = QueryDict(mutable=True)
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", []):
                continue
            if isinstance(value, list):
                query.setlist(name, value)
            elif isinstance(value, datetime.date):
                query[name] = value.strftime("%Y-%m")
            else:
                query[name] = str(value)
        return query.urlencode()

    def queryset_without(self, *names: str) -> QuerySet:
        """The matches with every filter applied except `names`: the base of that facet's counts."""
        self.form.is_valid()
        queryset = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    # --- what the page shows -----------------------------------------------------------------
    def _collect_notices(self):
        for name, errors in self.form.errors.items():
            raw = self.data.get(name, "")
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            reasons = " ".join(error.rstrip(".") for error in errors)
            label = self.PARAMETER_LABELS.get(name, name)
            self.notices.append(f"Ignored {label} “{shown}”: {reasons}.")
        for name in self.FACETS:
            ignored = self.form.fields[name].ignored
            if ignored:
                values = ", ".join(f"“{value[:40]}”" for value in ignored)
                label = self.PARAMETER_LABELS[name]
                self.notices.append(
                    f"Ignored unknown {label} {values}: no such {name} in the library."
                )
        year_from, year_to = self.cleaned("year_from"), self.cleaned("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.notices.append(
                f"“Year from” ({year_from}) is after “year to” ({year_to}): nothing can match."
            )

    def facets(self) -> dict[str, list[FacetOption]]:
        """Each facet's options with counts given the other active filters."""
        return facet_options(self._facet_counts, {"author": self.selected("author")})

    def year_histogram(self) -> list[tuple[int, int]]:
        """Studies per year in the current result set."""
        return year_counts(self._facet_counts)

    def estimated_facets(self) -> set[str]:
        """Facets whose counts are estimates (see `studies.querysets.count_facets`)."""
        return {"author"} if authors_are_estimated(self._facet_counts) else set()

    @cached_property
    def _facet_counts(self) -> dict:
        """Counts for this combination of filters, cached until the library next changes.

        The page number and the order do not change the counts, so every page of one result
        set, and every visitor asking for it, shares one computation.
        """
        state = sorted(
            (name, str(value))
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and value not in (None, "", [])
        )
        digest = hashlib.sha256(repr(state).encode()).hexdigest()
        key = f"facets:{LibraryVersion.current()}:{digest}"
        counts = cache.get(key)
        if counts is None:
            bases = {name: self.queryset_without(name) for name in self.FACETS}
            bases["year"] = self.qs
            counts = count_facets(bases, self.selected("author"))
            cache.set(key, counts, timeout=FACET_CACHE_SECONDS)
        return counts

    def spelling_correction(self) -> "StudyFilterSet | None":
        """The same filters with the search words respelt, when that finds studies."""
        query = self.cleaned("q")
        suggestion = spelling_suggestion(query) if query else None
        if not suggestion:
            return None
        data = self.data.copy()
        data["q"] = suggestion
        corrected = StudyFilterSet(data, queryset=self.queryset)
        return corrected if corrected.qs.exists() else None

    def filters_to_drop(self) -> list[tuple[str, int]]:
        """For an empty result: active filters whose removal alone finds studies, with counts."""
        active = [
            name
            for name in self.filters
            if name != "sort" and self.cleaned(name) not in (None, "", [])
        ]
        counts = count_each([self.queryset_without(name) for name in active])
        return [(name, count) for name, count in zip(active, counts, strict=True) if count]

    def selected(self, name: str) -> list[str]:
        return self.cleaned(name) or []

    def is_active(self) -> bool:
        return any(
            self.cleaned(name) not in (None, "", []) for name in self.filters if name != "sort"
        )


# `from` and `to` are Python keywords, so the filters are declared under other names and exposed
# under the URL's parameter names here.
StudyFilterSet.base_filters["from"] = StudyFilterSet.base_filters.pop("month_from")
StudyFilterSet.base_filters["to"] = StudyFilterSet.base_filters.pop("month_to")
