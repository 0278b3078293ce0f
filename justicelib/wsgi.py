"""WSGI entry point: `gunicorn justicelib.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justicelib.settings")
application = get_wsgi_application()
