import pytest
from django.contrib.auth.models import User
from django.db import connection

from masthead import search
from masthead.news.models import Article, HeadlineWord
from masthead.newsroom.models import Revision, StateChange
from masthead.stories import bulk
from tests.ingest.factories import ninjs_story, run_import, write_jsonl
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


def headlines() -> list[str]:
    return sorted(Article.objects.values_list("headline", flat=True))


def test_an_imported_story_is_found_by_the_sites_search_and_the_newsrooms_headline_search(tmp_path, client):
    """Right after the import, with no other command."""
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1, headline="Caspian sturgeon return to the delta")])
    assert run_import(path).returncode == 0
    story = Article.objects.get()
    assert [hit.article.pk for hit in search.search("sturgeon").hits] == [story.pk]
    client.force_login(make_user("editor"))
    page = client.get("/newsroom/news/article/?q=sturg").content.decode()
    assert "Caspian sturgeon return to the delta" in page
    assert "Caspian" not in client.get("/newsroom/news/article/?q=salmon").content.decode()


def test_an_updated_story_is_found_by_its_new_words_only(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1, headline="Caspian sturgeon return")])
    run_import(path)
    write_jsonl(path, [ninjs_story(1, headline="Caspian salmon return")])
    assert "0 created, 1 updated" in run_import(path).stdout
    assert search.search("sturgeon").total == 0 and search.search("salmon").total == 1
    assert not HeadlineWord.matching("sturgeon").exists() and HeadlineWord.matching("salmon").exists()


def test_a_headline_with_a_control_character_is_a_named_failed_item_and_the_others_go_in(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2, headline="Wire\x01 story 2"), ninjs_story(3)])
    result = run_import(path)
    assert result.returncode == 1
    assert (f"failed: {path}:2: headline holds U+0001 at character 5, a control character that is not text: "
            "remove it from the source") in result.stderr
    assert "Imported: 2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed." in result.stdout
    assert headlines() == ["Wire story 1", "Wire story 3"]


def test_a_ninjs_item_whose_news_id_is_not_in_ascii_digits_fails_alone(tmp_path):
    """"²" is a digit to Python's str.isdigit() but no number int() reads: the item fails, named, and the file goes on."""
    path = write_jsonl(tmp_path / "wire.jsonl", [
        ninjs_story(1), ninjs_story(2, altids=[{"role": "newsid", "value": "²"}]), ninjs_story(3)])
    result = run_import(path)
    assert f"failed: {path}:2: altids newsid '²' is not a News ID: write it in the digits 0-9" in result.stderr
    assert "2 created" in result.stdout and "1 failed" in result.stdout
    assert headlines() == ["Wire story 1", "Wire story 3"]


def test_an_unforeseen_error_reading_one_item_fails_that_item_only(tmp_path):
    """A time that leaves the calendar when turned to UTC raised OverflowError, which no reader expected."""
    path = write_jsonl(tmp_path / "wire.jsonl", [
        ninjs_story(1), ninjs_story(2, versioncreated="0001-01-01T00:00:00+01:00"), ninjs_story(3)])
    result = run_import(path)
    assert f"failed: {path}:2: could not be read: OverflowError: date value out of range" in result.stderr
    assert headlines() == ["Wire story 1", "Wire story 3"]


@pytest.fixture
def refused_word():
    """The database refuses to store the headline word 'cursed' (a fault in writing a derived index)."""
    table = connection.ops.quote_name(HeadlineWord._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE TEMP TRIGGER refuse_cursed BEFORE INSERT ON {table} WHEN NEW.word = 'cursed' "
                           "BEGIN SELECT RAISE(ABORT, 'the word cursed is refused'); END")
        else:
            cursor.execute("CREATE FUNCTION refuse_cursed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                           "IF NEW.word = 'cursed' THEN RAISE EXCEPTION 'the word cursed is refused'; END IF; "
                           "RETURN NEW; END $$")
            cursor.execute(f"CREATE TRIGGER refuse_cursed BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_cursed()")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_cursed" + ("" if connection.vendor == "sqlite" else f" ON {table}"))
        if connection.vendor != "sqlite":
            cursor.execute("DROP FUNCTION refuse_cursed()")


def test_an_error_storing_one_item_fails_that_item_whole_and_the_others_go_in(tmp_path, refused_word):
    """The story whose headline words could not be written is not stored at all: no story without its indexes."""
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2, headline="The cursed ship"), ninjs_story(3)])
    result = run_import(path)
    assert f"failed: {path}:2: the database refused it: the word cursed is refused" in result.stderr
    assert "Imported: 2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed." in result.stdout
    assert headlines() == ["Wire story 1", "Wire story 3"]
    assert search.search("ship").total == 0
    assert search.search("wire").total == 2


def test_strict_stops_at_the_first_failed_item(tmp_path):
    """What came before the failure goes in; nothing after it is read."""
    path = write_jsonl(tmp_path / "wire.jsonl", [
        ninjs_story(1), ninjs_story(2, headline="Wire\x01 story 2"), ninjs_story(3)])
    result = run_import(path, strict=True)
    assert result.returncode == 1
    assert "stopped at the first failure (--strict)" in result.stderr
    assert "1 created" in result.stdout and "1 failed" in result.stdout
    assert headlines() == ["Wire story 1"]


def test_strict_stops_at_an_item_that_fails_while_stored(tmp_path, refused_word):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2, headline="The cursed ship"), ninjs_story(3)])
    result = run_import(path, strict=True)
    assert f"failed: {path}:2: the database refused it: the word cursed is refused" in result.stderr
    assert "stopped at the first failure (--strict)" in result.stderr
    assert headlines() == ["Wire story 1"]


def test_each_imported_story_has_a_revision_and_an_audit_entry_by_the_import_account(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1)])
    run_import(path)
    actor = User.objects.get(username=bulk.SYSTEM_ACTOR)
    assert not actor.is_active and not actor.has_usable_password()
    revision = Revision.objects.get()
    assert (revision.number, revision.by, revision.note) == (1, actor, f"Imported from {path}:1")
    change = StateChange.objects.get()
    assert (change.from_state, change.to_state, change.by) == ("new", "published", actor)


def test_by_names_the_importing_account(tmp_path):
    editor = make_user("editor", username="desk")
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1)])
    run_import(path, by="desk")
    write_jsonl(path, [ninjs_story(1, headline="Wire story 1, corrected")])
    run_import(path, by="desk")
    assert list(Revision.objects.order_by("number").values_list("number", "by", "changed")) == [
        (1, editor.pk, list(bulk.REVISED)), (2, editor.pk, ["headline"])]
    assert not User.objects.filter(username=bulk.SYSTEM_ACTOR).exists()


def test_by_an_unknown_account_stops_before_reading_anything(tmp_path):
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1)]), by="nobody")
    assert result.returncode == 1
    assert "--by nobody: there is no account with that username" in result.stderr
    assert not Article.objects.exists()


def test_a_dry_run_writes_nothing_not_even_the_import_account(tmp_path):
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1)]), dry_run=True)
    assert "would have 1 created" in result.stdout
    assert not Article.objects.exists() and not User.objects.filter(username=bulk.SYSTEM_ACTOR).exists()
    assert search.search("wire").total == 0
