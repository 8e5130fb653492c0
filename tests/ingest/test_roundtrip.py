import json
import re

import pytest
from django.conf import settings

from masthead.ingest.models import SourceRecord
from masthead.news import demo
from masthead.news.models import Article, Author, Section, Tag
from tests.ingest.factories import article_as_ninjs, run_import


def snapshot() -> dict[int, dict]:
    """What a reader sees of every article, keyed by News ID."""
    return {
        article.pk: {
            "headline": article.headline, "kicker": article.kicker, "summary": article.summary,
            "body_html": re.sub(r">\s+<", "><", article.body_html.strip()), "source": article.source,
            "section": article.section.name, "status": article.status, "published_at": article.published_at,
            "language": article.language, "slug": article.slug, "url": article.get_absolute_url(),
            "tags": sorted(article.tags.values_list("name", flat=True)),
            "authors": sorted(article.authors.values_list("name", flat=True)),
        }
        for article in Article.objects.select_related("section")
    }


@pytest.mark.django_db
def test_the_demo_paper_survives_a_round_trip_through_ninjs(tmp_path):
    """Export every demo story as ninjs, import into an empty database: each story reads the same."""
    demo.load()
    before = snapshot()
    path = tmp_path / "paper.jsonl"
    path.write_text("".join(json.dumps(article_as_ninjs(a, site_url=settings.SITE_URL)) + "\n"
                            for a in Article.objects.all()), encoding="utf-8")
    SourceRecord.objects.all().delete()
    Article.objects.all().delete()
    Tag.objects.all().delete()
    Author.objects.all().delete()
    Section.objects.all().delete()

    result = run_import(path)
    assert result.returncode == 0, result.stderr
    assert f"{len(before)} created" in result.stdout
    after = snapshot()
    assert sorted(after) == sorted(before)
    for news_id, story in before.items():
        assert after[news_id] == story, news_id
    assert "0 created, 0 updated" in run_import(path).stdout
