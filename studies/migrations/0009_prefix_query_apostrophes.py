from django.db import migrations

# A lexeme may hold an apostrophe, which a tsquery writes doubled ('it''s'); the pattern keeps
# such a lexeme whole, so "example.com/it's" is a valid search, not an error. Frozen here; the
# current definition is studies/sql/search.sql.

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


class Migration(migrations.Migration):
    dependencies = [("studies", "0008_updated_index")]

    operations = [migrations.RunSQL(PREFIX_QUERY_V2, PREFIX_QUERY_V1)]
