"""The newsroom's desk and story editor in a real browser: the day's lists, the live preview, pictures, publishing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.news.models import Article
from masthead.stories import changes
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


def sign_in(browser, base, user, *, width=1280, height=900):
    """A page signed in as ``user``, watching for policy violations."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.goto(f"{base}/newsroom/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/")
    return page


def accessibility_problems(page) -> list[str]:
    """axe-core's violations on the page as it stands, one line each (rule, impact, where)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


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
    assert accessibility_problems(page) == []
    assert policy_violations(page) == []


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
    assert accessibility_problems(page) == []
