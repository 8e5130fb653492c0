"""Small factories for read counts and beacon requests."""

from datetime import datetime, timedelta, timezone

from masthead.audience.models import StoryReads

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def this_hour(*, ago: int = 0) -> datetime:
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=ago)


def make_reads(story, *, count: int, hours_ago: int = 0) -> StoryReads:
    return StoryReads.objects.create(story=story, hour=this_hour(ago=hours_ago), count=count)


def beacon_environ(news_id, **overrides) -> dict:
    """The WSGI environ of a browser's beacon for ``news_id`` from one reader."""
    return {"REQUEST_METHOD": "POST", "PATH_INFO": f"/hit/{news_id}", "REMOTE_ADDR": "198.51.100.7",
            "HTTP_USER_AGENT": BROWSER, **overrides}


def warm_lists(*stories) -> None:
    """Count the "Most read" lists the pages of ``stories`` show, as a page served a moment before would.

    A test that counts a page's queries compares pages, not the lists' recount every few minutes."""
    from masthead.audience import lists

    for story in stories:
        lists.block(language=story.language, section_id=story.section_id)
