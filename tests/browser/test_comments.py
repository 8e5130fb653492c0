"""A reader comments through the Security Key in headless Chromium; a moderator approves it in the newsroom."""

import os

import pytest

from masthead.comments import moderation
from masthead.comments.models import Comment
from tests.news.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _frame_token(context, story) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "masthead_key" and c["path"] == f"/comments/{story.pk}/")


def test_reader_comments_and_a_moderator_approves(live_server, browser, screenshots_dir, settings, django_user_model):
    settings.CAPTCHA_TEST_HOOK = True
    story = make_article(headline="Tehran metro extends its green line")
    article_url = live_server.url + story.get_absolute_url()
    moderator = django_user_model.objects.create_user("desk", password="a-long-password-1", is_staff=True)
    moderator.groups.add(moderation.moderator_group())

    reader = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = reader.new_page()
    page.goto(article_url)
    frame_element = page.locator(f'iframe[name="security-key-{story.pk}"]')
    frame_element.scroll_into_view_if_needed()
    frame = page.frame_locator(f'iframe[name="security-key-{story.pk}"]')
    frame.locator("img").wait_for()
    page.wait_for_function(f"""() => {{
        const img = document.querySelector('iframe[name="security-key-{story.pk}"]').contentDocument.querySelector('img');
        return img && img.complete && img.naturalWidth > 0; }}""")
    first = _frame_token(reader, story)
    assert frame.get_by_label("Listen to the Security Key (audio version)").count() == 1

    # refresh: only the frame reloads; what the reader has typed stays.
    page.get_by_role("textbox", name="Name").fill("Leila")
    page.get_by_role("textbox", name="Comment").fill("Good news for commuters in the south of the city.")
    with page.expect_response(lambda r: r.url.endswith(".png") or ".png?" in r.url):
        page.get_by_role("link", name="refresh").click()
    assert _frame_token(reader, story) != first
    assert page.get_by_role("textbox", name="Name").input_value() == "Leila"
    page.screenshot(path=os.path.join(screenshots_dir, "comments-1-form.png"), full_page=True)

    answer = page.request.get(f"{live_server.url}/comments/{story.pk}/key/answer").text()
    page.get_by_label("Type the Security Key").fill(answer.lower())
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**?comment=pending*")
    assert "awaits moderation" in page.get_by_role("status").inner_text()
    page.screenshot(path=os.path.join(screenshots_dir, "comments-2-pending.png"), full_page=True)
    assert Comment.objects.get().status == "pending"

    desk_context = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = desk_context.new_page()
    desk.goto(live_server.url + "/newsroom/login/?next=/newsroom/comments/comment/")
    desk.fill("#id_username", "desk")
    desk.fill("#id_password", "a-long-password-1")
    desk.click("input[type=submit]")
    desk.wait_for_url("**/newsroom/comments/comment/")
    assert "1 comment awaits moderation" in desk.content()
    assert "Tehran metro extends its green line" in desk.content()
    desk.screenshot(path=os.path.join(screenshots_dir, "comments-3-desk.png"), full_page=True)
    desk.check(f'input[name="_selected_action"][value="{Comment.objects.get().pk}"]')
    desk.select_option('select[name="action"]', "approve")
    desk.click('button[name="index"]')
    desk.wait_for_selector("text=1 comment approved.")
    desk.screenshot(path=os.path.join(screenshots_dir, "comments-4-approved.png"), full_page=True)

    page.reload()  # a reload revalidates the browser's copy; the purged page has a new ETag
    comment = page.locator(".comment-list .comment")
    assert comment.count() == 1
    assert "Good news for commuters" in comment.inner_text() and "Leila" in comment.inner_text()
    comment.scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(screenshots_dir, "comments-5-published.png"), full_page=True)
    desk_context.close()
    reader.close()


def test_with_javascript_off_refresh_and_posting_still_work(live_server, browser, screenshots_dir, settings):
    """The page has no script: refresh reloads only the Security Key frame, and posting is a plain form."""
    settings.CAPTCHA_TEST_HOOK = True
    story = make_article()
    reader = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 1400})
    page = reader.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    page.locator(f'iframe[name="security-key-{story.pk}"]').scroll_into_view_if_needed()
    page.frame_locator(f'iframe[name="security-key-{story.pk}"]').locator("img").wait_for()
    first = _frame_token(reader, story)
    page.get_by_role("textbox", name="Comment").fill("Typed with scripts off.")
    with page.expect_response(lambda r: "/key.png" in r.url):
        page.get_by_role("link", name="refresh").click()
    assert _frame_token(reader, story) != first
    assert page.get_by_role("textbox", name="Comment").input_value() == "Typed with scripts off."
    page.get_by_role("textbox", name="Name").fill("Parisa")
    answer = page.request.get(f"{live_server.url}/comments/{story.pk}/key/answer").text()
    page.get_by_label("Type the Security Key").fill(answer)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**?comment=pending*")
    page.screenshot(path=os.path.join(screenshots_dir, "comments-no-javascript.png"), full_page=True)
    assert Comment.objects.get().body == "Typed with scripts off."
    reader.close()


def _honeypot_is_hidden(page) -> bool:
    """The honeypot is laid out off the page (what comments.css does), so no reader sees it."""
    box = page.locator(".comment-hp").bounding_box()
    return box is not None and box["x"] + box["width"] <= 0 and box["width"] <= 1 and box["height"] <= 1


def test_the_error_and_reply_pages_hide_the_honeypot(live_server, browser, screenshots_dir, settings):
    """After a wrong Security Key, and on a reply page, the form is styled: "Leave this field empty" is not shown."""
    from tests.comments.factories import make_comment

    settings.CAPTCHA_TEST_HOOK = True
    story = make_article()
    reader = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = reader.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    page.frame_locator(f'iframe[name="security-key-{story.pk}"]').locator("img").wait_for()
    assert _honeypot_is_hidden(page)
    page.get_by_role("textbox", name="Name").fill("Leila")
    page.get_by_role("textbox", name="Comment").fill("A comment with a wrong key.")
    page.get_by_label("Type the Security Key").fill("WRONG")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    assert "/comments/" in page.url and page.get_by_role("alert").count() >= 1
    page.screenshot(path=os.path.join(screenshots_dir, "comments-wrong-key.png"), full_page=True)
    assert _honeypot_is_hidden(page), page.locator(".comment-hp").bounding_box()

    parent = make_comment(article=story, status="approved")
    page.goto(f"{live_server.url}/comments/{story.pk}/reply/{parent.pk}/")
    assert page.get_by_role("heading", name=f"Reply to {parent.name}").count() == 1
    assert _honeypot_is_hidden(page), page.locator(".comment-hp").bounding_box()
    reader.close()
