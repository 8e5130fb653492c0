from datetime import datetime, timezone

import pytest

from masthead.ingest import savedpage
from masthead.ingest.items import ImportFailed
from masthead.news.models import Article
from tests.ingest.factories import FIXTURE, run_import

PAGE = FIXTURE.read_text(encoding="utf-8")
FIRST = "Iran’s Foreign Minister Mohammad Javad Zarif said foreign power should leave the Middle East region"
LAST = "confirmed the US role in promoting Takfiri terrorism."


def test_reads_the_fixture_page_exactly():
    """The News ID, the house dateline to the minute, the headline once, and every paragraph but no furniture."""
    item = savedpage.parse(PAGE, name="iran-daily-302104.txt")
    assert item.news_id == 302104
    assert item.published_at == datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)
    assert item.headline == "‘Leave the region,’ Iran FM tells foreign powers"
    paragraphs = item.body.split("\n\n")
    assert len(paragraphs) == 9
    assert paragraphs[0].startswith(FIRST)
    assert paragraphs[-1].endswith(LAST)
    assert "Security Key" not in item.body and "Captcha" not in item.body and "Page Generated" not in item.body
    assert item.headline not in item.body
    assert item.status == "published" and item.warnings == []


def test_tolerates_windows_line_ends_blank_lines_and_a_byte_order_mark():
    """A page saved on Windows, with extra blank lines, reads the same as the original."""
    messy = "\ufeff" + PAGE.replace("\n", "\r\n\r\n  ")
    assert savedpage.parse(messy.removeprefix("\ufeff"), name="p.txt") == savedpage.parse(PAGE, name="p.txt")


def test_tolerates_furniture_in_another_order_and_persian_digits():
    """The footer first, the captcha at the top, and a Persian decimal separator are all dropped."""
    body = PAGE.split("Security Key:")[0]
    page = "Page Generated in ۰٫۰۶۷۸ sec\nCaptcha refresh\n" + body + "Page Generated in 0/0678 sec\nSecurity Key:\n"
    item = savedpage.parse(page, name="p.txt")
    assert item.body == savedpage.parse(PAGE, name="p.txt").body


def test_a_missing_published_line_makes_a_draft_without_inventing_a_time():
    """No Published line: a draft with no time, and a warning that says so."""
    item = savedpage.parse(PAGE.replace("Published: 0535 GMT April 12, 2021\n", ""), name="p.txt")
    assert item.published_at is None
    assert item.status == "draft"
    assert item.warnings == ["p.txt: no 'Published:' line: imported as a draft without a publication time"]


def test_no_news_id_is_an_error_naming_file_and_line():
    with pytest.raises(ImportFailed) as failure:
        savedpage.parse(PAGE.replace("News ID: 302104\n", ""), name="old/302104.txt")
    assert str(failure.value) == "old/302104.txt:1: no 'News ID:' line: cannot tell which story this page is"


def test_a_misspelt_month_is_reported_with_its_line():
    with pytest.raises(ImportFailed) as failure:
        savedpage.parse(PAGE.replace("April", "Apirl", 1), name="iran-daily-302104.txt")
    assert str(failure.value) == "iran-daily-302104.txt:2: Published line '0535 GMT Apirl 12, 2021' has no month 'Apirl'"


def test_a_page_of_furniture_only_has_no_headline():
    with pytest.raises(ImportFailed, match="no headline"):
        savedpage.parse("News ID: 5\nPublished: 0535 GMT April 12, 2021\nSecurity Key:\nCaptcha refresh\n", name="p.txt")


def test_paragraphs_that_look_like_markdown_stay_text():
    """A paragraph starting '1. ' or '# ' is a sentence of the story, not a list or heading."""
    page = "News ID: 7\nPublished: 0535 GMT April 12, 2021\n\nHeadline\n\n1. Esteghlal won the derby.\n\n# tag line\n"
    item = savedpage.parse(page, name="p.txt")
    assert item.body == "\\1. Esteghlal won the derby.\n\n\\# tag line"


@pytest.mark.django_db
def test_imports_the_fixture_as_news_id_302104(tmp_path):
    """The page becomes article 302104 with its paragraphs as the body, published at the dateline."""
    result = run_import(FIXTURE)
    assert result.returncode == 0, result.stderr
    assert "1 created" in result.stdout
    article = Article.objects.get(pk=302104)
    assert article.published_at == datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)
    assert article.body_html.count("<p>") == 9
    assert article.get_absolute_url() == "/news/302104/leave-the-region-iran-fm-tells-foreign-powers/"


@pytest.mark.django_db
def test_the_demo_paper_reads_its_page_with_this_parser():
    """``masthead demo`` loads 302104 through the same parser, so both agree on the body."""
    from masthead.news import demo

    demo.load()
    assert Article.objects.get(pk=302104).body == savedpage.parse(PAGE, name="x").body


PERSIAN_PAGE = """کد خبر: ۳۰۲۱۰۶
تاریخ انتشار: ۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵

ظریف: نیروهای خارجی باید منطقه را ترک کنند
ظریف: نیروهای خارجی باید منطقه را ترک کنند
وزیر امور خارجه گفت امنیت منطقه را کشورهای منطقه تأمین می‌کنند.
کد امنیتی:
تازه‌سازی
زمان ساخت صفحه ۰٫۰۶۷۸ ثانیه
"""


def test_reads_a_persian_page_with_its_jalali_date_line():
    """A Persian saved page labels its News ID کد خبر in Persian digits and its date in the Jalali
    calendar, Tehran time; the furniture is dropped and the story is Persian."""
    item = savedpage.parse(PERSIAN_PAGE, name="fa-302106.txt")
    assert item.news_id == 302106
    assert item.published_at == datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc)
    assert item.headline == "ظریف: نیروهای خارجی باید منطقه را ترک کنند"
    assert item.body == "وزیر امور خارجه گفت امنیت منطقه را کشورهای منطقه تأمین می‌کنند."
    assert item.language == "fa"


@pytest.mark.parametrize("line, message", [
    ("تاریخ انتشار: ۲۳ فروردن ۱۴۰۰ – ۱۰:۰۵", "has no Persian month 'فروردن'"),
    ("تاریخ انتشار: ۳۰ اسفند ۱۴۰۲ – ۱۰:۰۵", "is not a real date and time"),
    ("تاریخ انتشار: ۲۳ فروردین ۱۴۰۰", "is not in the form"),
])
def test_a_wrong_jalali_date_line_names_the_file_and_line(line, message):
    """1402 is not a leap year, so it has no 30 Esfand; a misspelt month is named."""
    page = PERSIAN_PAGE.replace("تاریخ انتشار: ۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵", line)
    with pytest.raises(ImportFailed, match=f"fa-302106.txt:2: Published line .*{message}"):
        savedpage.parse(page, name="fa-302106.txt")
