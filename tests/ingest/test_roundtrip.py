import json
import re

import pytest

from masthead.ingest.models import SourceRecord
from masthead.news import demo
from masthead.news.models import Article, Author, Section, Tag
from tests.ingest.factories import run_import


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


def export_through_the_api(client) -> list[dict]:
    """Every visible story, as the JSON API serves it page by page."""
    items, url = [], "/api/v1/articles?limit=10"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        items += page["items"]
        url = page["next"]
    return items


@pytest.mark.django_db
def test_the_demo_paper_survives_a_round_trip_through_the_api(tmp_path, client):
    """Export the demo paper through the JSON API as ninjs, import it into an empty database: each story reads the same."""
    demo.load()
    before = snapshot()
    items = export_through_the_api(client)
    assert len(items) == len(before)
    path = tmp_path / "paper.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
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
