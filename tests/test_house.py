from datetime import datetime, timezone

import pytest
from django.utils import translation

from masthead import house


def test_dateline_is_the_papers_house_style():
    """Published times read as the paper prints them: 0535 GMT April 12, 2021."""
    assert house.dateline(datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)) == "0535 GMT April 12, 2021"


def test_dateline_converts_to_gmt():
    """A time stored with another offset is shown in GMT."""
    from datetime import timedelta

    tehran = timezone(timedelta(hours=4, minutes=30))
    assert house.dateline(datetime(2021, 4, 12, 10, 5, tzinfo=tehran)) == "0535 GMT April 12, 2021"


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="has no time zone"):
        house.dateline(datetime(2021, 4, 12, 5, 35))


def test_persian_dateline_is_the_solar_hijri_date_in_tehran_time():
    """The Persian edition prints 0535 GMT April 12, 2021 as Iranian papers do: 23 Farvardin 1400,
    10:05 Tehran summer time, in Persian digits (U+06F0–U+06F9)."""
    with translation.override("fa"):
        assert house.dateline(datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)) == "۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵"


def test_persian_dateline_follows_the_active_language_or_the_one_asked_for():
    """English stays the paper's GMT line unless Persian is active or asked for by name."""
    moment = datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)
    assert house.dateline(moment, language="fa") == "۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵"
    with translation.override("fa"):
        assert house.dateline(moment, language="en") == "0535 GMT April 12, 2021"


def test_persian_dateline_uses_tehran_standard_time_since_2022():
    """Iran stopped summer time in 2022: a July 2023 moment is GMT+3:30."""
    assert house.dateline(datetime(2023, 7, 1, 5, 35, tzinfo=timezone.utc), language="fa") == "۱۰ تیر ۱۴۰۲ – ۰۹:۰۵"


@pytest.mark.parametrize(
    "moment, expected",
    [
        # Nowruz 1402: Tehran's midnight is 20:30 GMT the evening before.
        (datetime(2023, 3, 20, 20, 29, tzinfo=timezone.utc), "۲۹ اسفند ۱۴۰۱ – ۲۳:۵۹"),
        (datetime(2023, 3, 20, 20, 30, tzinfo=timezone.utc), "۱ فروردین ۱۴۰۲ – ۰۰:۰۰"),
        # 1403 is a leap year: Esfand has a 30th day, and Nowruz 1404 follows it.
        (datetime(2025, 3, 20, 8, 0, tzinfo=timezone.utc), "۳۰ اسفند ۱۴۰۳ – ۱۱:۳۰"),
        (datetime(2025, 3, 20, 20, 30, tzinfo=timezone.utc), "۱ فروردین ۱۴۰۴ – ۰۰:۰۰"),
        # 1402 is not: 29 Esfand is followed by Nowruz 1403.
        (datetime(2024, 3, 19, 20, 29, tzinfo=timezone.utc), "۲۹ اسفند ۱۴۰۲ – ۲۳:۵۹"),
        (datetime(2024, 3, 19, 20, 30, tzinfo=timezone.utc), "۱ فروردین ۱۴۰۳ – ۰۰:۰۰"),
    ],
)
def test_persian_dateline_at_the_year_boundary(moment, expected):
    """The Solar Hijri year turns at Nowruz, at midnight Tehran time, with Esfand 30 only in leap years."""
    assert house.dateline(moment, language="fa") == expected


def test_a_tehran_day_can_differ_from_the_gmt_day():
    """22:00 GMT on April 11 is already April 12 (23 Farvardin) in Tehran."""
    late = datetime(2021, 4, 11, 22, 0, tzinfo=timezone.utc)
    assert house.day(late) == "April 11, 2021"
    assert house.day(late, language="fa") == "۲۳ فروردین ۱۴۰۰"


def test_persian_digits_are_not_arabic_indic():
    """Persian four, five and six (۴۵۶) are U+06F4–U+06F6, not Arabic-Indic ٤٥٦."""
    text = house.digits("0123456789", language="fa")
    assert text == "۰۱۲۳۴۵۶۷۸۹"
    assert [ord(char) for char in text] == list(range(0x06F0, 0x06FA))


def test_persian_numbers_use_persian_separators():
    """Generation time takes the Persian decimal separator (٫), counts the Persian thousands one (٬)."""
    with translation.override("fa"):
        assert house.seconds(0.0678) == "۰٫۰۶۷۸"
        assert house.number(1234567) == "۱٬۲۳۴٬۵۶۷"
    assert house.number(1234567) == "1,234,567"
    assert house.seconds(0.0678) == "0.0678"


def test_persian_archive_month_names_the_gregorian_month_in_persian():
    """The archive is kept by Gregorian month in both editions."""
    moment = datetime(2021, 4, 1, tzinfo=timezone.utc)
    assert house.month_year(moment) == "April 2021"
    assert house.month_year(moment, language="fa") == "آوریل ۲۰۲۱"


def test_machine_time_stays_utc_in_the_persian_edition():
    """``<time datetime>`` keeps the GMT moment whatever the edition prints."""
    with translation.override("fa"):
        assert house.machine(datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)) == "2021-04-12T05:35:00Z"


def test_parse_dateline_round_trips():
    moment = datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)
    assert house.parse_dateline(house.dateline(moment)) == moment


@pytest.mark.parametrize(
    "text, message",
    [
        ("0535 GMT Apirl 12, 2021", "has no month 'Apirl'"),
        ("535 GMT April 12, 2021", "four-digit time"),
        ("0535 April 12, 2021", "is not in the form"),
        ("2575 GMT April 12, 2021", "is not a real date and time"),
    ],
)
def test_parse_dateline_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        house.parse_dateline(text)


@pytest.mark.parametrize("text", ["۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵", "٢٣ فروردين ١٤٠٠ - ١٠:٠٥", "23 فروردین 1400 – 10:05"])
def test_parse_persian_dateline_reads_any_digits_back_to_utc(text):
    """The Persian dateline, in Persian, Arabic-Indic or Latin digits, reads back to its GMT moment."""
    assert house.parse_persian_dateline(text) == datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)


def test_parse_persian_dateline_round_trips_across_nowruz():
    moment = datetime(2023, 3, 20, 20, 30, tzinfo=timezone.utc)
    assert house.parse_persian_dateline(house.dateline(moment, language="fa")) == moment
