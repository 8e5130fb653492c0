from datetime import datetime, timezone

import pytest

from masthead.ingest.wordpress import autop
from masthead.news.models import Article
from tests.ingest.factories import SAMPLES, run_import

EXPORT = SAMPLES / "export.wxr.xml"


@pytest.mark.django_db
def test_imports_posts_with_sections_tags_authors_dates_and_status():
    result = run_import(EXPORT)
    assert "2 created, 0 updated, 0 unchanged, 2 skipped, 1 failed" in result.stdout
    assert result.returncode == 1
    rial = Article.objects.get(pk=4101)
    assert rial.headline == "Rial steadies after central bank steps in"
    assert rial.published_at == datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)
    assert rial.status == "published" and rial.slug == "rial-steadies"
    assert rial.section.name == "Economy"
    assert sorted(rial.tags.values_list("name", flat=True)) == ["Central bank", "Currency"]
    assert list(rial.authors.values_list("name", flat=True)) == ["Sara Karimi"]
    assert rial.summary == "The central bank sold dollars on the open market."
    assert "<p>Dealers quoted the dollar at 245,000 rials, little changed from Sunday.<br>" in rial.body_html
    assert "<h2>What comes next</h2>" in rial.body_html and "<script" not in rial.body_html
    metro = Article.objects.get(pk=4102)
    assert metro.status == "draft" and metro.published_at is None and metro.section.name == "City"
    assert "wp:paragraph" not in metro.body_html
    assert "item 3 ('Wrestlers head to Asian championships'): is published but has no post_date_gmt" in result.stderr
    assert "item 4 ('metro-map'): WordPress attachment, not a post; media files are not imported" in result.stderr


@pytest.mark.django_db
def test_an_entity_expansion_bomb_is_refused(tmp_path):
    """The billion-laughs document is refused before any entity is expanded."""
    bomb = EXPORT.read_text().replace('<?xml version="1.0" encoding="UTF-8" ?>', '<?xml version="1.0"?>\n'
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>').replace(
        "News from the capital", "&lol3;")
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    result = run_import(path)
    assert result.returncode == 1
    assert f"failed: {path}: refused: DTDForbidden" in result.stderr
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_an_external_entity_is_refused(tmp_path):
    path = tmp_path / "xxe.xml"
    path.write_text(EXPORT.read_text().replace('<?xml version="1.0" encoding="UTF-8" ?>',
                    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(
                    "News from the capital", "&xxe;"))
    result = run_import(path)
    assert "refused" in result.stderr and result.returncode == 1
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_broken_xml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(EXPORT.read_text()[:3000])
    result = run_import(path)
    assert f"failed: {path}:" in result.stderr and "is not well-formed XML" in result.stderr


def test_autop_makes_paragraphs_as_wordpress_does():
    assert autop("One.\n\nTwo\nlines.\n\n<h2>Head</h2>") == "<p>One.</p>\n<p>Two<br>\nlines.</p>\n<h2>Head</h2>"
