"""The rules that need other rows, enforced by PostgreSQL with constraint triggers.

CHECK constraints see one row. Two rules of a measurement need more:
- the phase order of an indicator's measurements: the baseline ends before every monitoring
  and endline period starts, and every monitoring period ends before the endline starts;
- a percent indicator's values (point, range and interval) lie in 0–100: the unit is on the
  indicator, so changing an indicator's unit is checked too.

The triggers are deferred to the end of the transaction, so a set of rows may be rewritten in
any order (the admin saves a formset row by row; loaddata loads fixtures in one transaction).
They raise `check_violation`, which Django reports as IntegrityError. `Measurement.clean()` and
the admin's formset check the same rules first, with messages for the curator.
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION evaluation_check_indicator(p_indicator_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    earlier record;
BEGIN
    SELECT e.phase AS earlier_phase, e.period_start AS earlier_start, e.period_end AS earlier_end,
           l.phase AS later_phase, l.period_start AS later_start
      INTO earlier
      FROM evaluation_measurement e
      JOIN evaluation_measurement l ON l.indicator_id = e.indicator_id
     WHERE e.indicator_id = p_indicator_id
       AND ((e.phase = 'baseline' AND l.phase IN ('monitoring', 'endline'))
            OR (e.phase = 'monitoring' AND l.phase = 'endline'))
       AND e.period_end >= l.period_start
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'Periods run baseline → monitoring → endline: the % (% to %) must end '
                        'before the % (from %) starts (indicator %).',
            earlier.earlier_phase, earlier.earlier_start, earlier.earlier_end,
            earlier.later_phase, earlier.later_start, p_indicator_id
            USING ERRCODE = 'check_violation';
    END IF;

    IF EXISTS (
        SELECT 1
          FROM evaluation_measurement m
          JOIN evaluation_indicator i ON i.id = m.indicator_id
         WHERE i.id = p_indicator_id
           AND i.unit = 'percent'
           AND m.value_kind IN ('point', 'range')
           AND (m.value NOT BETWEEN 0 AND 100
                OR m.value_low NOT BETWEEN 0 AND 100
                OR m.value_high NOT BETWEEN 0 AND 100
                OR m.ci_lower NOT BETWEEN 0 AND 100
                OR m.ci_upper NOT BETWEEN 0 AND 100)
    ) THEN
        RAISE EXCEPTION 'A percent lies between 0 and 100 (indicator %).', p_indicator_id
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$;

CREATE FUNCTION evaluation_measurement_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_check_indicator(NEW.indicator_id);
    RETURN NULL;
END;
$$;

CREATE FUNCTION evaluation_indicator_unit_rule() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_check_indicator(NEW.id);
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER measurement_rules
    AFTER INSERT OR UPDATE ON evaluation_measurement
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION evaluation_measurement_rules();

CREATE CONSTRAINT TRIGGER indicator_unit_rule
    AFTER UPDATE OF unit ON evaluation_indicator
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION evaluation_indicator_unit_rule();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS indicator_unit_rule ON evaluation_indicator;
DROP TRIGGER IF EXISTS measurement_rules ON evaluation_measurement;
DROP FUNCTION IF EXISTS evaluation_indicator_unit_rule();
DROP FUNCTION IF EXISTS evaluation_measurement_rules();
DROP FUNCTION IF EXISTS evaluation_check_indicator(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunSQL(INSTALL, UNINSTALL)]
