import re
import subprocess
import sys

import pytest
from django.db import connection

from masthead.news.models import Article
from tests import servers
from tests.news.factories import make_article, make_author, make_tag

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="drills for a kept PostgreSQL archive")]


def run(*args) -> list[str]:
    done = subprocess.run([sys.executable, "-m", *args, "--database-url", servers.database_url(connection.settings_dict)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_the_tag_drill_times_pages_the_join_and_related_stories():
    iran, author = make_tag(name="Iran"), make_author()
    for _ in range(25):
        make_article(tags=[iran], authors=[author])
    lines = run("bench.filed", "--runs", "2", "--tag", str(iran.pk))
    assert lines[0].startswith("25 stories")
    assert lines[1] == f"tag {iran.pk} (25 stories):"
    assert [line.split(":")[0].strip() for line in lines[2:6]] == [
        "page 1", "page 2", "page 1 as the join before", f"related stories of its newest, {Article.objects.latest('pk').pk}"]
    assert f"author {author.pk} (25 stories):" in lines
    assert all(re.search(r"median [\d.]+ ms", line) for line in lines[2:6])


def test_the_save_drill_saves_through_the_service_and_reads_the_pending_lists():
    stories = [make_article(headline=f"Harvest report {n}") for n in range(4)]
    lines = run("bench.saves", "--saves", "3", "--gin-pending", "on")
    assert lines[0].startswith("3 saves in ") and "GIN pending lists on" in lines[0]
    assert lines[1].startswith("saves 3: p50 ") and lines[2].startswith("searches between them 1: ")
    assert lines[3].startswith("pages in each pending list now: search_document_gin ")
    lines = run("bench.saves", "--saves", "3", "--gin-pending", "off")  # as migration search/0006 left them
    assert lines[3] == "pages in each pending list now: search_document_gin 0"
    # The newest three, newest first, each saved once a run with the word of its turn.
    assert [Article.objects.get(pk=story.pk).headline for story in stories] == [
        "Harvest report 0", "Harvest report 1 saved2 saved2", "Harvest report 2 saved1 saved1", "Harvest report 3 saved0 saved0"]
