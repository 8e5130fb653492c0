"""The demo newspaper: sections, authors, tags and a few dozen stories, among them News ID 302104,
and a small Persian edition (302106 is 302104's Persian counterpart).

The demo photographs are real, openly licensed pictures kept in ``demo/photos/`` with their
credits (``CREDITS.md``); they go into the media library through its upload checks, once each.

Loading is idempotent: what exists already (by News ID or slug) is kept as it is, so an editor's
changes survive a second ``make run`` and nothing is duplicated. Stories go in through the story
service, as the demo loader (News ID 302104 is the real page in ``demo/iran-daily-302104.txt``,
as the saved-page importer reads it; a test holds the two together).
"""

import json
from datetime import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F

from masthead.media import uploads
from masthead.media.models import Image
from masthead.news import tagging
from masthead.news.models import Article, Author, Section, Tag
from masthead.stories import bulk, changes, indexes, rules, taxonomy

DEMO_DIR = Path(__file__).resolve().parent / "demo"
PHOTOS_DIR = DEMO_DIR / "photos"
LOADER = rules.System("demo loader")


def load_photos() -> tuple[dict[int, Image], int]:
    """The demo photographs in the media library, loaded if missing: ``({News ID: its lead image}, how many were new)``.

    A photograph already there (same alt text and credit) is kept as it is, with any focal point
    or caption an editor gave it.
    """
    data = json.loads((PHOTOS_DIR / "photos.json").read_text(encoding="utf-8"))
    leads, created = {}, 0
    for row in data["photos"]:
        image = Image.objects.filter(alt=row["alt"], credit=row["credit"]).order_by("pk").first()
        if image is None:
            upload = SimpleUploadedFile(row["file"], (PHOTOS_DIR / row["file"]).read_bytes(), content_type="image/jpeg")
            prepared = uploads.prepare(upload)
            focal_x, focal_y = row.get("focal", (50, 50))
            image = uploads.store(prepared, image=Image(alt=row["alt"], caption=row["caption"], credit=row["credit"],
                                                        focal_x=focal_x, focal_y=focal_y))
            created += 1
        leads.update({news_id: image for news_id in row["stories"]})
    return leads, created


@transaction.atomic
def load() -> dict[str, int]:
    """Load the demo paper; return how many things of each kind were created."""
    data = json.loads((DEMO_DIR / "articles.json").read_text(encoding="utf-8"))
    created = {"sections": 0, "authors": 0, "tags": 0, "articles": 0, "photos": 0}
    leads, created["photos"] = load_photos()
    sections = {}
    for position, row in enumerate(data["sections"]):
        section = Section.objects.filter(slug=row["slug"]).first()
        if section is None:
            section = taxonomy.save(Section(slug=row["slug"], name=row["name"], name_fa=row.get("name_fa", ""),
                                            description=row.get("description", ""), position=position))
            created["sections"] += 1
        elif not section.name_fa and row.get("name_fa"):
            # A paper loaded before sections had Persian names gains them; an editor's own name stays.
            section.name_fa = row["name_fa"]
            taxonomy.save(section)
        sections[row["slug"]] = section
    authors = {}
    for row in data["authors"]:
        author = Author.objects.filter(slug=row["slug"]).first()
        if author is None:
            author = taxonomy.save(Author(slug=row["slug"], name=row["name"], bio=row.get("bio", "")))
            created["authors"] += 1
        authors[row["slug"]] = author
    tags_before = Tag.objects.count()
    new_articles = []
    for row in data["articles"]:
        if Article.objects.filter(pk=row["id"]).exists():
            continue
        article = Article(
            id=row["id"], section=sections[row["section"]], kicker=row.get("kicker", ""), headline=row["headline"],
            summary=row.get("summary", ""), body=row["body"], source=row.get("source", ""),
            language=row.get("language", "en"), lead_image=leads.get(row["id"]), status=Article.Status.PUBLISHED, published_at=datetime.fromisoformat(row["published_at"].replace("Z", "+00:00")),
        )
        new_articles.append(changes.create(article, by=LOADER, tags=tagging.tags_named(names=row.get("tags", [])),
                                           authors=[authors[slug] for slug in row.get("authors", [])]))
    # Translations are linked once both editions' stories are in (a Persian story names its English original).
    for article in new_articles:
        original = next((row.get("translation_of") for row in data["articles"] if row["id"] == article.pk), None)
        if original is not None:
            changes.link_translation(article, of=original, by=LOADER)
    created["tags"] = Tag.objects.count() - tags_before
    created["articles"] = len(new_articles)
    # The stories came with their own News IDs: the next story written is numbered above them, on
    # PostgreSQL too (its sequence does not see rows given an ID; SQLite numbers from the highest).
    bulk.reset_sequence()
    # Loading is not an update: a loaded story was last changed when it was published, so no
    # page, feed, sitemap or API answer dates it to the moment of loading.
    Article.objects.filter(pk__in=[a.pk for a in new_articles]).update(updated_at=F("published_at"))
    for article in new_articles:
        article.updated_at = article.published_at
    # Related stories are chosen again once every story is in, so early ones see later ones too.
    for article in new_articles:
        indexes.refresh(article)
    return created
