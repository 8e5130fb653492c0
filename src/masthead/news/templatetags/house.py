"""Template filters for the house style (see masthead.house), for Django's templates and, through
masthead.templating, for the readers' Jinja2 pages alike."""

from django import template

from masthead import house as style

register = template.Library()


@register.filter
def dateline(moment):
    return style.dateline(moment) if moment else ""


@register.filter
def day(moment):
    return style.day(moment) if moment else ""


@register.filter
def month_year(moment):
    return style.month_year(moment) if moment else ""


@register.filter
def machine(moment):
    return style.machine(moment) if moment else ""


@register.filter
def number(value):
    return style.digits(str(value))


@register.filter
def front_date(moment):
    return style.front_date(moment) if moment else ""
