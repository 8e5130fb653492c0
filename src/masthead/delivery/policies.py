"""Content-Security-Policy and Permissions-Policy on every response.

The readers' pages run no inline JavaScript, so their policy allows only our own script files and
styles, images, audio (the Security Key) and frames (the Security Key's same-origin frame); the
newsroom (Django's admin) runs its own script files, never inline ones. The headers are set as
the response is built, inside the page cache, so a cached page is stored, and replayed, with them.
"""

import base64
import functools
import hashlib
import re

from django.conf import settings
from django.core import checks

from masthead.accounts.middleware import newsroom_root

# Features no page of ours uses: a page, or a frame injected into one, cannot ask for them.
PERMISSIONS_POLICY = ", ".join([
    "accelerometer=()", "browsing-topics=()", "camera=()", "display-capture=()", "encrypted-media=()",
    "fullscreen=(self)", "geolocation=()", "gyroscope=()", "magnetometer=()", "microphone=()", "midi=()",
    "payment=()", "picture-in-picture=()", "screen-wake-lock=()", "usb=()", "xr-spatial-tracking=()",
])


@functools.cache
def error_page_style_hashes() -> tuple[str, ...]:
    """CSP hashes of the inline styles in the server-error page, which must not depend on static files."""
    template = settings.PACKAGE_DIR / "jinja2" / "500.html"
    styles = re.findall(r"<style>(.*?)</style>", template.read_text(), flags=re.S)
    return tuple("'sha256-%s'" % base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() for style in styles)


def reader_policy(*, frame_ancestors: str, image_hosts: list[str]) -> str:
    """The readers' policy: our own files only (scripts from files, none inline), forms posted only to us."""
    return "; ".join([
        "default-src 'self'",
        # Our own script files only, never inline ones: the live page's updater (live/live.js) and the read beacon.
        "script-src 'self'",
        "style-src " + " ".join(["'self'", *error_page_style_hashes()]),
        "img-src " + " ".join(["'self'", *image_hosts]),
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def newsroom_policy(*, frame_ancestors: str) -> str:
    """The newsroom's policy: Django's admin with its script and style files, nothing inline."""
    return "; ".join([
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def _frame_ancestors(response) -> str:
    # Follow X-Frame-Options, which views already set: DENY, or SAMEORIGIN for the Security Key's frame.
    return "'self'" if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" else "'none'"


class PolicyMiddleware:
    """Adds the policy headers; placed after the page cache, so that cached pages keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            ancestors = _frame_ancestors(response)
            if request.path.startswith(newsroom_root()):
                response["Content-Security-Policy"] = newsroom_policy(frame_ancestors=ancestors)
            else:
                response["Content-Security-Policy"] = reader_policy(frame_ancestors=ancestors,
                                                                    image_hosts=settings.CSP_IMAGE_HOSTS)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


@checks.register(checks.Tags.security, deploy=True)
def check_policies_are_sent(app_configs, **kwargs):
    """`check --deploy` warns when the policy headers would not be sent."""
    name = f"{PolicyMiddleware.__module__}.{PolicyMiddleware.__qualname__}"
    if name in settings.MIDDLEWARE:
        return []
    return [checks.Warning(
        "Responses carry no Content-Security-Policy or Permissions-Policy header.",
        hint=f"Add '{name}' to MIDDLEWARE after the page cache's middleware, so cached pages keep the headers.",
        id="masthead.W001",
    )]
