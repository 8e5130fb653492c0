"""Numbers, dates and cursors from URLs and forms: a bad one is a 404 or 400 naming it, never a 500."""

from datetime import datetime, timedelta, timezone

import pytest

from masthead import parameters
from tests.news.factories import make_article, make_section

HUGE = "9" * 4301  # past int()'s 4,300-digit limit


@pytest.mark.parametrize("raw,message", [
    ("²", "limit: must be a whole number from 1 to 100, not '²'"),
    ("٣", "limit: must be a whole number from 1 to 100, not '٣'"),
    ("-1", "limit: must be a whole number from 1 to 100, not '-1'"),
    ("101", "limit: must be a whole number from 1 to 100, not '101'"),
    (HUGE, f"limit: must be a whole number from 1 to 100, not '{'9' * 40}…'"),
])
def test_whole_number_refuses_what_int_would_choke_on(raw, message):
    with pytest.raises(parameters.BadParameter) as refused:
        parameters.whole_number(raw, name="limit", low=1, high=100)
    assert str(refused.value) == message


def test_database_id_stops_at_the_largest_64_bit_integer():
    assert parameters.database_id(str(2**63 - 1), name="id") == 2**63 - 1
    with pytest.raises(parameters.BadParameter, match="from 1 to 9223372036854775807, not '9223372036854775808'"):
        parameters.database_id(str(2**63), name="id")


def test_a_cursor_reads_back_to_the_same_microsecond_and_id():
    moment = datetime(2021, 4, 12, 5, 35, 0, 999_999, tzinfo=timezone.utc)
    assert parameters.read_cursor(parameters.cursor(moment, 302104), name="after") == (moment, 302104)
    before_1970 = datetime(1960, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)
    assert parameters.read_cursor(parameters.cursor(before_1970, 7), name="after") == (before_1970, 7)


@pytest.mark.parametrize("raw", ["nonsense", "1.²", "²²²", "9999999999999999999.1", "1.9999999999999999999",
                                 f"{HUGE}.1", "1.2.3", "1.2\n", " 1.2"])
def test_a_bad_cursor_is_named(raw):
    with pytest.raises(parameters.BadParameter, match="^cursor: .* is not a cursor from this site's own 'next' link$"):
        parameters.read_cursor(raw, name="cursor")


@pytest.mark.parametrize("raw", ["0366-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z",
                                 "2100-01-01T00:00:00Z", "٢٠٢١-04-12T05:35:00Z", "2021-04-12", "2021-04-12T05:35:00"])
def test_a_story_time_is_written_in_the_years_1900_to_2099(raw):
    with pytest.raises(parameters.BadParameter) as refused:
        parameters.story_time(raw, name="at")
    assert str(refused.value) == f"at: must be a time like 2021-04-12T05:35:00Z in the years 1900 to 2099, not {raw!r}"


@pytest.mark.parametrize("raw,message", [
    ("0001-01-01T00:00:00+01:00", "since: '0001-01-01T00:00:00+01:00' is outside the years 1 to 9999 in UTC"),
    ("yesterday", "since: 'yesterday' is not an ISO 8601 time like 2021-04-12T05:35:00Z"),
    ("2021-04-31T05:35:00Z", "since: '2021-04-31T05:35:00Z' is not an ISO 8601 time like 2021-04-12T05:35:00Z"),
])
def test_a_time_must_be_real(raw, message):
    with pytest.raises(parameters.BadParameter) as refused:
        parameters.moment(raw, name="since")
    assert str(refused.value) == message


def test_a_story_time_in_any_zone_is_read_as_utc():
    assert parameters.story_time("2035-12-01T05:35:00+03:30", name="at") == datetime(
        2035, 12, 1, 2, 5, tzinfo=timezone.utc)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/news/99999999999999999999/",
    "/news/9223372036854775808/",
    "/news/0/",
    "/news/99999999999999999999/slug/print/",
    "/News/99999999999999999999.html",
    "/comments/99999999999999999999/key/",
    "/comments/1/reply/99999999999999999999/",
    "/media/imgcache/99999999999999999999/300x200.jpg",
    "/sitemaps/articles-9223372036854775807.xml",
    "/sitemaps/articles-99999999999999999999.xml",
    "/archive/99999999999999999999/",
    "/archive/2021/99999999999999999999/",
    "/News/Feed?id=²",
    "/News/Feed?id=99999999999999999999",
    f"/News/Feed?id={HUGE}",
    "/section/politics/?before=²",
    "/section/politics/?after=1.²",
    f"/section/politics/?after={HUGE}.1",
    "/corrections/?before=²",
    "/corrections/?before=99999999999999999999",
])
def test_numbers_no_page_can_hold_answer_404(client, url):
    """Each of these was a 500 (OverflowError, ValueError from int()) or could have been."""
    make_article(section=make_section(slug="politics"))
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_search_with_bad_numbers_and_dates_still_answers(client):
    response = client.get("/search/", {"q": "tehran", "page": "²", "from": "٢٠٢١-04-12"})
    assert response.status_code == 200
    assert "is not a date like 2021-04-12, so the from date was left out." in response.content.decode()


@pytest.mark.django_db
def test_a_story_at_the_edge_of_an_id_still_has_its_page(client):
    story = make_article(id=2**63 - 1, section=make_section(slug="politics"))
    assert client.get(f"/news/{story.pk}/").status_code == 301


def test_a_time_in_any_rfc_3339_spelling_is_read():
    """Lower-case t and z and nine fraction digits are RFC 3339 too; schemathesis sent them."""
    assert parameters.story_time("2034-03-26t11:04:54.30724580344z", name="at") == datetime(
        2034, 3, 26, 11, 4, 54, 307245, tzinfo=timezone.utc)


def test_a_cursor_past_the_calendar_reads_as_its_end():
    """Any cursor of the documented shape gives a page, perhaps empty, not an error."""
    assert parameters.read_cursor("999999999999999999.0", name="cursor") == (
        datetime.max.replace(tzinfo=timezone.utc), 0)
    assert parameters.read_cursor("-999999999999999999.5", name="cursor")[0].year == 1
