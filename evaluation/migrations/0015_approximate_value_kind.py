"""An approximate figure (“nearly 500,000”) as a value kind of its own: its number only places
the figure on the chart, so pages, downloads and IATI quote the words and no change is computed
from it. A percent's approximate figure lies in 0–100 like its point values: the indicator rule
of migrations 0002 and 0013 checks it too."""

from django.db import migrations, models

# evaluation_check_indicator as migration 0013 defined it, with approximate figures among the
# percent values it keeps within 0–100.
PERCENT_RULE_WITH_APPROXIMATE_FIGURES = """
CREATE OR REPLACE FUNCTION evaluation_check_indicator(p_indicator_id bigint) RETURNS void
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
           AND m.value_kind IN ('point', 'range', 'minimum', 'approximate')
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
"""

# As migration 0013 left it.
PERCENT_RULE_BEFORE = """
CREATE OR REPLACE FUNCTION evaluation_check_indicator(p_indicator_id bigint) RETURNS void
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
           AND m.value_kind IN ('point', 'range', 'minimum')
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
"""


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0014_dimensions'),
        ('studies', '0023_library_version_never_repeats'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='measurement',
            name='measurement_value_kind_is_known',
        ),
        migrations.AlterField(
            model_name='measurement',
            name='value',
            field=models.DecimalField(blank=True, decimal_places=4, help_text='The value; for a relative change, the change in percent (−79 for “−79 %”); for a minimum or an approximate figure, the number the words give (220 for “more than 220”, 500000 for “nearly 500,000”).', max_digits=14, null=True),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='value_kind',
            field=models.CharField(choices=[('point', 'Point value'), ('range', 'Range of estimates'), ('relative_change', 'Change relative to the baseline (%)'), ('wording_only', 'Published in words only (no number)'), ('minimum', 'A minimum, published in words (“more than 220”)'), ('approximate', 'An approximate figure, published in words (“nearly 500,000”)')], default='point', max_length=20),
        ),
        migrations.AlterField(
            model_name='measurementevent',
            name='value',
            field=models.DecimalField(blank=True, decimal_places=4, help_text='The value; for a relative change, the change in percent (−79 for “−79 %”); for a minimum or an approximate figure, the number the words give (220 for “more than 220”, 500000 for “nearly 500,000”).', max_digits=14, null=True),
        ),
        migrations.AlterField(
            model_name='measurementevent',
            name='value_kind',
            field=models.CharField(choices=[('point', 'Point value'), ('range', 'Range of estimates'), ('relative_change', 'Change relative to the baseline (%)'), ('wording_only', 'Published in words only (no number)'), ('minimum', 'A minimum, published in words (“more than 220”)'), ('approximate', 'An approximate figure, published in words (“nearly 500,000”)')], default='point', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=models.Q(('value_kind__in', ['point', 'range', 'relative_change', 'wording_only', 'minimum', 'approximate'])), name='measurement_value_kind_is_known'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('value_kind', 'approximate'), _negated=True), models.Q(('value__isnull', False), ('value_high__isnull', True), ('value_low__isnull', True), ('published_wording__regex', '\\S')), _connector='OR'), name='approximate_measurement_has_value_and_wording', violation_error_message='An approximate figure needs its number (500000 for “nearly 500,000”, no range) and the published wording that says it is approximate.'),
        ),
        migrations.RunSQL(PERCENT_RULE_WITH_APPROXIMATE_FIGURES, PERCENT_RULE_BEFORE),
    ]
