"""Static files: hashed names with far-future caching once collected, plain names before."""

from django.conf import settings
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

    def url(self, name, force=False):
        # Each page asks for half a dozen (style sheets, icon, logo), 10 us each through the
        # manifest; the manifest is read once when the process starts, so the answer is kept.
        key = (name, force, settings.DEBUG, settings.STATIC_URL)
        try:
            return self._urls[key]
        except AttributeError:
            self._urls = {}
        except KeyError:
            pass
        self._urls[key] = found = super().url(name, force)
        return found
