"""Static files: hashed names with far-future caching once collected, plain names before."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage that still serves a checkout where collectstatic has not run.

    Without a manifest entry the file keeps its plain name; whitenoise's finders serve it from the
    source folder. After ``collectstatic`` every page links the hashed, immutable name.
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
