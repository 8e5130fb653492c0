"""Rows the product would never write (a restore gone wrong, a hand-edited database) cost readers and
editors the one story, never the page: the home page, lists, the desk and the newsroom list still answer."""

import contextlib

import pytest
from django.db import connection

from masthead.news.models import Article
from tests.media.factories import make_image
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def _without_key_checks():
    """Write past the database's foreign keys, as a raw restore or a hand edit can."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            try:
                yield cursor
            finally:
                cursor.execute("PRAGMA foreign_keys = ON")
        else:
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def newsroom(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chief", password="a-long-test-password-1"))
    return client


@pytest.fixture
def bad_rows(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    section = make_section(name="Sport")
    stories = {name: make_article(headline=f"The {name} story", section=section, lead_image=make_image())
               for name in ("lost picture", "lost section", "odd related", "good")}
    table = connection.ops.quote_name(Article._meta.db_table)
    with _without_key_checks() as cursor:
        cursor.execute(f"UPDATE {table} SET lead_image_id = 999999 WHERE id = %s", [stories["lost picture"].pk])
        cursor.execute(f"UPDATE {table} SET section_id = 999999 WHERE id = %s", [stories["lost section"].pk])
    Article.objects.filter(pk=stories["odd related"].pk).update(
        related_ids=["x", None, {"id": 1}, True, stories["good"].pk, stories["lost section"].pk])
    return section, stories


def test_reader_pages_answer_around_bad_rows(client, bad_rows):
    section, stories = bad_rows
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert "The lost picture story" in page and "The good story" in page
    assert "The lost section story" not in page, "a story without its section is left out of the lists"
    assert client.get(section.get_absolute_url()).status_code == 200
    lost_picture = client.get(stories["lost picture"].get_absolute_url())
    assert lost_picture.status_code == 200 and b"<img" not in lost_picture.content.split(b'class="story-body')[0]
    assert client.get(stories["lost section"].get_absolute_url()).status_code == 404
    related = client.get(stories["odd related"].get_absolute_url())
    assert related.status_code == 200
    assert "The good story" in related.content.decode() and "The lost section story" not in related.content.decode()
    published = stories["good"].published_at
    assert client.get(f"/archive/{published:%Y}/{published:%m}/").status_code == 200


def test_the_desk_and_the_newsroom_list_answer_around_bad_rows(newsroom, bad_rows):
    assert newsroom.get("/newsroom/").status_code == 200
    listing = newsroom.get("/newsroom/news/article/")
    assert listing.status_code == 200 and "The good story" in listing.content.decode()


@pytest.mark.sqlite_only
def test_a_time_sqlite_cannot_read_costs_the_desk_nothing(newsroom, bad_rows):
    """SQLite keeps any text in a time column; Django reads one it cannot parse as no time at all."""
    _, stories = bad_rows
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET published_at = 'not a date' WHERE id = %s", [stories["good"].pk])
    assert newsroom.get("/newsroom/").status_code == 200
    assert newsroom.get("/newsroom/news/article/").status_code == 200
    assert newsroom.get(f"/newsroom/news/article/{stories['good'].pk}/change/").status_code == 200
    assert newsroom.get("/").status_code == 200
