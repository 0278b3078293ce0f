from django.db import migrations

from studies.search_sql import PREFIX_QUERY_V1, PREFIX_QUERY_V2


class Migration(migrations.Migration):
    dependencies = [("studies", "0008_updated_index")]

    operations = [migrations.RunSQL(PREFIX_QUERY_V2, PREFIX_QUERY_V1)]
