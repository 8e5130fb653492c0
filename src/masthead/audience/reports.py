"""What the newsroom's audience page shows: a story's reads hour by hour, today's top stories, reads by section."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db.models import F, Sum
from django.utils import timezone

from masthead.audience.models import StoryReads

HOURS_CHARTED = 48


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)


def hourly(*, story_id: int, now: datetime | None = None, hours: int = HOURS_CHARTED) -> list[tuple[datetime, int]]:
    """Reads of a story in each of the last ``hours`` hours, oldest first, hours without reads as 0."""
    last = _hour(now or timezone.now())
    first = last - timedelta(hours=hours - 1)
    found = dict(StoryReads.objects.filter(story_id=story_id, hour__gte=first, hour__lte=last)
                 .values_list("hour", "count"))
    found = {_hour(hour): count for hour, count in found.items()}
    return [(first + timedelta(hours=n), found.get(first + timedelta(hours=n), 0)) for n in range(hours)]


@dataclass(frozen=True)
class Row:
    key: int
    name: str
    reads: int


def top_today(*, now: datetime | None = None, length: int = 10) -> list[Row]:
    """The stories read most since midnight UTC, in any edition, most read first."""
    midnight = _hour(now or timezone.now()).replace(hour=0)
    rows = (StoryReads.objects.filter(hour__gte=midnight).values("story", headline=F("story__headline"))
            .annotate(reads=Sum("count")).order_by("-reads", "-story")[:length])
    return [Row(row["story"], row["headline"], row["reads"]) for row in rows]


def by_section(*, now: datetime | None = None) -> list[Row]:
    """Reads since midnight UTC per section, most read first."""
    midnight = _hour(now or timezone.now()).replace(hour=0)
    rows = (StoryReads.objects.filter(hour__gte=midnight)
            .values(section=F("story__section_id"), name=F("story__section__name"))
            .annotate(reads=Sum("count")).order_by("-reads", "name"))
    return [Row(row["section"], row["name"], row["reads"]) for row in rows]
