"""The house style: how dates, times and numbers read on the page, in one place.

Times are stored in UTC. The English paper shows them in GMT, as the printed paper does:
``0535 GMT April 12, 2021``. The Persian edition prints them as Iranian papers do: the Solar Hijri
(Jalali) date with Persian month names, in Tehran time and Persian digits, ``۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵``.
Either way ``machine()`` keeps the UTC moment for ``<time datetime>``.
"""

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from django.utils import translation
from persiantools.jdatetime import JalaliDate

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# The Gregorian months as Persian writes them, for the archive's month pages.
GREGORIAN_MONTHS_FA = ("ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت",
                       "سپتامبر", "اکتبر", "نوامبر", "دسامبر")
PERSIAN_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                  "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
# Persian digits are U+06F0–U+06F9, not the Arabic-Indic U+0660–U+0669 (their 4, 5 and 6 differ);
# the decimal separator is U+066B and the thousands separator U+066C, as Persian print uses them.
PERSIAN_DIGITS = str.maketrans("0123456789.,", "۰۱۲۳۴۵۶۷۸۹٫٬")
# Reading: Persian and Arabic-Indic digits, as typed or printed, to ASCII.
LATIN_DIGITS = str.maketrans({**{chr(0x06F0 + n): str(n) for n in range(10)},
                              **{chr(0x0660 + n): str(n) for n in range(10)}})
# Iran's clocks, including the summer time it kept until 2022: the tz database knows its history.
TEHRAN = ZoneInfo("Asia/Tehran")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone: Masthead stores and shows aware UTC times")
    return moment.astimezone(timezone.utc)


def _persian(language: str | None) -> bool:
    return (language or translation.get_language() or "en").startswith("fa")


def digits(text: str, *, language: str | None = None) -> str:
    """Write the digits of ``text`` in the script of ``language`` (default: the active one)."""
    return text.translate(PERSIAN_DIGITS) if _persian(language) else text


def _jalali_day(moment: datetime) -> str:
    """``۲۳ فروردین ۱۴۰۰`` for the Tehran day of ``moment``."""
    jalali = JalaliDate(_utc(moment).astimezone(TEHRAN).date())
    return digits(f"{jalali.day} {PERSIAN_MONTHS[jalali.month - 1]} {jalali.year}", language="fa")


def dateline(moment: datetime, *, language: str | None = None) -> str:
    """The paper's published/updated line: ``0535 GMT April 12, 2021``, or in Persian
    ``۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵`` (Tehran time, two-digit hour and minute)."""
    if _persian(language):
        return f"{_jalali_day(moment)} – {digits(f'{_utc(moment).astimezone(TEHRAN):%H:%M}', language='fa')}"
    moment = _utc(moment)
    return f"{moment:%H%M} GMT {MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def day(moment: datetime, *, language: str | None = None) -> str:
    """``April 12, 2021``, or in Persian the Tehran day ``۲۳ فروردین ۱۴۰۰``."""
    if _persian(language):
        return _jalali_day(moment)
    moment = _utc(moment)
    return f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_FA = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")


def front_date(moment: datetime, *, language: str | None = None) -> str:
    """The front page's date line: ``Wednesday, December 2, 2026`` (the GMT day), or in Persian the
    Tehran day in the Persian calendar, ``چهارشنبه ۱۱ آذر ۱۴۰۵``."""
    if _persian(language):
        return f"{WEEKDAYS_FA[_utc(moment).astimezone(TEHRAN).weekday()]} {_jalali_day(moment)}"
    moment = _utc(moment)
    return f"{WEEKDAYS[moment.weekday()]}, {MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def next_day(moment: datetime, *, language: str | None = None) -> datetime:
    """When the date line after ``moment`` changes: the next midnight GMT, or in Tehran for Persian."""
    local = _utc(moment).astimezone(TEHRAN if _persian(language) else timezone.utc)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return midnight.astimezone(timezone.utc)


def month_year(moment: datetime, *, language: str | None = None) -> str:
    """``April 2021``: an archive month's name. The archive is kept by Gregorian months in both
    editions, so the Persian edition names the same month in Persian: ``آوریل ۲۰۲۱``."""
    moment = _utc(moment)
    if _persian(language):
        return digits(f"{GREGORIAN_MONTHS_FA[moment.month - 1]} {moment.year}", language="fa")
    return f"{MONTHS[moment.month - 1]} {moment.year}"


def number(value: int, *, language: str | None = None) -> str:
    """``1,234`` or ``۱٬۲۳۴``: a News ID or a count (News IDs without grouping: pass them as str)."""
    return digits(f"{value:,}", language=language)


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


def parse_persian_dateline(text: str) -> datetime:
    """Read ``۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵`` (Tehran time; any digits, any dash) back into an aware UTC
    datetime; ValueError says what is wrong."""
    parts = text.translate(LATIN_DIGITS).replace("–", " ").replace("-", " ").replace("،", " ").split()
    if len(parts) != 4 or ":" not in parts[3]:
        raise ValueError(f"{text!r} is not in the form '۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵'")
    day_text, month_name, year_text, clock = parts
    month_name = month_name.replace("ي", "ی").replace("ك", "ک")
    if month_name not in PERSIAN_MONTHS:
        raise ValueError(f"{text!r} has no Persian month {month_name!r}")
    hour_text, _, minute_text = clock.partition(":")
    if not all(part.isdigit() and part.isascii() for part in (day_text, year_text, hour_text, minute_text)):
        raise ValueError(f"{text!r} has a day, year or time that is not a number")
    try:
        day = JalaliDate(int(year_text), PERSIAN_MONTHS.index(month_name) + 1, int(day_text)).to_gregorian()
        local = datetime(day.year, day.month, day.day, int(hour_text), int(minute_text), tzinfo=TEHRAN)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a real date and time: {error}") from None
    return local.astimezone(timezone.utc)
