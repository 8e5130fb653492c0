"""The readers' pages are Jinja2 templates: this is their environment.

Jinja2 compiles a template to Python once; Django's template language walks its node tree on
every render. On the article page that was about 3 ms of the 8.5 ms an uncached page cost
(bench/README.md, "Where the uncached article's time goes"), and readers' pages are the ones
rendered most. The newsroom keeps Django's templates, which its admin is built on.

Strings go through Django's own translation machinery (``_()`` and ``ngettext()`` call
``django.utils.translation``), times and numbers through ``masthead.house``.
"""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import defaultfilters
from django.utils import timezone, translation
from jinja2 import Environment, nodes
from jinja2.ext import Extension
from markupsafe import Markup

from masthead import characters, fragments, house
from masthead.news.templatetags.house import dateline, day, front_date, machine, month_year, number


def date(value, format_string: str) -> str:
    """Django's ``date`` filter (``'c'``: ISO 8601), shown in the site's time zone as Django's templates do."""
    if not value:
        return ""
    value = timezone.template_localtime(value)
    return value.isoformat() if format_string == "c" else defaultfilters.date(value, format_string)


def gettext(message: str, **variables) -> str:
    """``_("Reply to %(name)s", name=comment.name)``: the translation, with ``variables`` escaped into it.

    What Jinja2's i18n extension does in its "newstyle" mode, at half its cost: an article page
    asks for some thirty strings.
    """
    text = translation.gettext(message)
    return Markup(text) % variables if variables else text


def ngettext(singular: str, plural: str, number: int, **variables) -> str:
    """``ngettext("%(num)s comment", "%(num)s comments", count)``, with ``num`` and ``variables`` escaped in."""
    return Markup(translation.ngettext(singular, plural, number)) % {"num": house.number(number), **variables}


def static(path: str) -> str:
    """``static()``'s address of a static file: Django's asks on every call whether the staticfiles
    app is installed, a walk over every app (it is: settings.INSTALLED_APPS)."""
    return staticfiles_storage.url(path)


def count(value: int) -> str:
    """``1,000`` in the house style's digits."""
    return house.number(value)


def text_only(value):
    """Every value a template prints, without characters that are not text (stored text may predate the input rules)."""
    if isinstance(value, str) and characters.NOT_TEXT.search(value):
        return Markup(characters.strip(value)) if isinstance(value, Markup) else characters.strip(value)
    return value


class Kept(Extension):
    """``{% kept "navigation", sections|map(attribute="slug")|list %}…{% endkept %}``: the fragment is
    written once per process for each key and reused.

    Parts that every story page repeats (the masthead, its navigation, the footer) cost a
    dictionary look-up; what the key must name is in ``masthead.fragments``.
    """

    tags = {"kept"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endkept",), drop_needle=True)
        # Where the tag stands is part of its key: two tags cannot share a fragment by giving the same names.
        place = nodes.Const(f"{parser.name}:{lineno}")
        return nodes.CallBlock(self.call_method("_fragment", [place, nodes.List(key)]), [], [], body).set_lineno(lineno)

    @staticmethod
    def _fragment(place, key, caller) -> Markup:
        return fragments.kept((place, *key), caller)


class ReaderEnvironment(Environment):
    """Jinja2's environment with each template's globals in a plain dictionary.

    Jinja2 gives every template a ``ChainMap`` over the environment's globals, so that globals
    added after a template was loaded still reach it. Every include, import and render then
    walks that map in Python (``Context.__init__`` makes a set of its keys, an ``{% import %}``
    subtracts one from another): some thirty times on an article page. Ours are all set in
    ``environment()`` before any template loads, so a copy reads the same and costs a C call.
    """

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def environment(**options) -> Environment:
    # Imported here: the environment is built once Django's apps are ready, and they import models.
    from masthead.audience.lists import for_page as audience_lists
    from masthead.comments.display import comment_form, comment_section
    from masthead.epaper.printed import in_print
    from masthead.live.display import live_coverage
    from masthead.live.structured import live_head
    from masthead.media.renditions import picture
    from masthead.news.addresses import address
    from masthead.syndication.head import article_head, page_head
    from masthead.syndication.metadata import translations

    extensions = [*options.pop("extensions", ()), Kept]
    # Every compiled template is kept in a plain dictionary: Jinja2's default, a 400-entry LRU
    # cache, takes a lock and reorders its list on each of the page's dozen includes. There are
    # some fifty reader templates, and the process keeps them all either way.
    options.setdefault("cache_size", -1)
    env = ReaderEnvironment(**options, finalize=text_only, extensions=extensions)
    env.globals.update(
        _=gettext, ngettext=ngettext,
        url=address, static=static, current_language=translation.get_language,
        language_bidi=translation.get_language_bidi, article_head=article_head, page_head=page_head,
        comment_section=comment_section, comment_form=comment_form, picture=picture, in_print=in_print,
        live_coverage=live_coverage, live_head=live_head,

        audience_lists=audience_lists,
    )
    env.globals["translations"] = translations  # "Read in Persian" on a story that has a translation
    env.filters.update(date=date, dateline=dateline, day=day, front_date=front_date, month_year=month_year, count=count, number=number,
                       machine=machine)
    return env
