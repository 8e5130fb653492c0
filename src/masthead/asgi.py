"""The application `masthead serve` runs: the WSGI site behind a front that reads bodies first.

The same object speaks ASGI (gunicorn's asgi worker) and granian's RSGI. See
masthead/delivery/front.py for why a slow client must not be given a thread.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from masthead.delivery.front import Front  # noqa: E402
from masthead.wsgi import application as wsgi_application  # noqa: E402
from masthead.delivery.cachefront import answer_held  # noqa: E402  (after wsgi, which sets Django up)
from masthead.audience.beacon import AsyncBeaconFront  # noqa: E402  (after wsgi, which sets Django up)
from masthead.live.streams import LiveStreams  # noqa: E402  (after wsgi, which sets Django up)

# Read beacons, page-cache hits held in memory and live streams are answered on the event loop,
# before a thread is taken (audience/beacon.py, delivery/cachefront.py, live/streams.py).
application = AsyncBeaconFront(LiveStreams(Front(wsgi_application, early=answer_held)))
