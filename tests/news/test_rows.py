import pytest
from django.db.models.signals import post_init

from masthead.media.models import Image
from masthead.news import rows
from masthead.news.models import Article, Author
from tests.media.factories import make_image
from tests.news.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def test_rows_convert_values_as_the_orm_does():
    """Aware datetimes, decoded JSON and the rest: the same instance the ORM builds."""
    story = make_article(kicker="Tehran talks")
    columns = [f.column for f in Article._meta.concrete_fields]
    (found,) = rows.fetch(Article, f'SELECT {", ".join(columns)} FROM "news_article" WHERE "id" = %s', [story.pk])
    expected = Article.objects.get(pk=story.pk)
    assert {c: getattr(found, c) for c in columns} == {c: getattr(expected, c) for c in columns}
    assert found.published_at.tzinfo is not None and isinstance(found.related_ids, list)
    assert found._state.adding is False and found._state.db == "default"


def test_columns_left_out_are_deferred_and_extras_become_attributes():
    story = make_article(body="First paragraph.")
    (found,) = rows.fetch(Article, 'SELECT "id", "headline", 42 AS "answer" FROM "news_article" WHERE "id" = %s', [story.pk])
    assert found.headline == story.headline and found.answer == 42
    assert "body" in found.get_deferred_fields()
    assert found.body == "First paragraph."  # read when asked for, as with a deferred field


def test_no_rows_and_rows_without_a_key():
    assert rows.fetch(Article, 'SELECT "id" FROM "news_article" WHERE "id" = %s', [999_999]) == []
    make_article()
    with pytest.raises(ValueError, match="Article rows need the primary key column 'id'"):
        rows.fetch(Article, 'SELECT "headline" FROM "news_article"')


def _from_db(model, pk, names):
    """The instance the ORM's own from_db builds from the row's values, converted as the ORM converts them."""
    values = model.objects.filter(pk=pk).values_list(*names).get()
    return model.from_db("default", names, list(values))


@pytest.mark.parametrize("model, columns", [
    (Article, None),  # every field, the foreign keys and the JSON list included
    (Article, ["id", "headline", "published_at", "section_id", "lead_image_id"]),  # the rest deferred
    (Image, None),  # a file field, whose descriptor intercepts assignment
])
def test_instances_hold_what_from_db_gives_them(model, columns):
    """An instance built from a row has the same dictionary, state and deferred fields as Model.from_db's."""
    story = make_article(lead_image=make_image(caption="Azadi Tower."))
    obj = story if model is Article else story.lead_image
    fields = [f for f in model._meta.concrete_fields if columns is None or f.attname in columns]
    table = rows.table(model)
    (found,) = rows.fetch(model, f'SELECT {", ".join(f.column for f in fields)} FROM {table} WHERE "id" = %s', [obj.pk])
    expected = _from_db(model, obj.pk, [f.attname for f in fields])
    assert found.__dict__.keys() - {"_state"} == expected.__dict__.keys() - {"_state"}
    assert {k: v for k, v in found.__dict__.items() if k != "_state"} == {k: v for k, v in expected.__dict__.items() if k != "_state"}
    assert (found._state.adding, found._state.db) == (expected._state.adding, expected._state.db) == (False, "default")
    assert found.get_deferred_fields() == expected.get_deferred_fields()
    if model is Image:
        assert found.file.name == obj.file.name and found.file.url == obj.file.url


def test_instances_are_built_by_from_db_while_someone_listens_for_them():
    """A receiver of post_init (an app that tracks loaded instances) sees the rows' instances too."""
    story = make_article()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Article)
    try:
        (found,) = rows.fetch(Article, 'SELECT "id", "headline" FROM "news_article" WHERE "id" = %s', [story.pk])
    finally:
        post_init.disconnect(receiver, sender=Article)
    assert seen == [found] and seen[0] is found
    (again,) = rows.fetch(Article, 'SELECT "id", "headline" FROM "news_article" WHERE "id" = %s', [story.pk])
    assert seen == [found]  # no receiver now: built without the signal


def test_an_instance_from_values_read_by_hand_is_from_db_s():
    """rows.instance (the story page's authors and tags) gives what from_db gives for the same values."""
    author = make_author(name="Sara Karimi")
    names = ["id", "name", "slug"]
    values = [author.pk, "Sara Karimi", author.slug]
    found, expected = rows.instance(Author, "default", names, values), Author.from_db("default", names, values)
    assert found.__dict__.keys() == expected.__dict__.keys()
    assert [getattr(found, n) for n in names] == [getattr(expected, n) for n in names] == values
    assert found.get_deferred_fields() == expected.get_deferred_fields() != set()
    assert (found._state.adding, found._state.db) == (False, "default")
