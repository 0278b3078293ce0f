# Search synonyms: a word a visitor types also finds other words or phrases (US and UK spellings,
# the field's acronyms), kept by curators in the admin and applied by the database's search query,
# so the list, facets, exports, feed and API all find the same studies. Frozen here; the current
# definitions are in studies/sql/search.sql. (No percent sign in this SQL: a migration run under a
# history context passes parameters, and psycopg would read one as a placeholder.)

import django.db.models.deletion
import django.db.models.lookups
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

SYNONYM_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION studies_synonym_lexeme(p_term text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT AS $$
    SELECT CASE WHEN cardinality(lexemes) = 1 THEN lexemes[1] END
    FROM tsvector_to_array(to_tsvector('justicelib', p_term)) AS lexemes
$$;

CREATE OR REPLACE FUNCTION studies_synonym_expansion(p_also_finds text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT AS $$
    SELECT CASE WHEN bool_and(numnode(q) > 0) THEN string_agg(
               '(' || regexp_replace(q::text, '''((?:[^'']|'''')+)''', '''\1'':*', 'g') || ')',
               ' | ' ORDER BY n) END
    FROM unnest(string_to_array(p_also_finds, ',')) WITH ORDINALITY AS part(words, n),
         websearch_to_tsquery('justicelib', part.words) AS q
$$;
"""

DROP_SYNONYM_FUNCTIONS = """
DROP FUNCTION studies_synonym_expansion(text);
DROP FUNCTION studies_synonym_lexeme(text);
"""

PREFIX_QUERY_V3 = r"""
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

CREATE OR REPLACE TRIGGER studies_searchsynonym_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studies_searchsynonym
    FOR EACH STATEMENT EXECUTE FUNCTION studies_bump_library_version();
"""

PREFIX_QUERY_V2 = r"""
DROP TRIGGER studies_searchsynonym_version ON studies_searchsynonym;

CREATE OR REPLACE FUNCTION studies_prefix_query(p_query text) RETURNS tsquery
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN q::text = '' THEN q
           ELSE to_tsquery('simple', regexp_replace(q::text, '''((?:[^'']|'''')+)''', '''\1'':*', 'g')) END
    FROM websearch_to_tsquery('justicelib', p_query) AS q
$$;
"""

# US and UK spellings of words the field writes, both ways, and the field's acronyms. Words
# whose two spellings share a stem already (counselling, enrolment, modelling) need no row.
SPELLINGS = [
    ("labor", "labour"),
    ("program", "programme"),
    ("organization", "organisation"),
    ("behavior", "behaviour"),
    ("neighbor", "neighbour"),
    ("center", "centre"),
    ("defense", "defence"),
    ("offense", "offence"),
    ("judgment", "judgement"),
    ("analyze", "analyse"),
    ("criminalize", "criminalise"),
    ("victimization", "victimisation"),
    ("prioritize", "prioritise"),
    ("mobilization", "mobilisation"),
    ("license", "licence"),
    ("harbor", "harbour"),
    ("favor", "favour"),
    ("rigor", "rigour"),
]
ACRONYMS = [
    ("OSEC", "online sexual exploitation of children"),
    ("OSAEC", "online sexual abuse and exploitation of children"),
    ("CSEC", "commercial sexual exploitation of children"),
    ("CSEM", "child sexual exploitation material"),
    ("CSAM", "child sexual abuse material"),
    ("CSA", "child sexual abuse"),
    ("GBV", "gender-based violence"),
    ("SGBV", "sexual and gender-based violence"),
    ("VAW", "violence against women"),
    ("VAC", "violence against children"),
    ("IPV", "intimate partner violence"),
]
SEEDED = [*SPELLINGS, *((uk, us) for us, uk in SPELLINGS), *ACRONYMS]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("studies", "SearchSynonym")
    for term, also_finds in SEEDED:
        SearchSynonym.objects.get_or_create(term=term, defaults={"also_finds": also_finds})


def unseed(apps, schema_editor):
    SearchSynonym = apps.get_model("studies", "SearchSynonym")
    for term, also_finds in SEEDED:
        SearchSynonym.objects.filter(term=term, also_finds=also_finds).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('pghistory', '0007_auto_20250421_0444'),
        ('studies', '0015_history_fields_follow_rules'),
    ]

    operations = [
        migrations.RunSQL(SYNONYM_FUNCTIONS, DROP_SYNONYM_FUNCTIONS),
        migrations.CreateModel(
            name='SearchSynonymEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('term', models.CharField(help_text='One word a visitor may type, e.g. “labor” or “OSEC”. Other forms of it (“labors”) expand too.', max_length=100)),
                ('also_finds', models.CharField(help_text='Words or phrases that a search for the term also finds, comma-separated, e.g. “labour” or “online sexual exploitation of children”.', max_length=500)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(help_text='One word a visitor may type, e.g. “labor” or “OSEC”. Other forms of it (“labors”) expand too.', max_length=100)),
                ('also_finds', models.CharField(help_text='Words or phrases that a search for the term also finds, comma-separated, e.g. “labour” or “online sexual exploitation of children”.', max_length=500)),
            ],
            options={
                'ordering': ['term'],
                'constraints': [models.UniqueConstraint(models.Func(models.F('term'), function='studies_synonym_lexeme', output_field=models.TextField()), name='searchsynonym_term_is_unique', violation_error_message='This word, or another form of it, already has synonyms: add to that row instead.'), models.CheckConstraint(condition=django.db.models.lookups.IsNull(models.Func(models.F('term'), function='studies_synonym_lexeme', output_field=models.TextField()), False), name='searchsynonym_term_is_one_word', violation_error_message='The term must be one word that search keeps: not blank, not several words, not a common word such as “the”.'), models.CheckConstraint(condition=django.db.models.lookups.IsNull(models.Func(models.F('also_finds'), function='studies_synonym_expansion', output_field=models.TextField()), False), name='searchsynonym_also_finds_words', violation_error_message='Give the words or phrases it also finds, separated by commas; each needs a word that search keeps (not only “the”, “of”…).')],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='searchsynonym',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "studies_searchsynonymevent" ("also_finds", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "term") VALUES (NEW."also_finds", NEW."id", _pgh_attach_context(), clock_timestamp(), \'insert\', NEW."id", NEW."term"); RETURN NULL;', hash='0df1a771afd96d3cc4c8eb2fb1fbc847026d19ce', operation='INSERT', pgid='pgtrigger_insert_insert_17055', table='studies_searchsynonym', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='searchsynonym',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "studies_searchsynonymevent" ("also_finds", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "term") VALUES (NEW."also_finds", NEW."id", _pgh_attach_context(), clock_timestamp(), \'update\', NEW."id", NEW."term"); RETURN NULL;', hash='53c1e06623f686a63fc051dba927b2a927d88209', operation='UPDATE', pgid='pgtrigger_update_update_b652d', table='studies_searchsynonym', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='searchsynonym',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "studies_searchsynonymevent" ("also_finds", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "term") VALUES (OLD."also_finds", OLD."id", _pgh_attach_context(), clock_timestamp(), \'delete\', OLD."id", OLD."term"); RETURN NULL;', hash='bfbceb0cdfefb16ee5760bf1603d5ac882b24b63', operation='DELETE', pgid='pgtrigger_delete_delete_b9452', table='studies_searchsynonym', when='AFTER')),
        ),
        migrations.AddField(
            model_name='searchsynonymevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='searchsynonymevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='studies.searchsynonym'),
        ),
        migrations.RunSQL(PREFIX_QUERY_V3, PREFIX_QUERY_V2),
        migrations.RunPython(seed, unseed),
    ]
