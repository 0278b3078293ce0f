"""A list page that never fails on its `page` parameter: a bad number shows the nearest real
page, with a notice saying why (the study list and the program list)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.formats import number_format
from django.utils.translation import gettext as _


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
            return paginator.page(1), _("“%(page)s” is not a page number; showing page 1.") % {
                "page": raw_page[:20]
            }
    if number < 1:
        return paginator.page(1), _("There is no page %(number)s; showing page 1.") % {
            "number": number
        }
    if number > paginator.num_pages:
        last = paginator.num_pages
        return paginator.page(last), (
            _("There is no page %(number)s; showing the last page (%(last)s).")
            % {"number": number_format(number, force_grouping=True), "last": last}
        )
    return paginator.page(number), None
