"""What the curators' admin does alike in both apps."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.forms.models import InlineForeignKeyField

# The mixin reads the ModelForm it is mixed into; the type checker is told so.
if TYPE_CHECKING:
    from django.forms import ModelForm

    FormBase = ModelForm[Any]
else:
    FormBase = object


class RowOfWholeListForm(FormBase):
    """The form of one row of an inline whose rules across rows the inline's formset checks.

    Mixed into the form of a study's authorships, a program's indicators and an indicator's
    measurements: unique positions, one headline, one baseline. The formset holds the whole
    list, so it checks those rules across its rows (Django's own unique check, or its `clean`).
    Checking each row against the stored rows as well would refuse a reordering: swapping
    positions 1 and 2 collides with the row not saved yet. So a row checks only the
    constraints that do not involve its parent; the database checks everything again at save.

    `validate_constraints` is ModelForm's step that runs the model's constraints; this one asks
    the model (`Model.validate_constraints`, with the parent excluded) and reports through
    `add_error`, both public APIs.
    """

    def validate_constraints(self) -> None:
        try:
            self.instance.validate_constraints(exclude=self.fields_not_validated())
        except ValidationError as error:
            self.add_error(None, error)

    def fields_not_validated(self) -> set[str]:
        """The model fields whose constraints this row leaves alone: the parent (checked across
        rows by the formset), those not on the form, those already in error, and empty ones the
        form allows but the model requires (the model fills them in `clean`, as ModelForm's own
        validation assumes)."""
        excluded = {
            name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField)
        }
        for model_field in self.instance._meta.fields:
            form_field = self.fields.get(model_field.name)
            if form_field is None or model_field.name in self.errors:
                excluded.add(model_field.name)
                continue
            # Left empty on the form, filled by the model's `clean` (e.g. a one-month period).
            empty = self.cleaned_data.get(model_field.name) in form_field.empty_values
            if empty and not form_field.required and not model_field.blank:
                excluded.add(model_field.name)
        return excluded
