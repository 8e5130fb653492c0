"""Purge backend for a CDN or Varnish that purges by surrogate key over HTTP.

Each purge is one POST to ``URL`` with the keys in a ``Surrogate-Key`` header, the convention
Fastly and Varnish's xkey module follow.
"""

import urllib.request

from masthead.delivery.purge.base import BaseBackend


class Backend(BaseBackend):
    def __init__(self, *, alias: str, url: str = "", timeout: float = 5.0, **options):
        if not url:
            raise ValueError(f"purge backend {alias!r} needs a URL (set MASTHEAD_CDN_PURGE_URL)")
        super().__init__(alias=alias, **options)
        self.url = url
        self.timeout = timeout

    def purge(self, key: str) -> None:
        self.purge_many([key])

    def purge_many(self, keys: list[str]) -> None:
        request = urllib.request.Request(self.url, method="POST", headers={"Surrogate-Key": " ".join(keys)})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
