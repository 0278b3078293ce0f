-- Citation keys and the publisher rule (migration studies/0016_citation_metadata).
--
-- A study's citation key is made once by the database, at the commit that first gives it an
-- author (or clears its key): first author, year, first title word, “-2”, “-3”… when taken.
-- Exports only read it, so a study keeps its key whatever the order or filter of an export.
-- A publisher is an organisation and stays one while it publishes.
--
-- To change one: edit it here, then copy the statements into a new migration.
-- (Constraint triggers cannot be CREATE OR REPLACE: a migration drops and creates them.)
-- A word of a citation key: unaccented, lower case, ASCII letters and digits only.
CREATE OR REPLACE FUNCTION studies_citation_word(t text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT regexp_replace(lower(unaccent(coalesce(t, ''))), '[^a-z0-9]+', '', 'g')
$$;

-- The key a study would get, before any suffix; NULL while it has no author.
CREATE OR REPLACE FUNCTION studies_citation_key_base(p_study_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT left(
        coalesce(nullif(
            CASE WHEN a.kind = 'person' THEN studies_citation_word(a.family_name)
                 ELSE studies_citation_word(coalesce(
                     nullif(btrim(split_part(a.alternate_names, ',', 1)), ''),
                     split_part(btrim(a.name), ' ', 1)))
            END, ''), 'anon')
        || extract(year FROM s.publication_month)::int
        || coalesce((
            SELECT w.word
              FROM regexp_split_to_table(s.title, '\s+') WITH ORDINALITY AS t(raw, i),
                   LATERAL studies_citation_word(t.raw) AS w(word)
             WHERE w.word <> '' AND w.word NOT IN ('a', 'an', 'the')
             ORDER BY t.i
             LIMIT 1), ''),
        90)
      FROM studies_study s
      JOIN studies_authorship sa ON sa.study_id = s.id
      JOIN studies_author a ON a.id = sa.author_id
     WHERE s.id = p_study_id
     ORDER BY sa.position
     LIMIT 1
$$;

CREATE OR REPLACE FUNCTION studies_assign_citation_key(p_study_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    base text;
    candidate text;
    n int := 1;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM studies_study WHERE id = p_study_id AND citation_key = '') THEN
        RETURN;  -- keyed already, or deleted in the same transaction
    END IF;
    base := studies_citation_key_base(p_study_id);
    IF base IS NULL THEN
        RETURN;  -- no author yet: the key waits for the first one
    END IF;
    -- One transaction at a time picks keys, and sees the keys committed before it: two studies
    -- committed at once never take the same key.
    PERFORM pg_advisory_xact_lock(hashtext('studies_citation_key'));
    candidate := base;
    WHILE EXISTS (SELECT 1 FROM studies_study WHERE citation_key = candidate) LOOP
        n := n + 1;
        candidate := base || '-' || n;
    END LOOP;
    UPDATE studies_study SET citation_key = candidate WHERE id = p_study_id AND citation_key = '';
END;
$$;

CREATE OR REPLACE FUNCTION studies_study_citation_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_assign_citation_key(NEW.id);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION studies_authorship_citation_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_assign_citation_key(NEW.study_id);
    RETURN NULL;
END;
$$;

-- At the commit, when the study's authors are in place (the admin writes them after the row).
CREATE CONSTRAINT TRIGGER study_citation_key
    AFTER INSERT OR UPDATE OF citation_key ON studies_study
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.citation_key = '')
    EXECUTE FUNCTION studies_study_citation_key();
CREATE CONSTRAINT TRIGGER authorship_citation_key
    AFTER INSERT OR UPDATE OF author_id, position ON studies_authorship
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION studies_authorship_citation_key();

-- A publisher is an organisation, and stays one while it publishes.
CREATE OR REPLACE FUNCTION studies_study_publisher_rule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    study record;
BEGIN
    SELECT s.title, a.name INTO study
      FROM studies_study s JOIN studies_author a ON a.id = s.publisher_id
     WHERE s.id = NEW.id AND a.kind <> 'organisation';
    IF FOUND THEN
        RAISE EXCEPTION 'The publisher of “%” is “%”, a person: a publisher is the organisation '
                        'that issued the study.', study.title, study.name
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION studies_author_publisher_rule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    title text;
BEGIN
    SELECT s.title INTO title
      FROM studies_study s JOIN studies_author a ON a.id = s.publisher_id
     WHERE a.id = NEW.id AND a.kind <> 'organisation'
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '“%” is the publisher of “%”, so it stays an organisation: choose another '
                        'publisher for its studies first.', NEW.name, title
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER study_publisher_rule
    AFTER INSERT OR UPDATE OF publisher_id ON studies_study
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.publisher_id IS NOT NULL)
    EXECUTE FUNCTION studies_study_publisher_rule();
CREATE CONSTRAINT TRIGGER author_publisher_rule
    AFTER UPDATE OF kind ON studies_author
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.kind <> 'organisation')
    EXECUTE FUNCTION studies_author_publisher_rule();
