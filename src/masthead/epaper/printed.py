"""Where a web story was printed: the pages whose confirmed regions open it, for the story page's "In print" line."""

from masthead.epaper.models import Page, Region
from masthead.news.models import Article

# A story reprinted in many issues lists its most recent pages only.
SHOWN = 3


def in_print(article: Article) -> list[Page]:
    """The printed pages ``article`` appears on, newest issue first."""
    pages = (Page.objects.filter(regions__article_id=article.pk, regions__confirmed=True)
             .select_related("issue").only("number", "issue__date", "issue__slug", "issue__kind", "issue__title")
             .order_by("-issue__date", "number"))
    return list(pages[:SHOWN])


def story_keys(regions) -> set[str]:
    """The surrogate keys of the story pages that show ``regions``' "In print" lines."""
    return {Article(pk=region.article_id).surrogate_key for region in regions}


def story_keys_of_issue(issue) -> set[str]:
    return story_keys(Region.objects.filter(page__issue=issue).only("article_id"))
