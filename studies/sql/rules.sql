-- The rules the admin enforces, kept by the database (migration studies/0012_rules):
-- a publication month beyond next year is refused; a study names its countries or is ticked
-- "multiple countries", never both; a published study has a resource type, an author and a
-- country (or "multiple countries"). The last two are constraint triggers deferred to the
-- commit, because the admin and loaddata write a study's links after its row.
--
-- To change one: edit it here, then copy the statements into a new migration.
-- (Constraint triggers cannot be CREATE OR REPLACE: a migration drops and creates them.)
CREATE OR REPLACE FUNCTION studies_publication_month_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.publication_month >= make_date(extract(year FROM current_date)::int + 2, 1, 1) THEN
        RAISE EXCEPTION 'The publication month % of “%” lies beyond next year: check it for a typo.',
            to_char(NEW.publication_month, 'YYYY-MM'), NEW.title
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER study_publication_month_rule
    BEFORE INSERT OR UPDATE OF publication_month ON studies_study
    FOR EACH ROW EXECUTE FUNCTION studies_publication_month_rule();

-- The rules of one study that span its links.
CREATE OR REPLACE FUNCTION studies_check_study(p_study_id bigint) RETURNS void
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

CREATE OR REPLACE FUNCTION studies_study_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM studies_check_study(NEW.id);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION studies_study_link_rules() RETURNS trigger LANGUAGE plpgsql AS $$
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
