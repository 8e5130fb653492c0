"""What every change leaves behind: a revision of the story and, when its state moves, an audit entry."""

from django.utils import timezone

from masthead.news.models import Article
from masthead.newsroom.models import Revision, StateChange
from masthead.stories.rules import System

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


def _account(by):
    # A change the product made itself has no account; its name goes into the note instead.
    return None if isinstance(by, System) else by


def _note(note: str, by) -> str:
    return (f"{note} ({by.name})" if isinstance(by, System) else note)[:300]


def record(article: Article, *, by, note: str = "") -> Revision:
    """Keep the story as it now stands, noting which fields changed since the revision before."""
    data = snapshot(article)
    last = Revision.objects.filter(article=article).order_by("-number").first()
    changed = [name for name in FIELDS if last is None or last.data.get(name) != data.get(name)]
    return Revision.objects.create(article=article, number=(last.number + 1) if last else 1, by=_account(by), data=data,
                                   changed=changed, note=_note(note, by))


def audit(article: Article, *, by, from_state: str | None, note: str = "") -> StateChange | None:
    """Log the move from ``from_state`` (None: the story is new) to where the story now is, if it moved."""
    if from_state == article.state:
        return None
    return StateChange.objects.create(article=article, from_state=from_state or "new", to_state=article.state,
                                      by=_account(by), note=_note(note, by))


def live(change: StateChange, seen) -> None:
    """Note on ``change`` how long after it every cache confirmed the purge (``seen``: ``Purged`` reports), or which did not."""
    failed = [done for done in seen if done.error]
    if failed:
        error = ", ".join(sorted({done.alias for done in failed})) + ": " + failed[0].error
        StateChange.objects.filter(pk=change.pk).update(live_error=error[:200])
    else:
        seconds = (timezone.now() - change.at).total_seconds()
        StateChange.objects.filter(pk=change.pk).update(live_seconds=round(max(seconds, 0.0), 3))


def last_saved_by(article_id: int) -> tuple[str, object]:
    """Who saved the story last and when, as the newsroom names them (for a refused stale save)."""
    last = Revision.objects.filter(article_id=article_id).select_related("by").order_by("-number").first()
    if last is None:
        return "someone else", None
    if last.by is not None:
        return last.by.get_username(), last.at
    return (last.note.rsplit("(", 1)[-1].rstrip(")") if last.note.endswith(")") else "someone else"), last.at
