"""Changing what is said about a library image (its words and focal point) after it is uploaded."""

from django.db import transaction

from masthead.delivery import keys, purge
from masthead.media.models import Image


@transaction.atomic
def describe(image: Image) -> Image:
    """Save ``image``'s words and focal point, checked; once committed, purge every page that shows it,
    since those pages name its caption, credit and the crop's address."""
    image.full_clean()
    image.save()
    purge.purge_on_commit({keys.image(image.pk)})
    return image
