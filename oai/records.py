"""Reads for OAI-PMH: which records a request selects, a page at a time.

A record is a published study (datestamp: its `updated_at`) or a deleted one (`DeletedStudy`,
datestamp: when it went). Lists are ordered by (datestamp, slug) and paged by the last record
sent, not by offset: a study changed during a harvest moves to the end of the list and is sent
again rather than shifting every later page. A page costs the same few queries however many
records it holds.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from studies.models import Country, ResourceType, Study, Subject
from studies.public import StudyQuerySet

from .models import DeletedStudy

# setSpec: "country", "subject", "type", or one of them with a value ("country:KH").
SET_SPEC = re.compile(r"^(country|subject|type)(?::([A-Za-z0-9-]+))?$")


@dataclass(frozen=True)
class Selection:
    """What a list request asks for: a set, and datestamps from (inclusive) to before `before`."""

    set_spec: str | None = None
    since: datetime.datetime | None = None
    before: datetime.datetime | None = None


@dataclass(frozen=True)
class Record:
    slug: str
    datestamp: datetime.datetime
    study: Study | None  # None for a deleted record

    @property
    def is_deleted(self) -> bool:
        return self.study is None


def set_condition(set_spec: str | None) -> Q | None:
    """The studies of a set; None for a set spec that names no set of ours."""
    if not set_spec:
        return Q()
    match = SET_SPEC.match(set_spec)
    if not match:
        return None
    kind, value = match.groups()
    if kind == "country":
        return Q(country_codes__contains=[value.upper()]) if value else Q(country_codes__len__gt=0)
    if kind == "subject":
        return Q(subject__slug=value) if value else Q()
    return Q(type_slugs__contains=[value]) if value else Q()


def _in_range[Rows: QuerySet[Any]](queryset: Rows, field: str, selection: Selection) -> Rows:
    if selection.since is not None:
        queryset = queryset.filter(**{f"{field}__gte": selection.since})
    if selection.before is not None:
        queryset = queryset.filter(**{f"{field}__lt": selection.before})
    return queryset


def published_studies(selection: Selection) -> StudyQuerySet:
    condition = set_condition(selection.set_spec)
    if condition is None:
        return Study.objects.none()
    return _in_range(Study.objects.published().filter(condition), "updated_at", selection)


def deleted_studies(selection: Selection) -> QuerySet[DeletedStudy]:
    # A deleted study belongs to no set any more: every set-restricted harvest hears of every
    # deletion in its date range, so no harvester of a set keeps a record that has gone.
    if set_condition(selection.set_spec) is None:
        return DeletedStudy.objects.none()
    return _in_range(DeletedStudy.objects.all(), "deleted_at", selection)


def count(selection: Selection) -> int:
    return published_studies(selection).count() + deleted_studies(selection).count()


def _after(field: str, after: tuple[datetime.datetime, str] | None) -> Q:
    if after is None:
        return Q()
    moment, slug = after
    return Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "slug__gt": slug})


def page(
    selection: Selection,
    size: int,
    *,
    after: tuple[datetime.datetime, str] | None = None,
    with_metadata: bool,
) -> tuple[list[Record], bool]:
    """Up to `size` records after `after` in (datestamp, slug) order, and whether more follow.

    Headers need only the study's own columns (its set memberships are copied onto the row);
    metadata also loads authors, types and countries, a fixed number of queries per page.
    """
    studies = published_studies(selection).filter(_after("updated_at", after))
    studies = studies.for_listing() if with_metadata else studies.select_related("subject")
    studies = studies.order_by("updated_at", "slug")[: size + 1]
    deleted = deleted_studies(selection).filter(_after("deleted_at", after))
    deleted = deleted.order_by("deleted_at", "slug")[: size + 1]
    records = [Record(study.slug, study.updated_at, study) for study in studies]
    records += [Record(gone.slug, gone.deleted_at, None) for gone in deleted]
    records.sort(key=lambda record: (record.datestamp, record.slug))
    return records[:size], len(records) > size


def find(slug: str, *, with_metadata: bool) -> Record | None:
    studies = Study.objects.published()
    studies = studies.for_listing() if with_metadata else studies.select_related("subject")
    study = studies.filter(slug=slug).first()
    if study is not None:
        return Record(study.slug, study.updated_at, study)
    gone = DeletedStudy.objects.filter(slug=slug).first()
    return Record(gone.slug, gone.deleted_at, None) if gone else None


def earliest_datestamp() -> datetime.datetime | None:
    first_study = Study.objects.published().order_by("updated_at").values("updated_at").first()
    first_gone = DeletedStudy.objects.order_by("deleted_at").values("deleted_at").first()
    moments = [
        *([first_study["updated_at"]] if first_study else []),
        *([first_gone["deleted_at"]] if first_gone else []),
    ]
    return min(moments, default=None)


def set_specs(study: Study) -> list[str]:
    """The sets a study is in, from its own columns (no query)."""
    return [
        *(f"country:{code}" for code in study.country_codes),
        f"subject:{study.subject.slug}",
        *(f"type:{slug}" for slug in study.type_slugs),
    ]


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set: three groups, and one set per country, subject, type."""
    return [
        ("country", "Studies by country"),
        *((f"country:{code}", name) for code, name in Country.objects.values_list("code", "name")),
        ("subject", "Studies by subject"),
        *((f"subject:{slug}", name) for slug, name in Subject.objects.values_list("slug", "name")),
        ("type", "Studies by resource type"),
        *(
            (f"type:{slug}", name)
            for slug, name in ResourceType.objects.values_list("slug", "name")
        ),
    ]
