"""Purge backend for Masthead's own page cache."""

from masthead.delivery import pagecache
from masthead.delivery.purge.base import BaseBackend


class Backend(BaseBackend):
    def purge(self, key: str) -> None:
        pagecache.purge_keys([key])

    def purge_many(self, keys: list[str]) -> None:
        pagecache.purge_keys(keys)
