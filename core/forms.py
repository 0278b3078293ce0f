"""Form fields the curators' admin uses in both apps."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class MonthInput(forms.DateInput):
    """An `<input type="month">`: browsers show a month picker and submit “2018-05”.

    Browsers without a month picker show a plain text box, hence the placeholder.
    """

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"class": "vTextField", "placeholder": "YYYY-MM", **(attrs or {})},
            format="%Y-%m",
        )


class MonthField(forms.DateField):
    """A month and year (“2018-05”, also “May 2018” or “05/2018”), cleaned to the month's 1st."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%B %Y", "%b %Y", "%m/%Y"]
    default_error_messages = {
        "invalid": _("Enter the month as year and month, e.g. 2018-05 for May 2018."),
    }

    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else day
