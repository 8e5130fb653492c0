import json
from datetime import datetime, timezone

import pytest

from masthead.ingest import ninjs
from masthead.ingest.items import ImportFailed
from masthead.news.models import Article
from tests.ingest.factories import SAMPLES, ninjs_story, run_import, write_jsonl


@pytest.mark.django_db
def test_imports_json_lines_of_ninjs_1_and_2():
    result = run_import(SAMPLES / "wire.jsonl")
    assert "3 created, 0 updated, 0 unchanged, 1 skipped, 1 failed" in result.stdout
    border = Article.objects.get(headline="Iraq reopens border crossing with Iran")
    assert border.section.name == "World"
    assert sorted(border.tags.values_list("name", flat=True)) == ["Borders", "Iraq"]
    assert sorted(border.authors.values_list("name", flat=True)) == ["Nadia Saleh", "Omar Hassan"]
    assert border.summary == "The Mehran crossing reopens."
    stocks = Article.objects.get(headline="Tehran stock index climbs for third day")
    assert stocks.published_at == datetime(2021, 4, 13, 6, 0, tzinfo=timezone.utc)
    assert "<p>Traders cited *strong* bank shares.</p>" in stocks.body_html  # plain text stays text
    embargoed = Article.objects.get(headline="Embargoed: budget figures")
    assert embargoed.published_at == datetime(2031, 4, 18, 6, 0, tzinfo=timezone.utc)
    assert not Article.objects.visible().filter(pk=embargoed.pk).exists()
    assert f"skipped: {SAMPLES / 'wire.jsonl'}:2: ninjs type 'picture' is not a story" in result.stderr
    assert f"failed: {SAMPLES / 'wire.jsonl'}:4: has no body" in result.stderr


@pytest.mark.django_db
def test_reads_one_object_or_an_array(tmp_path):
    single = tmp_path / "one.json"
    single.write_text(json.dumps(ninjs_story(1), indent=2))
    array = tmp_path / "many.json"
    array.write_text(json.dumps([ninjs_story(2), {"headline": "no uri"}, ninjs_story(3)], indent=2))
    assert "1 created" in run_import(single).stdout
    result = run_import(array)
    assert "2 created" in result.stdout and "1 failed" in result.stdout
    assert f"{array} item 2: has no 'uri'" in result.stderr


@pytest.mark.django_db
def test_a_malformed_line_is_reported_and_the_rest_go_in(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1)])
    with path.open("a") as out:
        out.write('{"uri": "broken", "headline": \n')
        out.write(json.dumps(ninjs_story(3)) + "\n")
    result = run_import(path)
    assert result.returncode == 1
    assert f"failed: {path}:2: is not JSON: Expecting value at column 32" in result.stderr
    assert "2 created" in result.stdout


def test_a_time_without_zone_is_refused_not_guessed():
    with pytest.raises(ImportFailed, match="versioncreated '2021-04-13T07:00:00' has no time zone"):
        ninjs.item(ninjs_story(1, versioncreated="2021-04-13T07:00:00"), origin="x")


def test_the_news_id_comes_from_altids_or_our_own_address_only():
    assert ninjs.item(ninjs_story(1, altids={"newsid": "302104"}), origin="x").news_id == 302104
    own = ninjs_story(1, uri="http://127.0.0.1:8000/news/302105/slug/")
    assert ninjs.item(own, origin="x", site_host="127.0.0.1:8000").news_id == 302105
    other = ninjs_story(1, uri="https://wire.example/news/302106/slug/")
    assert ninjs.item(other, origin="x", site_host="127.0.0.1:8000").news_id is None
