-- The search index's outbox triggers as the database holds them (the migrations hold frozen
-- copies). Every statement that writes studies leaves one outbox row per study it touched and
-- a notification (delivered at commit, merged within a transaction) that wakes the worker.
-- Links (authorships, countries, types) and renames (authors, countries, subjects, types)
-- already rewrite their studies' rows (studies/sql/search.sql), so the study table's triggers
-- see them; a subject's new slug does not, so it has its own.

CREATE OR REPLACE FUNCTION searchindex_study_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO searchindex_outboxentry (study_id) SELECT id FROM old_rows;
    ELSE
        INSERT INTO searchindex_outboxentry (study_id) SELECT id FROM new_rows;
    END IF;
    PERFORM pg_notify('searchindex_outbox', '');
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER searchindex_study_insert AFTER INSERT ON studies_study
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION searchindex_study_changed();
CREATE OR REPLACE TRIGGER searchindex_study_update AFTER UPDATE ON studies_study
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION searchindex_study_changed();
CREATE OR REPLACE TRIGGER searchindex_study_delete AFTER DELETE ON studies_study
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION searchindex_study_changed();

CREATE OR REPLACE FUNCTION searchindex_subject_slug_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO searchindex_outboxentry (study_id)
    SELECT id FROM studies_study WHERE subject_id = NEW.id;
    PERFORM pg_notify('searchindex_outbox', '');
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER searchindex_subject_slug AFTER UPDATE OF slug ON studies_subject
    FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION searchindex_subject_slug_changed();
