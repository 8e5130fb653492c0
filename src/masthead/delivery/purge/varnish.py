"""Purge backend for Varnish with the xkey module (deploy/varnish/masthead.vcl).

One ``PURGE /`` per Varnish server with the keys in an ``xkey-purge`` header; each answers how many
objects it dropped. Several servers are listed in ``URLS`` (one edge per host or region).
"""

import urllib.request

from masthead.delivery.purge.base import BaseBackend


class Backend(BaseBackend):
    def __init__(self, *, alias: str, urls=(), timeout: float = 5.0, **options):
        urls = [url.strip() for url in (urls.split(",") if isinstance(urls, str) else urls) if url.strip()]
        if not urls:
            raise ValueError(f"purge backend {alias!r} needs the Varnish addresses (set MASTHEAD_VARNISH_URLS)")
        super().__init__(alias=alias, **options)
        self.urls, self.timeout = urls, timeout

    def purge(self, key: str) -> None:
        self.purge_many([key])

    def purge_many(self, keys: list[str]) -> None:
        # One request carries every key: a publish purges a story, its section, tags and home at once.
        for url in self.urls:
            request = urllib.request.Request(url.rstrip("/") + "/", method="PURGE", headers={"xkey-purge": " ".join(keys)})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
