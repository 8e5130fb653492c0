"""The contract every search backend keeps, run against the backend of the database under test.

``make test`` runs the suite on SQLite and again on PostgreSQL, so both backends pass these same
tests and cannot drift apart.
"""

from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead import search
from masthead.stories import changes
from masthead.news.models import Article
from masthead.search.backends import sqlite as sqlite_backend
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.stories.factories import SYSTEM


def found(text, **options) -> list[int]:
    return [hit.article.pk for hit in search.search(text, **options).hits]


class BackendContract:
    """Tests any backend must pass; ``engine`` is the backend under test."""

    @pytest.fixture
    def engine(self):
        return search.backend()

    @pytest.mark.parametrize("field,value,query", [
        ("headline", "Zarif meets al-Araji in Tehran", "Tehran"),
        ("kicker", "Diplomacy", "diplomacy"),
        ("summary", "Talks on regional security.", "regional"),
        ("body", "He said *foreign* forces must [leave](https://example.org/) the **region**.", "leave region"),
    ])
    def test_finds_words_in_each_field(self, field, value, query):
        story = make_article(**{field: value})
        make_article(headline="Unrelated story")
        assert found(query) == [story.pk]

    def test_finds_tags_and_authors(self):
        story = make_article(tags=[make_tag(name="Foreign policy")], authors=[make_author(name="Sara Karimi")])
        assert found("karimi") == [story.pk]
        assert found('"foreign policy"') == [story.pk]

    def test_body_markup_is_not_indexed(self):
        """Tag names and attributes of the body's HTML are not words of the story."""
        make_article(body="A [link](https://example.org/strong) and **bold** text.")
        assert found("href") == [] and found("strong") == [] and found("https") == []
        assert len(found("bold")) == 1

    def test_headline_matches_rank_above_body_matches(self):
        body_only = make_article(headline="Weekly roundup", body="Sanctions were discussed at length. " * 3,
                                 published_at=timezone.now() - timedelta(minutes=5))
        in_headline = make_article(headline="Sanctions eased", body="Officials met.",
                                   published_at=timezone.now() - timedelta(days=3))
        assert found("sanctions") == [in_headline.pk, body_only.pk]

    def test_standfirst_matches_rank_above_body_matches(self):
        body_only = make_article(headline="Weekly roundup", summary="What happened this week.",
                                 body="Sanctions were discussed at length.", published_at=timezone.now() - timedelta(minutes=5))
        in_summary = make_article(headline="Talks in Vienna", summary="Sanctions may ease.", body="Officials met.",
                                  published_at=timezone.now() - timedelta(days=3))
        assert found("sanctions") == [in_summary.pk, body_only.pk]

    def test_a_page_of_results_costs_the_same_queries_whatever_its_size(self):
        """Nothing about a hit (its visibility, its section) is read one story at a time."""
        make_article(headline="Harvest report")
        with CaptureQueriesContext(connection) as one:
            assert len(search.search("harvest").hits) == 1
        for n in range(5):
            make_article(headline=f"Harvest report {n}")
        with CaptureQueriesContext(connection) as six:
            assert len(search.search("harvest").hits) == 6
        assert len(six.captured_queries) == len(one.captured_queries)

    def test_a_headline_holding_one_of_two_words_ranks_above_a_body_holding_both(self):
        body_only = make_article(headline="Weekly roundup", body="Sanctions on Iran were discussed.",
                                 published_at=timezone.now() - timedelta(minutes=5))
        in_headline = make_article(headline="Sanctions eased", body="Iran welcomed the news.",
                                   published_at=timezone.now() - timedelta(days=3))
        assert found("iran sanctions") == [in_headline.pk, body_only.pk]

    def test_newest_first_sorts_by_date(self):
        old = make_article(headline="Sanctions eased", published_at=timezone.now() - timedelta(days=3))
        new = make_article(headline="Roundup", body="Sanctions again.", published_at=timezone.now() - timedelta(hours=2))
        assert found("sanctions", order="newest") == [new.pk, old.pk]

    def test_filters_by_section_and_date_range(self):
        politics, sport = make_section(), make_section()
        day = datetime(2021, 4, 12, 23, 59, tzinfo=dt_timezone.utc)
        a = make_article(headline="Derby result", section=sport, published_at=day)
        b = make_article(headline="Derby politics", section=politics, published_at=day - timedelta(days=1))
        c = make_article(headline="Derby preview", section=sport, published_at=day + timedelta(days=1))
        assert set(found("derby")) == {a.pk, b.pk, c.pk}
        assert set(found("derby", section=sport)) == {a.pk, c.pk}
        assert found("derby", since=date(2021, 4, 12), until=date(2021, 4, 12)) == [a.pk]
        assert set(found("derby", since=date(2021, 4, 12))) == {a.pk, c.pk}
        assert set(found("derby", until=date(2021, 4, 12))) == {a.pk, b.pk}

    def test_filters_by_edition(self):
        """Each edition's search finds its own stories; without an edition, every story matches."""
        english = make_article(headline="Budget for 1400 passes", language="en")
        persian = make_article(headline="بودجه ۱۴۰۰ تصویب شد", language="fa")
        assert found("1400", language="en") == [english.pk]
        assert found("1400", language="fa") == [persian.pk]
        assert found("۱۴۰۰", language="fa") == [persian.pk]
        assert set(found("1400")) == {english.pk, persian.pk}
        assert search.search("1400", language="fa").total == 1

    def test_a_story_moved_to_the_other_edition_is_found_there(self):
        story = make_article(headline="Tehran marathon", language="en")
        changes.edit(story, by=SYSTEM, values={"language": "fa"})
        assert found("marathon", language="en") == []
        assert found("marathon", language="fa") == [story.pk]

    def test_phrases_match_words_in_order_only(self):
        phrase = make_article(body="Zarif said foreign forces must leave the region.")
        make_article(body="Forces from abroad; foreign ministers met.")
        assert found('"foreign forces must leave"') == [phrase.pk]
        assert len(found("foreign forces")) == 2

    def test_phrases_do_not_run_from_one_field_into_the_next(self):
        make_article(headline="Talks on security", summary="Council meets", body="Nothing else.")
        assert found('"security council"') == []

    def test_word_beginnings_match(self):
        story = make_article(body="The negotiations resumed in Vienna.")
        assert found("negotia*") == [story.pk]
        assert found("negotia") == []
        assert found('"negotiations resu*"') == [story.pk]

    def test_persian_query_finds_persian_story(self):
        story = make_article(language="fa", headline="ظریف: نیروهای خارجی باید منطقه را ترک کنند",
                             body="وزیر امور خارجه در دیدار با مشاور امنیت ملی عراق گفت کشورهای منطقه می‌توانند امنیت را تأمین کنند.")
        make_article(headline="Foreign forces must leave")
        assert found("ظریف") == [story.pk]
        assert found('"نیروهای خارجی"') == [story.pk]
        assert found("عراق") == [story.pk]
        assert found("امني*") == [story.pk]
        # Typed on an Arabic keyboard: Arabic yeh (ي) instead of Persian yeh (ی).
        assert found("خارجي") == [story.pk]

    def test_persian_spellings_of_one_word_find_each_other(self):
        """The non-joiner, a space or nothing between a Persian word and its prefix or suffix, Arabic
        yeh and kaf, tatweel, short vowels and Persian, Arabic-Indic or Latin digits: all match alike."""
        story = make_article(language="fa", headline="کاروان صلح در سال ۱۴۰۰ به کابل می‌رود",
                             body="نمایندگان کشورهای همسایه گفتند گفت‌وگوها بزرگ‌ترین فرصت برای صلح است. "
                                  "بیکاری در شهرهای مرزی کاهش یافته است.")
        make_article(headline="The peace convoy goes to Kabul in 2021")
        for query in ["می‌رود", "میرود", "می رود", "مي رود", "1400", "١٤٠٠", "۱۴۰۰", "کشور های",
                      "کشورهای", "بزرگترین", "بزرگ ترین", "گفتوگوها", "بی کاری", "بیـــکاری", "صُلح", "كاروان"]:
            assert found(query) == [story.pk], query
        assert found('"به کابل می رود"') == [story.pk]

    def test_case_and_latin_accents_do_not_matter(self):
        story = make_article(headline="Café owners in MÜNCHEN protest")
        assert found("cafe munchen") == [story.pk]
        assert found("CAFÉ") == [story.pk]

    @pytest.mark.parametrize("text", ["", "   ", "!!!", '"', '""', "*", "-", "()", "NEAR(a b)", "iran OR", "AND",
                                      "headline:iran", "^iran", '"iran', "iran*" * 50, "x" * 100_000,
                                      "'; DROP TABLE news_article; --", "\x00", "\ue000iran\ue001", "🙂", "a" * 3000])
    def test_any_input_answers_without_error(self, text):
        make_article(headline="Iran and Iraq")
        results = search.search(text)
        assert results.total == len(results.hits) <= search.PAGE_SIZE

    def test_only_visible_stories_are_found(self):
        visible = make_article(headline="Budget vote")
        make_article(headline="Budget draft", status=Article.Status.DRAFT, published_at=None)
        make_article(headline="Budget review", status=Article.Status.REVIEW, published_at=None)
        make_article(headline="Budget withdrawn", status=Article.Status.UNPUBLISHED)
        assert found("budget") == [visible.pk]

    def test_a_scheduled_story_is_found_from_its_time_not_before(self, engine):
        """Visibility is decided when the query runs, not when the story was indexed."""
        at = timezone.now() + timedelta(hours=2)
        scheduled = make_article(headline="Election results", published_at=at)
        assert scheduled.pk in engine.texts([scheduled.pk])  # indexed already
        assert found("election") == []
        assert found("election", at=at - timedelta(seconds=1)) == []
        assert found("election", at=at) == [scheduled.pk]

    def test_stories_shown_are_read_through_visible(self):
        """Even when the index is behind (a story changed around the story service), nothing invisible is shown."""
        story = make_article(headline="Ceasefire agreed")
        Article.objects.filter(pk=story.pk).update(status=Article.Status.UNPUBLISHED)
        assert found("ceasefire") == []

    def test_publish_and_unpublish_are_reflected_at_once(self):
        story = make_article(headline="Ceasefire agreed", status=Article.Status.DRAFT, published_at=None)
        assert found("ceasefire") == []
        story = changes.publish(story, by=SYSTEM)
        assert found("ceasefire") == [story.pk]
        story = changes.unpublish(story, by=SYSTEM)
        assert found("ceasefire") == []

    def test_edits_to_text_tags_and_authors_are_reflected(self):
        story = make_article(headline="Ceasefire agreed", tags=[make_tag(name="Yemen")])
        changes.edit(story, by=SYSTEM, values={"headline": "Truce agreed"}, tags=[make_tag(name="Sudan")],
                     authors=[make_author(name="Reza Tehrani")])
        assert found("ceasefire") == [] and found("yemen") == []
        assert found("truce") == found("sudan") == found("tehrani") == [story.pk]

    def test_a_failed_save_leaves_the_index_as_it_was(self):
        """The index is written in the story's transaction: a rollback undoes both."""
        story = make_article(headline="Ceasefire agreed")
        with pytest.raises(Exception, match="no_such_tag"):
            from django.db import transaction

            with transaction.atomic():
                changes.edit(story, by=SYSTEM, values={"headline": "Truce agreed"})
                raise RuntimeError("no_such_tag: the edit fails after the save")
        assert found("ceasefire") == [story.pk] and found("truce") == []

    def test_deleting_a_story_removes_it_from_the_index(self, engine):
        story = make_article(headline="Ceasefire agreed")
        story.delete()
        assert engine.texts([story.pk]) == {}

    def test_pages_of_results(self, settings):
        stories = [make_article(headline=f"Harvest report {n}", published_at=timezone.now() - timedelta(hours=n + 1))
                   for n in range(search.PAGE_SIZE + 3)]
        first = search.search("harvest", order="newest")
        second = search.search("harvest", order="newest", page=2)
        assert first.total == second.total == len(stories)
        assert [h.article.pk for h in first.hits + second.hits] == [s.pk for s in stories]
        assert first.has_next and not first.has_previous
        assert not second.has_next and second.has_previous and second.start == search.PAGE_SIZE + 1
        assert search.search("harvest", page=3).hits == []
        beyond = search.search("harvest", page=search.MAX_RESULTS // search.PAGE_SIZE + 1)
        assert beyond.hits == [] and not beyond.has_next

    def test_snippets_are_escaped_and_marked(self):
        make_article(body="Talks between Iran & Iraq on <script>alert(1)</script> resumed.")
        hit = search.search("iraq").hits[0]
        assert "<mark>Iraq</mark>" in hit.snippet
        assert "<script>" not in hit.snippet and "&amp;" in hit.snippet

    def test_rebuild_indexes_stories_saved_around_the_story_service(self, engine):
        section = make_section()
        story = make_article(headline="Ceasefire agreed", section=section)
        Article.objects.filter(pk=story.pk).update(headline="Truce agreed")
        bulk = Article.objects.create(headline="Harvest report", section=section, status=Article.Status.PUBLISHED,
                                      published_at=timezone.now() - timedelta(hours=1))
        assert found("harvest") == [] and found("truce") == []
        assert search.rebuild() == 2
        assert found("harvest") == [bulk.pk] and found("truce") == [story.pk] and found("ceasefire") == []

    def test_rebuild_keeps_each_story_in_its_edition(self, engine):
        persian = make_article(headline="بازار تهران", language="fa")
        english = make_article(headline="Tehran bazaar", language="en")
        search.rebuild()
        assert found("تهران", language="fa") == [persian.pk] and found("tehran", language="en") == [english.pk]
        assert found("tehran", language="fa") == []

    def test_a_rebuild_in_many_batches_finds_what_the_stories_own_saves_indexed(self, engine):
        """Batches made ahead in the rebuild's second process are written in order, none lost or twice, with the
        index built after them: every search finds the same stories, in the same order, before and after."""
        tag, author = make_tag(name="Oil"), make_author(name="Sara Karimi")
        for n in range(7):
            make_article(headline=f"Oil exports round {n}", summary=f"Talks in Vienna, day {n}.",
                         tags=[tag] if n % 2 else [], authors=[author] if n % 3 else [])
        make_article(headline="Draft on oil", status=Article.Status.DRAFT, published_at=None)
        queries = ["oil", "vienna", "karimi", "round 3", "expor", "oil talks"]
        saved = {(q, order): found(q, order=order) for q in queries for order in search.ORDERS}
        assert engine.rebuild(batch=2) == 7
        assert {(q, order): found(q, order=order) for q in queries for order in search.ORDERS} == saved
        assert len(saved["oil", "relevance"]) == 7 and saved["karimi", "newest"] != []


@pytest.mark.django_db
class TestActiveBackend(BackendContract):
    def test_the_backend_follows_the_database(self, engine):
        assert type(engine).__module__ == f"masthead.search.backends.{connection.vendor}"


def test_a_sqlite_without_fts5_is_refused_with_the_fix():
    """The probe's failure becomes a message that says what to do."""
    class NoFts5:
        def execute(self, sql):
            import sqlite3

            raise sqlite3.OperationalError("no such module: fts5")

    with pytest.raises(ImproperlyConfigured, match=r"lacks it: no such module: fts5\. Use a Python built against a SQLite "
                                                   r"with FTS5 .* or set MASTHEAD_DATABASE_URL to a PostgreSQL database"):
        sqlite_backend.require_fts5(NoFts5())


def test_this_sqlite_has_fts5():
    import sqlite3

    sqlite_backend.require_fts5(sqlite3.connect(":memory:").cursor())


@pytest.mark.django_db
def test_the_database_check_passes_here():
    from masthead.search.apps import fts5_check

    assert fts5_check(databases=["default"]) == []
