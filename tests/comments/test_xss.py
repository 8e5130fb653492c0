"""Classic XSS payloads, each posted as a reader's name and comment, approved, rendered and checked.

Nothing a reader writes may become markup that runs: the page must hold no script, no event
handler, no script-bearing URL, and no element beyond the few the comment section itself uses.
"""

from html.parser import HTMLParser

import pytest

from masthead.comments.models import Comment
from tests.comments.factories import post_comment, set_mode
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<style>@import 'http://evil.example/x.css';</style>",
    "<link rel=stylesheet href=http://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>alert(1);//<</script>",
    "<IMG SRC=`javascript:alert(1)`>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<base href="http://evil.example/">',
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>",
    "<x onclick=alert(1)>click me",
    "javascript:alert(1)",
    'http://example.com/"onmouseover="alert(1)',
    "http://example.com/<script>alert(1)</script>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<a href=\"http://ok.example/\" onclick=\"alert(1)\">looks fine</a>",
    "</article></section><script>alert(1)</script>",
    "{{ 7*7 }} {% debug %} ${7*7}",
]
# Elements the page itself uses; a comment may add only p, br and a (from its own links).
PAGE_ELEMENTS = {"html", "head", "meta", "title", "link", "body", "a", "header", "p", "nav", "ul", "li", "main",
                 "article", "h1", "h2", "h3", "dl", "div", "dt", "dd", "time", "section", "ol", "span", "form",
                 "input", "label", "textarea", "fieldset", "legend", "iframe", "button", "footer", "br", "aside"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.links = [], []
        self.body_depth = 0  # >0 inside a comment's body (its <div> and any <div> within)

    def handle_endtag(self, tag):
        if tag == "div" and self.body_depth:
            self.body_depth -= 1

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json" and not self.body_depth:
            return  # the page's own structured data
        if tag == "script" and (dict(attrs).get("src") or "").startswith("/static/") and not self.body_depth:
            return  # the page's own script file (the read beacon)
        if tag not in PAGE_ELEMENTS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.problems.append(f"<{tag} {name}>")
            cleaned = "".join((value or "").split()).lower()
            if cleaned.startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "iframe" and dict(attrs).get("class") != "security-key-frame":
            self.problems.append("a foreign iframe")
        if tag == "div" and (self.body_depth or dict(attrs).get("class") == "comment-body"):
            self.body_depth += 1
        if tag == "a" and self.body_depth:
            self.links.append(dict(attrs))


def test_there_are_at_least_thirty_payloads():
    assert len(set(PAYLOADS)) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_is_stored_as_written_and_never_becomes_markup(client, settings, payload):
    settings.COMMENT_RATE_PER_IP = "1000/60"
    story = make_article()
    set_mode(story, "open")
    assert post_comment(client, story, name=payload[:80], body=payload).status_code == 303
    comment = Comment.objects.get()
    assert comment.body == payload and comment.name == payload[:80]
    html = client.get(story.get_absolute_url()).content.decode()
    audit = Audit()
    audit.feed(html)
    assert audit.problems == []
    assert html.lower().count("<script") == html.count('<script type="application/ld+json">') + html.count(
        '<script src="/static/')
    for link in audit.links:  # links a reader wrote: http(s) only, marked as user content
        assert link["href"].startswith(("http://", "https://"))
        assert link["rel"] == "nofollow ugc noopener"
