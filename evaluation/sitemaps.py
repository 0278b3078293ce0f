"""The program pages in the site's sitemap (wired into `SITEMAPS` in justicelib/urls.py)."""

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.apps import apps
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest

from justicelib.site import SiteSitemap

from .models import Program

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class LastChange(TypedDict):
    last_change: datetime.datetime | None


def last_event(model_name: str, program_field: str) -> Subquery:
    """When the history last recorded a write to the program's rows of `model_name`."""
    events = apps.get_model("evaluation", model_name).objects.filter(
        **{program_field: OuterRef("pk")}
    )
    return Subquery(
        events.order_by().values(program_field).annotate(last=Max("pgh_created_at")).values("last")
    )


class ProgramSitemap(SiteSitemap):
    changefreq = "monthly"

    def items(self):
        # Ordered by slug so that the sitemap's pages stay stable. A program has no timestamp of
        # its own: its page last changed when the history last recorded a write to the program,
        # its indicators, its measurements or its study links (one query for all programs).
        return (
            Program.objects.only("slug")
            .annotate(
                last_change=Greatest(
                    last_event("ProgramEvent", "pgh_obj_id"),
                    last_event("IndicatorEvent", "program_id"),
                    last_event("MeasurementEvent", "indicator__program_id"),
                    last_event("ProgramStudyEvent", "program_id"),
                )
            )
            .order_by("slug")
        )

    def lastmod(self, program: "WithAnnotations[Program, LastChange]") -> datetime.datetime | None:
        return program.last_change
