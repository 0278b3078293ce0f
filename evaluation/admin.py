"""The curator's admin for program evaluation.

A program page holds its indicators and the studies about it; an indicator page holds its
measurements, one block each (the figure, its period and its source read together, on a laptop
or a phone), with blank blocks for new figures. Measurements also have pages of their own, listed
by program and indicator, linked from both pages. Every rule broken gets a message that names
it, never an error page.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import LabelledTabularInline, NoScriptAutocompleteMixin, RowOfWholeListForm
from core.forms import MonthField
from history.admin import HistoryAdminMixin
from history.services import Link

from .imports import ImportFailed, import_measurements, read_table
from .models import (
    QUALITY_RATING_FIELDS,
    BreakdownValue,
    Category,
    Dimension,
    Indicator,
    Measurement,
    Program,
    ProgramStudy,
    Target,
)
from .rules import phase_problems
from .services import save_indicators, save_measurements, save_target, set_categories

# A long name is shown whole: it wraps in a box of two lines instead of running off the input.
TWO_LINES = {"rows": 2, "class": "vLargeTextField"}


def one_line(text: str) -> str:
    """A name typed in a box of two lines, kept on one (Enter must not split a title)."""
    return " ".join(text.split())


def admin_css() -> forms.Media:
    return forms.Media(css={"all": ["css/admin.css"]})


# --- Programs ----------------------------------------------------------------------------------


class ProgramAdminForm(forms.ModelForm):
    start_month = MonthField(label=_("Start month"), help_text=_("e.g. 2004-01 for January 2004."))
    end_month = MonthField(
        label=_("End month"), required=False, help_text=_("Leave empty while the program runs.")
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "slug",
            "country",
            "area",
            "subject",
            "start_month",
            "end_month",
            "dates_are_inferred",
            "status",
            "summary",
            "name_es",
            "summary_es",
            "partners",
        ]
        widgets = {"name": forms.Textarea(attrs=TWO_LINES)}

    def clean_name(self):
        return one_line(self.cleaned_data["name"])


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "program",
            "name",
            "slug",
            "short_name",
            "is_headline",
            "position",
            "kind",
            "level",
            "is_cumulative",
            "unit",
            "direction",
            "definition",
            "method",
            "disaggregation",
            "notes",
        ]
        widgets = {
            "name": forms.Textarea(attrs=TWO_LINES),
            "definition": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def clean_name(self):
        return one_line(self.cleaned_data["name"])


class IndicatorInlineForm(RowOfWholeListForm, IndicatorAdminForm):
    """The formset checks the one-headline rule across the program's indicators, so that the
    headline can move from one indicator to another in one save."""


class IndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        headlines = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_headline") and not self._should_delete_form(form)
        ]
        if len(headlines) > 1:
            raise ValidationError(
                "A program has at most one headline indicator: tick “headline” on one only."
            )

    def save(self, commit=True):
        """Save through `save_indicators`, which lets the headline move between rows."""
        instances = super().save(commit=False)
        if commit:
            save_indicators(indicators=instances, removed=self.deleted_objects)
            self.save_m2m()
        return instances


class IndicatorInline(admin.StackedInline):
    model = Indicator
    form = IndicatorInlineForm
    formset = IndicatorFormSet
    fields = [
        ("name", "slug"),
        ("short_name", "is_headline", "position"),
        ("kind", "unit", "direction"),
        ("level", "is_cumulative"),
        "definition",
        ("method", "disaggregation"),
    ]
    prepopulated_fields = {"slug": ["name"]}
    extra = 1
    show_change_link = True
    verbose_name_plural = _("indicators (open one to enter its measurements)")


class ProgramStudyInline(NoScriptAutocompleteMixin, LabelledTabularInline):
    model = ProgramStudy
    fields = ["study", "role"]
    autocomplete_fields = ["study"]
    extra = 1


def measurements_link(program_id: int, indicator_id: int | None = None) -> str:
    """The measurement list of a program, or of one of its indicators."""
    url = reverse("admin:evaluation_measurement_changelist")
    query = QueryDict(mutable=True)
    query["program"] = str(program_id)
    if indicator_id is not None:
        query["indicator"] = str(indicator_id)
    return f"{url}?{query.urlencode()}"


@admin.register(Program)
class ProgramAdmin(HistoryAdminMixin, admin.ModelAdmin):
    history_links = [Link(ProgramStudy, "program", "study", _("study"), _("studies about it"))]
    form = ProgramAdminForm
    inlines = [ProgramStudyInline, IndicatorInline]
    list_display = ["name", "country", "area", "subject", "period", "status"]
    list_select_related = ["country", "subject"]
    list_filter = ["status", "country", "subject"]
    search_fields = ["name", "area", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    change_form_template = "admin/evaluation/change_form_with_measurements.html"

    @property
    def media(self):
        return super().media + admin_css()

    @admin.display(description=_("period"), ordering="start_month")
    def period(self, program):
        return program.period_label

    def change_view(self, request, object_id, form_url="", extra_context=None):
        program = self.get_object(request, object_id)
        extra = {"measurements_url": measurements_link(program.pk)} if program else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


# --- Indicators and their measurements ----------------------------------------------------------


# The figure, its period and its source, in lines that fit a laptop's width (and stack on a
# phone): Django's table of sixteen columns ran to three times the screen's width.
MEASUREMENT_FIELDSETS: list[Any] = [
    (
        _("Figure and period"),
        {
            "fields": [
                ("phase", "period_start", "period_end", "period_wording"),
                ("value_kind", "value", "value_low", "value_high"),
                ("published_wording", "ci_lower", "ci_upper", "sample_size"),
                ("numerator", "denominator", "design_effect"),
            ]
        },
    ),
    (
        _("Source"),
        {"fields": [("source_study", "source_reference"), ("source_citation", "notes")]},
    ),
    # Folded until opened (a <details>; Django opens it when one of its fields has an error).
    (
        _("Method and data quality"),
        {
            "classes": ["collapse"],
            "description": _(
                "How the figure was measured, and how it fares on the five dimensions of "
                "USAID's Data Quality Assessment. A rating other than “not assessed” needs a "
                "note saying what it rests on, and “assessed by”."
            ),
            "fields": [
                ("method", "collected_by"),
                ("fieldwork_start", "fieldwork_end", "fieldwork_precision"),
                *[(name, f"{name}_note") for name in QUALITY_RATING_FIELDS],
                "quality_assessed_by",
                ("limitations", "not_comparable_reason"),
            ],
        },
    ),
]
MEASUREMENT_QUALITY_FIELDS = [
    "method",
    "collected_by",
    "fieldwork_start",
    "fieldwork_end",
    "fieldwork_precision",
    *[field for name in QUALITY_RATING_FIELDS for field in (name, f"{name}_note")],
    "quality_assessed_by",
    "limitations",
    "not_comparable_reason",
]
MEASUREMENT_WIDGETS = {
    "source_citation": forms.Textarea(attrs={"rows": 2, "cols": 40}),
    "notes": forms.Textarea(attrs={"rows": 2, "cols": 40}),
    "limitations": forms.Textarea(attrs={"rows": 2, "cols": 40}),
    "not_comparable_reason": forms.Textarea(attrs={"rows": 2, "cols": 40}),
    **{
        f"{name}_note": forms.Textarea(attrs={"rows": 2, "cols": 40})
        for name in QUALITY_RATING_FIELDS
    },
}


class MeasurementForm(forms.ModelForm):
    """One measurement on a page of its own: checked against the indicator's stored ones."""

    period_start = MonthField(label=_("From month"))
    period_end = MonthField(label=_("To month"), required=False, help_text=_("Empty: one month."))

    class Meta:
        model = Measurement
        fields = [
            "indicator",
            "phase",
            "period_start",
            "period_end",
            "period_wording",
            "value_kind",
            "value",
            "value_low",
            "value_high",
            "published_wording",
            "ci_lower",
            "ci_upper",
            "sample_size",
            "numerator",
            "denominator",
            "design_effect",
            "source_study",
            "source_reference",
            "source_citation",
            "notes",
            *MEASUREMENT_QUALITY_FIELDS,
        ]
        widgets = MEASUREMENT_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices with a default (“not assessed”, “to the day”): a form posted without them (a
        # script, an older page) keeps the default rather than failing on a field it never saw.
        for name in [*QUALITY_RATING_FIELDS, "fieldwork_precision"]:
            if name in self.fields:
                self.fields[name].required = False


class MeasurementInlineForm(RowOfWholeListForm, MeasurementForm):
    """Per-indicator rules (one baseline, one endline, one row per phase and month, the order of
    phases) are checked by the formset across its rows, so the baseline can move between rows."""

    class Meta(MeasurementForm.Meta):
        fields = [name for name in MeasurementForm.Meta.fields if name != "indicator"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The formset checks the phase rules across all of its rows (see below).
        self.instance.check_order_against_stored = False


class MeasurementFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            blank = form.instance.pk is None and not form.has_changed()
            if blank or self._should_delete_form(form) or not form.is_valid():
                continue
            rows.append(form.instance.phase_period())
        problems = phase_problems(rows)
        if problems:
            raise ValidationError(problems)

    def save(self, commit=True):
        """Save through `save_measurements`, which lets the baseline or endline move between rows
        (the phase order of the whole set was checked in `clean`)."""
        instances = super().save(commit=False)
        if commit:
            save_measurements(measurements=instances, removed=self.deleted_objects)
            self.save_m2m()
        return instances


class MeasurementInline(NoScriptAutocompleteMixin, admin.StackedInline):
    model = Measurement
    form = MeasurementInlineForm
    formset = MeasurementFormSet
    fieldsets = MEASUREMENT_FIELDSETS
    autocomplete_fields = ["source_study"]
    ordering = ["period_start", "period_end"]
    # Three blank blocks; “Add another measurement” adds more, and each measurement also has a
    # page of its own (the measurement list, linked above the form).
    extra = 3
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


class TargetForm(forms.ModelForm):
    period_start = MonthField(label=_("From month"))
    period_end = MonthField(label=_("To month"))

    class Meta:
        model = Target
        fields = ["period_start", "period_end", "value", "date_set", "set_by", "rationale"]
        widgets: dict[str, forms.Widget] = {
            "rationale": forms.Textarea(attrs={"rows": 2, "cols": 30})
        }


def revise_link(target: Target) -> str:
    """“Revise…”: the add form of a target, filled in from the current `target`."""
    if target.pk is None or not target.is_current:
        return ""
    url = reverse("admin:evaluation_target_add")
    return format_html(
        '<a href="{}?revises={}">{}</a>', url, target.pk, gettext("Revise this target…")
    )


class TargetInline(LabelledTabularInline):
    """Targets are added, never overwritten nor removed: a new one is a new row; a stored one
    is revised on a page of its own (“Revise this target…”), which keeps the old one."""

    model = Target
    form = TargetForm
    extra = 1
    can_delete = False
    verbose_name_plural = _("targets (revise one with its link; the old one is kept)")

    def get_readonly_fields(self, request, obj=None):
        return ["is_current", "revises", "revise"]

    @admin.display(description=_("revise"))
    def revise(self, target):
        return revise_link(target)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


class DimensionForm(forms.ModelForm):
    """A dimension with its categories typed one per line, in order."""

    categories = forms.CharField(
        label=_("categories"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_("One per line, in the order of the page, e.g. “formal establishments”."),
    )

    class Meta:
        model = Dimension
        fields = ["name", "position", "categories_are_exhaustive", "categories"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            names = [c.name for c in self.instance.categories.all()]
            self.fields["categories"].initial = "\n".join(names)

    def clean_categories(self) -> list[str]:
        names = [" ".join(line.split()) for line in self.cleaned_data["categories"].splitlines()]
        names = [name for name in names if name]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValidationError(
                gettext("Each category once: %(names)s listed twice.")
                % {"names": ", ".join(f"“{n}”" for n in twice)}
            )
        if self.instance.pk:
            removed = self.instance.categories.exclude(name__in=names)
            used = [c.name for c in removed if _has_values(c)]
            if used:
                raise ValidationError(
                    gettext(
                        "%(names)s still has figures by category: remove them on the "
                        "measurements' pages first (or keep the category)."
                    )
                    % {"names": ", ".join(f"“{n}”" for n in used)}
                )
        return names

    def _save_m2m(self):
        super()._save_m2m()
        set_categories(dimension=self.instance, names=self.cleaned_data["categories"])


def _has_values(category: Category) -> bool:
    return BreakdownValue.objects.filter(
        models.Q(category=category) | models.Q(second_category=category)
    ).exists()


class DimensionInline(LabelledTabularInline):
    """An indicator's dimensions (venue type, sex…), each with its categories; the values by
    category are entered on each measurement's page."""

    model = Dimension
    form = DimensionForm
    extra = 1
    verbose_name_plural = _(
        "dimensions (figures by category: enter them on each measurement's page)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdminMixin, NoScriptAutocompleteMixin, admin.ModelAdmin):
    # A version of an indicator includes its measurements at the time.
    history_links = [Link(Measurement, "indicator", "phase", _("measurement"), _("measurements"))]
    inlines = [DimensionInline, MeasurementInline, TargetInline]
    fields = [
        "program",
        ("name", "slug"),
        ("short_name", "is_headline", "position"),
        ("kind", "unit", "direction"),
        ("level", "is_cumulative"),
        "definition",
        "method",
        "disaggregation",
        "notes",
    ]
    list_display = ["name", "program", "kind", "level", "unit", "direction", "is_headline"]
    list_select_related = ["program"]
    list_filter = ["kind", "level", "unit", "direction", "program__country"]
    search_fields = ["name", "short_name", "program__name"]
    autocomplete_fields = ["program"]
    prepopulated_fields = {"slug": ["name"]}
    change_form_template = "admin/evaluation/change_form_with_measurements.html"
    form = IndicatorAdminForm

    @property
    def media(self):
        return super().media + admin_css()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        indicator = self.get_object(request, object_id)
        extra = (
            {"measurements_url": measurements_link(indicator.program_id, indicator.pk)}
            if indicator
            else {}
        )
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


class TargetAdminForm(TargetForm):
    """A new target, or a revision of the current one (`revises`, set by the “Revise” link)."""

    class Meta(TargetForm.Meta):
        fields = ["revises", "indicator", *TargetForm.Meta.fields]
        widgets = {**TargetForm.Meta.widgets, "revises": forms.HiddenInput()}


@admin.register(Target)
class TargetAdmin(HistoryAdminMixin, NoScriptAutocompleteMixin, admin.ModelAdmin):
    """Targets, each on a page of its own, read-only once stored: a target is never overwritten.

    “Revise this target…” opens the add form filled in from the current target; saving it
    (`services.save_target`) makes the new target current and the old one not, at once. Both
    stay listed, each with its history.
    """

    form = TargetAdminForm
    fields = [
        "revises",
        "indicator",
        ("period_start", "period_end"),
        "value",
        ("date_set", "set_by"),
        "rationale",
    ]
    autocomplete_fields = ["indicator"]
    list_display = ["target", "indicator_name", "set_by", "date_set", "is_current", "revise"]
    list_select_related = ["indicator__program"]
    list_filter = ["is_current", "indicator__program"]
    search_fields = ["indicator__name", "indicator__program__name", "set_by", "rationale"]
    ordering = ["indicator__program__name", "indicator_id", "period_start", "date_set", "pk"]

    @property
    def media(self):
        return super().media + admin_css()

    @admin.display(description=_("target"))
    def target(self, target):
        return str(target)

    @admin.display(description=_("indicator"))
    def indicator_name(self, target):
        return str(target.indicator)

    @admin.display(description=_("revise"))
    def revise(self, target):
        return revise_link(target)

    @admin.display(description=_("replaced by"))
    def replaced_by(self, target):
        return ", ".join(str(revision) for revision in target.revisions.all())

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "is_current", "replaced_by", "revise"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "revises",
            "indicator",
            "period_start",
            "period_end",
            "value",
            "date_set",
            "set_by",
            "rationale",
            "is_current",
            "replaced_by",
            "revise",
        ]

    def has_change_permission(self, request, obj=None):
        # Stored targets are read, never changed (nor restored to an older version).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        """`?revises=<pk>`: the revision starts from the current target's values."""
        initial = super().get_changeform_initial_data(request)
        revised_pk = request.GET.get("revises", "")
        revised = Target.objects.filter(pk=revised_pk).first() if revised_pk.isdigit() else None
        if revised is not None:
            initial.update(
                revises=revised.pk,
                indicator=revised.indicator_id,
                period_start=revised.period_start,
                period_end=revised.period_end,
                value=revised.value,
                set_by=revised.set_by,
                rationale=revised.rationale,
            )
        return initial

    def save_model(self, request, obj, form, change):
        save_target(obj)


# --- Measurements, one page each -----------------------------------------------------------------


class ProgramFilter(admin.SimpleListFilter):
    title = _("program")
    parameter_name = "program"

    def lookups(self, request, model_admin):
        return Program.objects.order_by("name").values_list("pk", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(indicator__program=whole_number(self.value()))


class IndicatorFilter(admin.SimpleListFilter):
    """The indicators of the chosen program (all of them would be a list of thousands)."""

    title = _("indicator")
    parameter_name = "indicator"

    def lookups(self, request, model_admin):
        program = request.GET.get(ProgramFilter.parameter_name)
        indicator = request.GET.get(self.parameter_name)
        if program is not None:
            indicators = Indicator.objects.filter(program=whole_number(program))
        elif indicator is not None:  # the indicator's fellows
            indicators = Indicator.objects.filter(program__indicators=whole_number(indicator))
        else:
            return []
        return [(item.pk, item.label) for item in indicators.order_by("position", "pk")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(indicator=whole_number(self.value()))


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError as error:
        raise IncorrectLookupParameters(gettext("Not a number: %r") % text) from error


IMPORT_SALT = "evaluation.measurement-import"
IMPORT_MAX_AGE = 60 * 60  # a preview is confirmed within the hour, or uploaded again
# Carried in the confirmation form (signed): a curator's spreadsheet, not a bulk load.
ADMIN_IMPORT_MAX_BYTES = 5 * 1024 * 1024


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label=_("Measurements file (CSV or XLSX)"),
        help_text=_(
            "The columns of a program's measurements.csv download. Rows are matched by "
            "program, indicator, phase and first month."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ADMIN_IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class BreakdownValueFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or not form.is_valid():
                continue
            data = form.cleaned_data
            if not data.get("category"):
                continue
            pair = frozenset(c.pk for c in (data["category"], data.get("second_category")) if c)
            if pair in seen:
                raise ValidationError(
                    gettext("Each combination of categories once: %(label)s is given twice.")
                    % {"label": form.instance.combination_label}
                )
            seen.add(pair)


class BreakdownValueInline(LabelledTabularInline):
    """The measurement's values by category of its indicator's dimensions, beside its total."""

    model = BreakdownValue
    formset = BreakdownValueFormSet
    fields = [
        "category",
        "second_category",
        "value",
        "numerator",
        "denominator",
        "published_wording",
        "source_reference",
        "notes",
    ]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}
    }
    extra = 2
    verbose_name = _("value by category")
    verbose_name_plural = _("values by category (the indicator's dimensions)")

    def get_formset(self, request, obj=None, **kwargs):
        self._indicator_id = obj.indicator_id if obj else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("category", "second_category"):
            kwargs["queryset"] = Category.objects.filter(
                dimension__indicator=getattr(self, "_indicator_id", None)
            ).select_related("dimension")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "measurement__indicator", "category__dimension", "second_category__dimension"
            )
        )


@admin.register(Measurement)
class MeasurementAdmin(HistoryAdminMixin, NoScriptAutocompleteMixin, admin.ModelAdmin):
    """Each measurement on a page of its own, with the figure, period and source together.

    Saved through `save_measurements`, like the indicator page's blocks; the form checks the
    phase order against the indicator's stored measurements (`Measurement.clean`).
    """

    form = MeasurementForm
    fieldsets = [(None, {"fields": ["indicator"]}), *MEASUREMENT_FIELDSETS]
    inlines = [BreakdownValueInline]
    autocomplete_fields = ["indicator", "source_study"]
    list_display = ["figure", "phase", "period", "indicator_name", "source"]
    list_display_links = ["figure"]
    list_select_related = ["indicator__program", "source_study"]
    list_filter = [ProgramFilter, IndicatorFilter, "phase"]
    search_fields = ["indicator__name", "indicator__program__name", "published_wording"]
    ordering = ["indicator__program__name", "indicator__position", "indicator_id", "period_start"]

    @property
    def media(self):
        return super().media + admin_css()

    @admin.display(description=_("figure"))
    def figure(self, measurement):
        return measurement.display_value

    @admin.display(description=_("period"), ordering="period_start")
    def period(self, measurement):
        return measurement.period_label

    @admin.display(description=_("indicator"))
    def indicator_name(self, measurement):
        return str(measurement.indicator)

    @admin.display(description=_("source"))
    def source(self, measurement):
        if measurement.source_study_id:
            where = f", {measurement.source_reference}" if measurement.source_reference else ""
            return format_html("{}{}", measurement.source_study, where)
        return measurement.source_citation

    def get_inlines(self, request, obj):
        # Values by category need the indicator's categories: once the measurement is saved.
        return self.inlines if obj is not None else []

    def get_changeform_initial_data(self, request):
        """“Add measurement” from a list filtered to one indicator starts on that indicator."""
        initial = super().get_changeform_initial_data(request)
        filters = QueryDict(request.GET.get("_changelist_filters", ""))
        indicator = filters.get(IndicatorFilter.parameter_name)
        if "indicator" not in initial and indicator and indicator.isdigit():
            initial["indicator"] = indicator
        return initial

    def save_model(self, request, obj, form, change):
        save_measurements(measurements=[obj])

    def delete_model(self, request, obj):
        save_measurements(measurements=[], removed=[obj])

    # --- Import, with a preview ---------------------------------------------------------------
    change_list_template = "admin/evaluation/measurement/change_list.html"

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="evaluation_measurement_import",
        )
        return [import_url, *super().get_urls()]

    def import_view(self, request):
        """Upload a measurements table; see what it would change (a dry run: every rule
        checked, nothing written); then import exactly that file, all or nothing."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import measurements"),
            "opts": self.opts,
            "form": MeasurementImportForm(),
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirmed(request, context)
        if request.method == "POST":
            form = MeasurementImportForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                content = form.cleaned_data["file"].read()
                try:
                    result = import_measurements(read_table(content), dry_run=True)
                except ImportFailed as failure:
                    context["problems"] = failure.problems
                else:
                    context["preview"] = result
                    context["payload"] = signing.dumps(
                        content.hex(), salt=IMPORT_SALT, compress=True
                    )
        return TemplateResponse(request, "admin/evaluation/measurement/import.html", context)

    def _import_confirmed(self, request, context):
        try:
            hex_content = signing.loads(
                request.POST.get("payload", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
            )
            content = bytes.fromhex(hex_content)
        except (signing.BadSignature, ValueError):
            context["problems"] = [
                gettext("The preview has expired or was altered: upload the file again.")
            ]
            return TemplateResponse(request, "admin/evaluation/measurement/import.html", context)
        try:
            result = import_measurements(read_table(content))
        except ImportFailed as failure:
            # The data changed since the preview: nothing was written; say what is wrong now.
            context["problems"] = failure.problems
            return TemplateResponse(request, "admin/evaluation/measurement/import.html", context)
        self.message_user(request, gettext("Imported: %(summary)s.") % {"summary": result.summary})
        return HttpResponseRedirect(reverse("admin:evaluation_measurement_changelist"))

    def delete_queryset(self, request, queryset):
        save_measurements(measurements=[], removed=list(queryset))
