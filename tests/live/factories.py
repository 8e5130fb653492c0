"""Live stories and their updates, made through the story service."""

from masthead.stories import live
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM


def make_live_story(**overrides):
    """A published story whose live coverage is running."""
    story = make_article(**overrides)
    live.start_coverage(story, by=SYSTEM)
    return story


def post(story, body: str, *, by=SYSTEM, **options):
    """Post an update to ``story`` as ``by`` (the product itself unless named)."""
    return live.post_update(story, by=by, body=body, **options)
