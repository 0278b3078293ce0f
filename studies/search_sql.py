"""The database side of search, installed by migration 0002.

Kept as SQL in the database (not Django signals) so that every writer keeps the index right:
the admin, fixtures, bulk loads and raw SQL alike.

- Text search configuration `justicelib`: English stemming after `unaccent`, so “Bogotá” and
  “Bogota” match and “trafficking” matches “traffick…”.
- `studies_study.search_vector`: title and short title (weight A), authors and subject (B),
  countries with their aliases (C), description (D). A BEFORE trigger on the study computes it;
  triggers on authorships, study countries, authors, countries and subjects touch the studies
  they affect so it is recomputed.
- `studies_searchterm`: every word of the library, unaccented and lower case, for “did you mean”.
"""

INSTALL = r"""
CREATE TEXT SEARCH CONFIGURATION justicelib (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION justicelib
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION justicelib_words (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION justicelib_words
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

CREATE FUNCTION studies_search_document(
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

CREATE FUNCTION studies_collect_words(p_text text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO studies_searchterm (word)
    SELECT DISTINCT left(word, 100)
    FROM unnest(tsvector_to_array(to_tsvector('justicelib_words', coalesce(p_text, '')))) AS word
    WHERE length(word) >= 3 AND word !~ '^[0-9]'
    ON CONFLICT (word) DO NOTHING
$$;

CREATE FUNCTION studies_study_search_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := studies_search_document(
        NEW.id, NEW.title, NEW.short_title, NEW.description, NEW.subject_id);
    RETURN NEW;
END $$;
CREATE TRIGGER studies_study_search_before
    BEFORE INSERT OR UPDATE OF title, short_title, description, subject_id, search_vector
    ON studies_study FOR EACH ROW EXECUTE FUNCTION studies_study_search_before();

-- Words are collected once per statement, so a bulk insert of many studies costs one pass.
CREATE FUNCTION studies_study_collect_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO studies_searchterm (word)
    SELECT DISTINCT left(word, 100)
    FROM new_rows,
         unnest(tsvector_to_array(to_tsvector('justicelib_words',
             coalesce(title, '') || ' ' || coalesce(short_title, '') || ' ' || coalesce(description, '')
         ))) AS word
    WHERE length(word) >= 3 AND word !~ '^[0-9]'
    ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER studies_study_words_insert AFTER INSERT ON studies_study
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_study_collect_words();
CREATE TRIGGER studies_study_words_update AFTER UPDATE ON studies_study
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_study_collect_words();

-- A change to who wrote a study, or where it is, recomputes that study's document.
CREATE FUNCTION studies_touch_study_of_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE studies_study SET search_vector = NULL WHERE id = NEW.study_id;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE studies_study SET search_vector = NULL WHERE id = OLD.study_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER studies_authorship_search AFTER INSERT OR UPDATE OR DELETE ON studies_authorship
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();
CREATE TRIGGER studies_study_countries_search AFTER INSERT OR UPDATE OR DELETE ON studies_study_countries
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();

CREATE FUNCTION studies_author_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(NEW.name || ' ' || NEW.alternate_names);
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_authorship WHERE author_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER studies_author_search AFTER INSERT OR UPDATE OF name, alternate_names ON studies_author
    FOR EACH ROW EXECUTE FUNCTION studies_author_changed();

CREATE FUNCTION studies_country_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(NEW.name || ' ' || replace(NEW.aliases, ',', ' '));
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_study_countries WHERE country_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER studies_country_search AFTER INSERT OR UPDATE OF name, aliases ON studies_country
    FOR EACH ROW EXECUTE FUNCTION studies_country_changed();

CREATE FUNCTION studies_subject_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(NEW.name);
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL WHERE subject_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER studies_subject_search AFTER INSERT OR UPDATE OF name ON studies_subject
    FOR EACH ROW EXECUTE FUNCTION studies_subject_changed();

-- Prefix search: every lexeme of the visitor's query also matches longer words ("traffick" →
-- "trafficking"); websearch syntax (quotes, or, -) is kept.
CREATE FUNCTION studies_prefix_query(p_query text) RETURNS tsquery LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN q::text = '' THEN q
           ELSE to_tsquery('simple', regexp_replace(q::text, '''([^'']+)''', '''\1'':*', 'g')) END
    FROM websearch_to_tsquery('justicelib', p_query) AS q
$$;

UPDATE studies_study SET search_vector = NULL;
SELECT studies_collect_words(name || ' ' || alternate_names) FROM studies_author;
SELECT studies_collect_words(name || ' ' || replace(aliases, ',', ' ')) FROM studies_country;
SELECT studies_collect_words(name) FROM studies_subject;
"""

UNINSTALL = r"""
DROP TRIGGER IF EXISTS studies_study_search_before ON studies_study;
DROP TRIGGER IF EXISTS studies_study_words_insert ON studies_study;
DROP TRIGGER IF EXISTS studies_study_words_update ON studies_study;
DROP TRIGGER IF EXISTS studies_authorship_search ON studies_authorship;
DROP TRIGGER IF EXISTS studies_study_countries_search ON studies_study_countries;
DROP TRIGGER IF EXISTS studies_author_search ON studies_author;
DROP TRIGGER IF EXISTS studies_country_search ON studies_country;
DROP TRIGGER IF EXISTS studies_subject_search ON studies_subject;
DROP FUNCTION IF EXISTS studies_prefix_query(text);
DROP FUNCTION IF EXISTS studies_subject_changed();
DROP FUNCTION IF EXISTS studies_country_changed();
DROP FUNCTION IF EXISTS studies_author_changed();
DROP FUNCTION IF EXISTS studies_touch_study_of_link();
DROP FUNCTION IF EXISTS studies_study_collect_words();
DROP FUNCTION IF EXISTS studies_study_search_before();
DROP FUNCTION IF EXISTS studies_collect_words(text);
DROP FUNCTION IF EXISTS studies_search_document(bigint, text, text, text, bigint);
DROP TEXT SEARCH CONFIGURATION IF EXISTS justicelib_words;
DROP TEXT SEARCH CONFIGURATION IF EXISTS justicelib;
"""


# Migration 0003: the study row also carries its country codes, type slugs and author slugs
# (in author order), computed by the same BEFORE trigger; links to resource types and changes of
# a code or slug touch the studies they affect.
FACET_ARRAYS_INSTALL = r"""
CREATE OR REPLACE FUNCTION studies_study_search_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := studies_search_document(
        NEW.id, NEW.title, NEW.short_title, NEW.description, NEW.subject_id);
    NEW.country_codes := ARRAY(
        SELECT c.code FROM studies_study_countries sc JOIN studies_country c ON c.id = sc.country_id
        WHERE sc.study_id = NEW.id ORDER BY c.code);
    NEW.type_slugs := ARRAY(
        SELECT t.slug FROM studies_study_resource_types st JOIN studies_resourcetype t ON t.id = st.resourcetype_id
        WHERE st.study_id = NEW.id ORDER BY t.slug);
    NEW.author_slugs := ARRAY(
        SELECT a.slug FROM studies_authorship sa JOIN studies_author a ON a.id = sa.author_id
        WHERE sa.study_id = NEW.id ORDER BY sa.position);
    RETURN NEW;
END $$;

CREATE TRIGGER studies_study_resource_types_search AFTER INSERT OR UPDATE OR DELETE ON studies_study_resource_types
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();

DROP TRIGGER studies_author_search ON studies_author;
CREATE TRIGGER studies_author_search AFTER INSERT OR UPDATE OF name, alternate_names, slug ON studies_author
    FOR EACH ROW EXECUTE FUNCTION studies_author_changed();
DROP TRIGGER studies_country_search ON studies_country;
CREATE TRIGGER studies_country_search AFTER INSERT OR UPDATE OF name, aliases, code ON studies_country
    FOR EACH ROW EXECUTE FUNCTION studies_country_changed();

CREATE FUNCTION studies_resourcetype_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE studies_study SET search_vector = NULL
    WHERE id IN (SELECT study_id FROM studies_study_resource_types WHERE resourcetype_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER studies_resourcetype_search AFTER UPDATE OF slug ON studies_resourcetype
    FOR EACH ROW EXECUTE FUNCTION studies_resourcetype_changed();

UPDATE studies_study SET search_vector = NULL;
"""

FACET_ARRAYS_UNINSTALL = r"""
DROP TRIGGER IF EXISTS studies_resourcetype_search ON studies_resourcetype;
DROP FUNCTION IF EXISTS studies_resourcetype_changed();
DROP TRIGGER IF EXISTS studies_study_resource_types_search ON studies_study_resource_types;
DROP TRIGGER studies_author_search ON studies_author;
CREATE TRIGGER studies_author_search AFTER INSERT OR UPDATE OF name, alternate_names ON studies_author
    FOR EACH ROW EXECUTE FUNCTION studies_author_changed();
DROP TRIGGER studies_country_search ON studies_country;
CREATE TRIGGER studies_country_search AFTER INSERT OR UPDATE OF name, aliases ON studies_country
    FOR EACH ROW EXECUTE FUNCTION studies_country_changed();
CREATE OR REPLACE FUNCTION studies_study_search_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := studies_search_document(
        NEW.id, NEW.title, NEW.short_title, NEW.description, NEW.subject_id);
    RETURN NEW;
END $$;
"""


# Migration 0004: one counter row, bumped once per statement that writes any table a list page
# reads, so that caches keyed by it are never stale.
VERSIONED_TABLES = [
    "studies_study", "studies_authorship", "studies_study_countries",
    "studies_study_resource_types", "studies_author", "studies_country", "studies_subject",
    "studies_resourcetype",
]  # fmt: skip
LIBRARY_VERSION_INSTALL = r"""
INSERT INTO studies_libraryversion (id, version) VALUES (1, 0);
CREATE FUNCTION studies_bump_library_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE studies_libraryversion SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();\n"
    for table in VERSIONED_TABLES
)
LIBRARY_VERSION_UNINSTALL = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_version ON {table};\n" for table in VERSIONED_TABLES)
    + "DROP FUNCTION IF EXISTS studies_bump_library_version();\n"
    + "DELETE FROM studies_libraryversion;\n"
)


# Migration 0009: a lexeme may hold an apostrophe, which a tsquery writes doubled ('it''s');
# the pattern keeps such a lexeme whole, so "example.com/it's" is a valid search, not an error.
PREFIX_QUERY_V2 = r"""
CREATE OR REPLACE FUNCTION studies_prefix_query(p_query text) RETURNS tsquery
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN q::text = '' THEN q
           ELSE to_tsquery('simple', regexp_replace(q::text, '''((?:[^'']|'''')+)''', '''\1'':*', 'g')) END
    FROM websearch_to_tsquery('justicelib', p_query) AS q
$$;
"""
PREFIX_QUERY_V1 = r"""
CREATE OR REPLACE FUNCTION studies_prefix_query(p_query text) RETURNS tsquery
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN q::text = '' THEN q
           ELSE to_tsquery('simple', regexp_replace(q::text, '''([^'']+)''', '''\1'':*', 'g')) END
    FROM websearch_to_tsquery('justicelib', p_query) AS q
$$;
"""
