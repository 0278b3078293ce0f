"""The curator's admin for the study library.

Curators do all of their work here: they add studies with their authors in citation order,
publish and unpublish them, and keep the vocabularies (authors, countries, subjects, types) tidy.
"""

import datetime
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, QuerySet, UniqueConstraint
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import LabelledTabularInline, NoScriptAutocompleteMixin, RowOfWholeListForm
from core.forms import MonthField
from history.admin import HistoryAdminMixin, MixinBase
from history.services import Link

from .capitalisation import capitalisation_warning
from .models import (
    Author,
    Authorship,
    Country,
    HomePage,
    ResourceType,
    SearchSynonym,
    Study,
    StudyCountry,
    StudyFile,
    StudyResourceType,
    Subject,
    missing_for_publication,
    pages_label,
    publication_requirement_message,
)
from .querysets import STUDY_TEXT_FIELDS
from .services import (
    publish_studies,
    reasons_to_stay_published,
    save_author_list,
    unpublish_studies,
)

admin.site.site_header = _("JusticeLib curation")
admin.site.site_title = _("JusticeLib curation")
admin.site.index_title = _("Library")


class StudyAdminForm(forms.ModelForm):
    publication_month = MonthField(
        label=_("Publication month"),
        help_text=_("Month and year of publication, e.g. 2018-05 for May 2018."),
    )

    class Meta:
        model = Study
        fields = [
            "title",
            "short_title",
            "slug",
            "description",
            "title_es",
            "description_es",
            "publication_month",
            "resource_types",
            "subject",
            "status",
            "countries",
            "is_multi_country",
            "pdf",
            "external_url",
            "publisher",
            "citation_key",
            "language",
            "rights",
            "license_url",
        ]
        # A long title is shown whole: it wraps in a box of two lines.
        widgets = {"title": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}
        error_messages = {
            "slug": {
                "unique": _(
                    "Another study already uses this address (slug). Choose a different one."
                ),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is a setting, so the help text is written when the form is.
        self.fields["pdf"].help_text = (
            f"A PDF document, not password-protected, of at most "
            f"{filesizeformat(settings.STUDY_FILE_MAX_BYTES)}."
        )
        self.fields["pdf"].widget.attrs["accept"] = "application/pdf,.pdf"
        # The admin heads a file field with a <legend> (it has a “clear” box too): the file
        # input itself needs a name.
        self.fields["pdf"].widget.attrs["aria-label"] = capfirst(self.fields["pdf"].label)

    def clean_title(self):
        """Typed in a box of two lines, a title stays on one (Enter must not split it)."""
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        """The rules across fields that the database checks at commit, as messages here first.

        The authors are in the inline formset, which checks them (AuthorshipFormSet.clean).
        """
        cleaned = super().clean()
        countries, is_multi = cleaned.get("countries"), cleaned.get("is_multi_country")
        if is_multi and countries:
            self.add_error(
                "is_multi_country",
                "Name the countries or tick “multiple countries”, not both: a study naming two "
                "or more countries is listed under “Multiple countries” anyway.",
            )
        if cleaned.get("status") == Study.Status.PUBLISHED:
            # A field that failed its own validation is missing from cleaned_data: not “missing”.
            missing = missing_for_publication(
                has_type="resource_types" not in cleaned or bool(cleaned["resource_types"]),
                has_author=True,
                has_country="countries" not in cleaned or bool(countries) or bool(is_multi),
            )
            for what in missing:
                field = "resource_types" if what == "a resource type" else "countries"
                self.add_error(field, publication_requirement_message([what]))
        if cleaned.get("status") == Study.Status.DRAFT and self.instance.pk:
            reason = reasons_to_stay_published([self.instance.pk]).get(self.instance.pk)
            if reason:
                self.add_error("status", reason)
        return cleaned


# --- Authors of a study, in citation order -----------------------------------------------------


POSITION_HELP = _("Authors are listed in order of position: 1 is the first author, then 2, 3…")


class AuthorshipForm(RowOfWholeListForm, forms.ModelForm):
    # The formset checks positions and authors across the study's whole author list.
    position = forms.IntegerField(min_value=1, max_value=32767, help_text=POSITION_HELP)

    class Meta:
        model = Authorship
        fields = ["position", "author"]


class AuthorshipFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        """Number the blank rows after the existing authors (“Add another” rows stay blank)."""
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            last = max((authorship.position for authorship in self.get_queryset()), default=0)
            kwargs["initial"] = {"position": last + index - self.initial_form_count() + 1}
        return kwargs

    def get_unique_error_message(self, unique_check):
        """Say which rule two rows break, in the words of the model's constraint."""
        for constraint in Authorship._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and set(constraint.fields) == set(
                unique_check
            ):
                return constraint.get_violation_error_message()
        return super().get_unique_error_message(unique_check)

    def get_form_error(self):
        return "This row repeats another row: see the message above the authors."

    def clean(self):
        super().clean()
        # The study form has put its values on self.instance (status included) by now.
        if self.instance.status != Study.Status.PUBLISHED:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("author") and not self._should_delete_form(form)
        ]
        if not kept:
            raise ValidationError(publication_requirement_message(["an author"]))

    def save(self, commit=True):
        """Save the author list through `save_author_list`, which reorders rows safely."""
        instances = super().save(commit=False)
        if commit:
            save_author_list(
                study=self.instance, authorships=instances, removed=self.deleted_objects
            )
            self.save_m2m()
        return instances


class StudyPermissionsMixin:
    """Whoever may add or change a study may edit its author list (no separate permissions)."""

    def _study_admin(self):
        return self.admin_site.get_model_admin(self.parent_model)

    def _can_edit_study(self, request, obj):
        study_admin = self._study_admin()
        if obj is None:  # the add form
            return study_admin.has_add_permission(request)
        return study_admin.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._can_edit_study(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_edit_study(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_edit_study(request, obj)

    def has_view_permission(self, request, obj=None):
        return self._study_admin().has_view_permission(request, obj)


class AuthorshipInline(StudyPermissionsMixin, NoScriptAutocompleteMixin, LabelledTabularInline):
    model = Authorship
    form = AuthorshipForm
    formset = AuthorshipFormSet
    fields = ["position", "author"]
    autocomplete_fields = ["author"]
    ordering = ["position"]
    extra = 2
    verbose_name = _("author")
    verbose_name_plural = _("authors (in order of position: 1, 2, 3…)")


class StudyFileInline(StudyPermissionsMixin, LabelledTabularInline):
    """A study's PDFs in order; the facts processing reads from them are shown, not edited."""

    model = StudyFile
    fields = ["position", "file", "label", "language", "is_main", "facts"]
    readonly_fields = ["facts"]
    ordering = ["position", "id"]
    extra = 1
    verbose_name = _("file")
    verbose_name_plural = _("files (in order of position: 1, 2, 3…)")

    @admin.display(description=_("pages, size"))
    def facts(self, study_file: StudyFile) -> str:
        if study_file.pk is None:
            return ""
        if not study_file.is_processed:
            return gettext("Waiting for processing (manage.py process_files).")
        if study_file.processing_error:
            return study_file.processing_error
        return f"{pages_label(study_file.pages or 0)}, {filesizeformat(study_file.size_bytes or 0)}"


# --- Studies -----------------------------------------------------------------------------------


def years_with_studies() -> list[int]:
    """The years that have studies, oldest first.

    A "loose index scan": one probe of the publication-month index per year, instead of a
    DISTINCT over every study.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE year AS (
                SELECT min(publication_month) AS month FROM studies_study
                UNION ALL
                SELECT (
                    SELECT min(publication_month) FROM studies_study
                    WHERE publication_month >= date_trunc('year', year.month) + interval '1 year'
                )
                FROM year WHERE year.month IS NOT NULL
            )
            SELECT extract(year FROM month)::int FROM year WHERE month IS NOT NULL
            """
        )
        return [year for (year,) in cursor.fetchall()]


class PublicationYearFilter(admin.SimpleListFilter):
    title = _("publication year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in reversed(years_with_studies())]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            year = int(self.value())
            start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        except (TypeError, ValueError) as error:
            raise IncorrectLookupParameters(f"Not a year: {self.value()!r}") from error
        return queryset.filter(publication_month__gte=start, publication_month__lt=end)


class EstimatedCountPaginator(Paginator):
    """Counts a large list from PostgreSQL's statistics instead of COUNT(*).

    Counting every study on each load of the list costs a scan of the table (and of the 90,000
    published ones when filtered by status: 15 ms at 100,000 studies); the planner's estimate is
    enough to number pages of a large list. Unfiltered lists read pg_class.reltuples (kept by
    autovacuum); lists filtered on the study's own columns read the estimate of EXPLAIN, which the
    column statistics make close. Small lists, and lists that join (a search, a country or type
    filter), whose estimates can be far off, are counted exactly.
    """

    estimate_above = 10_000
    object_list: QuerySet[Any]  # the admin's changelist pages a queryset

    @cached_property
    def count(self) -> int:
        estimate = self.estimated_count()
        if estimate is not None and estimate > self.estimate_above:
            return estimate
        return super().count

    def estimated_count(self) -> int | None:
        query = self.object_list.query
        with connection.cursor() as cursor:
            if not query.where:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                return cursor.fetchone()[0]
            if query.distinct or len(query.alias_map) > 1:
                return None
            sql, params = self.object_list.order_by().values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            return int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])

    def page(self, number):
        # A full page whatever the estimate says: never cut the last rows off at the count.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


@admin.register(Study)
class StudyAdmin(HistoryAdminMixin, NoScriptAutocompleteMixin, admin.ModelAdmin):
    # A version of a study includes its author order, countries and types at the time.
    history_links = [
        Link(Authorship, "study", "author", _("author"), _("authors (in order)")),
        Link(StudyCountry, "study", "country", _("country"), _("countries")),
        Link(StudyResourceType, "study", "resourcetype", _("resource type"), _("resource types")),
    ]
    form = StudyAdminForm
    inlines = [AuthorshipInline, StudyFileInline]
    list_display = [
        "title",
        "short_title",
        "published_in",
        "types",
        "subject",
        "status",
        "updated_at",
    ]
    list_select_related = ["subject"]
    list_filter = [
        "status",
        "resource_types",
        "subject",
        "countries",
        "is_multi_country",
        PublicationYearFilter,
    ]
    search_fields = [
        "title",
        "short_title",
        "description",
        "authors__name",
        "authors__alternate_names",
    ]
    search_help_text = _("Search titles, descriptions and author names.")
    # No full-table COUNT(*) on every changelist page.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # Columns that an index can order; sorting 100,000 rows by subject or status on each page
    # load would cost a full sort (the filters cover those needs).
    sortable_by = ["title", "published_in", "updated_at"]
    autocomplete_fields = ["countries", "resource_types", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "short_title", "slug", "description"]}),
        (
            _("Spanish (shown on the Spanish pages; blank shows the English)"),
            {"fields": ["title_es", "description_es"]},
        ),
        (
            _("Publication"),
            {"fields": ["publication_month", "resource_types", "subject", "status"]},
        ),
        (_("Countries"), {"fields": ["countries", "is_multi_country"]}),
        (_("Download"), {"fields": ["pdf", "external_url"]}),
        (
            _("Citation"),
            {"fields": ["publisher", "citation_key", "language", "rights", "license_url"]},
        ),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = ["publish", "unpublish"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        # The list shows neither descriptions nor search columns: leave them in the database.
        return (
            super()
            .get_queryset(request)
            .prefetch_related("resource_types")
            .defer(*STUDY_TEXT_FIELDS)
        )

    @admin.display(description=_("published"), ordering="publication_month")
    def published_in(self, study):
        return format_date(study.publication_month, "F Y")

    @admin.display(description=_("types"))
    def types(self, study):
        # From the prefetch in get_queryset: no query per row.
        return ", ".join(resource_type.name for resource_type in study.resource_types.all())

    def view_on_site(self, study):
        """The public page; drafts have none (the public site shows published studies only)."""
        if not study.is_published:
            return None
        try:
            return study.get_absolute_url()
        except NoReverseMatch:
            return None

    @admin.action(description=_("Publish selected studies"), permissions=["change"])
    def publish(self, request, queryset):
        self._report_status_change(request, publish_studies, queryset)

    @admin.action(description=_("Unpublish (make draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._report_status_change(request, unpublish_studies, queryset)

    def _report_status_change(self, request, change_status, queryset):
        """Run the service, then tell the curator what it did and why any study kept its status."""
        try:
            result = change_status(studies=queryset)
        except ValidationError as error:
            message = " ".join(error.messages)
            self.message_user(request, f"Nothing was changed: {message}", messages.ERROR)
            return
        label = Study.Status(result.status).label.lower()
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=result.changed,
            action_flag=CHANGE,
            change_message=f"Set status to {label}.",
        )
        published = result.status == Study.Status.PUBLISHED
        count = len(result.changed)
        message = ngettext("%(count)d study %(done)s.", "%(count)d studies %(done)s.", count) % {
            "count": count,
            "done": "published" if published else "made draft",
        }
        if unchanged := len(result.unchanged):
            message += ngettext(
                " %(count)d was already %(label)s.", " %(count)d were already %(label)s.", unchanged
            ) % {"count": unchanged, "label": label}
        self.message_user(request, message, messages.SUCCESS)
        not_done = "was not published" if published else "was not made a draft"
        for study, reason in result.refused:
            self.message_user(request, f"“{study}” {not_done}: {reason}", messages.WARNING)


# --- Vocabularies ------------------------------------------------------------------------------


class StudyCountMixin(MixinBase):
    """A “studies” column, counted in the changelist query.

    The count groups rows, and grouped queries ignore Meta.ordering: hence the explicit ordering.
    """

    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(study_count=Count("studies", distinct=True))

    @admin.display(description=_("studies"), ordering="study_count")
    def study_count(self, obj):
        return obj.study_count


@admin.register(Author)
class AuthorAdmin(HistoryAdminMixin, StudyCountMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "alternate_names", "study_count"]
    list_filter = ["kind"]
    search_fields = ["name", "alternate_names"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "kind",
        "family_name",
        "given_names",
        "alternate_names",
        "orcid",
        "ror",
    ]


class KeepsPublishedStudiesCompleteMixin:
    """Deleting a country or a type takes it off its studies: refused (listed as protected)
    where a published study would be left with none, which the database refuses at commit."""

    study_relation: str  # the Study field that links to this model
    left_without: str  # “a country”

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        field = Study._meta.get_field(self.study_relation)
        links, target = field.remote_field.through.objects, field.m2m_reverse_field_name()
        deleting = {f"{target}__in": [obj.pk for obj in objs]}
        stranded = (
            Study.objects.published()
            .filter(pk__in=links.filter(**deleting).values("study_id"))
            .exclude(pk__in=links.exclude(**deleting).values("study_id"))
            .only("title", "short_title")
        )
        protected = list(protected) + [
            f"{study} (a published study would be left without {self.left_without})"
            for study in stranded
        ]
        return deleted, counts, perms_needed, protected


@admin.register(Country)
class CountryAdmin(
    HistoryAdminMixin, KeepsPublishedStudiesCompleteMixin, StudyCountMixin, admin.ModelAdmin
):
    study_relation = "countries"
    left_without = "a country"

    list_display = ["name", "code", "aliases", "study_count"]
    search_fields = ["code", "name", "aliases"]
    fields = ["code", "name", "name_es", "aliases"]


class ConsistentCapitalisationMixin:
    """Saving a label in another capitalisation style than most of its vocabulary's warns the
    curator (the label is saved as written)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" not in form.changed_data:
            return
        others = type(obj).objects.exclude(pk=obj.pk).values_list("name", flat=True)
        vocabulary = type(obj)._meta.verbose_name_plural
        if warning := capitalisation_warning(obj.name, others, vocabulary):
            self.message_user(request, warning, messages.WARNING)


@admin.register(Subject)
class SubjectAdmin(
    HistoryAdminMixin, ConsistentCapitalisationMixin, StudyCountMixin, admin.ModelAdmin
):
    list_display = ["name", "slug", "study_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ResourceType)
class ResourceTypeAdmin(
    HistoryAdminMixin,
    ConsistentCapitalisationMixin,
    KeepsPublishedStudiesCompleteMixin,
    StudyCountMixin,
    admin.ModelAdmin,
):
    study_relation = "resource_types"
    left_without = "a resource type"

    list_display = ["name", "slug", "study_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SearchSynonym)
class SearchSynonymAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """What else a searched word finds: spellings and acronyms, applied by the search itself."""

    list_display = ["term", "also_finds"]
    search_fields = ["term", "also_finds"]
    fields = ["term", "also_finds"]


@admin.register(HomePage)
class HomePageAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """The one home page: edited, never added twice nor deleted (the page would lose its words)."""

    autocomplete_fields = ["featured_study"]
    fieldsets = [
        (None, {"fields": ["heading", "introduction"]}),
        (
            "How the evidence works",
            {"fields": ["baseline_text", "monitoring_text", "endline_text", "sharing_text"]},
        ),
        ("Featured study", {"fields": ["featured_study", "featured_text"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not HomePage.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
