import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

django_application = get_wsgi_application()  # sets Django up: the fronts below import models

from masthead.audience.beacon import BeaconFront  # noqa: E402
from masthead.delivery.cachefront import CacheFront  # noqa: E402

# Page-cache hits and read beacons are answered in front of Django (delivery/cachefront.py, audience/beacon.py).
application = BeaconFront(CacheFront(django_application))
