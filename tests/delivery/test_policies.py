"""Every response carries a Content-Security-Policy and a Permissions-Policy, cached pages included."""

import base64
import hashlib
import re

import pytest
from django.core import checks
from django.test import RequestFactory, override_settings

from masthead.delivery import policies
from masthead.news import views
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in response["Content-Security-Policy"].split("; ")}


def test_reader_pages_allow_only_our_own_files(client):
    """A story page: our own script files and no inline script, our own styles and images, forms only to us, no framing, no <base>."""
    response = client.get(make_article().get_absolute_url())
    policy = _directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"].startswith("'self'")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["img-src"] == "'self'"
    assert (policy["form-action"], policy["base-uri"], policy["frame-ancestors"]) == ("'self'", "'none'", "'none'")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_a_cached_page_is_replayed_with_its_policies(client):
    """The page cache stores the headers with the page: a hit carries the same policies as the miss."""
    story = make_article()
    first, second = client.get(story.get_absolute_url()), client.get(story.get_absolute_url())
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Permissions-Policy"] == first["Permissions-Policy"]


def test_only_the_security_key_frame_may_be_framed_and_only_by_the_site(client):
    """The Security Key's frame allows frame-ancestors 'self' (as its X-Frame-Options SAMEORIGIN); pages do not."""
    story = make_article()
    frame = client.get(f"/comments/{story.pk}/key/")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert _directives(frame)["frame-ancestors"] == "'self'"
    assert _directives(client.get(story.get_absolute_url()))["frame-ancestors"] == "'none'"


def test_the_newsroom_has_its_own_policy(client):
    """The newsroom runs the admin's script files: no inline script or style, no other origin."""
    response = client.get("/newsroom/login/")
    policy = _directives(response)
    assert policy == {"default-src": "'self'", "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'",
                      "frame-ancestors": "'none'"}
    assert "camera=()" in response["Permissions-Policy"]


def test_error_pages_and_static_files_carry_the_policies(client):
    """A 404 and a static file (an SVG can hold script) carry the policies too."""
    assert _directives(client.get("/no-such-page/"))["script-src"] == "'self'"
    static = client.get("/static/masthead/favicon.svg")
    assert static.status_code == 200
    assert _directives(static)["script-src"] == "'self'"
    assert "camera=()" in static["Permissions-Policy"]


def test_the_server_error_page_style_is_allowed_by_its_hash(rf: RequestFactory):
    """The 500 page's inline style, which must work without static files, is allowed by its exact hash."""
    html = views.server_error(rf.get("/")).content.decode()
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = policies.reader_policy(frame_ancestors="'none'", image_hosts=[])
    assert f"'sha256-{digest}'" in policy


@override_settings(CSP_IMAGE_HOSTS=["https://images.example.org"])
def test_image_hosts_are_added_to_the_readers_policy(client):
    """MASTHEAD_CSP_IMAGE_HOSTS lets story images load from an archive's old image host."""
    assert _directives(client.get(make_article().get_absolute_url()))["img-src"] == "'self' https://images.example.org"


def test_check_deploy_warns_when_the_policies_are_not_sent(settings):
    """Without the middleware, `check --deploy` names what is missing and where it goes."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("PolicyMiddleware")]
    found = policies.check_policies_are_sent(None)
    assert [w.id for w in found] == ["masthead.W001"]
    assert found[0].msg == "Responses carry no Content-Security-Policy or Permissions-Policy header."
    assert "masthead.delivery.policies.PolicyMiddleware" in found[0].hint
    assert found[0].level == checks.WARNING
