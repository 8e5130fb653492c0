import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from masthead.delivery.front import Front  # noqa: E402  (needs the settings module named first)

# Page-cache hits are answered in front of Django (see delivery/front.py).
application = Front(get_wsgi_application())
