"""A list page that never fails on its `page` parameter: a bad number shows the nearest real
page, with a notice saying why (the study list and the program list)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


def page_or_nearest(
    paginator: Paginator[Any], raw_page: str | None
) -> tuple[Page[Any], str | None]:
    """The requested page, or the nearest real one with a notice saying why."""
    if not raw_page:
        number = 1
    else:
        try:
            number = int(raw_page)
        except ValueError:
            return paginator.page(1), f"“{raw_page[:20]}” is not a page number; showing page 1."
    if number < 1:
        return paginator.page(1), f"There is no page {number}; showing page 1."
    if number > paginator.num_pages:
        last = paginator.num_pages
        return paginator.page(last), (
            f"There is no page {number:,}; showing the last page ({last})."
        )
    return paginator.page(number), None
