from datetime import datetime, timezone

import pytest

from masthead.news.models import Article
from tests.ingest.factories import SAMPLES, run_import


@pytest.mark.django_db
def test_imports_rss_items_sanitised_with_dates_authors_and_categories():
    result = run_import(SAMPLES / "wire.rss")
    assert "3 created, 0 updated, 0 unchanged, 0 skipped, 1 failed" in result.stdout
    qatar = Article.objects.get(headline="Qatar and Iran sign gas field agreement")
    assert qatar.published_at == datetime(2021, 4, 13, 8, 15, tzinfo=timezone.utc)
    assert list(qatar.authors.values_list("name", flat=True)) == ["Mariam Al-Thani"]
    assert sorted(qatar.tags.values_list("name", flat=True)) == ["Energy", "Qatar"]
    assert "<strong>double</strong>" in qatar.body_html and "iframe" not in qatar.body_html
    assert qatar.summary == "Doha and Tehran agreed on joint development of the shared field."
    # Another site's /news/88121/ is not one of our News IDs.
    assert qatar.pk != 88121
    undated = Article.objects.get(headline="Undated bulletin from the wire")
    assert undated.status == "draft" and undated.published_at is None
    assert "entry 4: has neither a GUID (id) nor a link" in result.stderr


@pytest.mark.django_db
def test_imports_atom_entries_converting_offsets_to_utc():
    result = run_import(SAMPLES / "agency.atom")
    assert result.returncode == 0 and "2 created" in result.stdout
    quotas = Article.objects.get(headline="Caspian states agree fishing quotas")
    assert quotas.published_at == datetime(2021, 4, 14, 5, 50, tzinfo=timezone.utc)
    assert sorted(quotas.authors.values_list("name", flat=True)) == ["Leyla Aliyeva", "Reza Tabrizi"]
    assert "onclick" not in quotas.body_html
    ferry = Article.objects.get(headline="Ferry service to Baku resumes")
    assert ferry.summary == "" and "Anzali to Baku" in ferry.body_html


@pytest.mark.django_db
def test_a_feed_declaring_entities_is_refused(tmp_path):
    path = tmp_path / "bomb.rss"
    path.write_text('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    + (SAMPLES / "wire.rss").read_text().split("?>", 1)[1].replace("Top stories from", "&b;"))
    result = run_import(path)
    assert f"failed: {path}: declares XML entities: refused" in result.stderr
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_a_feed_re_imported_is_unchanged():
    run_import(SAMPLES / "agency.atom")
    assert "0 created, 0 updated, 2 unchanged" in run_import(SAMPLES / "agency.atom").stdout


@pytest.mark.django_db
def test_our_own_feed_keeps_its_news_ids(tmp_path, settings):
    """Re-reading the paper's own feed maps each entry to the story its link names."""
    path = tmp_path / "own.rss"
    path.write_text((SAMPLES / "wire.rss").read_text().replace("https://wire.example.net", settings.SITE_URL))
    run_import(path)
    assert Article.objects.get(headline="Qatar and Iran sign gas field agreement").pk == 88121
