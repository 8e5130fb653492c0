"""The pages a newsletter mail links to, and the form's answer, share one head (newsletters/_page.html):
each is named in its title, kept out of search engines, and valid HTML in both editions."""

import re

import pytest
from django.utils.translation import gettext, override

from masthead.newsletters import subscriptions
from tests.newsletters.factories import make_subscriber
from tests.test_html_validity import html_errors

pytestmark = pytest.mark.django_db


def _pages(client, prefix: str) -> dict[str, tuple[str, bytes]]:
    """(the heading its title should carry, the page) for each state of each page."""
    make_subscriber(email=f"leaving{prefix.strip('/')}@example.org")
    confirm = f"{prefix}/newsletter/confirm/" + subscriptions.confirmation_token(
        subscriptions.Request(f"joining{prefix.strip('/')}@example.org", "en", (), "test")) + "/"
    leave = f"{prefix}/newsletter/unsubscribe/" + subscriptions.unsubscribe_token(
        f"leaving{prefix.strip('/')}@example.org") + "/"
    asked = client.post(f"{prefix}/newsletter/subscribe/", {"email": f"asking{prefix.strip('/')}@example.org",
                                                             "edition": "en", "source": "test"})
    pages = {"confirm-ask": ("Confirm your subscription", client.get(confirm)),
             "confirm-done": ("Confirm your subscription", client.post(confirm)),
             "confirm-refused": ("Confirm your subscription", client.post(confirm)),
             "unsubscribe-ask": ("Unsubscribe", client.get(leave)),
             "unsubscribe-done": ("Unsubscribe", client.post(leave)),
             "unsubscribe-refused": ("Unsubscribe", client.post(leave[:-4] + "xyz/")),
             "asked": ("Check your inbox", asked)}
    assert [name for name, (_t, page) in pages.items() if page.status_code not in (200, 400)] == []
    return {f"{prefix.strip('/') or 'en'}-{name}": (title, page.content) for name, (title, page) in pages.items()}


@pytest.mark.parametrize("prefix,language", [("", "en"), ("/fa", "fa")])
def test_each_newsletter_page_is_named_in_its_title_and_kept_out_of_search_engines(smtp, client, settings,
                                                                                   prefix, language):
    settings.SITE_NAME = "Iran Daily"
    for name, (heading, content) in _pages(client, prefix).items():
        html = content.decode()
        with override(language):
            title = f"{gettext(heading)} · Iran Daily"
        assert re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip() == title, name
        assert html.count('<meta name="robots" content="noindex">') == 1, name
        assert html.count("<head>") == 1 and f'<html lang="{language}"' in html, name


def test_the_newsletter_pages_are_valid_html_in_both_editions(smtp, client, tmp_path):
    pages = {name: content for prefix in ("", "/fa") for name, (_heading, content) in _pages(client, prefix).items()}
    errors = html_errors(pages, tmp_path)
    assert len(pages) == 14 and not errors, "\n".join(errors)
