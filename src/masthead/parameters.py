"""Every number, date and cursor that a URL, a query string or a form carries is read here.

Python's ``str.isdigit()`` is true for ``²`` and ``٣``, which ``int()`` then refuses; ``int()``
refuses more than 4,300 digits (CVE-2020-10735); and a number the database cannot hold
(above 2**63 - 1) raises OverflowError inside the query. Each of these was a 500. Read here,
a bad value is a ``BadParameter`` naming the parameter, which a page answers with 404 and the
API with a 400 in JSON.
"""

import re
from datetime import date, datetime, timedelta, timezone

from django.urls import register_converter

# Ids are BigAutoField: a signed 64-bit integer on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1
# ASCII digits only, and no more than a 64-bit integer has: int() never sees anything else.
_DIGITS = re.compile(r"[0-9]{1,19}")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# ``<microseconds since 1970>.<id>``; 18 digits keep the id inside MAX_ID.
CURSOR_PATTERN = r"^-?[0-9]{1,18}\.[0-9]{1,18}$"
MICROSECOND = timedelta(microseconds=1)
# A story's time is written RFC 3339 with a year from 1900 to 2099: year 366 made /archive/366/,
# and the API's OpenAPI document states the same bound as this pattern.
STORY_TIME_PATTERN = r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"


class BadParameter(ValueError):
    """A value that is not what its parameter takes; ``name`` says which parameter."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


def _shown(raw: str) -> str:
    # A 4,301-digit value is not worth echoing in full.
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def whole_number(raw: str, *, name: str, low: int = 0, high: int = MAX_ID) -> int:
    """``raw`` as an int from ``low`` to ``high``; BadParameter otherwise."""
    text = raw.strip()
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise BadParameter(name, f"must be a whole number from {low} to {high}, not {_shown(raw)}")
    return int(text)


def database_id(raw: str, *, name: str) -> int:
    """``raw`` as the id of a row: 1 to the largest id the database holds."""
    return whole_number(raw, name=name, low=1)


def cursor(moment: datetime, pk: int) -> str:
    """``<microseconds since 1970>.<id>``: where a keyset page continues."""
    # Whole microseconds by integer arithmetic: a float timestamp can be a microsecond off,
    # which would skip or repeat a story at a page boundary.
    return f"{(moment - EPOCH) // MICROSECOND}.{pk}"


def read_cursor(raw: str, *, name: str) -> tuple[datetime, int]:
    """The time and id of a ``cursor()``; BadParameter if ``raw`` is not one.

    Any cursor of the documented shape is read (a time past the calendar's ends is taken as that
    end), so an API client's hand-made cursor gets a page, perhaps empty, not an error.
    """
    if not re.fullmatch(CURSOR_PATTERN, raw):
        raise BadParameter(name, f"{_shown(raw)} is not a cursor from this site's own 'next' link")
    micros, _, pk = raw.partition(".")
    try:
        moment = EPOCH + int(micros) * MICROSECOND
    except OverflowError:
        moment = datetime.min.replace(tzinfo=timezone.utc) if micros.startswith("-") else datetime.max.replace(tzinfo=timezone.utc)
    return moment, int(pk)


def moment(raw: str, *, name: str) -> datetime:
    """An ISO 8601 time with a zone (``2021-04-12T05:35:00Z``), as aware UTC; BadParameter otherwise."""
    # An unencoded "+04:30" in a query string arrives as " 04:30". RFC 3339 allows a lower-case
    # t and z and any number of fraction digits, which Python reads only in upper case and to six.
    text = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw.strip()).upper()
    text = re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", text)
    try:
        if not text.isascii():
            raise ValueError
        found = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{_shown(raw)} is not an ISO 8601 time like 2021-04-12T05:35:00Z") from None
    if found.tzinfo is None:
        raise BadParameter(name, f"{_shown(raw)} has no time zone; end it with Z for UTC")
    try:
        return found.astimezone(timezone.utc)
    except OverflowError:
        raise BadParameter(name, f"{_shown(raw)} is outside the years 1 to 9999 in UTC") from None


def story_time(raw: str, *, name: str) -> datetime:
    """A publication time: an RFC 3339 ``moment()`` written with a year from 1900 to 2099."""
    if not re.fullmatch(STORY_TIME_PATTERN, raw):
        raise BadParameter(name, f"must be a time like 2021-04-12T05:35:00Z in the years 1900 to 2099, not {_shown(raw)}")
    return moment(raw, name=name)


def day(raw: str, *, name: str) -> date:
    """A calendar day written ``2021-04-12``; BadParameter otherwise."""
    text = raw.strip()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{_shown(raw)} is not a date like 2021-04-12") from None


class NumberConverter:
    """``<number:year>``: a path segment of ASCII digits that a 64-bit integer holds.

    Anything else does not match, so the address answers 404 instead of overflowing a query.
    """

    regex = "[0-9]{1,19}"
    low = 0

    def to_python(self, value: str) -> int:
        try:
            return whole_number(value, name="path", low=self.low)
        except BadParameter as bad:
            raise ValueError(bad.message) from None  # Django takes a ValueError as "no match"

    def to_url(self, value: int) -> str:
        return str(value)


class IdConverter(NumberConverter):
    """``<id:news_id>``: the id of a row, 1 to the largest the database holds."""

    low = 1


def register_converters() -> None:
    """Make ``<id:…>`` and ``<number:…>`` known to every URL pattern (called once, by the root URLconf)."""
    register_converter(IdConverter, "id")
    register_converter(NumberConverter, "number")
