"""The one rule for naming a tag: a name finds the tag of the same name (any case) or slug, or makes it."""

from django.db.models import Q
from django.utils.text import slugify

from masthead.news.models import Tag

NAME_LENGTH = Tag._meta.get_field("name").max_length


def tag_named(*, name: str) -> Tag:
    """The tag called ``name`` (trimmed to what a tag holds), matched by name in any case or by slug; made if none."""
    name = name.strip()[:NAME_LENGTH]
    slug = slugify(name, allow_unicode=True)[:NAME_LENGTH]
    found = Tag.objects.filter(Q(name__iexact=name) | Q(slug=slug) if slug else Q(name__iexact=name)).order_by("pk").first()
    return found or Tag.objects.create(name=name, slug=slug)


def tags_named(*, names: list[str]) -> list[Tag]:
    """``tag_named`` for each name, in order, each tag once."""
    return list({tag.pk: tag for tag in (tag_named(name=name) for name in names if name.strip())}.values())
