# The main file's stored name is copied onto the study by a trigger (studies/sql/files.sql, where
# the current definition is kept); frozen here. No percent sign in this SQL (see 0016).

from django.db import migrations

MAIN_FILE = """
CREATE OR REPLACE FUNCTION studies_copy_main_file() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_study bigint;
BEGIN
    FOREACH v_study IN ARRAY ARRAY[
        CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN NEW.study_id END,
        CASE WHEN TG_OP IN ('DELETE', 'UPDATE') THEN OLD.study_id END
    ] LOOP
        CONTINUE WHEN v_study IS NULL;
        UPDATE studies_study s
        SET pdf = coalesce(
            (SELECT f.file FROM studies_studyfile f WHERE f.study_id = v_study AND f.is_main),
            s.pdf)
        WHERE s.id = v_study
          AND EXISTS (SELECT 1 FROM studies_studyfile f WHERE f.study_id = v_study AND f.is_main)
          AND s.pdf IS DISTINCT FROM (
              SELECT f.file FROM studies_studyfile f WHERE f.study_id = v_study AND f.is_main);
        -- The last file removed: the study names no file any more.
        UPDATE studies_study s SET pdf = ''
        WHERE s.id = v_study AND TG_OP = 'DELETE' AND s.pdf = OLD.file
          AND NOT EXISTS (SELECT 1 FROM studies_studyfile f WHERE f.study_id = v_study);
    END LOOP;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_studyfile_main AFTER INSERT OR UPDATE OF file, is_main, study_id OR DELETE ON studies_studyfile
    FOR EACH ROW EXECUTE FUNCTION studies_copy_main_file();
"""

DROP_MAIN_FILE = """
DROP TRIGGER studies_studyfile_main ON studies_studyfile;
DROP FUNCTION studies_copy_main_file();
"""


class Migration(migrations.Migration):
    dependencies = [("studies", "0021_full_text")]

    operations = [migrations.RunSQL(MAIN_FILE, DROP_MAIN_FILE)]
