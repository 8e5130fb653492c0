from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from masthead.comments.models import Challenge, Comment
from tests.comments.factories import make_comment
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def test_prune_forgets_addresses_and_refused_comments_past_retention(settings):
    settings.COMMENT_RETENTION_DAYS = 30
    story = make_article()
    long_ago = timezone.now() - timedelta(days=31)
    kept_old = make_comment(story, status="approved", created_at=long_ago)
    make_comment(story, status="spam", created_at=long_ago)
    make_comment(story, status="rejected", created_at=long_ago)
    recent_spam = make_comment(story, status="spam")
    recent = make_comment(story, status="pending")
    Challenge.objects.create(token_hash="e" * 64, article=story, expires_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("prune_comments", stdout=out)
    assert out.getvalue().startswith("Older than 30 days: erased the address and browser of 1 comment(s), "
                                     "deleted 2 rejected or spam comment(s); deleted 1 expired Security Key(s).")
    assert set(Comment.objects.values_list("pk", flat=True)) == {kept_old.pk, recent_spam.pk, recent.pk}
    kept_old.refresh_from_db()
    recent.refresh_from_db()
    assert (kept_old.ip, kept_old.user_agent, kept_old.body) == (None, "", kept_old.body)
    assert (recent.ip, recent.user_agent) == ("192.0.2.10", "TestBrowser/1.0")
    assert not Challenge.objects.exists()


def test_prune_refuses_to_keep_nothing():
    with pytest.raises(CommandError, match="keep at least one day"):
        call_command("prune_comments", days=0)
