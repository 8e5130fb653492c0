import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.templatetags.static import static

from masthead.delivery.staticfiles import StaticFilesStorage

pytestmark = pytest.mark.django_db


def test_an_address_is_kept_and_is_the_manifests(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # nothing collected: plain names
    storage = StaticFilesStorage()
    first = storage.url("masthead/site.css")
    assert first == storage.url("masthead/site.css") == "/static/masthead/site.css"
    assert first == super(ManifestStaticFilesStorage, storage).url("masthead/site.css")


def test_pages_link_what_the_storage_gives(client):
    assert f'href="{static("masthead/site.css")}"' in client.get("/").content.decode()
