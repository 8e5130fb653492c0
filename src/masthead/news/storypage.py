"""What an uncached article page reads, in a few statements written once as SQL.

Django's ORM spends 0.2-0.4 ms turning a queryset into SQL, several times what the database
takes to answer a lookup by key; the article page asked seven such questions. Here each is
written once and read with ``news.rows``, which converts the values and builds model instances as
the ORM does, so templates and the rest of the code see ordinary models. The sections, which
the navigation lists on every page, are read once per request and give each story its section.
tests/news/test_storypage.py holds these to what the ORM's querysets return.
"""

from datetime import datetime
from functools import cache

from django.apps import apps
from django.db import connections, router
from django.db.models import prefetch_related_objects

from masthead.delivery import keys
from masthead.media.models import Image
from masthead.news import rows
from masthead.news.models import TEASER_FIELDS, Article, Author, Section, Tag

_SECTION = Article._meta.get_field("section")
_STORY_FIELDS = [f.column for f in Article._meta.concrete_fields if f.name != "body"]  # the Markdown is not shown
_TEASER_FIELDS = [*TEASER_FIELDS, "status", "embargo_until"]  # and what is_visible() reads
# The lead image's columns the page shows come along, named image_<column>: no second query for it.
_IMAGE_FIELDS = [f.column for f in Image._meta.concrete_fields
                 if f.name in {"id", "file", "format", "width", "height", "alt", "caption", "credit", "focal_x", "focal_y"}]
_STORY_COLUMNS = ", ".join([*(f'a."{c}"' for c in _STORY_FIELDS), *(f'i."{c}" AS "image_{c}"' for c in _IMAGE_FIELDS)])
_STORY_FROM = f'{rows.table(Article)} a LEFT JOIN {rows.table(Image)} i ON i."id" = a."lead_image_id" WHERE a."id" = %s'
# A teaser's picture needs only these of its lead image.
_TEASER_IMAGE_FIELDS = [f.column for f in Image._meta.concrete_fields
                        if f.name in {"id", "file", "width", "height", "alt", "focal_x", "focal_y"}]
# A teaser's columns, its lead image's as image_<column>, and what Article.objects.visible() asks.
_TEASER_COLUMNS = ", ".join([*(f'a."{c}"' for c in [*TEASER_FIELDS, "lead_image_id"]),
                             *(f'i."{c}" AS "image_{c}"' for c in _TEASER_IMAGE_FIELDS)])
_TEASER_FROM = f'{rows.table(Article)} a LEFT JOIN {rows.table(Image)} i ON i."id" = a."lead_image_id"'
# What Article.objects.visible() asks of a story ``a``, in SQL (parameters: now, now, the published status).
VISIBLE_ANY_EDITION = '(a."embargo_until" IS NULL OR a."embargo_until" <= %s) AND a."published_at" <= %s AND a."status" = %s'
_VISIBLE = VISIBLE_ANY_EDITION + ' AND a."language" = %s'
_IN_SECTION = (f'SELECT {_TEASER_COLUMNS} FROM {_TEASER_FROM} WHERE {{seek}}{_VISIBLE} AND a."section_id" = %s '
               'ORDER BY a."published_at" {order}, a."id" {order}')
# A cursor's bound, on the columns a list is ordered by ({at}, {pk}): older (<=, >=) or newer (>=, <=) than it.
_SEEK = '{at} {0} %s AND NOT ({at} = %s AND {pk} {1} %s) AND '
_OLDER = _SEEK.format("<=", ">=", at='a."published_at"', pk='a."id"')
_NEWER = _SEEK.format(">=", "<=", at='a."published_at"', pk='a."id"')
# A tag's or an author's stories, read from the tag's (author's) end of its (tag, published_at, story)
# index: each row carries its story's time (migration news/0013), so a tag whose stories are all
# years old costs what a current one does. The visibility rule is still asked of the story itself.
_FILED = (f'SELECT {_TEASER_COLUMNS} FROM {{links}} x JOIN {rows.table(Article)} a ON a."id" = x."article_id" '
          f'LEFT JOIN {rows.table(Image)} i ON i."id" = a."lead_image_id" '
          f'WHERE {{seek}}x."{{column}}" = %s AND x."published_at" <= %s AND {VISIBLE_ANY_EDITION}{{also}} '
          'ORDER BY x."published_at" {order}, x."article_id" {order}')
_FILED_OLDER = _SEEK.format("<=", ">=", at='x."published_at"', pk='x."article_id"')
_FILED_NEWER = _SEEK.format(">=", "<=", at='x."published_at"', pk='x."article_id"')
_SECTION_BY_SLUG = f'SELECT "id", "name", "name_fa", "slug", "description" FROM {rows.table(Section)} WHERE "slug" = %s'
_NEXT_SCHEDULED = (f'SELECT "id", "published_at" FROM {rows.table(Article)} WHERE "published_at" > %s AND "status" = %s '
                   'ORDER BY "published_at" LIMIT 1')
_SECTIONS = f'SELECT "id", "name", "name_fa", "slug" FROM {rows.table(Section)} ORDER BY "position", "name"'
# The story's authors and tags in one statement, each row marked with which it is.
_BYLINE_AND_TAGS = (
    f'SELECT 0 AS "kind", a."id", a."name", a."slug" FROM {rows.table(Author)} a '
    f'JOIN {rows.table(Article.authors.through)} x ON x."author_id" = a."id" WHERE x."article_id" = %s '
    f'UNION ALL SELECT 1, t."id", t."name", t."slug" FROM {rows.table(Tag)} t '
    f'JOIN {rows.table(Article.tags.through)} x ON x."tag_id" = t."id" WHERE x."article_id" = %s '
    'ORDER BY 1, 3, 2')


def sections(request=None) -> list[Section]:
    """Every section in navigation order; asked once per request however many parts of the page
    need it (the navigation, the home page's blocks, the search form, section links)."""
    if request is not None and hasattr(request, "_masthead_sections"):
        return request._masthead_sections
    found = rows.fetch(Section, _SECTIONS)
    if request is not None:
        request._masthead_sections = found
        # Whatever page reads them shows a section's name, or the navigation: a section's change purges it.
        keys.carry(request, keys.SECTIONS)
    return found


def section(slug: str) -> Section | None:
    """The section at ``slug`` with what its page shows, or None."""
    return next(iter(rows.fetch(Section, _SECTION_BY_SLUG, [slug])), None)


def next_scheduled_time(after) -> datetime | None:
    """When the next scheduled story becomes visible after ``after``, or None: a page showing the
    newest stories lives no longer than that."""
    using = router.db_for_read(Article)
    found = rows.fetch(Article, _NEXT_SCHEDULED, [connections[using].ops.adapt_datetimefield_value(after),
                                                  Article.Status.PUBLISHED], using=using)
    return found[0].published_at if found else None


@cache
def _story_sql() -> tuple[str, tuple]:
    """The story with its lead image, and what the rest of its page would otherwise ask in a query each.

    Nearly every story was never live, never printed, has no edition in another language and no
    comments: four questions answered "no" on every page. Asked here beside the story, as
    subqueries through each table's index on the story, they leave the page's other parts
    nothing to ask for such a story (``known_live``, ``known_printed``, ``known_edition``,
    ``known_comment_mode`` and ``known_commented``, read by ``live.display``, ``epaper.printed``,
    ``syndication.metadata`` and ``comments.display``). Built at first use: those apps' models
    import this one's. Returns the statement and its parameters before the News ID.
    """
    coverage, region = apps.get_model("live", "Coverage"), apps.get_model("epaper", "Region")
    edition, modes = apps.get_model("syndication", "LanguageEdition"), apps.get_model("comments", "ArticleComments")
    comment = apps.get_model("comments", "Comment")
    known = [
        f'EXISTS (SELECT 1 FROM {rows.table(coverage)} WHERE "article_id" = a."id") AS "known_live"',
        f'EXISTS (SELECT 1 FROM {rows.table(region)} WHERE "article_id" = a."id" AND "confirmed" = %s) AS "known_printed"',
        f'(SELECT "story" FROM {rows.table(edition)} WHERE "article_id" = a."id") AS "known_edition"',
        f'(SELECT "mode" FROM {rows.table(modes)} WHERE "article_id" = a."id") AS "known_comment_mode"',
        f'EXISTS (SELECT 1 FROM {rows.table(comment)} WHERE "article_id" = a."id" AND "status" = %s) AS "known_commented"',
    ]
    return f'SELECT {_STORY_COLUMNS}, {", ".join(known)} FROM {_STORY_FROM}', (True, comment.Status.APPROVED)


def story(news_id: int, *, request=None) -> Article | None:
    """The visible story with this News ID, with its section, lead image, authors, tags and corrections; or None."""
    sql, params = _story_sql()
    found = next(iter(rows.fetch(Article, sql, [*params, news_id])), None)
    if found is None or not found.is_visible():
        return None
    _attach_sections([found], request)
    if not _SECTION.is_cached(found):
        return None  # its section is gone: a story without one has no page to be shown on
    _attach_image(found, _IMAGE_FIELDS)
    for name in ("known_live", "known_printed", "known_commented"):  # SQLite answers 0 or 1
        setattr(found, name, bool(getattr(found, name)))
    byline_and_tags = rows.tuples(_BYLINE_AND_TAGS, [news_id, news_id], using=found._state.db)
    _remember(found, "authors", [rows.instance(Author, found._state.db, ["id", "name", "slug"], row[1:])
                                 for row in byline_and_tags if row[0] == 0])
    _remember(found, "tags", [rows.instance(Tag, found._state.db, ["id", "name", "slug"], row[1:])
                              for row in byline_and_tags if row[0] == 1])
    # Corrections: one query for a corrected story, none for the rest (corrected_at says which).
    if found.corrected_at:
        prefetch_related_objects([found], "corrections")
    else:
        _remember(found, "corrections", [])
    return found


def newest(sections: list[Section], *, at, language: str, size: int, request=None) -> tuple[list[Article], dict[int, list[Article]]]:
    """The ``size`` newest stories readers may see at ``at`` in the edition ``language``, and the
    ``size`` newest of each of ``sections``, by section id; each with its section and lead image.

    The home page's lists, in one statement: the ORM would compose and send one query per list.
    Each list is its own LIMITed branch of a UNION ALL, read through the same index as the list alone.
    """
    using = router.db_for_read(Article)
    moment = connections[using].ops.adapt_datetimefield_value(at)
    visible = [moment, moment, Article.Status.PUBLISHED, language]
    branches, params = [], []
    for number, section in enumerate([None, *sections]):
        where = _VISIBLE + (' AND a."section_id" = %s' if section else "")
        branches.append(f'SELECT * FROM (SELECT {_TEASER_COLUMNS}, {number} AS "teaser_list" FROM {_TEASER_FROM} '
                        f'WHERE {where} ORDER BY a."published_at" DESC, a."id" DESC LIMIT {int(size)}) AS "list_{number}"')
        params += [*visible, section.pk] if section else visible
    found = rows.fetch(Article, " UNION ALL ".join(branches), params, using=using)
    _attach_sections(found, request)
    lists = {}
    for story in found:
        if not _SECTION.is_cached(story):
            continue
        _attach_image(story, _TEASER_IMAGE_FIELDS)
        lists.setdefault(story.__dict__.pop("teaser_list"), []).append(story)
    return lists.get(0, []), {section.pk: lists.get(number, []) for number, section in enumerate(sections, 1)}


def in_section(section: Section, *, at, language: str, request=None):
    """A reader of ``section``'s visible stories for ``listing.page_of``, each with its section and lead image.

    A section's page in SQL written once: the ORM would compose the page's query on every request.
    Like ``listing.paginate``, the cursor's bound comes first in the WHERE clause, so SQLite seeks
    straight to the page through the (section, published_at, id) index.
    """
    using = router.db_for_read(Article)
    adapt = connections[using].ops.adapt_datetimefield_value
    visible = [adapt(at), adapt(at), Article.Status.PUBLISHED, language, section.pk]
    return _teasers_reader(lambda seek, order: _IN_SECTION.format(seek=seek, order=order), (_OLDER, _NEWER), visible,
                           using=using, request=request)


def _teasers_reader(statement, seeks: tuple[str, str], params: list, *, using: str, request):
    """A reader for ``listing.page_of`` of the teasers ``statement(seek, order)`` selects with ``params``, each with
    its section and lead image; ``seeks``: the conditions for stories older and newer than a cursor's bound."""
    adapt = connections[using].ops.adapt_datetimefield_value

    def read(bound, *, older: bool, limit: int) -> list[Article]:
        if bound is None:
            sql, values = statement("", "DESC"), params
        else:
            moment, pk = adapt(bound[0]), bound[1]
            sql = statement(seeks[0] if older else seeks[1], "DESC" if older else "ASC")
            values = [moment, moment, pk, *params]
        found = rows.fetch(Article, sql + f" LIMIT {int(limit)}", values, using=using)
        _attach_sections(found, request)
        for story in found:
            _attach_image(story, _TEASER_IMAGE_FIELDS)
        return found

    return read


def filed_under(owner: Tag | Author, *, at, language: str | None, section: Section | None = None, request=None):
    """A reader of the visible stories filed under a tag or by an author, for ``listing.page_of``, as ``in_section``'s;
    in one edition (``language``; None: both), and one section if given."""
    using = router.db_for_read(Article)
    adapt = connections[using].ops.adapt_datetimefield_value
    field = Article.tags if isinstance(owner, Tag) else Article.authors
    links, column = rows.table(field.through), field.field.m2m_reverse_name()
    visible = [owner.pk, adapt(at), adapt(at), adapt(at), Article.Status.PUBLISHED]
    also = ""
    for condition, value in ((' AND a."language" = %s', language), (' AND a."section_id" = %s', section and section.pk)):
        if value is not None:
            also, visible = also + condition, [*visible, value]
    return _teasers_reader(lambda seek, order: _FILED.format(links=links, column=column, seek=seek, also=also, order=order),
                           (_FILED_OLDER, _FILED_NEWER), visible, using=using, request=request)


def related(story: Article, *, request=None) -> list[Article]:
    """The story's related stories that readers may see, in its own edition, newest first, each with its section."""
    # Only News IDs count: a list the database holds in another shape is no reason to fail the page.
    related_ids = story.related_ids if isinstance(story.related_ids, list) else []
    ids = [pk for pk in related_ids if isinstance(pk, int) and not isinstance(pk, bool)]
    if not ids:
        return []
    # By primary key, then the model's own visibility rule: asked in SQL, SQLite without
    # statistics walks the "visible" index instead of looking up five rows.
    sql = 'SELECT {} FROM {} WHERE "id" IN ({})'.format(
        ", ".join(f'"{c}"' for c in _TEASER_FIELDS), rows.table(Article), ", ".join(["%s"] * len(ids)))
    # A Persian page lists Persian stories: a related story in the other edition is its reader's to find.
    found = [a for a in rows.fetch(Article, sql, ids) if a.is_visible() and a.language == story.language]
    found.sort(key=lambda a: (a.published_at, a.pk), reverse=True)
    _attach_sections(found, request)
    return [a for a in found if _SECTION.is_cached(a)]


def _attach_sections(stories: list[Article], request) -> None:
    """Give each story its section, from the sections read once per request.

    A story whose section is not among them is a section made since they were read (read again
    here, once), or a row whose section is gone (the database changed behind the product's back):
    that story is left without one, and the lists leave it out rather than fail the page."""
    by_id = {s.pk: s for s in sections(request)}
    if any(found.section_id not in by_id for found in stories):
        by_id = {s.pk: s for s in rows.fetch(Section, _SECTIONS)}
    for found in stories:
        if found.section_id in by_id:
            _SECTION.set_cached_value(found, by_id[found.section_id])


def _attach_image(story: Article, columns: list[str]) -> None:
    """Make the ``image_<column>`` values read with ``story`` its ``lead_image``."""
    values = [story.__dict__.pop(f"image_{column}") for column in columns]
    if story.lead_image_id is not None:
        if values[columns.index("id")] is None:  # its picture is gone from the library: drawn without one
            story.lead_image_id = None
        else:
            story.lead_image = rows.instance(Image, Article.objects.db, columns, values)


def _remember(article: Article, relation: str, objects) -> None:
    """Store ``objects`` as ``article.<relation>.all()``, as ``prefetch_related`` does (Django's
    ``prefetch_one_level``), so the templates and the JSON-LD read them without a query."""
    queryset = Article._meta.get_field(relation).related_model._default_manager.all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    article.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset
