"""Where a web story was printed: the pages whose confirmed regions open it, for the story page's "In print" line."""

from masthead.epaper.models import Issue, Page, Region
from masthead.news import rows
from masthead.news.models import Article

# A story reprinted in many issues lists its most recent pages only.
SHOWN = 3
# Asked on every uncached story page, nearly always of a story never printed: SQL written once
# (news.rows), not composed by the ORM on each request. Each row is an issue with its page.
_PRINTED = (f'SELECT i."id", i."date", i."kind", i."title", i."slug", p."id" AS "page_id", p."number" AS "page_number" '
            f'FROM {rows.table(Page)} p JOIN {rows.table(Region)} r ON r."page_id" = p."id" '
            f'JOIN {rows.table(Issue)} i ON i."id" = p."issue_id" WHERE r."article_id" = %s AND r."confirmed" = %s '
            f'ORDER BY i."date" DESC, p."number" LIMIT {SHOWN}')


def in_print(article: Article) -> list[Page]:
    """The printed pages ``article`` appears on, newest issue first, each with its issue."""
    pages = []
    if article.__dict__.get("known_printed") is False:  # the story page read that it never was (news.storypage)
        return pages
    for issue in rows.fetch(Issue, _PRINTED, [article.pk, True]):
        values = [issue.__dict__.pop("page_id"), issue.pk, issue.__dict__.pop("page_number")]
        page = Page.from_db(issue._state.db, ["id", "issue_id", "number"], values)
        page.issue = issue
        pages.append(page)
    return pages


def story_keys(regions) -> set[str]:
    """The surrogate keys of the story pages that show ``regions``' "In print" lines."""
    return {Article(pk=region.article_id).surrogate_key for region in regions}


def story_keys_of_issue(issue) -> set[str]:
    return story_keys(Region.objects.filter(page__issue=issue).only("article_id"))
