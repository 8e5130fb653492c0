from django.conf import settings
from django.utils.functional import SimpleLazyObject

from masthead.news.models import Section


def site(request):
    """What every page shows: the paper's name and its sections (queried only if a template asks)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "nav_sections": SimpleLazyObject(lambda: list(Section.objects.only("name", "slug"))),
    }
