"""`manage.py backup [--output DIR]`: the database and the uploaded files in one dated archive."""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from history.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write the database (pg_dump) and the uploaded files to one dated .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "var" / "backups",
            help="Folder for the archive (default: var/backups).",
        )

    def handle(self, *args, output, **options):
        try:
            archive = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written: {archive}")
