"""Load the demo data: the organisation's studies and the programs they evaluate.

All fixture files load in one transaction (all or nothing), and with natural keys a second run
updates the same rows instead of adding new ones. `--if-empty` (what `make run` uses) loads them
only into a library without studies or programs, so a restart neither spends time reloading nor
undoes a curator's edits to the demo rows.
"""

from django.conf import settings
from django.core.management import BaseCommand, call_command

DEMO_FIXTURES = ["studies.json", "evaluation.json"]


class Command(BaseCommand):
    help = "Load (or reload) the demo fixtures from fixtures/. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load nothing when the library already has studies or programs.",
        )

    def handle(self, *args, **options):
        from evaluation.models import Program
        from studies.models import Study

        if options["if_empty"] and (Study.objects.exists() or Program.objects.exists()):
            self.stdout.write(
                f"The library has {Study.objects.count()} studies: demo data not loaded "
                "(`manage.py load_demo_data` reloads it)."
            )
            return
        fixture_dir = settings.BASE_DIR / "fixtures"
        paths = [str(fixture_dir / name) for name in DEMO_FIXTURES if (fixture_dir / name).exists()]
        call_command("loaddata", *paths, verbosity=0)
        self.stdout.write(
            f"Demo data loaded: {Study.objects.published().count()} published studies."
        )
