"""The e-paper in the newsroom: an editor uploads an issue and watches its pages render, then corrects a page's text."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from masthead.epaper.models import Issue, Page
from tests.epaper.factories import make_issue, pdf_bytes
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(client):
    client.force_login(make_user("editor"))
    return client


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_an_editor_uploads_an_issue_and_sees_each_page_rendered(editor):
    upload = SimpleUploadedFile("issue.pdf", pdf_bytes([["One"], ["Two"], ["Three"]]), content_type="application/pdf")
    response = editor.post("/newsroom/epaper/issue/add/", {"pdf": upload, "date": "2021-04-12", "number": "302"})
    html = _streamed(response)
    assert [f'<progress value="{n}" max="3">{n} / 3</progress> Rendered {n} of 3 pages' in html for n in (1, 2, 3)] == [True] * 3
    issue = Issue.objects.get()
    assert (issue.date, issue.number, issue.pages.count()) == (dt.date(2021, 4, 12), 302, 3)
    assert f"Imported Daily 2021-04-12 with 3 pages." in html
    assert f'href="/newsroom/epaper/issue/{issue.pk}/change/"' in html and 'href="/epaper/2021-04-12/"' in html


def test_a_damaged_upload_says_why_and_imports_nothing(editor):
    upload = SimpleUploadedFile("issue.pdf", b"%PDF-1.4 garbage", content_type="application/pdf")
    html = _streamed(editor.post("/newsroom/epaper/issue/upload/", {"pdf": upload, "date": "2021-04-12"}))
    assert '<p class="errornote">issue.pdf: is damaged and cannot be read' in html and "Nothing was imported." in html
    assert Issue.objects.count() == 0


def test_the_upload_form_names_a_missing_date(editor):
    upload = SimpleUploadedFile("issue.pdf", pdf_bytes([["One"]]), content_type="application/pdf")
    html = editor.post("/newsroom/epaper/issue/add/", {"pdf": upload, "date": "12/04"}).content.decode()
    assert "Enter a valid date." in html


def test_an_editor_corrects_a_pages_text_and_readers_get_it(editor, tmp_path, django_capture_on_commit_callbacks):
    issue = make_issue(tmp_path)
    reader = Client()
    assert "Front page" in reader.get("/epaper/2021-04-12/1/text/").content.decode()
    pages = list(issue.pages.all())
    form = {"pages-TOTAL_FORMS": "3", "pages-INITIAL_FORMS": "3", "pages-MIN_NUM_FORMS": "0", "pages-MAX_NUM_FORMS": "1000"}
    for n, page in enumerate(pages):
        form |= {f"pages-{n}-id": str(page.pk), f"pages-{n}-issue": str(issue.pk),
                 f"pages-{n}-corrected_text": "صفحه اول" if page.number == 1 else ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"/newsroom/epaper/issue/{issue.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Page.objects.get(issue=issue, number=1).corrected_text == "صفحه اول"
    assert "<p dir=\"auto\">صفحه اول</p>" in reader.get("/epaper/2021-04-12/1/text/").content.decode()


def test_a_reporter_may_not_upload(client):
    client.force_login(make_user("reporter"))
    assert client.get("/newsroom/epaper/issue/upload/").status_code == 403
