"""The demo's printed paper: drawn from the demo stories, mapped to them, loaded once."""

import pytest
from django.core.management import call_command

from masthead.epaper.models import Issue, Region

pytestmark = pytest.mark.django_db


def test_the_demo_prints_three_issues_whose_headlines_open_the_stories(settings, tmp_path, client, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo")
    assert "; 3 printed issues imported." in capsys.readouterr().out
    assert sorted((str(i.date), i.kind, i.number) for i in Issue.objects.all()) == [
        ("2021-04-07", "daily", 7604), ("2021-04-10", "special", 12), ("2021-04-12", "daily", 7608)]
    printed = Region.objects.get(page__issue__date="2021-04-12", page__issue__kind="daily", article_id=302104)
    assert printed.confirmed and printed.page.number == 5  # the politics page
    html = client.get("/epaper/2021-04-12/5/").content.decode()
    assert 'href="/news/302104/leave-the-region-iran-fm-tells-foreign-powers/" class="epaper-region"' in html
    call_command("demo")
    assert "; 0 printed issues imported." in capsys.readouterr().out
