"""One rule names a tag, for the newsroom form, the API and the demo loader alike."""

import pytest

from masthead.news import tagging
from masthead.news.models import Tag

pytestmark = pytest.mark.django_db


def test_a_name_finds_its_tag_in_any_case_or_by_slug_and_makes_it_only_when_missing():
    iran = Tag.objects.create(name="Iran", slug="iran")
    assert tagging.tag_named(name="  IRAN ") == iran
    foreign = Tag.objects.create(name="Foreign policy", slug="foreign-policy")
    assert tagging.tag_named(name="foreign-policy") == foreign  # the same slug is the same tag
    made = tagging.tag_named(name="Oil")
    assert (made.name, made.slug) == ("Oil", "oil") and Tag.objects.count() == 3


def test_a_list_of_names_gives_each_tag_once_in_order():
    tags = tagging.tags_named(names=["Oil", "Iran", "oil", " ", "IRAN"])
    assert [t.name for t in tags] == ["Oil", "Iran"]


def test_a_long_name_is_cut_to_what_a_tag_holds_and_found_again():
    long = "x" * 100
    first = tagging.tag_named(name=long)
    assert first.name == "x" * 80 and tagging.tag_named(name=long) == first
