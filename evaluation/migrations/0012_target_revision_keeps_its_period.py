from django.db import migrations

# A revision replaces the target it revises for the same indicator and period: with the one
# current target per indicator and period (a partial unique constraint), the revised one cannot
# stay current beside it.
INSTALL = """
CREATE FUNCTION evaluation_target_revision_keeps_its_period() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revises_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM evaluation_target revised
         WHERE revised.id = NEW.revises_id
           AND revised.indicator_id = NEW.indicator_id
           AND revised.period_start = NEW.period_start
           AND revised.period_end = NEW.period_end
    ) THEN
        RAISE EXCEPTION 'A revision keeps the indicator and period of the target it revises (target %).',
            NEW.revises_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER target_revision_keeps_its_period
    BEFORE INSERT ON evaluation_target
    FOR EACH ROW EXECUTE FUNCTION evaluation_target_revision_keeps_its_period();
"""

UNINSTALL = """
DROP TRIGGER target_revision_keeps_its_period ON evaluation_target;
DROP FUNCTION evaluation_target_revision_keeps_its_period();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0011_measurement_quality'),
    ]

    operations = [
        migrations.RunSQL(INSTALL, UNINSTALL),
    ]
