"""What the newsroom does to a story: submit, return, publish or schedule, unpublish, correct, flag breaking.

Each function checks that ``by`` may do it and that the story is in a state where it makes
sense, saves through ``masthead.news.publishing`` (which purges the pages concerned), keeps a
revision and, when the state moves, an entry in the audit trail.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import house
from masthead.delivery import keys
from masthead.delivery.purge import purge_on_commit
from masthead.news import publishing
from masthead.news.models import Article, Correction
from masthead.newsroom import revisions, roles
from masthead.newsroom.models import StateChange

Status = Article.Status


class WorkflowError(ValueError):
    """A move the story's state does not allow; the message says why and what to do instead."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _fresh(article: Article) -> Article:
    # Work on the stored story, locked, so two editors' moves happen one after the other.
    return Article.objects.select_for_update().get(pk=article.pk)


def _commit(article: Article, *, by, from_state: str, note: str = "", save: bool = True) -> Article:
    """Save through publishing (unless already saved), keep a revision, and log the state move if any."""
    if save:
        publishing.save(article)
    revisions.record(article, by=by, note=note)
    if article.state != from_state:
        StateChange.objects.create(article=article, from_state=from_state, to_state=article.state, by=by, note=note[:300])
    return article


def record_save(article: Article, *, by, from_state: str | None, note: str = "") -> None:
    """After a form saved ``article``: keep its revision, and log its creation or state move."""
    revisions.record(article, by=by, note=note)
    if from_state != article.state:
        StateChange.objects.create(article=article, from_state=from_state or "new", to_state=article.state, by=by,
                                   note=note[:300])


@transaction.atomic
def submit(article: Article, *, by) -> Article:
    """A reporter hands a draft to the desk for review."""
    article = _fresh(article)
    _require(roles.can_edit(by, article), _("You may submit only your own drafts."))
    if article.status != Status.DRAFT:
        raise WorkflowError(_("Only a draft can be submitted for review; this story is %(state)s.") % {"state": article.state})
    article.status = Status.REVIEW
    return _commit(article, by=by, from_state=Status.DRAFT, note=_("Submitted for review"))


@transaction.atomic
def return_to_draft(article: Article, *, by, note: str = "") -> Article:
    """An editor sends a story in review (or taken down) back to its writer."""
    article = _fresh(article)
    _require(roles.can_publish(by), _("Only an editor can send a story back to draft."))
    if article.status not in (Status.REVIEW, Status.UNPUBLISHED):
        raise WorkflowError(_("Only a story in review or unpublished can go back to draft; this one is %(state)s.")
                            % {"state": article.state})
    from_state = article.state
    article.status = Status.DRAFT
    return _commit(article, by=by, from_state=from_state, note=note or _("Returned to draft"))


@transaction.atomic
def publish(article: Article, *, by, at: datetime | None = None) -> Article:
    """Publish now, or schedule for ``at`` (a future time); the story appears at that second, no worker needed."""
    article = _fresh(article)
    _require(roles.can_publish(by), _("Only an editor can publish or schedule a story."))
    now = timezone.now()
    if at is not None and at <= now:
        raise WorkflowError(_("%(when)s has already passed: choose a later time, or publish now.")
                            % {"when": house.dateline(at)})
    from_state = article.state
    if at is None and article.state == "scheduled":
        article.published_at = None  # publishing now what was scheduled: it appears now
    publishing.publish(article, at=at)
    if at is not None and article.published_at == at:
        note = _("Scheduled for %(when)s") % {"when": house.dateline(at)}
    elif article.state == "scheduled":
        note = _("Held by embargo until %(when)s") % {"when": house.dateline(article.published_at)}
    else:
        note = _("Published")
    return _commit(article, by=by, from_state=from_state, note=note, save=False)


@transaction.atomic
def unpublish(article: Article, *, by, note: str = "") -> Article:
    """Take a published or scheduled story off the site at once."""
    article = _fresh(article)
    _require(roles.can_publish(by), _("Only an editor can unpublish a story."))
    if article.status != Status.PUBLISHED:
        raise WorkflowError(_("Only a published or scheduled story can be unpublished; this one is %(state)s.")
                            % {"state": article.state})
    from_state = article.state
    publishing.unpublish(article)
    return _commit(article, by=by, from_state=from_state, note=note or _("Unpublished"), save=False)


@transaction.atomic
def correct(article: Article, *, by, text: str) -> Correction:
    """Add a correction to a published story: shown at its foot, on the corrections page, and as its Updated time."""
    article = _fresh(article)
    _require(roles.can_correct(by), _("Only an editor can correct a story."))
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("Write the correction: what was wrong, and what is right."))
    if not article.is_visible():
        raise WorkflowError(_("Only a story readers can see takes a correction; edit this one instead."))
    now = timezone.now()
    correction = Correction.objects.create(article=article, text=text, created_at=now, created_by=by)
    article.corrected_at = now
    _commit(article, by=by, from_state=article.state, note=_("Correction: %(text)s") % {"text": text})
    purge_on_commit({keys.CORRECTIONS})
    return correction


@transaction.atomic
def flag_breaking(article: Article, *, by, until: datetime | None) -> Article:
    """Flag a story as breaking news until ``until`` (the home page banner goes by itself), or clear it with None."""
    article = _fresh(article)
    _require(roles.can_publish(by), _("Only an editor can flag breaking news."))
    if until is not None and until <= timezone.now():
        raise WorkflowError(_("A breaking-news banner needs an expiry time in the future."))
    article.breaking_until = until
    note = _("Breaking news until %(when)s") % {"when": house.dateline(until)} if until else _("Breaking news banner removed")
    return _commit(article, by=by, from_state=article.state, note=note)
