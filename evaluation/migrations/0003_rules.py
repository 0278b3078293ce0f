"""The evaluation rules the admin enforces, in the database.

CHECK constraints (from the models): program and indicator slugs are lower-case words joined by
hyphens, their names are not blank, and a measurement's source citation is not only spaces.

A program page never cites a draft study. Programs have no draft state of their own (every
program page is public), so no program may name a draft study, as one of its studies or as the
source of a figure. Constraint triggers, deferred to the commit like those of migration 0002,
refuse linking a draft study and turning a cited study back into a draft, naming both.

Malformed slugs are rewritten to the pattern first, as studies' migration 0011 does.
"""

import django.core.validators
from django.db import migrations, models


SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"

# A program's slug is unique; an indicator's is unique within its program.
MEND_SLUGS = """
SET CONSTRAINTS ALL IMMEDIATE;
DO $$
DECLARE
    r record;
    mended text;
BEGIN
    FOR r IN SELECT id, slug FROM evaluation_program WHERE slug !~ '""" + SLUG_PATTERN + """'
              ORDER BY id LOOP
        mended := left(trim(BOTH '-' FROM
            regexp_replace(lower(unaccent(r.slug)), '[^a-z0-9]+', '-', 'g')), 180);
        IF mended = '' OR EXISTS (SELECT 1 FROM evaluation_program
                                   WHERE slug = mended AND id <> r.id) THEN
            mended := concat_ws('-', nullif(mended, ''), r.id);
        END IF;
        UPDATE evaluation_program SET slug = mended WHERE id = r.id;
        RAISE NOTICE 'Program slug % rewritten as %', r.slug, mended;
    END LOOP;
    FOR r IN SELECT id, program_id, slug FROM evaluation_indicator
              WHERE slug !~ '""" + SLUG_PATTERN + """' ORDER BY id LOOP
        mended := left(trim(BOTH '-' FROM
            regexp_replace(lower(unaccent(r.slug)), '[^a-z0-9]+', '-', 'g')), 80);
        IF mended = '' OR EXISTS (SELECT 1 FROM evaluation_indicator
                                   WHERE program_id = r.program_id AND slug = mended
                                     AND id <> r.id) THEN
            mended := concat_ws('-', nullif(mended, ''), r.id);
        END IF;
        UPDATE evaluation_indicator SET slug = mended WHERE id = r.id;
        RAISE NOTICE 'Indicator slug % rewritten as %', r.slug, mended;
    END LOOP;
END;
$$;
"""

INSTALL = """
-- Refuses a program that cites the study while the study is a draft.
CREATE FUNCTION evaluation_check_cited_study(p_study_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    study_title text;
    program_name text;
BEGIN
    SELECT title INTO study_title FROM studies_study
     WHERE id = p_study_id AND status <> 'published';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT p.name INTO program_name
      FROM evaluation_program p
     WHERE p.id IN (SELECT program_id FROM evaluation_programstudy WHERE study_id = p_study_id
                    UNION
                    SELECT i.program_id FROM evaluation_measurement m
                      JOIN evaluation_indicator i ON i.id = m.indicator_id
                     WHERE m.source_study_id = p_study_id)
     ORDER BY p.name
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'The program “%” cites “%”, which is a draft: every program page is '
                        'public, so it cites published studies only. Publish the study, or '
                        'remove it from the program.', program_name, study_title
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$;

CREATE FUNCTION evaluation_program_study_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_check_cited_study(NEW.study_id);
    RETURN NULL;
END;
$$;

CREATE FUNCTION evaluation_measurement_source_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.source_study_id IS NOT NULL THEN
        PERFORM evaluation_check_cited_study(NEW.source_study_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION evaluation_study_status_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_check_cited_study(NEW.id);
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER program_study_is_published
    AFTER INSERT OR UPDATE OF study_id ON evaluation_programstudy
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION evaluation_program_study_rule();
CREATE CONSTRAINT TRIGGER measurement_source_is_published
    AFTER INSERT OR UPDATE OF source_study_id ON evaluation_measurement
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION evaluation_measurement_source_rule();
CREATE CONSTRAINT TRIGGER cited_study_stays_published
    AFTER UPDATE OF status ON studies_study
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status <> 'published')
    EXECUTE FUNCTION evaluation_study_status_rule();
"""

CHECK_STORED = """
SELECT evaluation_check_cited_study(id) FROM studies_study WHERE status <> 'published';
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS cited_study_stays_published ON studies_study;
DROP TRIGGER IF EXISTS measurement_source_is_published ON evaluation_measurement;
DROP TRIGGER IF EXISTS program_study_is_published ON evaluation_programstudy;
DROP FUNCTION IF EXISTS evaluation_study_status_rule();
DROP FUNCTION IF EXISTS evaluation_measurement_source_rule();
DROP FUNCTION IF EXISTS evaluation_program_study_rule();
DROP FUNCTION IF EXISTS evaluation_check_cited_study(bigint);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0002_measurement_rules_trigger'),
        ('studies', '0012_rules'),
    ]

    operations = [
        migrations.RunSQL(MEND_SLUGS, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='indicator',
            name='slug',
            field=models.SlugField(help_text='Unique within the program.', max_length=100, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(-[a-z0-9]+)*$', 'Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.', code='invalid_slug')]),
        ),
        migrations.AlterField(
            model_name='program',
            name='slug',
            field=models.SlugField(help_text="Part of the program's address.", max_length=200, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(-[a-z0-9]+)*$', 'Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.', code='invalid_slug')]),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='indicator_slug_is_well_formed', violation_error_message='Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='indicator_name_is_not_blank', violation_error_message='The name cannot be blank.'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=models.Q(('source_citation', ''), ('source_citation__regex', '\\S'), _connector='OR'), name='measurement_source_citation_is_not_blank', violation_error_message='The source citation cannot be only spaces: write the source, or leave it empty and pick a study.'),
        ),
        migrations.AddConstraint(
            model_name='program',
            constraint=models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='program_slug_is_well_formed', violation_error_message='Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.'),
        ),
        migrations.AddConstraint(
            model_name='program',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='program_name_is_not_blank', violation_error_message='The name cannot be blank.'),
        ),
        migrations.RunSQL(INSTALL, UNINSTALL),
        migrations.RunSQL(CHECK_STORED, migrations.RunSQL.noop),
    ]
