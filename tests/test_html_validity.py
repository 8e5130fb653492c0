"""Every reader page of the demo paper is valid HTML to the Nu Html Checker (vnu.jar), offline.

The checker is the W3C's own; ``make test`` installs it with npm (``vnu-jar``) under var/tools/
and runs it with Java. It reads all the pages in one run, so the JVM starts once.
"""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from masthead.comments.models import Comment
from masthead.news import demo
from masthead.news.models import Article, Author, Correction, Tag
from tests.comments.factories import make_comment
from tests.conftest import need
from tests.epaper.factories import make_issue
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db

VNU = Path(os.environ.get("MASTHEAD_VNU_JAR", Path(__file__).resolve().parent.parent
                          / "var/tools/node_modules/vnu-jar/build/dist/vnu.jar"))


def html_errors(pages: dict[str, bytes], folder) -> list[str]:
    """The Nu Html Checker's errors in ``pages`` (name: HTML), each as ``name.html:line: message``;
    the pages are written to ``folder`` and checked in one run of the checker."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        need("The Nu Html Checker", "apt-get install default-jre-headless; npm install --prefix var/tools vnu-jar")
    files = []
    for name, content in pages.items():
        (folder / f"{name}.html").write_bytes(content)
        files.append(str(folder / f"{name}.html"))
    run = subprocess.run([java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
                         capture_output=True, text=True, timeout=300)
    return [f"{m.get('url', '').rpartition('/')[2]}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()[:80]}]"
            for m in json.loads(run.stderr or run.stdout)["messages"] if m["type"] == "error" or m.get("subType") == "fatal"]


def _pages(client) -> dict[str, bytes]:
    demo.load()
    story = Article.objects.get(pk=302104)
    Correction.objects.create(article=story, text="An earlier version gave the wrong date.")
    comment = make_comment(story, status=Comment.Status.APPROVED)
    day = story.published_at
    urls = {
        "home": "/", "article": story.get_absolute_url(), "print": story.get_absolute_url() + "print/",
        "section": story.section.get_absolute_url(), "tag": Tag.objects.first().get_absolute_url(),
        "author": Author.objects.first().get_absolute_url(), "archive-year": f"/archive/{day:%Y}/",
        "archive-month": f"/archive/{day:%Y}/{day.month}/", "archive-day": f"/archive/{day:%Y}/{day.month}/{day.day}/",
        "search": "/search/?q=iran", "search-empty": "/search/?q=", "corrections": "/corrections/",
        "search-printed": "/search/?q=oil", "search-printed-only": "/search/?q=oil&in=epaper",
        "not-found": "/news/1/", "key-frame": f"/comments/{story.pk}/key/",
        "reply": f"/comments/{story.pk}/reply/{comment.pk}/",
    }
    urls.update(_persian_urls())
    urls.update(_live_urls())
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == (404 if name.endswith("not-found") else 200), (name, url, response.status_code)
        pages[name] = response.content
    wrong_key = client.post(f"/comments/{story.pk}/post/", {"name": "Reader", "body": "A comment.", "key": "WRONG"})
    assert wrong_key.status_code >= 400
    pages["comment-error"] = wrong_key.content
    return pages


def _persian_urls() -> dict[str, str]:
    """The Persian edition's pages: right to left, Persian digits and dates."""
    story = make_article(headline="ظریف: نیروهای خارجی باید منطقه را ترک کنند", language="fa",
                         summary="دیدار وزیران خارجه در تهران.", body="بند نخست، به گزارش Press TV.")
    return {"fa-home": "/fa/", "fa-article": story.get_absolute_url(), "fa-print": story.get_absolute_url() + "print/",
            "fa-section": "/fa" + story.section.get_absolute_url(), "fa-search": "/fa/search/?q=ظریف",
            "fa-not-found": "/fa/news/1/", "fa-key-frame": f"/fa/comments/{story.pk}/key/"}


def _live_urls() -> dict[str, str]:
    """A running live story in each edition (key event, pinned and corrected updates) and an ended one."""
    from tests.live.factories import make_live_story, post
    from masthead.stories import changes, live

    pages = {}
    for name, language in (("live", "en"), ("fa-live", "fa")):
        story = make_live_story(language=language)
        post(story, "**First** update.", headline="It begins", key_event=True)
        corrected = post(story, "Second update.", pinned=True)
        live.correct_update(corrected, by=SYSTEM, body="Second update, corrected.", note="A name was wrong.")
        pages[name] = story.get_absolute_url()
        if language == "en":  # the home page's breaking banner points at the running live story
            changes.flag_breaking(story, by=SYSTEM, until=timezone.now() + timedelta(hours=1))
    ended = make_live_story()
    live.end_coverage(ended, by=SYSTEM)
    pages["live-ended"] = ended.get_absolute_url()
    return pages


def test_every_reader_page_is_valid_html(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_issue(tmp_path, pages=[["Front page"], ["Oil exports rise"]])  # the search lists printed pages
    errors = html_errors(_pages(client), tmp_path)
    assert not errors, "\n".join(errors)
