from django.template import engines
from django.templatetags.static import static as django_static

from masthead import templating


def test_static_addresses_are_django_s():
    """The templates' static() names the files Django's static() names, hashed once collected."""
    for path in ("masthead/site.css", "masthead/reader.css", "masthead/syndication/logo.png", "no/such/file.css"):
        assert templating.static(path) == django_static(path)


def test_every_template_sees_the_environment_s_globals():
    """Templates hold a copy of the globals, so included and imported templates see each one."""
    env = engines["jinja2"].env
    assert isinstance(env, templating.ReaderEnvironment)
    for name in ("base.html", "news/article.html", "news/_teaser.html"):
        template = env.get_template(name)
        assert {k: template.globals[k] for k in env.globals} == env.globals
    macro = env.from_string('{% from "news/_teaser.html" import teaser %}{{ url("news:home") }}|{{ teaser is callable }}')
    assert macro.render() == "/|True"
