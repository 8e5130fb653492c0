"""Template helpers for the search page."""

from django import template
from django.utils.http import urlencode

from masthead import house

register = template.Library()


@register.simple_tag
def search_page_url(filters: dict, page: int) -> str:
    """The query string of another page of the same search."""
    return "?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": page})


@register.filter
def count(value: int) -> str:
    """``1,000`` in the house style's digits."""
    return house.digits(f"{value:,}")
