from tests.newsletters.factories import smtp  # noqa: F401  (the fixture)
