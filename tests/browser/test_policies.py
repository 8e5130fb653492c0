"""Every reader page and the newsroom render in a real browser without a Content-Security-Policy violation."""

from urllib.parse import urljoin, urlsplit

import pytest

from masthead.news import demo
from masthead.news.models import Author
from tests.newsroom.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every frame before the page's own content: the browser reports each blocked load or
# inline script/style as a securitypolicyviolation event.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || location.href}:${e.lineNumber}`));
"""


def _watched_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page, errors


def _violations(page, errors, url) -> list[str]:
    page.wait_for_load_state("load")
    found = []
    for frame in page.frames:
        found += frame.evaluate("window.__violations || []")
    # A 404 page logs its status as a console error; that is not a policy violation.
    found += [e for e in errors if "Content Security Policy" in e or "Permissions-Policy" in e or "Permissions policy" in e]
    errors.clear()
    return [f"{url}: {v}" for v in found]


def _shape(path: str) -> str:
    # One page of each kind is enough: /news/1/a/ and /news/2/b/ are the same template.
    parts = [part for part in path.split("/") if part]
    if not parts:
        return "/"
    rest = ["0" if part.isdigit() else "print" if part == "print" else "x" for part in parts[1:]]
    return "/" + "/".join([parts[0], *rest]) + "/"


def test_reader_pages_keep_to_their_policy(live_server, browser):
    """Home, stories, print views, sections, tags, authors, archives, search, the comment form with its
    Security Key frame and the 404 page all load with no CSP violation, and carry both policies."""
    demo.load()
    base = live_server.url
    page, errors = _watched_page(browser)
    # Pages no link on the crawled pages may lead to, then whatever the links reach.
    queue = ["/", "/search/?q=Iran", "/no-such-page/", "/news/302104/leave-the-region-iran-fm-tells-foreign-powers/",
             Author.objects.order_by("pk").first().get_absolute_url(), "/archive/2021/", "/archive/2021/04/",
             "/archive/2021/04/12/", "/corrections/", "/News/302104.html",
             "/fa/", "/fa/search/?q=%D8%B8%D8%B1%DB%8C%D9%81", "/fa/no-such-page/"]
    seen_shapes, visited, problems = set(), [], []
    while queue and len(visited) < 40:
        path = queue.pop(0)
        shape = _shape(urlsplit(path).path) + ("?" if "?" in path else "")
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(base + path)
        visited.append(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "camera=()" in headers["permissions-policy"], path
        problems += _violations(page, errors, path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(base + path, href))
            if target.netloc == urlsplit(base).netloc and not target.path.startswith(("/newsroom/", "/media/")):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    assert problems == []
    kinds = {_shape(urlsplit(p).path) for p in visited}
    for needed in ["/news/0/x/", "/news/0/x/print/", "/section/x/", "/tag/x/", "/author/x/", "/archive/0/", "/archive/0/0/0/",
                   "/search/", "/corrections/", "/no-such-page/", "/comments/0/x/"]:
        assert needed in kinds, f"the crawl did not reach a page like {needed}: {sorted(kinds)}"
    # The article page holds the Security Key frame, and the frame loaded its image under the policy.
    page.goto(base + "/news/302104/leave-the-region-iran-fm-tells-foreign-powers/")
    page.locator('iframe[name="security-key-302104"]').scroll_into_view_if_needed()
    page.frame_locator('iframe[name="security-key-302104"]').locator("img").wait_for()
    frame = next(f for f in page.frames if "/key/" in f.url)
    frame.wait_for_load_state("load")
    assert frame.evaluate("document.querySelector('img').naturalWidth") > 0
    assert _violations(page, errors, "comment form") == []


def test_a_policy_violation_is_caught(live_server, browser):
    """The watch above sees a violation: an inline script on a reader page is reported."""
    demo.load()
    page, errors = _watched_page(browser)
    page.goto(live_server.url + "/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                             document.head.appendChild(s); }""")
    page.wait_for_timeout(200)
    found = _violations(page, errors, "/")
    assert any("script-src" in v for v in found), found
    assert page.evaluate("window.ran") is None


def test_newsroom_pages_keep_to_their_policy(live_server, browser):
    """Sign-in, the desk, the story list and form, the media library and the comment queue show no violation."""
    demo.load()
    make_user("admin", username="chief", is_superuser=True)
    base = live_server.url
    page, errors = _watched_page(browser)
    page.goto(f"{base}/newsroom/login/")
    problems = _violations(page, errors, "login")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/")
    problems += _violations(page, errors, "/newsroom/")
    for path in ["/newsroom/news/article/", "/newsroom/news/article/add/", "/newsroom/news/article/302104/change/",
                 "/newsroom/media/image/", "/newsroom/media/image/add/", "/newsroom/comments/comment/",
                 "/newsroom/auth/user/", "/newsroom/password_change/"]:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        problems += _violations(page, errors, path)
    assert problems == []
