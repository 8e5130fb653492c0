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


def test_persian_edition_writes_persian_digits():
    with translation.override("fa"):
        assert house.dateline(datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)) == "۰۵۳۵ GMT April ۱۲, ۲۰۲۱"
        assert house.seconds(0.0678) == "۰٫۰۶۷۸"


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
