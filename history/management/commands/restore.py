"""`manage.py restore FILE`: bring a backup archive back into an empty database."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from history.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive (from `manage.py backup`) into an empty database, with its "
        "uploaded files. Refuses a database that has tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz archive to restore.")

    def handle(self, *args, archive, **options):
        try:
            manifest = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: the database and "
            f"{manifest['media_file_count']} uploaded files."
        )
