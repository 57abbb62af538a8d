"""Summaries every user sees alike, worked out at most once every
AMITY_SUMMARY_CACHE_SECONDS: the dashboard's clashes and anniversaries and the reports.
At a national office each takes a second or more over tens of thousands of visits, and the
home page is opened all day; a summary a minute old is still a true summary."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)


def shared(key: str, compute: Callable):
    """``compute()``, or its value of less than AMITY_SUMMARY_CACHE_SECONDS ago in the
    language of the page (the summaries hold translated messages)."""
    seconds = settings.AMITY_SUMMARY_CACHE_SECONDS
    if not seconds:
        return compute()
    try:
        return cache.get_or_set(f"summary:{key}:{get_language()}", compute, seconds)
    except OSError as error:
        # A full or read-only disk under the file cache: slower pages, not broken ones.
        logger.error("Summary %s not cached (%s); working it out on every request.", key, error)
        return compute()
