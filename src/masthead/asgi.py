"""The application `masthead serve` runs: the WSGI site behind a front that reads bodies first.

The same object speaks ASGI (gunicorn's asgi worker) and granian's RSGI. See
masthead/delivery/front.py for why a slow client must not be given a thread.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from masthead.delivery.front import Front  # noqa: E402
from masthead.wsgi import application as wsgi_application  # noqa: E402

application = Front(wsgi_application)
