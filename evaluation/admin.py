"""The curator's admin for program evaluation.

A program page holds its indicators and the studies about it; an indicator page holds its
measurements, with blank rows enough to enter a year of monthly monitoring figures at once.
Every rule broken gets a message that names it, never an error page.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import RowOfWholeListForm
from core.forms import MonthField
from history.admin import HistoryAdminMixin
from history.services import Link

from .models import Indicator, Measurement, Program, ProgramStudy
from .rules import phase_problems
from .services import save_indicators, save_measurements

# --- Programs ----------------------------------------------------------------------------------


class ProgramAdminForm(forms.ModelForm):
    start_month = MonthField(label="Start month", help_text="e.g. 2004-01 for January 2004.")
    end_month = MonthField(
        label="End month", required=False, help_text="Leave empty while the program runs."
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
            "status",
            "summary",
            "partners",
        ]


class IndicatorInlineForm(RowOfWholeListForm, forms.ModelForm):
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
        "definition",
        ("method", "disaggregation"),
    ]
    prepopulated_fields = {"slug": ["name"]}
    extra = 1
    show_change_link = True
    verbose_name_plural = "indicators (open one to enter its measurements)"
    # mypy is right that Django looks overrides up by field class, not by a field: this entry
    # never applies (the definition keeps the default textarea). Kept as is; see issue 9.
    formfield_overrides = {
        Indicator._meta.get_field("definition"): {  # type: ignore[dict-item]
            "widget": forms.Textarea(attrs={"rows": 2})
        }
    }


class ProgramStudyInline(admin.TabularInline):
    model = ProgramStudy
    fields = ["study", "role"]
    autocomplete_fields = ["study"]
    extra = 1


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

    @admin.display(description="period", ordering="start_month")
    def period(self, program):
        return program.period_label


# --- Indicators and their measurements ----------------------------------------------------------


class MeasurementInlineForm(RowOfWholeListForm, forms.ModelForm):
    """Per-indicator rules (one baseline, one endline, one row per phase and month, the order of
    phases) are checked by the formset across its rows, so the baseline can move between rows."""

    period_start = MonthField(label="From month")
    period_end = MonthField(label="To month", required=False, help_text="Empty: one month.")

    class Meta:
        model = Measurement
        fields = [
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
            "source_study",
            "source_reference",
            "source_citation",
            "notes",
        ]
        widgets = {
            "source_citation": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            "notes": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

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


class MeasurementInline(admin.TabularInline):
    model = Measurement
    form = MeasurementInlineForm
    formset = MeasurementFormSet
    autocomplete_fields = ["source_study"]
    ordering = ["period_start", "period_end"]
    # Blank rows for a year of monthly monitoring figures, entered without leaving the page.
    extra = 12

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdminMixin, admin.ModelAdmin):
    # A version of an indicator includes its measurements at the time.
    history_links = [Link(Measurement, "indicator", "phase", _("measurement"), _("measurements"))]
    inlines = [MeasurementInline]
    fields = [
        "program",
        ("name", "slug"),
        ("short_name", "is_headline", "position"),
        ("kind", "unit", "direction"),
        "definition",
        "method",
        "disaggregation",
        "notes",
    ]
    list_display = ["name", "program", "kind", "unit", "direction", "is_headline"]
    list_select_related = ["program"]
    list_filter = ["kind", "unit", "direction", "program__country"]
    search_fields = ["name", "short_name", "program__name"]
    autocomplete_fields = ["program"]
    prepopulated_fields = {"slug": ["name"]}
