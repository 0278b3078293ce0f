"""Load the demo data: the organisation's studies and the programs they evaluate.

All fixture files load in one transaction (all or nothing), and with natural keys a second run
updates the same rows instead of adding new ones.
"""

from django.conf import settings
from django.core.management import BaseCommand, call_command

DEMO_FIXTURES = ["studies.json", "evaluation.json"]


class Command(BaseCommand):
    help = "Load (or reload) the demo fixtures from fixtures/. Safe to run twice."

    def handle(self, *args, **options):
        fixture_dir = settings.BASE_DIR / "fixtures"
        paths = [str(fixture_dir / name) for name in DEMO_FIXTURES if (fixture_dir / name).exists()]
        call_command("loaddata", *paths, verbosity=0)
        from studies.models import Study

        self.stdout.write(
            f"Demo data loaded: {Study.objects.published().count()} published studies."
        )
