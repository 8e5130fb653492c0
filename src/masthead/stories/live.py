"""Every change to a story's live coverage: start, end, post, correct, pin, mark a key event, delete.

Like the rest of the story service, each function checks the role rule (``stories.rules``), locks
the story so two desks' updates are numbered one after the other, refuses text that is not text,
keeps a revision of the story noting what happened and who did it, and purges after the commit
exactly the pages that show the coverage: the story's own (its page, its updates answer and its
updates feed all carry the story's key), and the home page when the coverage starts or ends,
since the home page marks a running live story. Each change also counts one more version of the
coverage and stamps the updates it touched with it, so an open page can ask for exactly what
changed after the version it shows.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import sanitize
from masthead.delivery import keys
from masthead.delivery.purge import purge_on_commit
from masthead.live.models import Coverage, LiveUpdate
from masthead.news.models import Article
from masthead.stories import history, hygiene, rules
from masthead.stories.changes import WorkflowError

HEADLINE_MAX = LiveUpdate._meta.get_field("headline").max_length
CORRECTION_MAX = LiveUpdate._meta.get_field("correction").max_length


def _locked(article: Article | int) -> Article:
    return Article.objects.select_for_update().get(pk=article if isinstance(article, int) else article.pk)


def _locked_update(update: LiveUpdate) -> tuple[Article, LiveUpdate]:
    article = _locked(update.article_id)
    update = LiveUpdate.objects.select_for_update().get(pk=update.pk)
    if update.deleted_at is not None:
        raise WorkflowError(_("Update %(n)s of story %(id)s was deleted.") % {"n": update.number, "id": article.pk})
    return article, update


def _keep(article: Article, *, by, note: str, home: bool = False) -> None:
    history.record(article, by=by, note=note)
    purge_on_commit({article.surrogate_key} | ({keys.HOME} if home else set()))


def _next_version(article: Article) -> int:
    """Count one more change to the story's coverage and return its number (the story is locked)."""
    Coverage.objects.filter(pk=article.pk).update(version=F("version") + 1)
    return Coverage.objects.filter(pk=article.pk).values_list("version", flat=True).get()


def _author_name(by) -> str:
    if isinstance(by, rules.System):
        return by.name
    author = getattr(by, "author", None) if by.pk is not None else None
    return (author.name if author is not None else (by.get_full_name() or by.get_username()))[:150]


def _clean(*, headline: str, body: str) -> tuple[str, str]:
    headline, body = (headline or "").strip(), (body or "").strip()
    if not body:
        raise WorkflowError(_("Write the update: its body is empty."))
    if len(headline) > HEADLINE_MAX:
        raise WorkflowError(_("The update's headline is %(n)d characters long; keep it to %(max)d.")
                            % {"n": len(headline), "max": HEADLINE_MAX})
    hygiene.refuse_bad_text({"headline": headline, "body": body})
    return headline, body


def coverage(article: Article | int) -> Coverage | None:
    """The story's coverage, or None if it was never live."""
    return Coverage.objects.filter(pk=article if isinstance(article, int) else article.pk).first()


@transaction.atomic
def start_coverage(article: Article | int, *, by, at: datetime | None = None) -> Coverage:
    """Make a published story live: its page shows the Live badge and takes updates until the coverage ends."""
    article = _locked(article)
    rules.require(rules.can_run_coverage(by), _("Only an editor can start live coverage."))
    if article.status != Article.Status.PUBLISHED:
        raise WorkflowError(_("Publish story %(id)s before starting its live coverage.") % {"id": article.pk})
    found = coverage(article)
    if found is not None and found.ended_at is None:
        raise WorkflowError(_("Story %(id)s is already live.") % {"id": article.pk})
    if found is None:
        found = Coverage(article=article)
    found.started_at, found.ended_at = at or timezone.now(), None
    found.version += 1
    found.full_clean()
    found.save()
    _keep(article, by=by, note=_("Live coverage started"), home=True)
    return found


@transaction.atomic
def end_coverage(article: Article | int, *, by, at: datetime | None = None) -> Coverage:
    """End a story's live coverage: the page says "Coverage has ended" and takes no more updates."""
    article = _locked(article)
    rules.require(rules.can_run_coverage(by), _("Only an editor can end live coverage."))
    found = coverage(article)
    if found is None or found.ended_at is not None:
        raise WorkflowError(_("Story %(id)s is not live, so its coverage cannot end.") % {"id": article.pk})
    found.ended_at = max(at or timezone.now(), found.started_at)
    found.version += 1
    found.save(update_fields=["ended_at", "version"])
    _keep(article, by=by, note=_("Live coverage ended"), home=True)
    return found


@transaction.atomic
def post_update(article: Article | int, *, by, body: str, headline: str = "", key_event: bool = False,
                pinned: bool = False, at: datetime | None = None) -> LiveUpdate:
    """Post an update to a running live story; it is numbered next and shown at the top of the stream.

    ``at`` dates an update written earlier (a loader filling in coverage): never in the future,
    nor before the coverage started or the story's newest update, so numbers and times agree.
    """
    article = _locked(article)
    rules.require(rules.can_post_update(by), _("You may not post live updates."))
    if key_event or pinned:
        rules.require(rules.can_run_coverage(by), _("Only an editor can pin an update or mark a key event."))
    found = coverage(article)
    if found is None or not found.is_running():
        raise WorkflowError(_("Story %(id)s is not live: start its coverage before posting updates.") % {"id": article.pk})
    headline, body = _clean(headline=headline, body=body)
    last, last_at = LiveUpdate.objects.filter(article=article).order_by("-number").values_list(
        "number", "created_at").first() or (0, found.started_at)
    now = timezone.now()
    at = at or now
    if at > now or at < max(last_at, found.started_at):
        raise WorkflowError(_("An update of story %(id)s can be dated between its coverage's newest update or start "
                              "(%(after)s) and now, not %(at)s.")
                            % {"id": article.pk, "after": max(last_at, found.started_at).isoformat(), "at": at.isoformat()})
    version = _next_version(article)
    if pinned:
        LiveUpdate.objects.filter(article=article, pinned=True).update(pinned=False, version=version)
    update = LiveUpdate.objects.create(
        article=article, number=last + 1, created_at=at, author=None if isinstance(by, rules.System) else by,
        author_name=_author_name(by), headline=headline, body=body, body_html=sanitize.render_markdown(body),
        key_event=key_event, pinned=pinned, version=version)
    _keep(article, by=by, note=_("Live update %(n)d posted") % {"n": update.number})
    return update


@transaction.atomic
def correct_update(update: LiveUpdate, *, by, body: str, headline: str = "", note: str) -> LiveUpdate:
    """Change a posted update; ``note`` says what changed and is shown with it, so no edit is silent."""
    article, update = _locked_update(update)
    rules.require(rules.can_change_update(by, update), _("You may correct only your own updates."))
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("Say what the correction changes: readers see it with the update."))
    if len(note) > CORRECTION_MAX:
        raise WorkflowError(_("The correction note is %(n)d characters long; keep it to %(max)d.")
                            % {"n": len(note), "max": CORRECTION_MAX})
    hygiene.refuse_bad_text({"correction": note})
    update.headline, update.body = _clean(headline=headline, body=body)
    update.body_html = sanitize.render_markdown(update.body)
    update.correction, update.edited_at = note, timezone.now()
    update.version = _next_version(article)
    update.save()
    _keep(article, by=by, note=(_("Live update %(n)d corrected: %(note)s") % {"n": update.number, "note": note}))
    return update


@transaction.atomic
def pin_update(update: LiveUpdate, *, by, pinned: bool = True) -> LiveUpdate:
    """Pin ``update`` above the stream (unpinning the one pinned before), or unpin it."""
    article, update = _locked_update(update)
    rules.require(rules.can_run_coverage(by), _("Only an editor can pin an update."))
    update.version = _next_version(article)
    if pinned:
        # The update pinned before is sent again too, so that open pages drop its pin.
        LiveUpdate.objects.filter(article=article, pinned=True).exclude(pk=update.pk).update(pinned=False,
                                                                                            version=update.version)
    update.pinned = pinned
    update.save(update_fields=["pinned", "version"])
    note = _("Live update %(n)d pinned") if pinned else _("Live update %(n)d unpinned")
    _keep(article, by=by, note=note % {"n": update.number})
    return update


@transaction.atomic
def mark_key_event(update: LiveUpdate, *, by, key_event: bool = True) -> LiveUpdate:
    """List ``update`` among the key events summarised at the top of the page, or take it off the list."""
    article, update = _locked_update(update)
    rules.require(rules.can_run_coverage(by), _("Only an editor can mark a key event."))
    update.key_event = key_event
    update.version = _next_version(article)
    update.save(update_fields=["key_event", "version"])
    note = _("Live update %(n)d marked a key event") if key_event else _("Live update %(n)d no longer a key event")
    _keep(article, by=by, note=note % {"n": update.number})
    return update


@transaction.atomic
def delete_update(update: LiveUpdate, *, by) -> LiveUpdate:
    """Take an update off the page; its row and number stay, so the revision trail still names it."""
    article, update = _locked_update(update)
    rules.require(rules.can_change_update(by, update), _("You may delete only your own updates."))
    update.deleted_at, update.pinned, update.key_event = timezone.now(), False, False
    update.version = _next_version(article)
    update.save(update_fields=["deleted_at", "pinned", "key_event", "version"])
    _keep(article, by=by, note=_("Live update %(n)d deleted") % {"n": update.number})
    return update
