"""What the curators' admin does alike in both apps."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.forms.models import InlineForeignKeyField
from django.forms.utils import pretty_name
from django.utils.text import capfirst
from django.utils.translation import gettext as _

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


# --- Accessible widgets and inlines ------------------------------------------------------------


class NoScriptFallbackMixin:
    """An admin autocomplete widget that lists every choice when there are few enough.

    Django's autocomplete renders a `<select>` holding only the chosen options and leaves the
    rest to select2's searches: without JavaScript, a curator could pick nothing else. With every
    choice in the `<select>`, the page works without JavaScript (a plain select), and select2
    still searches the server when JavaScript runs. A list longer than `fallback_limit` (authors
    or studies by the thousand) keeps Django's behaviour, as no one scrolls such a select.
    """

    fallback_limit = 300

    def optgroups(self, name, value, attr=None):
        queryset = self.choices.queryset.using(self.db)
        objects = list(queryset[: self.fallback_limit + 1])
        if len(objects) > self.fallback_limit:
            return super().optgroups(name, value, attr)
        chosen = {str(item) for item in value if str(item) not in self.choices.field.empty_values}
        options = []
        if not self.allow_multiple_selected and (not self.is_required or not chosen):
            # Without it, a browser would pick the first choice for the curator.
            options.append(self.create_option(name, "", "", False, 0))
        # As Django's autocomplete finds the option values (a foreign key may name a field).
        remote = self.field.remote_field.model._meta
        to_field = remote.get_field(
            getattr(self.field.remote_field, "field_name", remote.pk.attname)
        ).attname
        for obj in objects:
            option_value = getattr(obj, to_field)
            label = self.choices.field.label_from_instance(obj)
            options.append(
                self.create_option(
                    name, option_value, label, str(option_value) in chosen, len(options)
                )
            )
        return [(None, options, 0)]

    @property
    def media(self):
        # Names select2's combobox and search fields after the field's label (see the file).
        # Named after autocomplete.js, so that it runs once select2 has drawn the fields.
        after = ["admin/js/jquery.init.js", "admin/js/autocomplete.js"]
        return super().media + forms.Media(
            js=[*after, "js/admin-autocomplete-labels.js"], css={"all": ["css/admin.css"]}
        )


class AutocompleteSelectWithFallback(NoScriptFallbackMixin, AutocompleteSelect):
    pass


class AutocompleteSelectMultipleWithFallback(NoScriptFallbackMixin, AutocompleteSelectMultiple):
    pass


class NoScriptAutocompleteMixin:
    """For a ModelAdmin or an inline: its `autocomplete_fields` work without JavaScript too."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectWithFallback(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultipleWithFallback(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LabelledRowsFormSet:
    """Mixed into a tabular inline's formset: every input of a row gets a name of its own.

    A tabular inline shows each field's label once, as a column header, and its inputs have no
    `<label>`: a screen reader announced “edit text” with no word of what to type. Each input
    is named “Position, row 2” (the empty row copied by “Add another” has no number).
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field_name, field in form.fields.items():
            widget = field.widget
            # The admin wraps a related field's widget (with its “+” links): the wrapper's attrs
            # are the original widget's, shared by every row, so name the row's own copy.
            while hasattr(widget, "widget"):
                widget = widget.widget
            if widget.is_hidden:
                continue
            label = capfirst(field.label or pretty_name(field_name))
            widget.attrs["aria-label"] = (
                _("%(field)s, row %(row)d") % {"field": label, "row": index + 1}
                if index is not None
                else label
            )


class LabelledTabularInline(admin.TabularInline):
    """A TabularInline whose inputs are labelled for screen readers (LabelledRowsFormSet)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (LabelledRowsFormSet, formset), {})
