"""Comment posting under load: throughput with valid Security Keys, and bots that store nothing.

    .venv/bin/python bench/comments.py [--posts 500] [--bots 10000]

Runs the whole Django stack in-process (WSGI handler and every middleware, Django's test client,
no network or HTTP server), on a throwaway SQLite database unless MASTHEAD_DATABASE_URL is set.
Rate limits are raised for the valid posts, so what is measured is the cost of checking a key and
storing a comment, not the limiter saying no. Exits 1 if any bot post stored anything.
"""

import argparse
import logging
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("MASTHEAD_VAR_DIR", tempfile.mkdtemp(prefix="masthead-bench-comments-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ["MASTHEAD_COMMENT_RATE_PER_IP"] = "1000000/60"
os.environ["MASTHEAD_COMMENT_RATE_PER_ARTICLE"] = "1000000/60"
os.environ["MASTHEAD_CAPTCHA_KEYS_PER_IP"] = "1000000/60"
os.environ.setdefault("MASTHEAD_COMMENTS_MODE", "premoderated")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from masthead.comments import captcha  # noqa: E402
from masthead.comments.models import Challenge, Comment  # noqa: E402
from masthead.stories import changes, rules  # noqa: E402
from masthead.news.models import Article, Section  # noqa: E402


def setup() -> Article:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    return changes.create(Article(section=section, headline="Comment bench story", status=Article.Status.PUBLISHED,
                                  published_at=timezone.now()), by=rules.System("comments bench"))


def valid_posts(article: Article, count: int) -> float:
    """Post ``count`` comments, each with a freshly issued key; return posts per second (POST time only)."""
    client = Client()
    url = f"/comments/{article.pk}/post/"
    spent = 0.0
    for n in range(count):
        client.get(f"/comments/{article.pk}/key/")
        answer = captcha.answer_for(client.cookies[captcha.COOKIE].value)
        data = {"name": f"Reader {n}", "body": f"Comment {n} from the bench.", "key": answer}
        started = time.perf_counter()
        response = client.post(url, data)
        spent += time.perf_counter() - started
        if response.status_code != 303:
            raise SystemExit(f"valid post {n} was refused with {response.status_code}")
    return count / spent


def bot_posts(article: Article, count: int) -> tuple[float, dict[str, int]]:
    """``count`` posts without a valid key, from as many addresses; return posts per second and statuses."""
    client = Client()
    url = f"/comments/{article.pk}/post/"
    real_token = captcha.issue(article_id=article.pk)
    kinds = ["no key", "made-up key", "wrong answer", "honeypot"]
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for n in range(count):
        kind = kinds[n % len(kinds)]
        client.cookies.clear()
        if kind == "made-up key":
            client.cookies[captcha.COOKIE] = secrets.token_urlsafe(24)
        elif kind in ("wrong answer", "honeypot"):
            client.cookies[captcha.COOKIE] = real_token if n % 8 == 2 else secrets.token_urlsafe(24)
        data = {"name": "Bot", "body": "Cheap pills http://spam.example/", "key": "AAAAA"}
        if kind == "honeypot":
            data["website"] = "http://spam.example/"
        response = client.post(url, data, REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        statuses[f"{kind}: {response.status_code}"] = statuses.get(f"{kind}: {response.status_code}", 0) + 1
    return count / (time.perf_counter() - started), statuses


def main(argv=None) -> int:
    logging.disable(logging.WARNING)  # 10,000 refused posts would log 10,000 "Bad Request" lines
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500, help="valid posts to time (default 500)")
    parser.add_argument("--bots", type=int, default=10_000, help="bot posts without valid keys (default 10,000)")
    args = parser.parse_args(argv)
    article = setup()
    rate = valid_posts(article, args.posts)
    stored = Comment.objects.count()
    print(f"valid posts: {args.posts} stored ({stored} rows), {rate:,.0f} posts/s "
          f"({1000 / rate:.2f} ms each; database: {django.db.connection.vendor})")
    before = Comment.objects.count()
    bot_rate, statuses = bot_posts(article, args.bots)
    added = Comment.objects.count() - before
    print(f"bot posts: {args.bots:,} refused at {bot_rate:,.0f} posts/s; comments stored: {added}; "
          f"keys left: {Challenge.objects.count()}")
    for kind, seen in sorted(statuses.items()):
        print(f"  {kind}: {seen:,}")
    return 1 if added else 0


if __name__ == "__main__":
    sys.exit(main())
