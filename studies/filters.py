"""The public study list's filters: parse the URL's query parameters, forgiving bad input.

Every parameter may repeat (`?country=kh&country=ph`): values OR within one filter, AND across
filters. Unknown or malformed values are never an error page: they are dropped and reported in
`StudyFilterSet.notices` (complete as soon as the filter set exists), which the page shows.

The filter set only parses and filters: what the matches are counted by lives in
`studies.facets`, how they are searched and ranked in `studies.search`.

The publication date is one filter written with up to four parameters: `year_from`/`year_to`
(whole years) and `from`/`to` (months, `YYYY-MM`). They resolve into one `MonthRange`; where a
year and a month bound the same end, the narrower one wins (as two filters ANDed would).
"""

import datetime
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.filters import ValueListFilter

from . import search
from .models import Author, Country, ResourceType, Study, Subject
from .querysets import StudyQuerySet

MAX_QUERY_LENGTH = 200
MULTIPLE_COUNTRIES = "multiple"
SORT_CHOICES = [
    ("relevance", gettext_lazy("Relevance")),
    ("newest", gettext_lazy("Newest first")),
    ("oldest", gettext_lazy("Oldest first")),
    ("title", gettext_lazy("Title A–Z")),
]
DATE_PARAMETERS = ("year_from", "year_to", "from", "to")
DATE_RANGE = "date"  # the four date parameters taken as one filter: one chip, one removal


@dataclass(frozen=True)
class MonthRange:
    """Publication months from `first` to `last`, both included; either end may be open.

    Months are first days of the month, as `Study.publication_month` stores them.
    """

    first: datetime.date | None = None
    last: datetime.date | None = None

    def __bool__(self) -> bool:
        return self.first is not None or self.last is not None

    @property
    def is_backwards(self) -> bool:
        return self.first is not None and self.last is not None and self.first > self.last

    def within_year(self, year: int) -> "MonthRange":
        """This range cut down to one year: where that year's bar of the histogram leads."""
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
        return MonthRange(
            max(first, self.first) if self.first else first,
            min(last, self.last) if self.last else last,
        )

    def parameters(self) -> dict[str, str]:
        """The range in the URL's words: whole years as `year_from`/`year_to`, else months."""
        parameters = {}
        if self.first is not None:
            if self.first.month == 1:
                parameters["year_from"] = str(self.first.year)
            else:
                parameters["from"] = f"{self.first:%Y-%m}"
        if self.last is not None:
            if self.last.month == 12:
                parameters["year_to"] = str(self.last.year)
            else:
                parameters["to"] = f"{self.last:%Y-%m}"
        return parameters

    def describe(self) -> str:
        """“2016”, “from January 2015”, “to 2016”, “March 2014 – 2016”, “March – June 2016”
        (in the active language: “desde enero de 2015”)."""
        first, last = self.first, self.last
        start, end = first_month_name(first), last_month_name(last)
        if first and last:
            if first == last:
                return month_name(first)
            if first.year == last.year:
                if first.month == 1 and last.month == 12:
                    return str(first.year)
                return f"{date_format(first, 'F')} – {month_name(last)}"
            return f"{start} – {end}"
        if first:
            return _("from %(start)s") % {"start": start}
        if last:
            return _("to %(end)s") % {"end": end}
        return ""


def month_name(month: datetime.date | None) -> str:
    """“September 2023”; in Spanish “septiembre de 2023”."""
    return date_format(month, "YEAR_MONTH_FORMAT") if month else ""


def first_month_name(month: datetime.date | None) -> str:
    """A range's first month in words: a January is its year (“from 2015” means all of 2015)."""
    return str(month.year) if month and month.month == 1 else month_name(month)


def last_month_name(month: datetime.date | None) -> str:
    """A range's last month in words: a December is its year (“to 2016” means all of 2016)."""
    return str(month.year) if month and month.month == 12 else month_name(month)


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1900, max_value=2100, **kwargs)
        self.error_messages["invalid"] = gettext_lazy("is not a year")


class YearFilter(django_filters.Filter):
    field_class = YearField


class MonthField(forms.CharField):
    """A month as `YYYY-MM` (what `<input type="month">` sends), cleaned to its first day."""

    def clean(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", value)  # \d would take “٢٠١٤” too
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError(_("is not a month like 2014-03"))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class FlagField(forms.CharField):
    """A tick box's value: `1` when ticked, absent (or empty) when not; anything else is an error,
    so that `?has_full_text=yes` is reported rather than silently read as ticked or not."""

    def clean(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if value != "1":
            raise forms.ValidationError(_("is not 1 (ticked) or empty"))
        return True


class FlagFilter(django_filters.Filter):
    field_class = FlagField


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
    # The four date parameters filter together, as one `MonthRange` (see `filter_queryset`).
    year_from = YearFilter(method="filter_date_bound")
    year_to = YearFilter(method="filter_date_bound")
    month_from = MonthFilter(method="filter_date_bound")  # the URL parameter is `from` (below)
    month_to = MonthFilter(method="filter_date_bound")  # the URL parameter is `to` (below)
    has_full_text = FlagFilter(method="filter_full_text")
    q = django_filters.CharFilter(method="filter_query", strip=True)
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    # Labels for notices and chips.
    PARAMETER_LABELS = {
        "country": gettext_lazy("country"),
        "subject": gettext_lazy("subject"),
        "type": gettext_lazy("type"),
        "author": gettext_lazy("author"),
        "year_from": gettext_lazy("year from"),
        "year_to": gettext_lazy("year to"),
        "from": gettext_lazy("from month"),
        "to": gettext_lazy("to month"),
        DATE_RANGE: gettext_lazy("publication date"),
        "has_full_text": gettext_lazy("has full text"),
        "q": gettext_lazy("search"),
        "sort": gettext_lazy("sort"),
    }
    FACETS = ["country", "subject", "type", "author"]

    class Meta:
        model = Study
        fields: list[str] = []

    def __init__(self, data=None, *args, use_search_index: bool = False, **kwargs):
        # Only the public list (published studies, what the index holds) asks the search index.
        self.use_search_index = use_search_index
        self.query_length = 0  # of the search as sent, before it was cut to MAX_QUERY_LENGTH
        if data is not None:
            data = data.copy()
            query = data.get("q", "")
            if len(query) > MAX_QUERY_LENGTH:
                data["q"] = query[:MAX_QUERY_LENGTH]
                self.query_length = len(query)
        super().__init__(data, *args, **kwargs)

    @cached_property
    def search_index(self) -> "search.SearchBackend | None":
        """The search index's answers for these filters, or None: PostgreSQL answers."""
        return search.index_backend(self) if self.use_search_index else None

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

    def filter_date_bound(self, queryset, name, value):
        return queryset  # the bounds are applied together, as one range (see `filter_queryset`)

    def filter_full_text(self, queryset, name, value):
        return queryset.with_full_text() if value else queryset

    def filter_query(self, queryset, name, query):
        return queryset.matching(query) if query else queryset

    def filter_sort(self, queryset, name, sort):
        return queryset  # ordering is applied once, after every filter (see `qs`)

    def filter_queryset(self, queryset):
        return self._filtered(queryset, skip=())

    def _filtered(self, queryset: StudyQuerySet, skip: tuple[str, ...]) -> StudyQuerySet:
        """`queryset` with every filter applied but those named in `skip` (`DATE_RANGE` too)."""
        for name, value in self.form.cleaned_data.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        if DATE_RANGE not in skip:
            months = self.month_range()
            queryset = queryset.published_between(months.first, months.last)
        return queryset

    def month_range(self) -> MonthRange:
        """The one publication-date range the four date parameters say; narrower bounds win."""
        year_from, year_to, month_from, month_to = (self.cleaned(n) for n in DATE_PARAMETERS)
        firsts = [month_from, datetime.date(year_from, 1, 1) if year_from is not None else None]
        lasts = [month_to, datetime.date(year_to, 12, 1) if year_to is not None else None]
        return MonthRange(
            max((month for month in firsts if month), default=None),
            min((month for month in lasts if month), default=None),
        )

    def date_fields(self) -> dict[str, str]:
        """The date range as the filter form shows it: each end as the visitor wrote it, or,
        where a year and a month both bound that end, only the bound that won."""
        months, fields = self.month_range(), {}
        for year_parameter, month_parameter, end in [
            ("year_from", "from", MonthRange(first=months.first)),
            ("year_to", "to", MonthRange(last=months.last)),
        ]:
            year, month = self.cleaned(year_parameter), self.cleaned(month_parameter)
            if year is not None and month:
                fields.update(end.parameters())
            elif year is not None:
                fields[year_parameter] = str(year)
            elif month:
                fields[month_parameter] = f"{month:%Y-%m}"
        return fields

    @staticmethod
    def parameters_of(name: str) -> tuple[str, ...]:
        """The URL parameters that make up the filter `name`."""
        return DATE_PARAMETERS if name == DATE_RANGE else (name,)

    @property
    def qs(self) -> StudyQuerySet:
        if not hasattr(self, "_sorted_qs"):
            self._sorted_qs = super().qs.sorted_by(self.sort_order)
        return self._sorted_qs

    @property
    def sort_order(self) -> str:
        """The requested order; relevance by default when searching, newest otherwise."""
        default = "relevance" if self.cleaned("q") else "newest"
        sort = self.cleaned("sort") or default
        return default if sort == "relevance" else sort

    def cleaned(self, name: str) -> Any:
        self.form.is_valid()
        return self.form.cleaned_data.get(name)

    def cleaned_querystring(self) -> str:
        """The filters as understood (ignored values left out), as a query string.

        The date range is written once, in its shortest words (`MonthRange.parameters`).
        """
        self.form.is_valid()
        query, dates_written = QueryDict(mutable=True), False
        for name, value in self.form.cleaned_data.items():
            if name in DATE_PARAMETERS:
                if not dates_written:
                    query.update(self.month_range().parameters())
                    dates_written = True
            elif value is True:
                query[name] = "1"  # a flag is written as the form's tick box sends it
            elif isinstance(value, list):
                if value:
                    query.setlist(name, value)
            elif value not in (None, ""):
                query[name] = str(value)
        return query.urlencode()

    def queryset_without(self, *names: str) -> StudyQuerySet:
        """The matches with every filter applied except `names`: the base of that facet's counts."""
        self.form.is_valid()
        return self._filtered(self.queryset, skip=names)

    # --- what the page shows -----------------------------------------------------------------
    @property
    def notices(self) -> list[str]:
        """What was cut short, ignored or cannot match, for the caller to show or refuse.

        Complete as soon as the filter set exists: cleaning the parameters is what finds them.
        """
        notices = []
        if self.query_length:
            notices.append(
                ngettext(
                    "Your search was %(length)s characters long; only the first %(kept)d was used.",
                    "Your search was %(length)s characters long; "
                    "only the first %(kept)d were used.",
                    MAX_QUERY_LENGTH,
                )
                % {
                    "length": number_format(self.query_length, force_grouping=True),
                    "kept": MAX_QUERY_LENGTH,
                }
            )
        for name, errors in self.form.errors.items():
            raw = self.data.get(name, "")
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            reasons = " ".join(error.rstrip(".") for error in errors)
            label = self.PARAMETER_LABELS.get(name, name)
            notices.append(
                _("Ignored %(label)s “%(value)s”: %(reasons)s.")
                % {"label": label, "value": shown, "reasons": reasons}
            )
        for name in self.FACETS:
            ignored = self.form.fields[name].ignored
            if ignored:
                values = ", ".join(f"“{value[:40]}”" for value in ignored)
                label = self.PARAMETER_LABELS[name]
                notices.append(
                    _("Ignored unknown %(label)s %(values)s: no such %(label)s in the library.")
                    % {"label": label, "values": values}
                )
        year_from, year_to = self.cleaned("year_from"), self.cleaned("year_to")
        months = self.month_range()
        if year_from is not None and year_to is not None and year_from > year_to:
            notices.append(
                _("“Year from” (%(first)s) is after “year to” (%(last)s): nothing can match.")
                % {"first": year_from, "last": year_to}
            )
        elif months.is_backwards:
            notices.append(
                _("The dates start (%(first)s) after they end (%(last)s): nothing can match.")
                % {"first": month_name(months.first), "last": month_name(months.last)}
            )
        return notices

    def date_range_notices(self) -> list[str]:
        """Which bound was used where a year and a month bound the same end (for the page only:
        the API, exports and feed apply the same rule without objecting to it)."""
        self.form.is_valid()
        months, notices = self.month_range(), []
        year_from, month_from = self.cleaned("year_from"), self.cleaned("from")
        if year_from is not None and month_from:
            notices.append(
                _(
                    "Both a start year (%(year)s) and a start month (%(month)s) were given; "
                    "the later one, %(used)s, is used."
                )
                % {
                    "year": year_from,
                    "month": month_name(month_from),
                    "used": first_month_name(months.first),
                }
            )
        year_to, month_to = self.cleaned("year_to"), self.cleaned("to")
        if year_to is not None and month_to:
            notices.append(
                _(
                    "Both an end year (%(year)s) and an end month (%(month)s) were given; "
                    "the earlier one, %(used)s, is used."
                )
                % {
                    "year": year_to,
                    "month": month_name(month_to),
                    "used": last_month_name(months.last),
                }
            )
        return notices

    def active_filters(self) -> list[str]:
        """The filters narrowing the list, by name; the date range is one (`DATE_RANGE`)."""
        active = [name for name in self.FACETS if self.selected(name)]
        active += [DATE_RANGE] if self.month_range() else []
        active += ["has_full_text"] if self.cleaned("has_full_text") else []
        active += ["q"] if self.cleaned("q") else []
        return active

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
