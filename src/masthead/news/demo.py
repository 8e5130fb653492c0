"""The demo newspaper: sections, authors, tags and a few dozen stories, among them News ID 302104.

Loading is idempotent: what exists already (by News ID or slug) is kept as it is, so an editor's
changes survive a second ``make run`` and nothing is duplicated.
"""

import json
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import F

from masthead.ingest import savedpage
from masthead.news import publishing
from masthead.news.models import Article, Author, Section, Tag

DEMO_DIR = Path(__file__).resolve().parent / "demo"


@transaction.atomic
def load() -> dict[str, int]:
    """Load the demo paper; return how many things of each kind were created."""
    data = json.loads((DEMO_DIR / "articles.json").read_text(encoding="utf-8"))
    created = {"sections": 0, "authors": 0, "tags": 0, "articles": 0}
    sections = {}
    for position, row in enumerate(data["sections"]):
        sections[row["slug"]], new = Section.objects.get_or_create(
            slug=row["slug"], defaults={"name": row["name"], "description": row.get("description", ""), "position": position})
        created["sections"] += new
    authors = {}
    for row in data["authors"]:
        authors[row["slug"]], new = Author.objects.get_or_create(slug=row["slug"], defaults={"name": row["name"], "bio": row.get("bio", "")})
        created["authors"] += new

    def tag(name: str) -> Tag:
        found, new = Tag.objects.get_or_create(name=name)
        created["tags"] += new
        return found

    page = DEMO_DIR / "iran-daily-302104.txt"
    saved = savedpage.parse(page.read_text(encoding="utf-8"), name=page.name)
    stories = [
        {
            "id": saved.news_id, "section": "politics", "kicker": "Diplomacy", "headline": saved.headline,
            "summary": "Foreign Minister Zarif tells Iraq's national security adviser that the region's countries can keep it secure without foreign forces.", "body": saved.body, "source": "Press TV",
            "authors": [], "tags": ["Iran", "Iraq", "Foreign policy", "Security"],
            "published_at": saved.published_at.isoformat(),
        },
        *data["articles"],
    ]
    new_articles = []
    for row in stories:
        if Article.objects.filter(pk=row["id"]).exists():
            continue
        article = Article(
            id=row["id"], section=sections[row["section"]], kicker=row.get("kicker", ""), headline=row["headline"],
            summary=row.get("summary", ""), body=row["body"], source=row.get("source", ""),
            status=Article.Status.PUBLISHED, published_at=datetime.fromisoformat(row["published_at"].replace("Z", "+00:00")),
        )
        article.full_clean(exclude={"tags", "authors"})
        article.save()
        article.tags.set([tag(name) for name in row.get("tags", [])])
        article.authors.set([authors[slug] for slug in row.get("authors", [])])
        new_articles.append(article)
    created["articles"] = len(new_articles)
    # Loading is not an update: a loaded story was last changed when it was published, so no
    # page, feed, sitemap or API answer dates it to the moment of loading.
    Article.objects.filter(pk__in=[a.pk for a in new_articles]).update(updated_at=F("published_at"))
    for article in new_articles:
        article.updated_at = article.published_at
    # Related stories are chosen once every story is in, so early ones see later ones too.
    for article in new_articles:
        publishing.saved(article, before=set())
    return created
