"""A reader subscribes from the footer of a cached page, confirms from the mail and leaves, in Chromium."""

import os
import re

import pytest

from masthead.newsletters import sending
from masthead.newsletters.models import Subscriber
from tests.news.factories import make_article
from tests.newsletters.factories import smtp  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_subscribes_confirms_and_leaves(live_server, browser, screenshots_dir, smtp, settings):
    settings.SITE_URL = live_server.url
    make_article(headline="Caspian ferry line reopens")
    context = browser.new_context(viewport={"width": 1000, "height": 1200})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/")  # the second view comes from the page cache, form and all
    page.get_by_label("The day's paper in your inbox").fill("leila@example.org")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    page.screenshot(path=os.path.join(screenshots_dir, "newsletter-1-asked.png"), full_page=True)
    assert not Subscriber.objects.exists()

    [mail] = smtp.to("leila@example.org")
    link = re.search(r"http://\S+/newsletter/confirm/\S+/", mail.get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Yes, send me the daily digest").click()
    page.get_by_role("heading", name="You are subscribed").wait_for()
    assert Subscriber.objects.get().source == "footer"

    sending.send(edition="en")
    digest = smtp.to("leila@example.org")[-1]
    leave = digest["List-Unsubscribe"].split(",")[0].strip(" <>")
    mailbox = context.new_page()  # a blank page, as a mail client shows it: not under the site's CSP
    mailbox.set_content(digest.get_body(preferencelist=("html",)).get_content())
    heading = mailbox.get_by_role("link", name="Caspian ferry line reopens")
    assert heading.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"  # the inline styles hold
    mailbox.screenshot(path=os.path.join(screenshots_dir, "newsletter-2-digest.png"), full_page=True)
    page.goto(leave)
    page.get_by_role("button", name="Stop sending me the newsletter").click()
    page.get_by_role("heading", name="You have unsubscribed").wait_for()
    assert not Subscriber.objects.exists()
    context.close()


@pytest.mark.parametrize("prefix", ["", "/fa"])
def test_the_confirm_and_unsubscribe_pages_pass_axe(live_server, browser, screenshots_dir, prefix):
    """The pages a newsletter mail links to, sharing one head, in each edition: axe finds nothing."""
    from masthead.newsletters import subscriptions
    from tests.browser.axe import violations
    from tests.newsletters.factories import make_subscriber

    make_subscriber(email="leila@example.org")
    confirm = subscriptions.confirmation_token(subscriptions.Request("omid@example.org", "en", (), "test"))
    leave = subscriptions.unsubscribe_token("leila@example.org")
    page = browser.new_page(viewport={"width": 1000, "height": 900}, bypass_csp=True)  # axe is the test's script
    for name, address in (("confirm", f"/newsletter/confirm/{confirm}/"),
                          ("unsubscribe", f"/newsletter/unsubscribe/{leave}/")):
        page.goto(live_server.url + prefix + address)
        assert page.evaluate("document.documentElement.lang") == ("fa" if prefix else "en")
        assert violations(page) == [], name
        heading = page.locator("section.newsletter h1").inner_text()
        page.locator("section.newsletter button").click()
        # Between the two documents the heading is briefly absent: that is "not yet", never an error.
        page.wait_for_function("heading => (document.querySelector('section.newsletter h1')?.innerText ?? heading)"
                               " != heading", arg=heading)
        page.wait_for_load_state()
        assert page.locator("section.newsletter .error").count() == 0
        assert violations(page) == [], f"{name}, answered"
        page.screenshot(path=os.path.join(screenshots_dir, f"newsletter-{name}{prefix.replace('/', '-')}.png"),
                        full_page=True)
    page.close()
