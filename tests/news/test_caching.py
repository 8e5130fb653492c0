"""Marking pages for the page cache: the bound set by the next scheduled story."""

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone

from masthead.delivery import keys
from masthead.news.caching import cacheable
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_story_due_between_the_read_and_the_marking_bounds_the_page():
    """A list read just before a story's second must not be cached past it, however late it is marked.

    The page was read at ``read_at``, before the story was due; by the time it is marked the story
    is visible. Asked at the later moment, "the next scheduled story" would skip it and the page
    would be kept for the full lifetime without it.
    """
    read_at = timezone.now() - timedelta(seconds=1)
    make_article(headline="Due in between", published_at=read_at + timedelta(milliseconds=500))
    response = cacheable(HttpResponse(), {keys.HOME}, now=read_at)
    assert response.cache_lifetime == 0


def test_a_later_scheduled_story_bounds_the_lifetime_from_the_pages_own_now():
    """The lifetime runs from the moment the page was read to the next scheduled story."""
    read_at = timezone.now()
    make_article(published_at=read_at + timedelta(seconds=90))
    response = cacheable(HttpResponse(), {keys.HOME}, now=read_at)
    assert response.cache_lifetime == 89 or response.cache_lifetime == 90
    assert response.surrogate_keys == {"home"}


def test_the_parameters_a_page_reads_are_recorded():
    """What a page reads is what the page cache keys it by; nothing scheduled, no bound."""
    response = cacheable(HttpResponse(), {keys.FEEDS}, reads={"id"}, bounded_by_schedule=False)
    assert response.cache_reads == frozenset({"id"})
    assert not response.cache_strict
    assert not hasattr(response, "cache_lifetime")
