from django.db import migrations

# The words a row of an author or a country adds to the search, written once: the search
# document, the word-collecting triggers and studies_rebuild_search() all call these, so a bulk
# rebuild (the synthetic data generator) can never drift from what the triggers compute.
# Frozen here; the current definition is studies/sql/search.sql.

INSTALL = r"""
CREATE OR REPLACE FUNCTION studies_author_words(p_name text, p_alternate_names text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_name || ' ' || p_alternate_names
$$;

CREATE OR REPLACE FUNCTION studies_country_words(p_name text, p_aliases text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_name || ' ' || replace(p_aliases, ',', ' ')
$$;

CREATE OR REPLACE FUNCTION studies_search_document(
    p_id bigint, p_title text, p_short_title text, p_description text, p_subject_id bigint
) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT
        setweight(to_tsvector('justicelib', coalesce(p_title, '') || ' ' || coalesce(p_short_title, '')), 'A')
        || setweight(to_tsvector('justicelib', coalesce((
            SELECT string_agg(studies_author_words(a.name, a.alternate_names), ' ')
            FROM studies_authorship sa JOIN studies_author a ON a.id = sa.author_id
            WHERE sa.study_id = p_id), '')), 'B')
        || setweight(to_tsvector('justicelib', coalesce((
            SELECT s.name FROM studies_subject s WHERE s.id = p_subject_id), '')), 'B')
        || setweight(to_tsvector('justicelib', coalesce((
            SELECT string_agg(studies_country_words(c.name, c.aliases), ' ')
            FROM studies_study_countries sc JOIN studies_country c ON c.id = sc.country_id
            WHERE sc.study_id = p_id), '')), 'C')
        || setweight(to_tsvector('justicelib', coalesce(p_description, '')), 'D')
$$;

CREATE OR REPLACE FUNCTION studies_author_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(studies_author_words(NEW.name, NEW.alternate_names));
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_authorship WHERE author_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION studies_country_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(studies_country_words(NEW.name, NEW.aliases));
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_study_countries WHERE country_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;

-- Every study's search and facet columns and the whole word list, recomputed by the triggers'
-- own functions: for rows loaded with the triggers switched off.
CREATE OR REPLACE FUNCTION studies_rebuild_search() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE studies_study SET search_vector = NULL;
    PERFORM studies_collect_words(studies_author_words(name, alternate_names)) FROM studies_author;
    PERFORM studies_collect_words(studies_country_words(name, aliases)) FROM studies_country;
    PERFORM studies_collect_words(name) FROM studies_subject;
END $$;
"""

UNINSTALL = r"""
DROP FUNCTION studies_rebuild_search();

CREATE OR REPLACE FUNCTION studies_search_document(
    p_id bigint, p_title text, p_short_title text, p_description text, p_subject_id bigint
) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT
        setweight(to_tsvector('justicelib', coalesce(p_title, '') || ' ' || coalesce(p_short_title, '')), 'A')
        || setweight(to_tsvector('justicelib', coalesce((
            SELECT string_agg(a.name || ' ' || a.alternate_names, ' ')
            FROM studies_authorship sa JOIN studies_author a ON a.id = sa.author_id
            WHERE sa.study_id = p_id), '')), 'B')
        || setweight(to_tsvector('justicelib', coalesce((
            SELECT s.name FROM studies_subject s WHERE s.id = p_subject_id), '')), 'B')
        || setweight(to_tsvector('justicelib', coalesce((
            SELECT string_agg(c.name || ' ' || replace(c.aliases, ',', ' '), ' ')
            FROM studies_study_countries sc JOIN studies_country c ON c.id = sc.country_id
            WHERE sc.study_id = p_id), '')), 'C')
        || setweight(to_tsvector('justicelib', coalesce(p_description, '')), 'D')
$$;

CREATE OR REPLACE FUNCTION studies_author_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(NEW.name || ' ' || NEW.alternate_names);
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_authorship WHERE author_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION studies_country_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(NEW.name || ' ' || replace(NEW.aliases, ',', ' '));
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_study_countries WHERE country_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;

DROP FUNCTION studies_country_words(text, text);
DROP FUNCTION studies_author_words(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("studies", "0010_reserved_slugs")]

    operations = [migrations.RunSQL(INSTALL, UNINSTALL)]
