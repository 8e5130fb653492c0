"""Revisions: every save of a story is kept; any two can be compared, and any one restored."""

import difflib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from masthead.news import publishing
from masthead.news.models import Article, Author, Tag
from masthead.newsroom import roles
from masthead.newsroom.models import Revision

# What a revision keeps, in the order a diff shows it, with the label it shows.
FIELDS = {
    "kicker": "Kicker", "headline": "Headline", "slug": "Slug", "summary": "Summary", "body": "Body",
    "source": "Source credit", "section": "Section", "authors": "Authors", "tags": "Tags", "language": "Language",
    "lead_image": "Lead image", "status": "Status", "published_at": "Published at",
    "embargo_until": "Embargo until", "breaking_until": "Breaking news until",
}
# What a restore puts back: the words and filing, never the publication state.
RESTORED = ["kicker", "headline", "slug", "summary", "body", "source", "language"]


def snapshot(article: Article) -> dict:
    """The story's tracked fields as JSON-ready values (times as ISO text, people and tags by id and name)."""
    def moment(value):
        return value.isoformat() if value else None

    return {
        **{name: getattr(article, name) for name in RESTORED},
        "section": [article.section_id, str(article.section)],
        "authors": [[a.pk, a.name] for a in article.authors.order_by("name", "pk")],
        "tags": [[t.pk, t.name] for t in article.tags.order_by("name", "pk")],
        "lead_image": article.lead_image_id,
        "status": article.status,
        "published_at": moment(article.published_at),
        "embargo_until": moment(article.embargo_until),
        "breaking_until": moment(article.breaking_until),
    }


def record(article: Article, *, by, note: str = "") -> Revision:
    """Keep the story as it now stands, noting which fields changed since the revision before."""
    data = snapshot(article)
    last = Revision.objects.filter(article=article).order_by("-number").first()
    changed = [name for name in FIELDS if last is None or last.data.get(name) != data.get(name)]
    return Revision.objects.create(article=article, number=(last.number + 1) if last else 1, by=by, data=data,
                                   changed=changed, note=note[:300])


def _text(value) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "\n".join(str(name) for _, name in value)
        return str(value[1]) if len(value) == 2 and not isinstance(value[1], list) else ""
    return "" if value is None else str(value)


@dataclass
class FieldDiff:
    label: str
    table: SafeString


def diff(older: Revision, newer: Revision) -> list[FieldDiff]:
    """Side-by-side HTML tables of what differs between two revisions, field by field (text escaped)."""
    differ = difflib.HtmlDiff(wrapcolumn=72)
    found = []
    for name, label in FIELDS.items():
        before, after = _text(older.data.get(name)), _text(newer.data.get(name))
        if before == after:
            continue
        # HtmlDiff escapes &, < and > in the text it lays out; the table around it is its own.
        table = differ.make_table(before.splitlines() or [""], after.splitlines() or [""],
                                  fromdesc=escape(_("Revision %d") % older.number),
                                  todesc=escape(_("Revision %d") % newer.number), context=name == "body", numlines=2)
        found.append(FieldDiff(label=label, table=mark_safe(table)))
    return found


@transaction.atomic
def restore(revision: Revision, *, by) -> Article:
    """Put back the words, filing and authors of ``revision`` as a new revision; the publication state stays."""
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    if not roles.can_edit(by, article):
        raise PermissionDenied(_("You may not edit story %(id)s, so you cannot restore its revisions.") % {"id": article.pk})
    before = publishing.keys_before_edit(article)
    for name in RESTORED:
        setattr(article, name, revision.data.get(name, getattr(article, name)))
    section_id = revision.data["section"][0]
    if section_id and article.__class__.section.field.related_model.objects.filter(pk=section_id).exists():
        article.section_id = section_id
    article.lead_image_id = revision.data.get("lead_image")
    if article.lead_image_id and not article.__class__.lead_image.field.related_model.objects.filter(pk=article.lead_image_id).exists():
        article.lead_image_id = None
    tags = Tag.objects.filter(pk__in=[pk for pk, _name in revision.data.get("tags", [])])
    authors = Author.objects.filter(pk__in=[pk for pk, _name in revision.data.get("authors", [])])
    publishing.save(article, tags=list(tags), authors=list(authors), before=before)
    record(article, by=by, note=_("Restored revision %d") % revision.number)
    return article
