import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.comments import captcha
from masthead.comments.models import Comment
from tests.audience.factories import warm_lists
from tests.comments.factories import make_comment, new_key, post_comment, set_mode
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_posted_comment_awaits_moderation_and_says_so(client):
    story = make_article()
    response = post_comment(client, story, name="Ann", email="Ann@Example.org", body="First!")
    assert response.status_code == 303
    assert response["Location"] == f"{story.get_absolute_url()}?comment=pending#comment-status"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment awaits moderation" in page
    assert "First!" not in page
    comment = Comment.objects.get()
    assert (comment.status, comment.name, comment.email, comment.body) == ("pending", "Ann", "Ann@Example.org", "First!")
    assert comment.ip == "127.0.0.1"


def test_an_open_article_shows_the_comment_at_once_even_from_the_page_cache(client):
    story = make_article()
    set_mode(story, "open")
    client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url())["X-Cache"] == "hit"
    response = post_comment(client, story, name="Bob", body="Straight onto the page.")
    comment = Comment.objects.get()
    assert response["Location"].endswith(f"?comment=published#comment-{comment.pk}")
    page = client.get(story.get_absolute_url())
    assert page["X-Cache"] == "miss"
    assert "Straight onto the page." in page.content.decode()


def test_approved_comments_oldest_first_with_house_time_and_no_email(client):
    from datetime import datetime, timezone

    story = make_article()
    later = make_comment(story, status="approved", name="Later", body="Second said.", email="hidden@example.org",
                         created_at=datetime(2021, 4, 12, 7, 5, tzinfo=timezone.utc))
    make_comment(story, status="approved", name="Earlier", body="First said.",
                 created_at=datetime(2021, 4, 12, 5, 35, tzinfo=timezone.utc))
    make_comment(story, status="pending", body="Not yet.")
    make_comment(story, status="spam", body="Buy now.")
    make_comment(story, status="approved", parent=later, name="Replier", body="An answer.",
                 created_at=datetime(2021, 4, 12, 8, 0, tzinfo=timezone.utc))
    html = client.get(story.get_absolute_url()).content.decode()
    assert html.index("First said.") < html.index("Second said.") < html.index("An answer.")
    assert "0535 GMT April 12, 2021" in html and "0705 GMT April 12, 2021" in html
    assert "3 comments" in html
    assert "Not yet." not in html and "Buy now." not in html and "hidden@example.org" not in html
    replies = html[html.index('class="comment-replies"'):]
    assert "An answer." in replies[:replies.index("</ol>")]


def test_a_reply_answers_a_top_level_comment_only(client):
    story = make_article()
    set_mode(story, "open")
    top = make_comment(story, status="approved", name="Top")
    page = client.get(f"/comments/{story.pk}/reply/{top.pk}/")
    assert page.status_code == 200 and "Reply to Top" in page.content.decode()
    assert post_comment(client, story, parent=top.pk, body="Agreed.").status_code == 303
    reply = Comment.objects.get(body="Agreed.")
    assert reply.parent == top
    assert client.get(f"/comments/{story.pk}/reply/{reply.pk}/").status_code == 404
    response = post_comment(client, story, parent=reply.pk, body="Too deep.")
    assert response.status_code == 400
    assert "not there any more" in response.content.decode()
    assert not Comment.objects.filter(body="Too deep.").exists()


def test_closed_comments_show_no_form_and_refuse_posts(client, settings):
    story = make_article()
    set_mode(story, "closed")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Comments on this article are closed." in html and 'id="comment-form"' not in html
    response = post_comment(client, story, key="ANYKEY", body="Typed before the desk closed it.")
    assert response.status_code == 403
    assert "Comments on this article are closed." in response.content.decode()
    assert "Typed before the desk closed it.</textarea>" in response.content.decode()
    assert 'id="comment-form"' not in response.content.decode()
    settings.COMMENTS_MODE = "closed"
    other = make_article()
    assert 'id="comment-form"' not in client.get(other.get_absolute_url()).content.decode()


def test_the_site_default_mode_applies_where_an_article_has_none(client, settings):
    settings.COMMENTS_MODE = "open"
    story = make_article()
    assert post_comment(client, story).status_code == 303
    assert Comment.objects.get().status == "approved"


def test_a_rejected_post_keeps_what_the_reader_typed_and_says_why(client):
    story = make_article()
    new_key(client, story)
    response = post_comment(client, story, key="WRONG", name="Cyrus", email="c@example.org",
                            body="Words I do not want to lose <b>& keep</b>.")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Cyrus"' in html and 'value="c@example.org"' in html
    assert "Words I do not want to lose &lt;b&gt;&amp; keep&lt;/b&gt;.</textarea>" in html
    assert "does not match the image" in html
    assert f'src="/comments/{story.pk}/key/"' in html  # a new key comes with the form


def test_the_honeypot_stores_nothing_and_tells_the_bot_nothing(client):
    story = make_article()
    response = post_comment(client, story, website="http://spam.example/")
    assert response.status_code == 303 and "comment=pending" in response["Location"]
    assert Comment.objects.count() == 0


def test_a_comment_over_the_length_limit_is_refused_and_kept(client, settings):
    settings.COMMENT_MAX_LENGTH = 100
    story = make_article()
    response = post_comment(client, story, body="x" * 101)
    assert response.status_code == 400
    assert "101 characters long; the limit is 100" in response.content.decode()
    assert "x" * 101 in response.content.decode()
    assert post_comment(client, story, body="y" * 100).status_code == 303
    assert Comment.objects.get().body == "y" * 100


def test_an_oversized_request_is_refused_without_storing(client):
    story = make_article()
    answer = new_key(client, story)
    response = client.post(f"/comments/{story.pk}/post/", {"name": "Big", "body": "z" * 3_000_000, "key": answer})
    assert response.status_code == 400
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("raw, reason", [
    (b"name=Ann&body=broken%ff%fe%fdbytes", "broken encoding"),
    (b"name=Ann&body=lone%ed%a0%80surrogate", "broken encoding"),
    (b"name=Ann&body=nul%00inside", "Null characters are not allowed"),
    (b"name=Ann%1b%5b31m&body=fine", "control characters"),
])
def test_malformed_unicode_is_refused_with_a_clear_reason(client, raw, reason):
    story = make_article()
    answer = new_key(client, story)
    response = client.post(f"/comments/{story.pk}/post/", raw + f"&key={answer}".encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Comment.objects.count() == 0


def test_any_script_and_any_language_is_stored_as_written(client):
    story = make_article()
    set_mode(story, "open")
    text = "درود! Ça va? 日本語 — emoji 👍🏽 and a zero-width joiner: 👩‍💻\r\nNew line."
    assert post_comment(client, story, name="Zahra ‏زهرا", body=text).status_code == 303
    comment = Comment.objects.get()
    assert comment.body == text
    assert "👩‍💻" in client.get(story.get_absolute_url()).content.decode()


def test_banned_addresses_are_refused(client):
    from masthead.comments.models import Ban

    story = make_article()
    Ban.objects.create(kind="email", value="troll@example.org")
    response = post_comment(client, story, email="Troll@Example.org")
    assert response.status_code == 403
    Ban.objects.create(kind="ip", value="127.0.0.1")
    assert post_comment(client, story).status_code == 403
    assert Comment.objects.count() == 0


def test_the_cached_article_page_carries_nothing_per_reader(client):
    """Two readers get the same bytes; no cookie or CSRF token is baked in; the key comes from the frame."""
    story = make_article()
    first = client.get(story.get_absolute_url())
    second = client.__class__().get(story.get_absolute_url())
    assert first.content.replace(b"@@", b"") and second["X-Cache"] == "hit"
    strip = lambda body: re.sub(rb"Page Generated in [\d.]+", b"", body)  # noqa: E731
    assert strip(first.content) == strip(second.content)
    assert not first.cookies and b"csrfmiddlewaretoken" not in first.content
    assert f'<iframe class="security-key-frame" name="security-key-{story.pk}" src="/comments/{story.pk}/key/"'.encode() in first.content
    assert captcha.COOKIE not in client.cookies


def test_posting_needs_no_csrf_token_but_a_cross_site_post_has_no_key(client):
    """A forged cross-site post cannot carry the SameSite=Strict key cookie, so it is refused."""
    from django.test import Client

    story = make_article()
    strict = Client(enforce_csrf_checks=True)
    assert post_comment(strict, story).status_code == 303
    forged = Client(enforce_csrf_checks=True).post(f"/comments/{story.pk}/post/",
                                                   {"name": "x", "body": "forged", "key": "ABCDE"},
                                                   HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 400
    assert Comment.objects.count() == 1


def test_the_comment_section_costs_one_query_whatever_the_number_of_comments(client):
    """One query for the comments, whatever their number; none for a story without approved comments,
    which the story's own query says (the "Most commented" list, counted every few minutes, aside)."""
    story, single, empty = make_article(), make_article(), make_article()
    top = make_comment(story, status="approved")
    for _ in range(5):
        make_comment(story, status="approved", parent=top)
        make_comment(story, status="approved")
    make_comment(single, status="approved")
    make_comment(empty, status="pending")
    warm_lists(story, single, empty)
    counted = {}
    for name, article in (("many", story), ("one", single), ("none", empty)):
        with CaptureQueriesContext(connection) as captured:
            client.get(article.get_absolute_url())
        counted[name] = (len(captured), sum('JOIN "comments_comment"' in q["sql"] for q in captured.captured_queries))
    assert counted["many"] == counted["one"] == (counted["none"][0] + 1, 1)
    assert counted["none"][1] == 0


def test_unknown_or_invisible_articles_have_no_comments(client):
    from masthead.news.models import Article

    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    assert client.get(f"/comments/{draft.pk}/key/").status_code == 404
    assert client.post(f"/comments/{draft.pk}/post/", {"name": "x"}).status_code == 404
    assert client.get("/comments/999999/key/").status_code == 404
