# The library version never repeats a number: a flush or a restore used to bring it back to an
# older one (or delete its row, leaving it 0), and a running server's caches hold pages and
# counts keyed by those numbers. Frozen here; the current definition is studies/sql/search.sql.
# No percent sign in this SQL (see 0016).

from django.db import migrations

NEVER_REPEATS = """
CREATE OR REPLACE FUNCTION studies_advance_library_version() RETURNS void LANGUAGE sql AS $$
    INSERT INTO studies_libraryversion AS v (id, version)
    VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = greatest(v.version + 1, EXCLUDED.version);
$$;
CREATE OR REPLACE FUNCTION studies_bump_library_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_advance_library_version();
    RETURN NULL;
END $$;
"""

COUNTER = """
CREATE OR REPLACE FUNCTION studies_bump_library_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE studies_libraryversion SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
DROP FUNCTION IF EXISTS studies_advance_library_version();
"""


class Migration(migrations.Migration):
    dependencies = [("studies", "0022_main_file_on_study")]

    operations = [migrations.RunSQL(NEVER_REPEATS, COUNTER)]
