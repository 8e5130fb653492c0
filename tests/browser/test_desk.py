"""The newsroom's desk and story editor in a real browser: the day's lists, the live preview, pictures, publishing."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.news.models import Article
from masthead.stories import changes
from tests.browser.axe import violations
from tests.comments.factories import make_comment
from tests.news.factories import make_article, make_section
from tests.newsroom.factories import PASSWORD, make_draft, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own content: every blocked load or inline script/style is reported.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
"""


def sign_in(browser, base, user, *, width=1280, height=900, locale="en-GB"):
    """A page signed in as ``user`` (their browser asking for ``locale``), watching for policy violations."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.goto(f"{base}/newsroom/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/")
    return page


def policy_violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def test_the_desk_page_shows_the_days_work_and_passes_axe(browser, live_server, screenshots_dir):
    """An editor's first page: review queue, schedule with ticking countdowns, drafts, banners, comments, what went out."""
    editor, reporter = make_user("editor", username="desk"), make_user("reporter", username="sara")
    politics = make_section(name="Politics", slug="politics")
    for headline in ("Parliament debates the budget", "Rescue teams reach Kerman villages"):
        changes.submit(make_draft(by=reporter, headline=headline, section=politics), by=reporter)
    changes.publish(make_draft(by=editor, headline="Central bank holds rates", section=politics), by=editor,
                    at=timezone.now() + timedelta(minutes=42))
    make_draft(by=editor, headline="Notes on the oil talks", section=politics)
    live = make_draft(by=editor, headline="Earthquake in Kerman province", section=politics)
    changes.publish(live, by=editor)
    changes.flag_breaking(live, by=editor, until=timezone.now() + timedelta(hours=2))
    make_comment(make_article(headline="Older story"), created_at=timezone.now() - timedelta(minutes=75))

    page = sign_in(browser, live_server.url, editor)
    assert page.inner_text("#today-scope") == "Every story in the newsroom."
    assert page.locator("#today-review ~ ol li a").all_inner_texts() == [
        "Parliament debates the budget", "Rescue teams reach Kerman villages"]
    countdown = page.locator("#today-scheduled ~ ol time[data-countdown]")
    first = countdown.inner_text()
    page.wait_for_function("t => document.querySelector('#today-scheduled ~ ol time[data-countdown]').textContent !== t",
                           arg=first, timeout=3000)
    assert countdown.inner_text().startswith("in 41 min")
    assert page.locator("#today-drafts ~ ol li a").all_inner_texts() == ["Notes on the oil talks"]
    assert "Earthquake in Kerman province" in page.locator("#today-breaking ~ ol").inner_text()
    assert page.inner_text("#today-comments-waiting") == "1"
    assert page.inner_text("#today-queue-age").startswith("1 h 1")
    assert page.locator(".today-live").first.inner_text().endswith(" s")
    page.screenshot(path=f"{screenshots_dir}/desk-editor.png", full_page=True)
    assert policy_violations(page) == []
    assert violations(page) == []  # after the policy check: axe adds an inline style of its own


def test_a_persian_speaking_editors_desk_counts_down_in_persian(browser, live_server, screenshots_dir):
    """A browser asking for Persian gets a right-to-left desk whose countdowns keep ticking in Persian words and digits."""
    editor = make_user("editor", username="desk")
    changes.publish(make_draft(by=editor, headline="نشست بودجه"), by=editor, at=timezone.now() + timedelta(minutes=42))
    page = sign_in(browser, live_server.url, editor, locale="fa-IR")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("h1") == "میز خبر امروز"
    countdown = page.locator("#today-scheduled ~ ol time[data-countdown]")
    first = countdown.inner_text()
    page.wait_for_function("t => document.querySelector('#today-scheduled ~ ol time[data-countdown]').textContent !== t",
                           arg=first, timeout=3000)
    assert re.fullmatch(r"۴۱ دقیقه و [۰-۵][۰-۹] ثانیهٔ دیگر", countdown.inner_text()), countdown.inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('#today-scheduled ~ ol')).listStyleType") == "persian"
    page.screenshot(path=f"{screenshots_dir}/desk-editor-persian.png", full_page=True)
    assert policy_violations(page) == []
    assert violations(page) == []


def test_a_reporters_desk_holds_their_own_work(browser, live_server, screenshots_dir):
    """A reporter sees their drafts and stories in review, nobody else's, and no comment queue."""
    reporter, colleague = make_user("reporter", username="sara"), make_user("reporter", username="omid")
    changes.submit(make_draft(by=reporter, headline="My story in review"), by=reporter)
    changes.submit(make_draft(by=colleague, headline="Their story in review"), by=colleague)
    make_draft(by=reporter, headline="My draft")
    page = sign_in(browser, live_server.url, reporter, width=390, height=844)
    assert page.inner_text("#today-scope") == "Your own stories."
    assert page.locator("#today-review ~ ol li a").all_inner_texts() == ["My story in review"]
    assert page.locator("#today-comments").count() == 0
    page.screenshot(path=f"{screenshots_dir}/desk-reporter-phone.png", full_page=True)
    assert violations(page) == []


# A picture as the clipboard or a drag carries it: a File in a DataTransfer, handed to the body.
HAND_OVER = """([kind, name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "image/png"}));
  const body = document.querySelector("#id_body");
  body.focus();
  body.dispatchEvent(kind === "paste" ? new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true})
                                      : new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""


def test_writing_with_the_live_preview_and_pictures_pasted_or_dropped(browser, live_server, settings, tmp_path,
                                                                     screenshots_dir):
    """The preview follows the typing, counters warn past a limit, a pasted and a dropped picture land in the body."""
    import base64

    from masthead.media.models import Image
    from tests.media.factories import image_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    reporter = make_user("reporter", username="sara")
    story = make_draft(by=reporter, headline="Rescue teams reach Kerman villages", body="", section=make_section(name="National"))
    page = sign_in(browser, live_server.url, reporter, width=1400, height=1000)
    page.goto(f"{live_server.url}/newsroom/news/article/{story.pk}/change/")

    page.fill("#id_body", "Rescue teams reached the villages **before dawn**.\n\n## What we know\n\n- 12 villages\n- 3 roads open")
    page.wait_for_selector("#id_body_preview strong")
    assert page.inner_text("#id_body_preview strong") == "before dawn"
    assert page.locator("#id_body_preview h2").inner_text() == "What we know"
    assert page.locator("#id_body_preview li").all_inner_texts() == ["12 villages", "3 roads open"]

    assert page.inner_text("#id_headline_count") == "34 / 110"
    page.fill("#id_headline", "A" * 115)
    assert page.inner_text("#id_headline_count") == "115 / 110 · 5 over. Google News cuts headlines after 110 characters."
    page.fill("#id_headline", "Rescue teams reach Kerman villages")

    answers = iter(["Rescue teams in Kerman", "Map of the roads"])
    page.on("dialog", lambda dialog: dialog.accept(next(answers)))
    png = base64.b64encode(image_bytes("PNG", (1200, 675), color=(30, 90, 160))).decode()
    page.evaluate(HAND_OVER, ["paste", "image.png", png])
    page.wait_for_selector("#id_body_status:has-text('is in the media library')")
    page.evaluate(HAND_OVER, ["drop", "roads-map.png", png])
    page.wait_for_function("() => document.querySelector('#id_body_preview').shadowRoot.querySelectorAll('img').length === 2")
    first, second = Image.objects.order_by("id")
    assert (first.alt, second.alt, first.uploaded_by) == ("Rescue teams in Kerman", "Map of the roads", reporter)
    body = page.input_value("#id_body")
    assert f"![Rescue teams in Kerman](/media/imgcache/{first.pk}/650x365.jpg)" in body
    assert f"![Map of the roads](/media/imgcache/{second.pk}/650x365.jpg)" in body
    page.wait_for_function("() => [...document.querySelector('#id_body_preview').shadowRoot.querySelectorAll('img')]"
                       ".every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=f"{screenshots_dir}/editor-writing.png", full_page=True)
    assert policy_violations(page) == []
    assert violations(page) == []

    page.click("input[name=_continue]")
    page.wait_for_selector("#desk-heading")
    story.refresh_from_db()
    assert story.body.replace("\r\n", "\n") == body.strip()  # as a browser sends a textarea, as the form keeps it
    assert f'<img alt="Rescue teams in Kerman" src="/media/imgcache/{first.pk}/650x365.jpg">' in story.body_html


# A body with every kind of typography a story uses.
TYPOGRAPHY = """The minister **said** the talks would go on, [as reported](https://example.org/talks).

## What we know

### On the roads

- 12 villages
- 3 roads open

1. Rescue
2. Shelter

> We reached them before dawn.

![A rescue team](/static/masthead/favicon.svg)
"""
# What makes the body look as it does; read on the article page and in the preview alike.
LOOKS = ("font-family", "font-size", "font-weight", "font-style", "line-height", "color", "display", "list-style-type",
         "text-decoration-line", "margin-block-start", "margin-block-end", "padding-inline-start",
         "border-inline-start-width", "border-inline-start-style", "border-inline-start-color", "max-width")
COMPUTED = """([root, looks]) => {
  const body = root === "preview" ? document.querySelector("#id_body_preview").shadowRoot.querySelector(".story-body")
                                  : document.querySelector(".story-body");
  const found = {};
  for (const selector of ["p", "strong", "a", "h2", "h3", "ul", "ul li", "ol li", "blockquote", "blockquote p", "img"]) {
    const element = body.querySelector(selector);
    const style = getComputedStyle(element);
    found[selector] = Object.fromEntries(looks.map(name => [name, style.getPropertyValue(name)]));
  }
  return found;
}"""


def test_the_writing_preview_looks_like_the_article(browser, live_server, screenshots_dir):
    """Headings, lists with their bullets and numbers, the quote, links and pictures in the preview have the
    article page's computed styles: the newsroom's CSS does not reach the preview."""
    editor = make_user("editor", username="desk")
    section = make_section(name="National", slug="national")
    story = make_draft(by=editor, headline="Rescue teams reach Kerman villages", body=TYPOGRAPHY, section=section)
    changes.publish(story, by=editor)
    reader = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    reader.goto(f"{live_server.url}{story.get_absolute_url()}")
    article = reader.evaluate(COMPUTED, ["article", list(LOOKS)])
    assert article["ul li"]["list-style-type"] == "disc" and article["ol li"]["list-style-type"] == "decimal"

    page = sign_in(browser, live_server.url, editor, width=1400, height=1000)
    page.goto(f"{live_server.url}/newsroom/news/article/{story.pk}/change/")
    page.wait_for_function("() => document.querySelector('#id_body_preview').hasAttribute('data-rendered')")
    page.wait_for_function("() => document.querySelector('#id_body_preview').shadowRoot.querySelector('img').complete")
    preview = page.evaluate(COMPUTED, ["preview", list(LOOKS)])
    for selector, looks in article.items():
        assert preview[selector] == looks, selector
    page.locator(".body-editor").screenshot(path=f"{screenshots_dir}/editor-preview.png")
    assert policy_violations(page) == []
    assert violations(page) == []


def test_publishing_and_scheduling_from_the_add_form(browser, live_server, screenshots_dir):
    """An editor files and publishes a new story in one step; another is scheduled in 24-hour GMT from the same screen."""
    editor = make_user("editor", username="desk")
    section = make_section(name="Economy", slug="economy")
    page = sign_in(browser, live_server.url, editor, width=1400, height=1000)
    page.goto(f"{live_server.url}/newsroom/news/article/add/")
    assert page.inner_text("h1") == "Add story"
    page.fill("#id_headline", "Rial steadies against the dollar")
    page.fill("#id_body", "The rial held **steady** on Monday.")
    page.select_option("#id_section", str(section.pk))
    page.wait_for_selector("#id_body_preview strong")
    page.screenshot(path=f"{screenshots_dir}/editor-add-form.png", full_page=True)
    assert policy_violations(page) == []
    assert violations(page) == []
    page.click("button[value=publish]")
    page.wait_for_selector("#desk-heading")
    assert page.inner_text("#desk-state") == "Published"
    messages = page.inner_text("ul.messagelist")
    assert "Published." in messages and "Live on the site in " in messages
    story = Article.objects.get(headline="Rial steadies against the dollar")
    reader = browser.new_context().new_page()
    assert reader.goto(f"{live_server.url}{story.get_absolute_url()}").status == 200

    page.goto(f"{live_server.url}/newsroom/news/article/add/")
    page.fill("#id_headline", "Budget vote tomorrow")
    page.select_option("#id_section", str(section.pk))
    at = (timezone.now() + timedelta(days=1)).replace(hour=17, minute=5, second=0, microsecond=0)
    page.fill("#id_schedule_at_0", f"{at:%Y-%m-%d}")
    page.fill("#id_schedule_at_1", "1705")
    page.click("button[value=schedule]")
    page.wait_for_selector("#desk-heading")
    assert page.inner_text("#desk-state") == "Scheduled"
    assert f"appears 1705 GMT" in page.inner_text(".desk-state")
    assert Article.objects.get(headline="Budget vote tomorrow").published_at == at
