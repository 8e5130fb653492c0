"""Every change to a story: create, edit, submit, return, publish or schedule, unpublish, correct, flag breaking, restore.

Each function checks that ``by`` may do it (``stories.rules``), locks the stored story and checks
the version the caller read, refuses text that is not text, saves, brings every derived index in
step in the same transaction, keeps a revision and an audit entry naming ``by``, and purges and
notifies after the commit. ``by`` is an account, or a ``rules.System`` for the product's own work.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import house
from masthead.delivery import keys as surrogate
from masthead.delivery.purge import purge_on_commit
from masthead.news import publishing
from masthead.news.models import Article, Author, Correction, Tag
from masthead.newsroom.models import Revision
from masthead.stories import history, hygiene, indexes, rules
from masthead.syndication.models import LanguageEdition

Status = Article.Status
# What ``edit`` may change; the state and its times move only through the desk's moves below.
EDITABLE = {"kicker", "headline", "slug", "summary", "body", "source", "language", "section", "section_id",
            "lead_image", "lead_image_id", "embargo_until", "breaking_until"}


class WorkflowError(ValueError):
    """A move the story's state does not allow; the message says why and what to do instead."""


class StaleVersion(Exception):
    """The story changed after the caller read it; nothing was saved. Says who saved it in between, and when."""

    def __init__(self, *, article_id: int, read: int, stored: int):
        self.article_id, self.read, self.stored = article_id, read, stored
        self.who, self.when = history.last_saved_by(article_id)
        when = house.dateline(self.when) if self.when else _("a moment ago")
        self.message = _("This story changed under you: %(who)s saved it at %(when)s, after you opened it "
                         "(version %(stored)d; you read version %(read)d). Your changes are not saved. "
                         "Copy them, reload the story, and apply them again.") % {
            "who": self.who, "when": when, "stored": stored, "read": read}
        super().__init__(self.message)


def _locked(article: Article | int) -> Article:
    # Work on the stored story, locked until the commit, so two writers' changes happen one after the other.
    return Article.objects.select_for_update().get(pk=article if isinstance(article, int) else article.pk)


def _check_version(article: Article, version: int | None) -> None:
    if version is not None and version != article.version:
        raise StaleVersion(article_id=article.pk, read=version, stored=article.version)


def _names(values) -> str:
    return ", ".join(str(v) for v in values or ())


def _save(article: Article, *, by, from_state: str | None, note: str, before: set[str], tags=None, authors=None,
          also: set[str] = frozenset()) -> Article:
    hygiene.check_article(article, extra={"tags": _names(tags), "authors": _names(authors)})
    publishing.store(article, tags=tags, authors=authors)
    indexes.refresh(article)
    history.record(article, by=by, note=note)
    change = history.audit(article, by=by, from_state=from_state, note=note)
    # A move that puts the story before readers now: the desk shows how soon every cache let it through.
    then = (lambda seen: history.live(change, seen)) if change and article.is_visible() else None
    indexes.after_commit(article, before=before, also=set(also) | _translation_pages(article), then=then)
    return article


def _translation_pages(article: Article) -> set[str]:
    """The keys of the story's other language editions' pages, which link to it (hreflang, "Read in …"):
    a story published, unpublished or retitled changes them too."""
    found = LanguageEdition.objects.filter(article_id=article.pk).values_list("story", flat=True).first()
    if found is None:
        return set()
    others = LanguageEdition.objects.filter(story=found).exclude(article_id=article.pk).values_list("article_id", flat=True)
    return {surrogate.article(pk) for pk in others}


@transaction.atomic
def create(article: Article, *, by, tags=(), authors=(), note: str = "") -> Article:
    """Store a new story written by ``by`` (a draft, unless ``by`` may publish)."""
    rules.require(rules.can_create(by), _("You may not write stories."))
    if article.status != Status.DRAFT:
        rules.require(rules.can_publish(by), _("Only an editor can file a story that is not a draft."))
    if article.created_by_id is None and by.pk is not None:
        article.created_by = by
    return _save(article, by=by, from_state=None, note=note or _("Created"), before=set(), tags=list(tags),
                 authors=list(authors))


@transaction.atomic
def edit(article: Article | int, *, by, values: dict, tags=None, authors=None, version: int | None = None,
         note: str = "") -> Article:
    """Change the words and filing in ``values`` (and the tags and authors, unless None) of a stored story."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValueError(f"edit() changes {', '.join(sorted(EDITABLE))}; not {', '.join(sorted(unknown))}")
    article = _locked(article)
    if article.status == Status.PUBLISHED:
        rules.require(rules.can_publish(by), _("Only an editor can change a published or scheduled story."))
    rules.require(rules.can_edit(by, article), _("You may not edit story %(id)s.") % {"id": article.pk})
    _check_version(article, version)
    before, from_state = publishing.surrogate_keys(article), article.state
    for name, value in values.items():
        setattr(article, name, value)
    return _save(article, by=by, from_state=from_state, note=note or _("Edited"), before=before, tags=tags,
                 authors=authors)


@transaction.atomic
def submit(article: Article | int, *, by, version: int | None = None) -> Article:
    """A reporter hands a draft to the desk for review."""
    article = _locked(article)
    rules.require(rules.can_edit(by, article), _("You may submit only your own drafts."))
    _check_version(article, version)
    if article.status != Status.DRAFT:
        raise WorkflowError(_("Only a draft can be submitted for review; this story is %(state)s.") % {"state": article.state})
    before = publishing.surrogate_keys(article)
    article.status = Status.REVIEW
    return _save(article, by=by, from_state=Status.DRAFT, note=_("Submitted for review"), before=before)


@transaction.atomic
def return_to_draft(article: Article | int, *, by, note: str = "", version: int | None = None) -> Article:
    """An editor sends a story in review (or taken down) back to its writer."""
    article = _locked(article)
    rules.require(rules.can_publish(by), _("Only an editor can send a story back to draft."))
    _check_version(article, version)
    if article.status not in (Status.REVIEW, Status.UNPUBLISHED):
        raise WorkflowError(_("Only a story in review or unpublished can go back to draft; this one is %(state)s.")
                            % {"state": article.state})
    before, from_state = publishing.surrogate_keys(article), article.state
    article.status = Status.DRAFT
    return _save(article, by=by, from_state=from_state, note=note or _("Returned to draft"), before=before)


@transaction.atomic
def publish(article: Article | int, *, by, at: datetime | None = None, version: int | None = None) -> Article:
    """Publish now, or schedule for ``at`` (a future time); the story appears at that second, no worker needed."""
    article = _locked(article)
    rules.require(rules.can_publish(by), _("Only an editor can publish or schedule a story."))
    _check_version(article, version)
    if at is not None and at <= timezone.now():
        raise WorkflowError(_("%(when)s has already passed: choose a later time, or publish now.")
                            % {"when": house.dateline(at)})
    before, from_state = publishing.surrogate_keys(article), article.state
    if at is None and from_state == "scheduled":
        article.published_at = None  # publishing now what was scheduled: it appears now
    publishing.mark_published(article, at=at)
    article._respect_embargo()
    if at is not None and article.published_at == at:
        note = _("Scheduled for %(when)s") % {"when": house.dateline(at)}
    elif article.state == "scheduled":
        note = _("Held by embargo until %(when)s") % {"when": house.dateline(article.published_at)}
    else:
        note = _("Published")
    return _save(article, by=by, from_state=from_state, note=note, before=before)


@transaction.atomic
def unpublish(article: Article | int, *, by, note: str = "", version: int | None = None) -> Article:
    """Take a published or scheduled story off the site at once."""
    article = _locked(article)
    rules.require(rules.can_publish(by), _("Only an editor can unpublish a story."))
    _check_version(article, version)
    if article.status != Status.PUBLISHED:
        raise WorkflowError(_("Only a published or scheduled story can be unpublished; this one is %(state)s.")
                            % {"state": article.state})
    before, from_state = publishing.surrogate_keys(article), article.state
    publishing.mark_unpublished(article)
    return _save(article, by=by, from_state=from_state, note=note or _("Unpublished"), before=before)


@transaction.atomic
def correct(article: Article | int, *, by, text: str) -> Correction:
    """Add a correction to a published story: shown at its foot, on the corrections page, and as its Updated time."""
    article = _locked(article)
    rules.require(rules.can_correct(by), _("Only an editor can correct a story."))
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("Write the correction: what was wrong, and what is right."))
    hygiene.refuse_bad_text({"correction": text})
    if not article.is_visible():
        raise WorkflowError(_("Only a story readers can see takes a correction; edit this one instead."))
    now = timezone.now()
    correction = Correction.objects.create(article=article, text=text, created_at=now,
                                           created_by=by if by.pk is not None else None)
    article.corrected_at = now
    _save(article, by=by, from_state=article.state, note=_("Correction: %(text)s") % {"text": text},
          before=publishing.surrogate_keys(article), also={surrogate.CORRECTIONS})
    return correction


@transaction.atomic
def flag_breaking(article: Article | int, *, by, until: datetime | None) -> Article:
    """Flag a story as breaking news until ``until`` (the home page banner goes by itself), or clear it with None."""
    article = _locked(article)
    rules.require(rules.can_publish(by), _("Only an editor can flag breaking news."))
    if until is not None and until <= timezone.now():
        raise WorkflowError(_("A breaking-news banner needs an expiry time in the future."))
    article.breaking_until = until
    note = _("Breaking news until %(when)s") % {"when": house.dateline(until)} if until else _("Breaking news banner removed")
    return _save(article, by=by, from_state=article.state, note=note, before=publishing.surrogate_keys(article))


@transaction.atomic
def restore(revision: Revision, *, by) -> Article:
    """Put back the words, filing and authors of ``revision`` as a new revision; the publication state stays."""
    article = _locked(revision.article_id)
    rules.require(rules.can_edit(by, article),
                  _("You may not edit story %(id)s, so you cannot restore its revisions.") % {"id": article.pk})
    before = publishing.surrogate_keys(article)
    for name in history.RESTORED:
        setattr(article, name, revision.data.get(name, getattr(article, name)))
    section_id = revision.data["section"][0]
    if section_id and Article.section.field.related_model.objects.filter(pk=section_id).exists():
        article.section_id = section_id
    article.lead_image_id = revision.data.get("lead_image")
    if article.lead_image_id and not Article.lead_image.field.related_model.objects.filter(pk=article.lead_image_id).exists():
        article.lead_image_id = None
    tags = Tag.objects.filter(pk__in=[pk for pk, _name in revision.data.get("tags", [])])
    authors = Author.objects.filter(pk__in=[pk for pk, _name in revision.data.get("authors", [])])
    return _save(article, by=by, from_state=article.state, note=_("Restored revision %d") % revision.number,
                 before=before, tags=list(tags), authors=list(authors))


@transaction.atomic
def link_translation(article: Article | int, *, of: Article | int, by) -> None:
    """Record ``article`` as the translation of ``of`` into another edition: each page then carries
    hreflang links to the other. A story already linked to others joins their group."""
    article, original = _locked(article), _locked(of)
    for story in (article, original):
        rules.require(rules.can_edit(by, story), _("You may not edit story %(id)s.") % {"id": story.pk})
    if article.language == original.language:
        raise ValueError(f"story {article.pk} and story {original.pk} are both in {article.language!r}: "
                         "a translation is in the other edition's language")
    keys = dict(LanguageEdition.objects.filter(article__in=[original, article]).values_list("article_id", "story"))
    key = keys.get(original.pk) or keys.get(article.pk) or f"story-{original.pk}"
    for story in (original, article):
        LanguageEdition.objects.update_or_create(article=story, defaults={"story": key})
    purge_on_commit(publishing.surrogate_keys(original) | publishing.surrogate_keys(article))
