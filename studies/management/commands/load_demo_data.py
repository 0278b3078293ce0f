"""Load the demo data: the organisation's studies and the programs they evaluate.

Curators' work comes first. Without options the demo data loads only into an empty library
(everything in one transaction, all or nothing); a library with data is left untouched, so
`make run` can call this on every start. `--update` adds the demo records that are missing and
never overwrites one a curator changed: it compares each stored record (and a study's author
order) with the fixture, skips those that differ and names each one.
"""

import json
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand, call_command
from django.db import IntegrityError, models, transaction

DEMO_FIXTURES = ["studies.json", "evaluation.json"]
# Set by Django on every save, so they say nothing about what a curator changed.
IGNORED_FIELDS = {"created_at", "updated_at"}


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def fixture_paths() -> list[str]:
    fixture_dir = settings.BASE_DIR / "fixtures"
    return [str(fixture_dir / name) for name in DEMO_FIXTURES if (fixture_dir / name).exists()]


def fixture_entries() -> list[dict]:
    entries = []
    for path in fixture_paths():
        with open(path, encoding="utf-8") as fixture:
            entries.extend(json.load(fixture))
    return entries


def library_models(entries: list[dict]) -> list[type[models.Model]]:
    return [apps.get_model(label) for label in dict.fromkeys(entry["model"] for entry in entries)]


def library_is_empty(entries: list[dict]) -> bool:
    return not any(model._default_manager.exists() for model in library_models(entries))


def describe(instance: models.Model) -> str:
    """“studies.study scale-of-harm”: the model and the natural key a curator can find it by."""
    # Every library model defines natural_key (the fixtures are written with them).
    key = " / ".join(str(part) for part in instance.natural_key())  # type: ignore[attr-defined]
    return f"{instance._meta.label_lower} {key}"


def fixture_author_order(entries: list[dict]) -> dict[str, list[str]]:
    """Each demo study's author slugs in order of position."""
    positions: dict[str, list[tuple[int, str]]] = {}
    for entry in entries:
        if entry["model"] == "studies.authorship":
            fields = entry["fields"]
            positions.setdefault(fields["study"][0], []).append(
                (fields["position"], fields["author"][0])
            )
    return {study: [slug for _, slug in sorted(rows)] for study, rows in positions.items()}


def differing_fields(loaded, stored: models.Model, entry: dict) -> list[str]:
    """The fields named in the fixture entry whose stored value differs from the fixture's."""
    differences = []
    for name in entry["fields"]:
        if name in IGNORED_FIELDS:
            continue
        model_field = stored._meta.get_field(name)
        if model_field.many_to_many:
            stored_pks = set(getattr(stored, name).values_list("pk", flat=True))
            if stored_pks != set(loaded.m2m_data.get(name, [])):
                differences.append(name)
        elif isinstance(model_field, models.Field) and (
            getattr(stored, model_field.attname) != getattr(loaded.object, model_field.attname)
        ):
            differences.append(name)
    return differences


def update_library(entries: list[dict]) -> UpdateReport:
    """Add the missing demo records; skip and report the ones a curator changed.

    Runs inside the caller's transaction. Records are written in fixture order, so a new study
    exists before its authorships are read.
    """
    from studies.models import Authorship, Study

    report = UpdateReport()
    wanted_authors = fixture_author_order(entries)
    existing_studies = set(Study.objects.values_list("slug", flat=True))
    authors_checked: set[str] = set()
    for entry in entries:
        loaded = next(serializers.deserialize("python", [entry], handle_forward_references=True))
        instance = loaded.object
        if isinstance(instance, Authorship):
            # The author list is compared as a whole: a reordered list keeps every row, so
            # row-by-row loading would collide with the curator's order.
            study_slug = entry["fields"]["study"][0]
            if study_slug in existing_studies:
                if study_slug not in authors_checked:
                    authors_checked.add(study_slug)
                    stored_authors = list(
                        Authorship.objects.filter(study__slug=study_slug)
                        .order_by("position")
                        .values_list("author__slug", flat=True)
                    )
                    if stored_authors != wanted_authors.get(study_slug, []):
                        report.skipped.append(
                            f"studies.study {study_slug}: author list (order or names) changed"
                        )
                report.unchanged += 1
                continue
        # A record with no stored twin is new: one found by no natural key, or one whose fixed
        # primary key (the home page's) is not stored yet.
        stored = (
            None
            if instance.pk is None
            else type(instance)._default_manager.filter(pk=instance.pk).first()
        )
        if stored is None:
            try:
                with transaction.atomic():
                    loaded.save()
            except IntegrityError as error:
                raise IntegrityError(f"{describe(instance)} could not be added: {error}") from None
            report.added.append(describe(instance))
            continue
        if differences := differing_fields(loaded, stored, entry):
            report.skipped.append(f"{describe(stored)}: {', '.join(differences)} changed")
        else:
            report.unchanged += 1
    return report


class Command(BaseCommand):
    help = (
        "Load the demo fixtures from fixtures/ into an empty library (a library with data is "
        "left as it is). --update adds missing demo records and skips those curators changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Add the demo records that are missing; never overwrite a changed record "
            "(each skipped record is listed).",
        )

    def handle(self, *args, update=False, **options):
        from studies.models import Study

        entries = fixture_entries()
        with transaction.atomic():
            if library_is_empty(entries):
                call_command("loaddata", *fixture_paths(), verbosity=0)
                self.stdout.write(
                    f"Demo data loaded: {Study.objects.published().count()} published studies."
                )
                return
            if not update:
                self.stdout.write(
                    "Demo data not loaded: the library already has data "
                    f"({Study.objects.count()} studies). "
                    "`manage.py load_demo_data --update` adds missing demo records."
                )
                return
            report = update_library(entries)
        self.stdout.write(
            f"Demo data updated: {len(report.added)} records added, {report.unchanged} unchanged, "
            f"{len(report.skipped)} skipped because a curator changed them."
        )
        for line in report.added:
            self.stdout.write(f"  added   {line}")
        for line in report.skipped:
            self.stdout.write(f"  skipped {line}")
