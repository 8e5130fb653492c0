"""The front page: its date line in each edition's calendar, section blocks, a place for "Most read"."""

from datetime import datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_timezone

from masthead import house
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_the_date_line_names_the_gmt_day_in_english():
    assert house.front_date(datetime(2026, 12, 2, 3, 50, tzinfo=timezone.utc), language="en") == "Wednesday, December 2, 2026"
    assert house.front_date(datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc), language="en") == "Tuesday, December 1, 2026"


def test_the_persian_date_line_is_the_tehran_day_in_the_persian_calendar_and_digits():
    assert house.front_date(datetime(2026, 12, 2, 3, 50, tzinfo=timezone.utc), language="fa") == "چهارشنبه ۱۱ آذر ۱۴۰۵"
    # 21:00 GMT is already the next day in Tehran (GMT+3:30).
    assert house.front_date(datetime(2026, 12, 2, 21, 0, tzinfo=timezone.utc), language="fa") == "پنجشنبه ۱۲ آذر ۱۴۰۵"


def test_the_date_line_changes_at_midnight_gmt_or_tehran_midnight():
    moment = datetime(2026, 12, 2, 3, 50, tzinfo=timezone.utc)
    assert house.next_day(moment, language="en") == datetime(2026, 12, 3, tzinfo=timezone.utc)
    assert house.next_day(moment, language="fa") == datetime(2026, 12, 2, 20, 30, tzinfo=timezone.utc)


def test_home_pages_show_todays_date_line_and_live_no_longer_than_the_day(client, settings):
    settings.PAGE_CACHE_SECONDS = 10 ** 7  # so the day, not this setting, bounds the page
    make_article()
    make_article(language="fa", headline="خبر")
    now = django_timezone.now()
    english = client.get("/")
    assert f">{house.front_date(now, language='en')}</time>" in english.content.decode()
    persian = client.get("/fa/")
    assert f">{house.front_date(now, language='fa')}</time>" in persian.content.decode()
    for response, language in ((english, "en"), (persian, "fa")):
        shared = int(response["Cache-Control"].split("s-maxage=")[1])
        assert shared <= (house.next_day(now, language=language) - now).total_seconds() + 1, language


def test_section_blocks_do_not_repeat_their_section_name_on_each_teaser(client):
    section = make_section(name="Culture", slug="culture")
    stories = [make_article(section=section, published_at=django_timezone.now() - timedelta(days=1, minutes=n))
               for n in range(3)]
    for n in range(5):
        make_article(section=make_section(name=f"Newer {n}"))
    html = client.get("/").content.decode()
    block = html[html.index('id="section-culture"'):]
    block = block[:block.index("</section>")]
    assert all(s.headline in block for s in stories)
    assert block.count(">Culture</a>") == 1  # the block's heading only
