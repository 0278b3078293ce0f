-- The studies app's functions and triggers as the database holds them today: search, facet
-- columns and the library version. Read them here; the migrations hold frozen copies of what
-- each one ran (history, never edited).
--
-- To change one: edit it here, then copy the changed CREATE OR REPLACE statements into a new
-- migration (RunSQL, with the previous text as its reverse). tests/architecture/test_database_sql.py
-- fails while this file and a migrated database differ.
--
-- Kept as SQL in the database (not Django signals) so that every writer keeps the index right:
-- the admin, fixtures, bulk loads and raw SQL alike.


-- Text search: English stemming after `unaccent`, so "Bogotá" matches "Bogota" and
-- "trafficking" matches "traffick…"; `justicelib_words` keeps whole words for "did you mean".
CREATE TEXT SEARCH CONFIGURATION justicelib (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION justicelib
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION justicelib_words (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION justicelib_words
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;


-- The words a row of an author or a country adds to the search, written once for the search
-- document, the word list and studies_rebuild_search().
CREATE OR REPLACE FUNCTION studies_author_words(p_name text, p_alternate_names text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_name || ' ' || p_alternate_names
$$;

CREATE OR REPLACE FUNCTION studies_country_words(p_name text, p_aliases text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_name || ' ' || replace(p_aliases, ',', ' ')
$$;


-- The words of a study's files (every page, in file and page order), for its search document.
-- Capped so that no report can make the document exceed PostgreSQL's 1 MB tsvector limit; the
-- search within a study's files (on its page) reads every page.
CREATE OR REPLACE FUNCTION studies_file_text(p_id bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT left(coalesce(string_agg(p.text, ' ' ORDER BY f.position, f.id, p.number), ''), 1000000)
    FROM studies_studyfile f JOIN studies_studyfilepage p ON p.file_id = f.id
    WHERE f.study_id = p_id
$$;

-- A study's search document: title and short title (weight A), authors and subject (B),
-- countries with their aliases and the description (C), and the text of its files (D, without
-- positions: a long report's words would otherwise fill the document, and a match only there
-- ranks below every match in what the curators wrote).
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
        || setweight(to_tsvector('justicelib', coalesce(p_description, '')), 'C')
        || strip(to_tsvector('justicelib', studies_file_text(p_id)))
$$;

-- studies_searchterm: every word of the library, unaccented and lower case, for "did you mean".
CREATE OR REPLACE FUNCTION studies_collect_words(p_text text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO studies_searchterm (word)
    SELECT DISTINCT left(word, 100)
    FROM unnest(tsvector_to_array(to_tsvector('justicelib_words', coalesce(p_text, '')))) AS word
    WHERE length(word) >= 3 AND word !~ '^[0-9]'
    ON CONFLICT (word) DO NOTHING
$$;


-- The study row carries its search document and, for the facets, its country codes, type slugs
-- and author slugs (in author order). A write that sets search_vector (to NULL) recomputes them.
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
CREATE OR REPLACE TRIGGER studies_study_search_before
    BEFORE INSERT OR UPDATE OF title, short_title, description, subject_id, search_vector
    ON studies_study FOR EACH ROW EXECUTE FUNCTION studies_study_search_before();

-- Words are collected once per statement, so a bulk insert of many studies costs one pass.
CREATE OR REPLACE FUNCTION studies_study_collect_words() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE TRIGGER studies_study_words_insert AFTER INSERT ON studies_study
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_study_collect_words();
CREATE OR REPLACE TRIGGER studies_study_words_update AFTER UPDATE ON studies_study
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_study_collect_words();

-- A change to who wrote a study, where it is or what type it is recomputes that study's row.
CREATE OR REPLACE FUNCTION studies_touch_study_of_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE studies_study SET search_vector = NULL WHERE id = NEW.study_id;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE studies_study SET search_vector = NULL WHERE id = OLD.study_id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_authorship_search AFTER INSERT OR UPDATE OR DELETE ON studies_authorship
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();
CREATE OR REPLACE TRIGGER studies_study_countries_search AFTER INSERT OR UPDATE OR DELETE ON studies_study_countries
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();
CREATE OR REPLACE TRIGGER studies_study_resource_types_search AFTER INSERT OR UPDATE OR DELETE ON studies_study_resource_types
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();

-- New or removed page text (processing a file, removing one) recomputes its study's document,
-- once per statement.
CREATE OR REPLACE FUNCTION studies_touch_study_of_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE studies_study SET search_vector = NULL WHERE id IN (
            SELECT f.study_id FROM studies_studyfile f WHERE f.id IN (SELECT file_id FROM old_rows));
    ELSE
        UPDATE studies_study SET search_vector = NULL WHERE id IN (
            SELECT f.study_id FROM studies_studyfile f WHERE f.id IN (SELECT file_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_studyfilepage_search_insert AFTER INSERT ON studies_studyfilepage
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_touch_study_of_pages();
CREATE OR REPLACE TRIGGER studies_studyfilepage_search_update AFTER UPDATE ON studies_studyfilepage
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_touch_study_of_pages();
CREATE OR REPLACE TRIGGER studies_studyfilepage_search_delete AFTER DELETE ON studies_studyfilepage
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION studies_touch_study_of_pages();
-- A removed file (its pages already gone) or one moved to another study.
CREATE OR REPLACE TRIGGER studies_studyfile_search AFTER INSERT OR UPDATE OF study_id OR DELETE ON studies_studyfile
    FOR EACH ROW EXECUTE FUNCTION studies_touch_study_of_link();

-- A renamed author, country, subject or type: its words join the word list and its studies are
-- recomputed.
CREATE OR REPLACE FUNCTION studies_author_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(studies_author_words(NEW.name, NEW.alternate_names));
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_authorship WHERE author_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_author_search AFTER INSERT OR UPDATE OF name, alternate_names, slug ON studies_author
    FOR EACH ROW EXECUTE FUNCTION studies_author_changed();

CREATE OR REPLACE FUNCTION studies_country_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(studies_country_words(NEW.name, NEW.aliases));
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL
        WHERE id IN (SELECT study_id FROM studies_study_countries WHERE country_id = NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_country_search AFTER INSERT OR UPDATE OF name, aliases, code ON studies_country
    FOR EACH ROW EXECUTE FUNCTION studies_country_changed();

CREATE OR REPLACE FUNCTION studies_subject_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_collect_words(NEW.name);
    IF TG_OP = 'UPDATE' THEN
        UPDATE studies_study SET search_vector = NULL WHERE subject_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_subject_search AFTER INSERT OR UPDATE OF name ON studies_subject
    FOR EACH ROW EXECUTE FUNCTION studies_subject_changed();

CREATE OR REPLACE FUNCTION studies_resourcetype_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE studies_study SET search_vector = NULL
    WHERE id IN (SELECT study_id FROM studies_study_resource_types WHERE resourcetype_id = NEW.id);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER studies_resourcetype_search AFTER UPDATE OF slug ON studies_resourcetype
    FOR EACH ROW EXECUTE FUNCTION studies_resourcetype_changed();


-- Every study's search and facet columns and the whole word list, recomputed by the triggers'
-- own functions: for rows loaded with the triggers switched off (the synthetic data generator).
CREATE OR REPLACE FUNCTION studies_rebuild_search() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE studies_study SET search_vector = NULL;
    PERFORM studies_collect_words(studies_author_words(name, alternate_names)) FROM studies_author;
    PERFORM studies_collect_words(studies_country_words(name, aliases)) FROM studies_country;
    PERFORM studies_collect_words(name) FROM studies_subject;
END $$;


-- Search synonyms (studies_searchsynonym, kept by curators in the admin): a word a visitor types
-- also finds other words or phrases, e.g. another spelling ("labor" → "labour") or what an acronym
-- stands for ("OSEC" → "online sexual exploitation of children"). A term is one word, matched by
-- its lexeme, so "labors" expands as "labor" does; the unique index on that lexeme keeps one row
-- per word. The table's constraints call the two functions below, so they carry their own
-- search_path: pg_restore checks constraints with an empty one, where "justicelib" is unknown.

-- The one lexeme of a word, or NULL when it has none (a stop word such as "the") or several.
CREATE OR REPLACE FUNCTION studies_synonym_lexeme(p_term text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT AS $$
    SELECT CASE WHEN cardinality(lexemes) = 1 THEN lexemes[1] END
    FROM tsvector_to_array(to_tsvector('justicelib', p_term)) AS lexemes
$$;

-- What a term also finds, as tsquery text: each comma-separated part read as a search
-- (websearch syntax, every word a prefix), the parts ORed. NULL when a part has no word that
-- search keeps, which the table's check constraint refuses.
CREATE OR REPLACE FUNCTION studies_synonym_expansion(p_also_finds text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT AS $$
    SELECT CASE WHEN bool_and(numnode(q) > 0) THEN string_agg(
               '(' || regexp_replace(q::text, '''((?:[^'']|'''')+)''', '''\1'':*', 'g') || ')',
               ' | ' ORDER BY n) END
    FROM unnest(string_to_array(p_also_finds, ',')) WITH ORDINALITY AS part(words, n),
         websearch_to_tsquery('justicelib', part.words) AS q
$$;

-- The visitor's search as a tsquery: websearch syntax (quotes, or, -) kept, every lexeme also
-- matches longer words ("traffick" → "trafficking"), and a lexeme with synonyms is ORed with
-- them ("labor" → 'labor':* | 'labour':*), inside phrases and exclusions too. The tsquery text is
-- split into quoted lexemes (an apostrophe written doubled: 'it''s') and the operators between
-- them, rebuilt, and read back with a cast: a cast takes lexemes as they are, where to_tsquery
-- would parse "gender-bas" again into three words that no document holds in a row.
-- STABLE, as it reads the synonym table: callers make it a scalar subquery (an InitPlan), so it
-- runs once per statement rather than once per row (studies.querysets.PrefixQuery).
CREATE OR REPLACE FUNCTION studies_prefix_query(p_query text) RETURNS tsquery
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN q::text = '' THEN q ELSE (
        SELECT string_agg(CASE WHEN left(m[1], 1) <> '''' THEN m[1] ELSE coalesce(
                   (SELECT '(' || m[1] || ':* | ' || studies_synonym_expansion(s.also_finds) || ')'
                    FROM studies_searchsynonym s
                    WHERE studies_synonym_lexeme(s.term)
                          = replace(substr(m[1], 2, length(m[1]) - 2), '''''', '''')),
                   m[1] || ':*') END,
               '' ORDER BY n)
        FROM regexp_matches(q::text, '''(?:[^'']|'''')+''|[^'']+', 'g') WITH ORDINALITY AS t(m, n)
    )::tsquery END
    FROM websearch_to_tsquery('justicelib', p_query) AS q
$$;


-- The library version: one row (studies_libraryversion, id 1), advanced once per statement that
-- writes any table a list page reads, so that caches keyed by it are never stale. It never
-- repeats a number, even after a flush (which deletes the row) or a restore (which brings back
-- an older one): at least the microseconds since 1970, since running servers keep caches keyed
-- by the numbers used before.
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
CREATE OR REPLACE TRIGGER studies_study_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_study
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_authorship_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_authorship
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_study_countries_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_study_countries
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_study_resource_types_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_study_resource_types
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_author_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_author
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_country_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_country
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_subject_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_subject
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_resourcetype_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_resourcetype
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_searchsynonym_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_searchsynonym
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
CREATE OR REPLACE TRIGGER studies_studyfile_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_studyfile
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
