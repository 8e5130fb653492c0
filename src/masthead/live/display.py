"""What a live story's page shows of its coverage: the badge, key events, the pinned update and the stream."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from masthead.live.models import Coverage, LiveUpdate
from masthead.news import rows


@dataclass
class Live:
    """A story's coverage as a page shows it; ``updates`` newest first, deleted ones left out."""

    coverage: Coverage
    running: bool
    updates: list[LiveUpdate] = field(default_factory=list)

    @property
    def poll_seconds(self) -> int:
        return settings.LIVE_POLL_SECONDS

    @property
    def newest(self) -> int:
        return self.updates[0].number if self.updates else 0

    @property
    def pinned(self) -> LiveUpdate | None:
        return next((u for u in self.updates if u.pinned), None)

    @property
    def key_events(self) -> list[LiveUpdate]:
        return [u for u in self.updates if u.key_event]


def live_coverage(article, *, since: int = 0) -> Live | None:
    """The coverage of ``article`` (None if it was never live), with its updates numbered above ``since``.

    Kept on the story object, so the badge, the stream and the JSON-LD of one page read it once:
    one query for a story that was never live (none if the story page read that already), two for one that was.
    """
    cache = article.__dict__.setdefault("_live_coverage", {})
    if since not in cache:
        # The story page reads with the story whether it was ever live (news.storypage).
        found = None if article.__dict__.get("known_live") is False else coverage(article.pk)
        cache[since] = None if found is None else Live(
            coverage=found, running=found.is_running(at=timezone.now()),
            updates=list(LiveUpdate.objects.shown().filter(article_id=article.pk, number__gt=since)))
    return cache[since]


# Asked on every uncached story page, nearly always of a story that was never live: written once
# as SQL (news.rows), not composed by the ORM on each request.
_COVERAGE = "SELECT {} FROM {} WHERE {} = %s".format(
    ", ".join(f'"{f.column}"' for f in Coverage._meta.concrete_fields), rows.table(Coverage),
    f'"{Coverage._meta.pk.column}"')


def coverage(news_id: int) -> Coverage | None:
    """The coverage row of the story ``news_id``, or None if it was never live."""
    return next(iter(rows.fetch(Coverage, _COVERAGE, [news_id])), None)


@dataclass
class Changes:
    """What changed in a story's coverage after the version an open page shows.

    ``updates`` are the updates posted or changed since, newest first, deleted ones included (the
    page removes those); ``key_events`` and ``pinned`` are the summary and the pin as they stand,
    sent whenever anything changed, since any change may move them.
    """

    coverage: Coverage
    running: bool
    after: int
    updates: list[LiveUpdate] = field(default_factory=list)
    key_events: list[LiveUpdate] = field(default_factory=list)
    pinned: LiveUpdate | None = None

    @property
    def version(self) -> int:
        return max(self.coverage.version, self.after)

    @property
    def changed(self) -> bool:
        return self.coverage.version > self.after


def changes_after(article, *, version: int) -> Changes | None:
    """The changes to ``article``'s coverage after ``version`` (None if it was never live): three queries at most."""
    found = coverage(article.pk)
    if found is None:
        return None
    changes = Changes(coverage=found, running=found.is_running(at=timezone.now()), after=version)
    if changes.changed:
        changes.updates = list(LiveUpdate.objects.filter(article_id=article.pk, version__gt=version).order_by("-number"))
        heads = list(LiveUpdate.objects.shown().filter(article_id=article.pk).filter(Q(key_event=True) | Q(pinned=True)))
        changes.key_events = [u for u in heads if u.key_event]
        changes.pinned = next((u for u in heads if u.pinned), None)
    return changes
