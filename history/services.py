"""Reading a record's history and restoring an earlier version of it.

Events are the rows that the triggers of `history.tracking` write: a snapshot of the record after
each insert and update, and before each delete. A version's changes are the differences between
its snapshot and the one before; who and how come from the event's context (the request's user
and URL, or the management command; none for a write made in SQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# Never restored and not worth listing as changes: keys and timestamps Django sets itself.
UNLISTED = {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class Link:
    """Rows of another table that belong to a record and are restored with it, e.g. a study's
    authorships: `Link(Authorship, "study", "author", "author", "authors")` (the field that
    names the row, and what to call one row and all of them)."""

    model: type[models.Model]
    parent_field: str
    label_field: str
    name: str | StrPromise
    name_plural: str | StrPromise


@dataclass
class Change:
    field: str
    old: str
    new: str


# pghistory makes each event model at run time (`@track`): their fields (pgh_obj_id,
# pgh_context…) and the tracked model's `pgh_event_models` are unknown to the type checker, so
# event rows and their models are typed as Any here.
type EventRow = Any


@dataclass
class Version:
    event: EventRow
    when: datetime
    action: str
    who: str
    via: str
    changes: list[Change] = field(default_factory=list)
    restorable: bool = False
    current: bool = False


def event_model(model: type[models.Model]) -> Any:
    return getattr(model, "pgh_event_models")["insert"]  # noqa: B009 -- set at run time


def recorded_fields(event_model_class: Any) -> list[models.Field[Any, Any]]:
    """The tracked model's fields that the event rows keep a copy of."""
    tracked = {f.name for f in event_model_class.pgh_tracked_model._meta.concrete_fields}
    return [f for f in event_model_class._meta.concrete_fields if f.name in tracked]


def _related_labels(
    events: Iterable[EventRow], fields: Iterable[models.Field[Any, Any]]
) -> dict[tuple[Any, Any], str]:
    """How each record that the events point to is called now, one query per related model.

    (Event rows keep bare ids: a join would drop the events whose related record is gone.)
    """
    wanted: dict[Any, set[Any]] = {}
    for f in fields:
        if f.is_relation:
            ids = {getattr(e, f.attname) for e in events} - {None}
            wanted.setdefault(f.related_model, set()).update(ids)
    return {
        (model, obj.pk): str(obj)
        for model, ids in wanted.items()
        for obj in model._default_manager.filter(pk__in=ids)
    }


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The field `name` of `model`, which names a column (not a reverse relation)."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column.")
    return found


def _display(
    event: EventRow, model_field: models.Field[Any, Any], labels: dict[tuple[Any, Any], str]
) -> str:
    value = getattr(event, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        deleted = str(_("#%s (deleted)") % value)
        return labels.get((model_field.related_model, value), deleted)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(Truncator(str(value)).words(40))


def _fields_for_listing(event_model_class: Any) -> list[models.Field[Any, Any]]:
    return [f for f in recorded_fields(event_model_class) if f.name not in UNLISTED]


def _events(event_model_class: Any, **filters: Any) -> Any:
    return (
        event_model_class.objects.filter(**filters)
        .select_related("pgh_context")
        .order_by("pgh_created_at", "pgh_id")
    )


ACTIONS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}


def _who_and_how(events: Iterable[EventRow]) -> dict[int, tuple[str, str]]:
    contexts = {e.pgh_id: (e.pgh_context.metadata if e.pgh_context else {}) for e in events}
    user_ids = {m["user"] for m in contexts.values() if m.get("user") is not None}
    users = {
        str(user.pk): user.get_username()
        for user in get_user_model().objects.filter(pk__in=user_ids)
    }
    result = {}
    for pgh_id, metadata in contexts.items():
        if metadata.get("command"):
            result[pgh_id] = ("—", _("command: %s") % metadata["command"])
        elif "url" in metadata:
            user = metadata.get("user")
            name = users.get(str(user), _("user #%s") % user) if user is not None else "—"
            result[pgh_id] = (name, metadata["url"])
        else:
            result[pgh_id] = ("—", _("database (SQL, no context)"))
    return result


def history_of(obj: models.Model, links: Sequence[Link] = ()) -> list[Version]:
    """The record's versions and the changes to its linked rows, newest first."""
    own_model = event_model(type(obj))
    own = list(_events(own_model, pgh_obj_id=obj.pk))
    versions = []
    previous = None
    listed = _fields_for_listing(own_model)
    labels = _related_labels(own, listed)
    for event in own:
        changes = []
        if event.pgh_label != "delete":
            for f in listed:
                new = _display(event, f, labels)
                if previous is not None:
                    old = _display(previous, f, labels)
                else:
                    # A record older than its history: its first event is a change.
                    old = "—" if event.pgh_label == "insert" else _("not recorded")
                if previous is None and new == "—":
                    continue
                if previous is None or getattr(previous, f.attname) != getattr(event, f.attname):
                    changes.append(Change(str(f.verbose_name), old, new))
            previous = event
        action = ACTIONS.get(event.pgh_label, event.pgh_label)
        versions.append(Version(event, event.pgh_created_at, action, "", "", changes, True))
    for link in links:
        link_events = list(_events(event_model(link.model), **{f"{link.parent_field}_id": obj.pk}))
        label_field = concrete_field(link.model, link.label_field)
        name = str(link.name)
        link_fields = _fields_for_listing(event_model(link.model))
        labels = _related_labels(link_events, link_fields)
        shown = [f for f in link_fields if f.name not in (link.parent_field, link.label_field)]
        last: dict[int, EventRow] = {}
        for event in link_events:
            before = last.get(event.pgh_obj_id)
            label = _display(event, label_field, labels)
            if event.pgh_label == "insert":
                detail = ", ".join(f"{f.verbose_name} {_display(event, f, labels)}" for f in shown)
                change = Change(name, "—", f"{label} ({detail})" if detail else label)
            elif event.pgh_label == "delete":
                change = Change(name, label, "—")
            else:
                old = ", ".join(_display(before, f, labels) for f in shown) if before else "—"
                new = ", ".join(_display(event, f, labels) for f in shown)
                change = Change(f"{name} {label}", old, new)
            last[event.pgh_obj_id] = event
            versions.append(
                Version(event, event.pgh_created_at, _("Link changed"), "", "", [change])
            )
    people = _who_and_how([v.event for v in versions])
    for version in versions:
        version.who, version.via = people[version.event.pgh_id]
    versions = _grouped(sorted(versions, key=lambda v: (v.when, v.event.pgh_id)))
    # The newest version is the record as it is: nothing to restore.
    own_versions = [v for v in versions if v.restorable]
    if own_versions:
        own_versions[-1].restorable = False
        own_versions[-1].current = True
    for version in versions:
        if version.event.pgh_label == "delete":
            version.restorable = False
    return versions[::-1]


def _grouped(versions: list[Version]) -> list[Version]:
    """One entry per save: the events one request or command wrote together are one change."""
    grouped: list[Version] = []
    for version in versions:
        last = grouped[-1] if grouped else None
        context = version.event.pgh_context_id
        if last is not None and context is not None and last.event.pgh_context_id == context:
            if version.restorable and not last.restorable:
                # The record's own event leads the group; its links follow.
                version.changes = [*version.changes, *last.changes]
                grouped[-1] = version
            else:
                last.changes.extend(version.changes)
        else:
            grouped.append(version)
    return grouped


def find_version(obj: models.Model, event_id: int) -> EventRow:
    """The event `event_id` of this record (raises DoesNotExist for another record's)."""
    return event_model(type(obj)).objects.get(pgh_obj_id=obj.pk, pgh_id=event_id)


def _links_as_of(obj: models.Model, event: EventRow, link: Link) -> dict[int, EventRow]:
    """The linked rows (by id) as they stood from this version until the record's next one."""
    own_model = event_model(type(obj))
    following = (
        own_model.objects.filter(pgh_obj_id=obj.pk, pgh_created_at__gt=event.pgh_created_at)
        .order_by("pgh_created_at")
        .values_list("pgh_created_at", flat=True)
        .first()
    )
    events = event_model(link.model).objects.filter(**{f"{link.parent_field}_id": obj.pk})
    if following is not None:
        events = events.filter(pgh_created_at__lt=following)
    latest: dict[int, EventRow] = {}
    for link_event in events.order_by("pgh_created_at", "pgh_id"):
        latest[link_event.pgh_obj_id] = link_event
    return {pk: e for pk, e in latest.items() if e.pgh_label != "delete"}


def _restore_links(obj: models.Model, event: EventRow, link: Link) -> None:
    wanted = _links_as_of(obj, event, link)
    fields = [f for f in recorded_fields(event_model(link.model)) if f.name != "id"]
    current = {
        row.pk: row for row in link.model._default_manager.filter(**{link.parent_field: obj})
    }

    def same(row: models.Model, snapshot: EventRow) -> bool:
        return all(getattr(row, f.attname) == getattr(snapshot, f.attname) for f in fields)

    # A row without any event has stood unchanged since before history began: it belonged to
    # the record at every recorded version.
    with_events = set(
        event_model(link.model)
        .objects.filter(pgh_obj_id__in=current)
        .values_list("pgh_obj_id", flat=True)
    )
    keep = {pk for pk, row in current.items() if pk in wanted and same(row, wanted[pk])}
    keep |= set(current) - with_events
    # Changed rows are removed and written again: swapping two positions in place would collide.
    link.model._default_manager.filter(pk__in=set(current) - keep).delete()
    for pk, snapshot in wanted.items():
        if pk in keep:
            continue
        row = link.model(pk=pk, **{f.attname: getattr(snapshot, f.attname) for f in fields})
        row.full_clean()
        row.save(force_insert=True)


def restore_version(obj: models.Model, event: EventRow, links: Sequence[Link] = ()) -> None:
    """Make the record (and its linked rows) as they were at `event`, through full_clean().

    The restore is a write like any other: its triggers record it as a new version.
    """
    for f in recorded_fields(type(event)):
        if f.name not in UNLISTED:
            setattr(obj, f.attname, getattr(event, f.attname))
    with transaction.atomic():
        obj.full_clean()
        obj.save()
        for link in links:
            _restore_links(obj, event, link)


def restore_preview(obj: models.Model, event: EventRow, links: Sequence[Link] = ()) -> list[Change]:
    """What restoring `event` would change: each differing field, now → then."""
    fields = _fields_for_listing(type(event))
    labels = _related_labels([event, obj], fields)
    changes = [
        Change(str(f.verbose_name), _display(obj, f, labels), _display(event, f, labels))
        for f in fields
        if getattr(obj, f.attname) != getattr(event, f.attname)
    ]
    for link in links:
        order = [f.name for f in link.model._meta.concrete_fields if f.name == "position"]
        label_field = concrete_field(link.model, link.label_field)
        current = link.model._default_manager.filter(**{link.parent_field: obj}).order_by(
            *order, "pk"
        )
        then = sorted(
            _links_as_of(obj, event, link).values(),
            key=lambda e: (*(getattr(e, name) for name in order), e.pgh_obj_id),
        )
        labels = _related_labels([*current, *then], [label_field])
        now_text = ", ".join(_display(row, label_field, labels) for row in current) or "—"
        then_text = ", ".join(_display(row, label_field, labels) for row in then) or "—"
        if now_text != then_text:
            changes.append(Change(str(link.name_plural), now_text, then_text))
    return changes
