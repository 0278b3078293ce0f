-- The deleted records of OAI-PMH (oai.models.DeletedStudy), kept by the database so that every
-- writer leaves them right. Migration oai/0001 ran exactly this; change both together.

-- A published study that stops being published under its slug (deleted, back to draft, or
-- moved to another slug) leaves a deleted record for that slug; publishing a study under the
-- slug again removes it. clock_timestamp(), not now(): the moment of the write, as the history
-- events record it.
CREATE OR REPLACE FUNCTION oai_track_deleted_studies() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published'
       AND (TG_OP = 'DELETE' OR NEW.status <> 'published' OR NEW.slug <> OLD.slug) THEN
        INSERT INTO oai_deletedstudy (slug, deleted_at) VALUES (OLD.slug, clock_timestamp())
        ON CONFLICT (slug) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
        DELETE FROM oai_deletedstudy WHERE slug = NEW.slug;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER oai_track_deleted_studies
AFTER INSERT OR UPDATE OF status, slug OR DELETE ON studies_study
FOR EACH ROW EXECUTE FUNCTION oai_track_deleted_studies();
