from django.apps import AppConfig


class OaiConfig(AppConfig):
    name = "oai"
    verbose_name = "OAI-PMH"
    default_auto_field = "django.db.models.BigAutoField"
