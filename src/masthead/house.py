"""The house style: how dates, times and numbers read on the page, in one place.

Times are stored in UTC and shown in GMT, as the printed paper does: ``0535 GMT April 12, 2021``.
The Persian edition writes the same instant with Persian digits.
"""

from datetime import datetime, timezone

from django.utils import translation

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone: Masthead stores and shows aware UTC times")
    return moment.astimezone(timezone.utc)


def digits(text: str, *, language: str | None = None) -> str:
    """Write the digits of ``text`` in the script of ``language`` (default: the active one)."""
    if (language or translation.get_language() or "en").startswith("fa"):
        return text.translate(PERSIAN_DIGITS)
    return text


def dateline(moment: datetime, *, language: str | None = None) -> str:
    """``0535 GMT April 12, 2021``: the paper's published/updated line."""
    moment = _utc(moment)
    text = f"{moment:%H%M} GMT {MONTHS[moment.month - 1]} {moment.day}, {moment.year}"
    return digits(text, language=language)


def day(moment: datetime, *, language: str | None = None) -> str:
    """``April 12, 2021``."""
    moment = _utc(moment)
    return digits(f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year}", language=language)


def machine(moment: datetime) -> str:
    """``2021-04-12T05:35:00Z``: a time for machines (``<time datetime>``, JSON-LD, meta tags, feeds,
    sitemaps, the API), in UTC and whole seconds.

    Whole seconds because the HTML standard's valid time string has at most three fraction
    digits (the Nu Html Checker refuses ``.221677``), and no reader of these times needs more.
    """
    return f"{_utc(moment):%Y-%m-%dT%H:%M:%S}Z"


def seconds(value: float, *, language: str | None = None) -> str:
    """``0.0012``: the footer's generation time, four decimals as the paper prints it."""
    return digits(f"{value:.4f}", language=language)


def parse_dateline(text: str) -> datetime:
    """Read ``0535 GMT April 12, 2021`` back into an aware UTC datetime; ValueError says what is wrong."""
    parts = text.replace(",", " ").split()
    if len(parts) != 5 or parts[1] != "GMT":
        raise ValueError(f"{text!r} is not in the form '0535 GMT April 12, 2021'")
    hhmm, _, month_name, day_text, year_text = parts
    if len(hhmm) != 4 or not hhmm.isdigit():
        raise ValueError(f"{text!r} has no four-digit time like '0535'")
    if month_name not in MONTHS:
        raise ValueError(f"{text!r} has no month {month_name!r}")
    try:
        return datetime(int(year_text), MONTHS.index(month_name) + 1, int(day_text),
                        int(hhmm[:2]), int(hhmm[2:]), tzinfo=timezone.utc)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a real date and time: {error}") from None
