import pytest
from django.urls import NoReverseMatch, reverse

from masthead.news.addresses import address


@pytest.mark.parametrize("viewname, args", [
    ("news:home", ()),
    ("news:article", (302104, "leave-the-region-iran-fm-tells-foreign-powers")),
    ("news:article", (302105, "دیدار-ظریف-و-الاعرجی")),
    ("news:print", (7, "a-b_c")),
    ("news:tag", ("دیپلماسی",)),
    ("news:section", ("politics",)),
    ("news:archive-year", (2021,)),
    ("comments:reply", (302104, 12)),
])
def test_an_address_is_what_reverse_gives(viewname, args):
    assert address(viewname, *args) == reverse(viewname, args=args)
    assert address(viewname, *args) == address(viewname, *args)  # and the same when remembered


def test_an_address_follows_the_script_prefix(settings):
    from django.urls import set_script_prefix

    try:
        set_script_prefix("/paper/")
        assert address("news:article", 302104, "a-story") == "/paper/news/302104/a-story/"
    finally:
        set_script_prefix("/")
    assert address("news:article", 302104, "a-story") == "/news/302104/a-story/"


@pytest.mark.parametrize("viewname, args", [
    ("news:article", (302104, "not/a/slug")),
    ("news:article", (302104, "with space")),
    ("news:article", ("302104x", "story")),
    ("news:section", ("سیاست",)),  # section slugs are ASCII
])
def test_an_argument_the_pattern_refuses_is_refused(viewname, args):
    with pytest.raises(NoReverseMatch):
        address(viewname, *args)
