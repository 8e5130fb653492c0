"""Rebuilding the search index and the headline words on PostgreSQL: beside the tables in use, swapped in at the end.

Every change during a rebuild comes from another connection (a thread), as from another request,
which waits at most two seconds for a lock: a rebuild that held the tables would fail these tests.
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from masthead import search, shadowtables
from masthead.news.models import Article, HeadlineWord
from masthead.stories import bulk, changes
from tests.ingest.factories import ninjs_story, run_import, write_jsonl
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own tables")]

TABLES = ("search_document", "search_text", "news_headlineword")


def elsewhere(work):
    """What ``work`` returns, run on a connection of its own that waits at most 2 s for a lock."""
    result = {}

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            result["value"] = work()
        except BaseException as error:  # raised again in the test's thread
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def found(text: str) -> list[int]:
    return [hit.article.pk for hit in search.search(text, order="newest").hits]


def headlines_holding(word: str) -> list[int]:
    return sorted(HeadlineWord.matching(word).values_list("article_id", flat=True))


def layout() -> dict:
    """The tables' indexes and constraints by name, with their definitions, and what rebuilds may leave behind."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
                       [list(TABLES)])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                       "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2", [list(TABLES)])
        constraints = cursor.fetchall()
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE '%%\\_\\_next%%' OR relname LIKE '%%\\_\\_noted'")
        leftovers = cursor.fetchall()
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE '%%\\_\\_note'")
        leftovers += cursor.fetchall()
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid::regclass::text = ANY(%s) AND NOT tgisinternal",
                       [list(TABLES)])
        triggers = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence('news_headlineword', 'id')")
        sequence = cursor.fetchone()[0]
    return {"indexes": indexes, "constraints": constraints, "leftovers": leftovers, "triggers": triggers,
            "sequence": sequence}


def test_searches_and_saves_go_on_during_a_rebuild_and_its_index_holds_what_they_wrote():
    truce = make_article(headline="Ceasefire agreed")
    withdrawn = make_article(headline="Harvest report")
    deleted = make_article(headline="Drought warning")
    before = layout()
    seen = {}

    def meanwhile(done: int) -> None:
        if seen:
            return
        seen["searched"] = elsewhere(lambda: found("ceasefire"))  # the index in use answers
        elsewhere(lambda: changes.edit(truce.pk, by=SYSTEM, values={"headline": "Truce agreed"}))
        elsewhere(lambda: changes.unpublish(withdrawn.pk, by=SYSTEM))
        elsewhere(lambda: Article.objects.get(pk=deleted.pk).delete())
        seen["new"] = elsewhere(lambda: make_article(headline="Locust swarm")).pk
        seen["during"] = elsewhere(lambda: (found("truce"), found("drought")))  # the saves reached the index in use

    assert search.rebuild(progress=meanwhile) == 3  # the stories it read, before the changes
    assert seen["searched"] == [truce.pk] and seen["during"] == ([truce.pk], [])
    assert found("truce") == [truce.pk] and found("ceasefire") == []
    assert found("harvest") == [] and found("drought") == []
    assert found("locust") == [seen["new"]]
    assert layout() == before
    assert before["leftovers"] == [] and before["triggers"] == []


def test_the_newsroom_s_headline_words_are_rebuilt_the_same_way():
    story = make_article(headline="Ceasefire agreed")
    gone = make_article(headline="Drought warning")
    before = layout()
    seen = {}

    def meanwhile(done: int) -> None:
        if not seen:
            elsewhere(lambda: changes.edit(story.pk, by=SYSTEM, values={"headline": "Truce agreed"}))
            elsewhere(lambda: Article.objects.get(pk=gone.pk).delete())
            seen["new"] = elsewhere(lambda: make_article(headline="Locust swarm")).pk
            seen["newsroom"] = elsewhere(lambda: headlines_holding("truce"))

    bulk.rebuild_headline_words(progress=meanwhile)
    assert seen["newsroom"] == [story.pk]
    assert headlines_holding("truce") == [story.pk] and headlines_holding("ceasefire") == []
    assert headlines_holding("drought") == [] and headlines_holding("locust") == [seen["new"]]
    # The same indexes and keys under the same names, the story key checked again, the ids' sequence kept going.
    assert layout() == before
    later = make_article(headline="Truce holds")
    assert headlines_holding("truce") == [story.pk, later.pk]


@pytest.mark.parametrize("rebuild, finding", [(search.rebuild, found), (bulk.rebuild_headline_words, headlines_holding)],
                         ids=["search index", "headline words"])
def test_an_import_during_a_rebuild_is_in_what_the_rebuild_makes(tmp_path, rebuild, finding):
    """``masthead import`` writes through the bulk path (many rows at once, headline words by ``COPY``),
    not the story service: what it writes to the tables in use during a rebuild reaches the new ones."""
    assert run_import(write_jsonl(tmp_path / "first.jsonl", [ninjs_story(1, headline="Harvest report")])).returncode == 0
    corrected = write_jsonl(tmp_path / "second.jsonl", [ninjs_story(1, headline="Locust swarm reaches the coast"),
                                                       ninjs_story(2, headline="Ceasefire holds")])
    ran = {}

    def meanwhile(done: int) -> None:
        if not ran:
            ran["import"] = elsewhere(lambda: run_import(corrected))
            ran["during"] = elsewhere(lambda: (finding("locust"), finding("ceasefire")))

    rebuild(progress=meanwhile)
    assert ran["import"].returncode == 0 and "1 created, 1 updated" in ran["import"].stdout
    changed, new = Article.objects.get(headline__startswith="Locust"), Article.objects.get(headline="Ceasefire holds")
    assert ran["during"] == ([changed.pk], [new.pk])  # written to the tables in use
    assert finding("locust") == [changed.pk] and finding("ceasefire") == [new.pk] and finding("harvest") == []
    assert layout()["leftovers"] == [] and layout()["triggers"] == []


def test_a_save_holding_its_story_when_the_swap_comes_is_waited_for_not_broken():
    """A save locks its story's row, then writes the story's headline words; dropping the old words'
    table locks the stories' table whole (its key refers to it). The swap takes that lock first, and
    lets go and tries again while the save holds the story, so neither waits on the other for ever."""
    story = make_article(headline="Ceasefire agreed")
    holding, saved = threading.Event(), {}

    def save():
        try:
            with transaction.atomic():
                article = Article.objects.select_for_update().get(pk=story.pk)
                holding.set()
                time.sleep(0.6)  # the swap comes meanwhile
                Article.objects.filter(pk=story.pk).update(headline="Truce agreed")
                article.refresh_from_db()
                HeadlineWord.index(article)
            saved["ok"] = True
        except BaseException as error:
            saved["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=save)

    def meanwhile(done: int) -> None:
        if not thread.is_alive() and not saved:
            thread.start()
            holding.wait()

    bulk.rebuild_headline_words(progress=meanwhile)
    thread.join()
    assert saved == {"ok": True}
    assert headlines_holding("truce") == [story.pk] and headlines_holding("ceasefire") == []


def test_a_rebuild_that_fails_leaves_the_index_in_use_as_it_was():
    story = make_article(headline="Ceasefire agreed")
    before = layout()

    def fail(done: int) -> None:
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="the disk is full"):
        search.rebuild(progress=fail)
    assert layout() == before
    assert found("ceasefire") == [story.pk]
    elsewhere(lambda: changes.edit(story.pk, by=SYSTEM, values={"headline": "Truce agreed"}))
    assert found("truce") == [story.pk]


def test_what_a_killed_rebuild_left_is_removed_by_the_next():
    story = make_article(headline="Ceasefire agreed")
    before = layout()
    with connection.cursor() as cursor:  # a rebuild killed while filling: its shadows, and its triggers on the tables in use
        for table in ("search_document", "search_text"):
            shadowtables._begin(cursor, table)
    changes.edit(story.pk, by=SYSTEM, values={"headline": "Truce agreed"})
    assert layout()["leftovers"] != []
    call_command("rebuild_search_index", verbosity=0)
    assert layout() == before
    assert found("truce") == [story.pk]


def test_two_rebuilds_never_run_at_once():
    make_article(headline="Ceasefire agreed")
    refused = []

    def meanwhile(done: int) -> None:
        try:
            elsewhere(search.rebuild)
        except shadowtables.RebuildRunning as error:
            refused.append(str(error))

    search.rebuild(progress=meanwhile)
    assert refused == ["Another rebuild of search_document, search_text is running; wait for it to end, then try again."]
    assert search.rebuild() == 1  # the lock was let go
