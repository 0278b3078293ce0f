"""The admin's History page, with “Restore this version”, for every tracked model.

Mixed into a ModelAdmin, it replaces Django's History page (which lists only the admin's own log)
with the record's events from the database triggers: when, who, how (the page or command), and
each field's old and new value. Restoring asks for confirmation and is a POST.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .services import Link, find_version, history_of, restore_preview, restore_version

# The mixin reads the ModelAdmin it is mixed into; the type checker is told so.
if TYPE_CHECKING:
    MixinBase = admin.ModelAdmin[Any]
else:
    MixinBase = object


class HistoryAdminMixin(MixinBase):
    # Rows of other tables shown in the history and restored with a version.
    history_links: list[Link] = []
    object_history_template = "history/object_history.html"
    restore_template = "history/restore_confirm.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        restore = path(
            "<path:object_id>/history/<int:event_id>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name="{}_{}_restore".format(*info),
        )
        return [restore, *super().get_urls()]

    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("No such record."))
        return obj

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = self._context(
            request,
            obj,
            _("History: %s") % obj,
            versions=history_of(obj, self.history_links),
            can_restore=self.has_change_permission(request, obj),
            links=[str(link.name_plural) for link in self.history_links],
        )
        return TemplateResponse(request, self.object_history_template, context)

    def restore_view(self, request, object_id, event_id):
        obj = self._object_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            event = find_version(obj, event_id)
        except Exception as error:  # another record's event, or none at all
            raise Http404(_("This record has no such version.")) from error
        if event.pgh_label == "delete":
            raise Http404(_("A deleted version cannot be restored."))
        errors = []
        if request.method == "POST":
            try:
                restore_version(obj, event, self.history_links)
            except ValidationError as error:
                errors = error.messages
            else:
                # The restore's own history event records who did it; no admin LogEntry.
                when = date_format(localtime(event.pgh_created_at), "DATETIME_FORMAT")
                self.message_user(
                    request, _("Restored the version of %s.") % when, messages.SUCCESS
                )
                info = self.opts.app_label, self.opts.model_name
                return HttpResponseRedirect(
                    reverse(
                        "admin:{}_{}_history".format(*info),
                        args=[obj.pk],
                        current_app=self.admin_site.name,
                    )
                )
            obj.refresh_from_db()
        context = self._context(
            request,
            obj,
            _("Restore an earlier version of %s") % obj,
            event=event,
            changes=restore_preview(obj, event, self.history_links),
            errors=errors,
            links=[str(link.name_plural) for link in self.history_links],
        )
        return TemplateResponse(
            request, self.restore_template, context, status=400 if errors else 200
        )
