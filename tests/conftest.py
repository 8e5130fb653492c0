import os
import shutil

import pytest
from django.core.cache import cache

from tests import servers

REQUIRE_SERVICES = os.environ.get("MASTHEAD_REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    # Persian pages read the compiled catalogues; a plain pytest run builds them as make install does.
    from masthead.catalogues import compile_catalogues

    compile_catalogues()
    # Django's own advice for test suites: a fast password hasher. The product's (PBKDF2 at a
    # million rounds, 0.4 s of CPU a hash here) would cost the suite minutes, once per user made and
    # per sign-in. Servers and commands the tests start keep the product's settings (and still
    # check these hashes: tests/passwords.py), and test_security checks that they hash as the product does.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["tests.passwords.QuickPBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]


def need(what: str, why: str):
    """Skip for a missing outside service on a laptop; fail in CI, where everything must run."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required in CI: {why}")
    pytest.skip(f"{what} not available: {why}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from masthead.delivery import pagecache

    cache.clear()
    pagecache.clear()
    yield
    cache.clear()
    pagecache.clear()


@pytest.fixture(scope="session")
def redis_url():
    if shutil.which("redis-server") is None:
        need("redis-server", "apt-get install redis-server")
    with servers.redis() as url:
        yield url


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        need("Chromium", "apt-get install chromium")
    return path


@pytest.fixture(scope="module")
def _chromium(chromium_path):
    """One Chromium for a test module's browser tests: a launch costs 1.4 s of CPU here (and its
    Playwright driver more), the suite's largest cost per browser test. Each test gets contexts of
    its own (``browser.new_page()`` opens one), closed after it; only the browser is shared."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in the test's thread; the test's own database
    # calls are still synchronous, so Django's async guard does not apply to them. The loop runs
    # until the module's last test is done, so it must not outlive the module (asyncio.run and
    # Django's guard refuse to work beside a running loop).
    with pytest.MonkeyPatch.context() as patch, playwright_api.sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # The machine's network is closed: without these flags Chromium keeps trying to reach it.
        launched = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield launched
        launched.close()


@pytest.fixture
def browser(_chromium):
    yield _chromium
    # What a test opened goes with it: no cookies, storage or open pages reach the next test.
    for context in _chromium.contexts:
        context.close()


@pytest.fixture
def screenshots_dir():
    path = os.path.join(os.environ.get("MASTHEAD_SCREENSHOTS", "var/screenshots"))
    os.makedirs(path, exist_ok=True)
    return path
