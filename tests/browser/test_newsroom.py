"""A day at the desk in a real browser: write, submit with a picture, review, schedule, appear."""

import time
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest

from masthead.media.models import Image
from masthead.news.models import Article
from tests.media.factories import image_bytes
from tests.news.factories import make_author, make_section
from tests.newsroom.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, base, user):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/newsroom/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/")
    return page


def test_reporter_submits_editor_schedules_reader_sees_it_appear(browser, live_server, settings, tmp_path, screenshots_dir):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    reporter, editor = make_user("reporter", username="sara"), make_user("editor", username="desk")
    make_author(name="Sara Karimi", slug="sara-karimi", user=reporter)
    section = make_section(name="National", slug="national")
    photo = tmp_path / "kerman.jpg"
    photo.write_bytes(image_bytes("JPEG", (1600, 900), exif=True, color=(30, 90, 160)))

    # The reporter uploads a picture, writes the story with it, and submits it.
    desk = _sign_in(browser, base, reporter)
    desk.goto(f"{base}/newsroom/media/image/add/")
    desk.set_input_files("#id_upload", str(photo))
    desk.fill("#id_alt", "Rescue teams in Kerman")
    desk.fill("#id_credit", "IRNA")
    desk.click("input[name=_save]")
    desk.wait_for_url(f"{base}/newsroom/media/image/")
    image = Image.objects.get()
    desk.goto(f"{base}/newsroom/news/article/add/")
    desk.fill("#id_kicker", "Earthquake")
    desk.fill("#id_headline", "Rescue teams reach Kerman villages")
    desk.fill("#id_body", "Rescue teams reached the villages **before dawn**.\n\n## What we know\n\n- 12 villages\n- 3 roads open")
    desk.select_option("#id_section", str(section.pk))
    desk.fill("#id_lead_image", str(image.pk))
    desk.click("input[name=_continue]")
    desk.wait_for_selector("#desk-heading")
    story = Article.objects.get(headline="Rescue teams reach Kerman villages")
    desk.screenshot(path=f"{screenshots_dir}/newsroom-1-reporter-draft.png", full_page=True)
    desk.click("text=Submit for review")
    desk.wait_for_selector("text=Submitted for review.")
    assert desk.inner_text("#desk-state") == "In review"

    # The editor reviews it and schedules it five seconds ahead.
    editor_page = _sign_in(browser, base, editor)
    editor_page.goto(f"{base}/newsroom/news/article/?state=review")
    editor_page.screenshot(path=f"{screenshots_dir}/newsroom-2-review-queue.png", full_page=True)
    editor_page.click("text=Rescue teams reach Kerman villages")
    editor_page.wait_for_selector("#desk-heading")
    at = (datetime.now(dt_timezone.utc) + timedelta(seconds=5)).replace(microsecond=0)
    editor_page.fill("#schedule-at", at.strftime("%Y-%m-%d"))
    editor_page.fill("#schedule-at-time", at.strftime("%H:%M:%S"))  # 24-hour GMT, to the second
    editor_page.click("button:has-text('Schedule')")
    editor_page.wait_for_selector("text=Scheduled: it will appear")
    assert editor_page.inner_text("#desk-state") == "Scheduled"
    editor_page.screenshot(path=f"{screenshots_dir}/newsroom-3-scheduled.png", full_page=True)
    story.refresh_from_db()
    assert story.published_at == at

    # A reader sees nothing until that second, then the story with its picture.
    reader = browser.new_context(viewport={"width": 1000, "height": 1200}).new_page()
    url = f"{base}/news/{story.pk}/{story.slug}/"
    assert reader.goto(url).status == 404
    status = 404
    deadline = time.monotonic() + 20
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        status = reader.goto(url).status
    assert status == 200
    assert datetime.now(dt_timezone.utc) >= at
    reader.wait_for_load_state("networkidle")
    assert reader.inner_text("h1") == "Rescue teams reach Kerman villages"
    assert reader.eval_on_selector(".lead-image img", "img => img.complete && img.naturalWidth") > 0
    reader.screenshot(path=f"{screenshots_dir}/newsroom-4-reader-sees-it.png", full_page=True)
