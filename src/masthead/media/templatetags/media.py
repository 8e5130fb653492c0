from django import template
from django.utils.html import format_html

from masthead.media import renditions

register = template.Library()


@register.simple_tag
def picture(image, width: int = 650, height: int = 365, sizes: str = "(min-width: 44rem) 650px, 100vw", loading: str = "eager"):
    """An ``<img>`` of ``image`` at ``width``×``height`` with a ``srcset`` of every size of that shape."""
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}" decoding="async">',
        image.rendition_url(width, height), renditions.srcset(image, ratio=(width, height)), sizes,
        width, height, image.alt, loading,
    )
