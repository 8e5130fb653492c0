"""Who the tests act as when a story is set up rather than written by someone."""

from masthead.stories import rules

SYSTEM = rules.System("tests")
