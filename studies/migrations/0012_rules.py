"""The rules the admin enforces, in the database, so no path around the admin breaks a page.

CHECK constraints (from the models): every slug is lower-case words joined by hyphens, a title or
name is not blank, an external URL is http(s), a publication month is from 1900 on.

Triggers, for what a CHECK cannot see:
- a publication month beyond the end of next year is refused (a CHECK cannot read today's
  date); the admin refuses any month in the future, but an import may hold a forthcoming report;
- a study names its countries or is ticked “multiple countries”, never both;
- a published study has a resource type, an author and a country (or “multiple countries”).
The last two are constraint triggers deferred to the commit, because the admin and loaddata write
a study's links after its row. They raise check_violation (IntegrityError in Django); the admin
checks the same rules first, with messages.

Before the constraints, rows that would break them are mended where nothing is lost: malformed
slugs are rewritten to the pattern (an address, derived from the title), and a study ticked
“multiple countries” that names two or more countries is unticked (it still lists as multiple
countries). Anything else that breaks a rule stops the migration with a message naming the row.
"""

import datetime
import django.core.validators
from django.db import migrations, models


SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"

# Rewrite malformed slugs: unaccented, lower case, runs of anything else turned into one hyphen;
# the row's id is appended where that leaves nothing, or an address already taken.
MEND_SLUGS = """
SET CONSTRAINTS ALL IMMEDIATE;
DO $$
DECLARE
    tbl text;
    r record;
    mended text;
    taken boolean;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['studies_study', 'studies_subject', 'studies_resourcetype',
                               'studies_author'] LOOP
        FOR r IN EXECUTE format('SELECT id, slug FROM %I WHERE slug !~ %L ORDER BY id',
                                  tbl, '""" + SLUG_PATTERN + """') LOOP
            mended := left(trim(BOTH '-' FROM
                regexp_replace(lower(unaccent(r.slug)), '[^a-z0-9]+', '-', 'g')), 180);
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE slug = $1 AND id <> $2)', tbl)
               INTO taken USING mended, r.id;
            IF mended = '' OR taken OR (tbl = 'studies_study' AND mended = 'feed') THEN
                mended := concat_ws('-', nullif(mended, ''), r.id);
            END IF;
            EXECUTE format('UPDATE %I SET slug = $1 WHERE id = $2', tbl) USING mended, r.id;
            RAISE NOTICE 'Slug % of % % rewritten as %', r.slug, tbl, r.id, mended;
        END LOOP;
    END LOOP;
END;
$$;
UPDATE studies_study s SET is_multi_country = false
 WHERE is_multi_country
   AND (SELECT count(*) FROM studies_study_countries c WHERE c.study_id = s.id) >= 2;
"""

INSTALL = """
CREATE FUNCTION studies_publication_month_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.publication_month >= make_date(extract(year FROM current_date)::int + 2, 1, 1) THEN
        RAISE EXCEPTION 'The publication month % of “%” lies beyond next year: check it for a typo.',
            to_char(NEW.publication_month, 'YYYY-MM'), NEW.title
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER study_publication_month_rule
    BEFORE INSERT OR UPDATE OF publication_month ON studies_study
    FOR EACH ROW EXECUTE FUNCTION studies_publication_month_rule();

-- The rules of one study that span its links.
CREATE FUNCTION studies_check_study(p_study_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    study record;
    missing text[] := '{}';
    n int;
BEGIN
    SELECT id, title, status, is_multi_country INTO study
      FROM studies_study WHERE id = p_study_id;
    IF NOT FOUND THEN
        RETURN;  -- deleted in the same transaction
    END IF;
    IF study.is_multi_country
       AND EXISTS (SELECT 1 FROM studies_study_countries WHERE study_id = study.id) THEN
        RAISE EXCEPTION '“%” names its countries and is ticked “multiple countries”: one or the '
                        'other, not both (a study naming two or more countries is listed under '
                        '“Multiple countries” anyway).', study.title
            USING ERRCODE = 'check_violation';
    END IF;
    IF study.status <> 'published' THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM studies_study_resource_types WHERE study_id = study.id) THEN
        missing := missing || 'a resource type'::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM studies_authorship WHERE study_id = study.id) THEN
        missing := missing || 'an author'::text;
    END IF;
    IF NOT study.is_multi_country
       AND NOT EXISTS (SELECT 1 FROM studies_study_countries WHERE study_id = study.id) THEN
        missing := missing || 'a country (or “multiple countries”)'::text;
    END IF;
    n := cardinality(missing);
    IF n > 0 THEN
        RAISE EXCEPTION 'The published study “%” needs %. Add what is missing, or keep it as a '
                        'draft.', study.title,
            CASE WHEN n = 1 THEN missing[1]
                 ELSE array_to_string(missing[1:n - 1], ', ') || ' and ' || missing[n] END
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$;

CREATE FUNCTION studies_study_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_check_study(NEW.id);
    RETURN NULL;
END;
$$;

CREATE FUNCTION studies_study_link_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM studies_check_study(OLD.study_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM studies_check_study(NEW.study_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER study_rules
    AFTER INSERT OR UPDATE OF status, is_multi_country ON studies_study
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION studies_study_rules();
CREATE CONSTRAINT TRIGGER study_countries_rules
    AFTER INSERT OR UPDATE OR DELETE ON studies_study_countries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION studies_study_link_rules();
CREATE CONSTRAINT TRIGGER study_resource_types_rules
    AFTER INSERT OR UPDATE OR DELETE ON studies_study_resource_types
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION studies_study_link_rules();
CREATE CONSTRAINT TRIGGER authorship_rules
    AFTER INSERT OR UPDATE OR DELETE ON studies_authorship
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION studies_study_link_rules();
"""

# The triggers check rows as they are written; the rows already stored are checked once here.
CHECK_STORED = """
DO $$
DECLARE
    beyond record;
BEGIN
    SELECT slug, publication_month INTO beyond FROM studies_study
     WHERE publication_month >= make_date(extract(year FROM current_date)::int + 2, 1, 1)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'Study % has the publication month %, beyond next year: correct it, '
                        'then migrate again.', beyond.slug, beyond.publication_month;
    END IF;
    PERFORM studies_check_study(id) FROM studies_study
     WHERE status = 'published' OR is_multi_country;
END;
$$;
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS authorship_rules ON studies_authorship;
DROP TRIGGER IF EXISTS study_resource_types_rules ON studies_study_resource_types;
DROP TRIGGER IF EXISTS study_countries_rules ON studies_study_countries;
DROP TRIGGER IF EXISTS study_rules ON studies_study;
DROP TRIGGER IF EXISTS study_publication_month_rule ON studies_study;
DROP FUNCTION IF EXISTS studies_study_link_rules();
DROP FUNCTION IF EXISTS studies_study_rules();
DROP FUNCTION IF EXISTS studies_check_study(bigint);
DROP FUNCTION IF EXISTS studies_publication_month_rule();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('studies', '0011_search_rebuild'),
    ]

    operations = [
        migrations.RunSQL(MEND_SLUGS, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='author',
            name='slug',
            field=models.SlugField(max_length=300, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(-[a-z0-9]+)*$', 'Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.', code='invalid_slug')]),
        ),
        migrations.AlterField(
            model_name='resourcetype',
            name='slug',
            field=models.SlugField(max_length=200, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(-[a-z0-9]+)*$', 'Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.', code='invalid_slug')]),
        ),
        migrations.AlterField(
            model_name='study',
            name='external_url',
            field=models.URLField(blank=True, max_length=500, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='external URL'),
        ),
        migrations.AlterField(
            model_name='study',
            name='is_multi_country',
            field=models.BooleanField(default=False, help_text='Tick only when the study covers several countries without naming them; a study naming two or more countries is listed under “Multiple countries” anyway.', verbose_name='multiple countries'),
        ),
        migrations.AlterField(
            model_name='study',
            name='slug',
            field=models.SlugField(help_text="Part of the study's address.", max_length=200, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(-[a-z0-9]+)*$', 'Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.', code='invalid_slug')]),
        ),
        migrations.AlterField(
            model_name='subject',
            name='slug',
            field=models.SlugField(max_length=200, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(-[a-z0-9]+)*$', 'Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.', code='invalid_slug')]),
        ),
        migrations.AddConstraint(
            model_name='author',
            constraint=models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='author_slug_is_well_formed', violation_error_message='Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.'),
        ),
        migrations.AddConstraint(
            model_name='author',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='author_name_is_not_blank', violation_error_message='The name cannot be blank.'),
        ),
        migrations.AddConstraint(
            model_name='country',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='country_name_is_not_blank', violation_error_message='The name cannot be blank.'),
        ),
        migrations.AddConstraint(
            model_name='resourcetype',
            constraint=models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='resourcetype_slug_is_well_formed', violation_error_message='Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.'),
        ),
        migrations.AddConstraint(
            model_name='resourcetype',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='resourcetype_name_is_not_blank', violation_error_message='The name cannot be blank.'),
        ),
        migrations.AddConstraint(
            model_name='study',
            constraint=models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='study_slug_is_well_formed', violation_error_message='Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.'),
        ),
        migrations.AddConstraint(
            model_name='study',
            constraint=models.CheckConstraint(condition=models.Q(('title__regex', '\\S')), name='study_title_is_not_blank', violation_error_message='The title cannot be blank.'),
        ),
        migrations.AddConstraint(
            model_name='study',
            constraint=models.CheckConstraint(condition=models.Q(('external_url', ''), ('external_url__iregex', '^https?://\\S+$'), _connector='OR'), name='study_external_url_is_http', violation_error_message='The external URL must be an http:// or https:// address.'),
        ),
        migrations.AddConstraint(
            model_name='study',
            constraint=models.CheckConstraint(condition=models.Q(('publication_month__gte', datetime.date(1900, 1, 1))), name='study_published_from_1900', violation_error_message='The publication month cannot be before 1900.'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='subject_slug_is_well_formed', violation_error_message='Use lower-case letters and digits, words joined by single hyphens, e.g. “land-theft”.'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='subject_name_is_not_blank', violation_error_message='The name cannot be blank.'),
        ),
        migrations.RunSQL(INSTALL, UNINSTALL),
        migrations.RunSQL(CHECK_STORED, migrations.RunSQL.noop),
    ]
