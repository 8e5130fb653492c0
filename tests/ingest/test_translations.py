"""Importers read the link between a story and its translation (ninjs associations or altids, a
WordPress export's Polylang groups) and make it through the story service, whichever comes first."""

import json

import pytest

from masthead.news.models import Article
from masthead.syndication.models import LanguageEdition
from tests.ingest.factories import SAMPLES, ninjs_story, run_import, write_jsonl
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def _linked(*news_ids) -> bool:
    keys = dict(LanguageEdition.objects.filter(article_id__in=news_ids).values_list("article_id", "story"))
    return len(keys) == len(news_ids) and len(set(keys.values())) == 1


def test_a_ninjs_2_association_links_a_translation_read_before_its_original(tmp_path):
    """The Persian item comes first and names the English one by uri: both are in, then linked."""
    persian = ninjs_story(2, headline="ظریف در بغداد", language="fa", altids=[{"role": "newsid", "value": "302106"}],
                          associations=[{"rel": "translation-of", "uri": "urn:newsml:test.example:1"}])
    english = ninjs_story(1, headline="Zarif in Baghdad", altids=[{"role": "newsid", "value": "302104"}])
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [persian, english]))
    assert "2 created" in result.stdout, result.stderr
    assert "warning" not in result.stderr
    assert _linked(302104, 302106)
    assert Article.objects.get(pk=302106).language == "fa"


def test_a_ninjs_1_association_and_an_altid_name_the_original(tmp_path):
    original = make_article(id=500, headline="Oil exports rise")
    by_altid = ninjs_story(3, language="fa", altids={"newsid": "501", "translation-of": "500"})
    by_association = ninjs_story(4, language="fa", altids={"newsid": "502"},
                                 associations={"translation": {"uri": "urn:other:9", "altids": {"newsid": "500"}}})
    run_import(write_jsonl(tmp_path / "wire.jsonl", [by_altid]))
    assert _linked(original.pk, 501)
    run_import(write_jsonl(tmp_path / "more.jsonl", [by_association]))
    assert _linked(original.pk, 501, 502)


def test_a_link_to_nothing_is_reported_and_the_story_still_goes_in(tmp_path):
    lone = ninjs_story(5, language="fa", associations=[{"rel": "translation-of", "uri": "urn:newsml:test.example:404"}])
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [lone]))
    assert "1 created" in result.stdout
    assert ("warning: " + str(tmp_path / "wire.jsonl") + ":1: translation_of 'urn:newsml:test.example:404' names no story "
            "in this import or the site, so it was not linked") in result.stderr
    assert not LanguageEdition.objects.exists()


def test_a_link_between_two_stories_of_one_language_is_refused_with_the_reason(tmp_path):
    make_article(id=600, headline="English original")
    same = ninjs_story(6, altids={"newsid": "601", "translation-of": "600"})
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [same]))
    assert "translation_of '600' was not linked: story 601 and story 600 are both in 'en': a translation is in " \
           "the other edition's language" in result.stderr
    assert not LanguageEdition.objects.exists()


def test_a_malformed_translation_altid_fails_the_item_naming_the_field(tmp_path):
    bad = ninjs_story(7, language="fa", altids={"translation-of": "۵۰۰"})
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [bad]))
    assert "altids translation-of '۵۰۰' is not a News ID: write it in the digits 0-9" in result.stderr
    assert not Article.objects.exists()


def test_importing_again_changes_nothing(tmp_path):
    stories = [ninjs_story(1, altids={"newsid": "302104"}),
               ninjs_story(2, language="fa", altids={"newsid": "302106"},
                           associations=[{"name": "translation", "uri": "urn:newsml:test.example:1"}])]
    path = write_jsonl(tmp_path / "wire.jsonl", stories)
    run_import(path)
    again = run_import(path)
    assert "0 created, 0 updated, 2 unchanged" in again.stdout
    assert "warning" not in again.stderr
    assert LanguageEdition.objects.count() == 2 and _linked(302104, 302106)


WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:base_site_url>https://evening.example.org</wp:base_site_url>
{items}
</channel></rss>"""
POST = """<item><title><![CDATA[{title}]]></title><content:encoded><![CDATA[{title}.]]></content:encoded>
<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>2021-04-12 05:35:00</wp:post_date_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="news"><![CDATA[News]]></category>
<category domain="language" nicename="{language}"><![CDATA[{language}]]></category>
<category domain="post_translations" nicename="pll_{group}"><![CDATA[pll_{group}]]></category></item>"""


def test_a_wordpress_polylang_group_links_its_posts_and_gives_their_languages(tmp_path):
    items = [POST.format(title="Rial steadies", post_id=4101, language="en", group="a1"),
             POST.format(title="ریال ثابت ماند", post_id=4102, language="fa", group="a1"),
             POST.format(title="Metro opens", post_id=4103, language="en", group="b2")]
    path = tmp_path / "export.xml"
    path.write_text(WXR.format(items="\n".join(items)), encoding="utf-8")
    result = run_import(path)
    assert "3 created" in result.stdout, result.stderr
    assert Article.objects.get(pk=4102).language == "fa"
    assert Article.objects.get(pk=4101).section.name == "News"  # the language and group are no sections or tags
    assert not Article.objects.get(pk=4102).tags.exists()
    assert _linked(4101, 4102)
    assert not LanguageEdition.objects.filter(article_id=4103).exists()


def test_the_shipped_wordpress_sample_without_polylang_is_english_and_unlinked():
    run_import(SAMPLES / "export.wxr.xml")
    assert set(Article.objects.values_list("language", flat=True)) == {"en"}
    assert not LanguageEdition.objects.exists()
