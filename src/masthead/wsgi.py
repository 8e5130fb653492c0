import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from masthead.delivery.cachefront import CacheFront  # noqa: E402  (needs the settings module named first)

# Page-cache hits are answered in front of Django (see delivery/cachefront.py).
application = CacheFront(get_wsgi_application())
