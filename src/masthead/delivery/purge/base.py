"""The purge backend interface."""


class BaseBackend:
    def __init__(self, *, alias: str, **options):
        self.alias = alias
        self.options = options

    def purge(self, key: str) -> None:
        """Make pages built from ``key`` stale."""
        raise NotImplementedError("a purge backend must define purge(key)")

    def purge_many(self, keys: list[str]) -> None:
        for key in keys:
            self.purge(key)
