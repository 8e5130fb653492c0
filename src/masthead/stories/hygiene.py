"""Text that is not text is refused at the one entrance, naming the field, so nothing stored can break an output."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from masthead import characters

# Every field of a story a person or a source writes.
TEXT_FIELDS = ("kicker", "headline", "slug", "summary", "body", "source")


def problems(values: dict) -> dict[str, str]:
    """For each field whose text holds a character that is not text, a message saying which and where; empty when all is well."""
    found = {}
    for name, value in values.items():
        bad = characters.first_bad(value) if isinstance(value, str) else None
        if bad:
            found[name] = _("Contains a control character (%(where)s), which is not text; remove it and save again.") % {
                "where": bad}
    return found


def refuse_bad_text(values: dict) -> None:
    """Raise ValidationError, field by field, if any text value holds a character that is not text."""
    found = problems(values)
    if found:
        raise ValidationError(found)


def check_article(article, *, extra: dict | None = None) -> None:
    """Refuse ``article`` if any of its text fields (or the tag and author names in ``extra``) hold such a character."""
    refuse_bad_text({**{name: getattr(article, name) for name in TEXT_FIELDS}, **(extra or {})})
