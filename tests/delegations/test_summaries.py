"""Summaries every user sees alike are worked out once a minute, not on every load."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from delegations.summaries import shared

REPORTS = reverse("delegations:report-list")


def test_a_summary_is_worked_out_once_while_it_is_fresh(settings):
    settings.AMITY_SUMMARY_CACHE_SECONDS = 60
    cache.clear()
    calls = []

    def work():
        calls.append(1)
        return len(calls)

    assert shared("count", work) == 1
    assert shared("count", work) == 1
    # Its messages are in the language of the page: another language, another summary.
    with translation.override("ko"):
        assert shared("count", work) == 2
    settings.AMITY_SUMMARY_CACHE_SECONDS = 0
    assert shared("count", work) == 3
    cache.clear()


def test_the_reports_page_reads_its_figures_from_the_cache_the_second_time(
    admin_client, demo, settings
):
    settings.AMITY_SUMMARY_CACHE_SECONDS = 60
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        first_page = admin_client.get(REPORTS, {"from_year": 2007, "to_year": 2013})
    with CaptureQueriesContext(connection) as second:
        second_page = admin_client.get(REPORTS, {"from_year": 2007, "to_year": 2013})
    cache.clear()

    assert len(second) < len(first) - 5
    assert second_page.context["reports"][0].rows == first_page.context["reports"][0].rows
    assert "Changning District" in second_page.content.decode()


def test_a_cache_that_cannot_be_written_costs_speed_not_the_page(settings, tmp_path, caplog):
    (tmp_path / "not-a-folder").write_text("")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "not-a-folder" / "cache"),
        }
    }
    settings.AMITY_SUMMARY_CACHE_SECONDS = 60

    assert shared("count", lambda: 7) == 7
    assert "Summary count not cached" in caplog.text
