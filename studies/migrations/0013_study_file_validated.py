# A study's PDF is checked by Study.clean_fields (studies/validators.py) and stored under a
# generated name by the site's storage (studies/files.py); neither is part of the field's state.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('studies', '0012_rules'),
    ]

    operations = [
        migrations.AlterField(
            model_name='study',
            name='pdf',
            field=models.FileField(blank=True, help_text='A PDF document, not password-protected.', upload_to='studies/', verbose_name='PDF file'),
        ),
    ]
