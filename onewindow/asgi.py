"""ASGI entry point: serves /ws/ (real time); ordinary HTTP goes to WSGI workers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
application = get_asgi_application()
