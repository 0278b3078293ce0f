"""Reading a public list's query parameters, forgivingly (the study list and the program list).

Unknown or malformed values never make an error page: they are dropped, and kept for the page
to report as a notice.
"""

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect


def without_empty_parameters(request: HttpRequest) -> HttpResponseRedirect | None:
    """A redirect to this URL without its empty parameters, or None when it has none.

    A GET form sends every field, set or not (`?q=&country=KH&year_from=`); the redirect keeps
    bookmarks and shared links to what was chosen, in the order and spelling it was sent.
    """
    if not any(value.strip() == "" for _name, values in request.GET.lists() for value in values):
        return None
    kept = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if value.strip()
    ]
    query = urlencode(kept)
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


class ValueListField(forms.Field):
    """A repeatable parameter whose values must exist in a vocabulary; unknown ones are dropped.

    Comma-separated values are accepted too (`?country=kh,ph`). Values that exist are returned
    normalised; the others are kept in `self.ignored` for the page to report.
    """

    widget = forms.SelectMultiple

    def __init__(
        self,
        *,
        vocabulary: QuerySet[Any],
        to_field: str,
        normalise: Callable[[str], str] = str.lower,
        extra_values: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.vocabulary, self.to_field, self.normalise = vocabulary, to_field, normalise
        self.extra_values = set(extra_values)
        self.ignored: list[str] = []

    def clean(self, value: Iterable[object] | None) -> list[str]:
        raw = [part for item in value or [] for part in str(item).split(",")]
        wanted: list[str] = []
        unusable: list[str] = []
        for item in raw:
            item = self.normalise(item.strip())[:100]
            if "\x00" in item:  # PostgreSQL text cannot hold NUL: never send it to a query
                unusable.append(item.replace("\x00", "\\0"))
            elif item and item not in wanted:
                wanted.append(item)
        lookup = [item for item in wanted if item not in self.extra_values]
        known: set[str] = set()
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


class ValueListFilter(django_filters.Filter):
    field_class = ValueListField
