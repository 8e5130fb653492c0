from django.conf import settings
from django.utils.functional import SimpleLazyObject

from masthead.news import storypage


def site(request):
    """What every page shows: the paper's name and its sections (queried only if a template asks)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "nav_sections": SimpleLazyObject(lambda: storypage.sections(request)),
    }
