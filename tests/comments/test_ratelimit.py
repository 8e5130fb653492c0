import os
import subprocess
import sys
import textwrap

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from masthead.comments.models import Comment
from masthead.ratelimit import Limit, client_ip, exceeded, hit
from tests.comments.factories import post_comment
from tests.news.factories import make_article


def test_a_limit_counts_within_its_window():
    limit = Limit(3, 60)
    assert [hit("test", "192.0.2.1", limit) for _ in range(5)] == [True, True, True, False, False]
    assert exceeded("test", "192.0.2.1", limit)
    assert hit("test", "192.0.2.2", limit) and not exceeded("test", "192.0.2.2", limit)


def test_a_malformed_limit_names_its_setting():
    with pytest.raises(ImproperlyConfigured, match="MASTHEAD_COMMENT_RATE_PER_IP='five' is not a limit like '5/300'"):
        Limit.parse("five", setting="MASTHEAD_COMMENT_RATE_PER_IP")


def test_forwarded_addresses_are_trusted_only_as_far_as_our_own_proxies():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request, proxy_hops=0) == "10.0.0.1"
    assert client_ip(request, proxy_hops=1) == "203.0.113.9"


@pytest.mark.django_db
def test_posting_too_fast_from_one_address_is_refused_and_keeps_the_text(client, settings):
    settings.COMMENT_RATE_PER_IP = "2/300"
    story = make_article()
    assert post_comment(client, story).status_code == 303
    assert post_comment(client, story).status_code == 303
    response = post_comment(client, story, body="Third, too soon.")
    assert response.status_code == 429
    assert "posting too fast" in response.content.decode() and "Third, too soon." in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_an_article_receiving_too_many_comments_makes_readers_wait(client, settings):
    settings.COMMENT_RATE_PER_ARTICLE = "2/60"
    story, other = make_article(), make_article()
    for n in range(2):
        assert post_comment(client.__class__(REMOTE_ADDR=f"198.51.100.{n}"), story).status_code == 303
    response = post_comment(client.__class__(REMOTE_ADDR="198.51.100.9"), story)
    assert response.status_code == 429 and "receiving many comments" in response.content.decode()
    assert post_comment(client.__class__(REMOTE_ADDR="198.51.100.9"), other).status_code == 303


COUNTER = textwrap.dedent("""
    import sys, django
    django.setup()
    from masthead.ratelimit import Limit, hit
    sys.stdin.readline()  # start together
    print(sum(hit("comments-ip", "203.0.113.50", Limit(12, 600)) for _ in range(10)))
""")


def _two_processes(env) -> list[int]:
    processes = [subprocess.Popen([sys.executable, "-c", COUNTER], env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate("go\n", timeout=60)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes)
    return [int(out.strip()) for out in outputs]


def test_limits_hold_across_processes_with_redis(redis_url):
    """Two processes share one Redis: 20 attempts against a limit of 12 let exactly 12 through."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings", "MASTHEAD_CACHE_URL": redis_url}
    allowed = _two_processes(env)
    assert sum(allowed) == 12
    assert all(count > 0 for count in allowed)


def test_without_a_shared_cache_each_process_counts_alone():
    """Why production with several processes needs MASTHEAD_CACHE_URL: local memory lets 20 through."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings"}
    env.pop("MASTHEAD_CACHE_URL", None)
    assert _two_processes(env) == [10, 10]


POSTER = textwrap.dedent("""
    import sys, django
    django.setup()
    from django.test import Client
    from masthead.comments import captcha
    news_id = int(sys.argv[1])
    sys.stdin.readline()  # start together
    statuses = []
    for n in range(4):
        client = Client(REMOTE_ADDR="203.0.113.77")
        client.get(f"/comments/{news_id}/key/")
        answer = captcha.answer_for(client.cookies[captcha.COOKIE].value)
        response = client.post(f"/comments/{news_id}/post/", {"name": "Twin", "body": f"Post {n}", "key": answer})
        statuses.append(response.status_code)
    print(" ".join(map(str, statuses)))
""")


def _database_url(settings_dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    return (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT']}/{settings_dict['NAME']}")


@pytest.mark.django_db(transaction=True)
def test_two_app_processes_sharing_redis_enforce_one_per_address_limit(redis_url):
    """Two processes post 8 comments from one address through the whole stack; a limit of 5 stores exactly 5."""
    from django.db import connection

    story = make_article()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings", "MASTHEAD_CACHE_URL": redis_url,
           "MASTHEAD_DATABASE_URL": _database_url(connection.settings_dict),
           "MASTHEAD_COMMENT_RATE_PER_IP": "5/3600"}
    processes = [subprocess.Popen([sys.executable, "-c", POSTER, str(story.pk)], env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate("go\n", timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    statuses = " ".join(out for out, _ in results).split()
    assert sorted(statuses) == ["303"] * 5 + ["429"] * 3
    assert Comment.objects.filter(article=story).count() == 5
