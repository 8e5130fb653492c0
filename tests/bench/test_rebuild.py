import subprocess
import sys

import pytest
from django.db import connection

from masthead.news.models import Article
from tests import servers
from tests.news.factories import make_article


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill rebuilds PostgreSQL's tables")
def test_the_rebuild_drill_searches_and_saves_while_the_index_is_rebuilt():
    """bench.rebuild: the command runs while stories are searched and saved, each saved story is found by its new
    word afterwards, and the stories are given back their headlines."""
    stories = [make_article(headline=f"Harvest report {n}") for n in range(5)]
    url = servers.database_url(connection.settings_dict)
    done = subprocess.run([sys.executable, "-m", "bench.rebuild", "--database-url", url, "--pause", "0.05"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rebuild_search_index: ") and "Search index rebuilt: 5 stories." in lines[0]
    assert lines[1].startswith("searches meanwhile ") and not lines[1].endswith("none")
    assert lines[2].startswith("saves meanwhile ") and not lines[2].endswith("none")
    assert lines[3:] == ["failed: 0", lines[4]] and lines[4].startswith("saved meanwhile and not found by their new word "
                                                                      "afterwards: 0 of ")
    assert sorted(Article.objects.values_list("headline", flat=True)) == sorted(s.headline for s in stories)
