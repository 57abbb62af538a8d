import datetime
import zoneinfo

import icalendar
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delegations.calendar import month_grid, parse_month, shift_month
from delegations.models import CalendarFeed, Delegation, ProgrammeItem, Venue
from relations.dates import Precision
from relations.models import Partner, Person

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time
CALENDAR_URL = reverse("delegations:calendar")
SUBSCRIPTION_URL = reverse("delegations:calendar-subscription")


# ---- Helpers ----------------------------------------------------------------------------


def make_partner(name: str = "Changning District", country: str = "CN") -> Partner:
    partner, _ = Partner.objects.get_or_create(name=name, country=country)
    return partner


def make_delegation(**kwargs) -> Delegation:
    kwargs.setdefault("partner", make_partner())
    kwargs.setdefault("title", "Friendship agreement visit")
    kwargs.setdefault("direction", Delegation.Direction.INBOUND)
    kwargs.setdefault("start", D(2026, 10, 14))
    return Delegation.objects.create(**kwargs)


def make_item(delegation: Delegation, **kwargs) -> ProgrammeItem:
    kwargs.setdefault("title", "Courtesy call on the District Mayor")
    kwargs.setdefault("date", delegation.start)
    return ProgrammeItem.objects.create(delegation=delegation, **kwargs)


def make_officer(django_user_model, username: str = "officer", *, can_view: bool = True):
    user = django_user_model.objects.create_user(username, password="a-long-test-password")
    if can_view:
        user.user_permissions.add(Permission.objects.get(codename="view_delegation"))
    return user


def days_of(weeks) -> dict:
    return {day.date: day for week in weeks for day in week}


def fetch_ics(client, feed: CalendarFeed) -> icalendar.Calendar:
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def events_by_uid(cal: icalendar.Calendar) -> dict:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def soon(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


# ---- Month grid -------------------------------------------------------------------------


def test_month_grid_runs_in_monday_first_weeks_completed_by_neighbouring_days():
    weeks = month_grid(2026, 10)

    assert weeks[0][0].date == D(2026, 9, 28)  # a Monday
    assert weeks[-1][-1].date == D(2026, 11, 1)  # a Sunday
    assert all(len(week) == 7 for week in weeks)
    assert not weeks[0][0].in_month
    assert weeks[0][3].date == D(2026, 10, 1) and weeks[0][3].in_month


def test_month_grid_puts_a_three_day_visit_on_its_three_days_and_no_others():
    visit = make_delegation(start=D(2026, 10, 14), end=D(2026, 10, 16))

    days = days_of(month_grid(2026, 10))

    covered = {date for date, day in days.items() if day.delegations}
    assert covered == {D(2026, 10, 14), D(2026, 10, 15), D(2026, 10, 16)}
    assert days[D(2026, 10, 15)].delegations == [visit]


def test_month_grid_shows_a_one_day_visit_without_an_end_on_its_day():
    make_delegation(start=D(2026, 10, 20), end=None)

    days = days_of(month_grid(2026, 10))

    assert [date for date, day in days.items() if day.delegations] == [D(2026, 10, 20)]


def test_month_grid_shows_a_visit_crossing_into_the_next_month_on_its_days_in_both():
    make_delegation(start=D(2026, 10, 30), end=D(2026, 11, 2))

    october = days_of(month_grid(2026, 10))
    november = days_of(month_grid(2026, 11))

    assert [d for d, day in october.items() if day.delegations] == [
        D(2026, 10, 30),
        D(2026, 10, 31),
        D(2026, 11, 1),  # the Sunday that completes October's last week
    ]
    assert november[D(2026, 11, 2)].delegations
    assert not november[D(2026, 11, 3)].delegations


def test_month_grid_leaves_out_cancelled_visits_and_visits_known_only_to_the_month():
    make_delegation(title="Called off", start=D(2026, 10, 5), status=Delegation.Status.CANCELLED)
    make_delegation(title="Some time in October", start=D(2026, 10, 1), start_precision="month")
    make_delegation(
        title="Ends some time in November",
        start=D(2026, 10, 12),
        end=D(2026, 11, 1),
        end_precision=Precision.MONTH,
    )
    shown = make_delegation(title="On the day", start=D(2026, 10, 5))

    days = days_of(month_grid(2026, 10))

    assert {d for day in days.values() for d in day.delegations} == {shown}


def test_month_grid_shows_programme_items_on_their_day_untimed_first_then_by_time():
    visit = make_delegation(start=D(2026, 10, 14), end=D(2026, 10, 16))
    lunch = make_item(visit, title="Lunch", date=D(2026, 10, 15), start_time=T(12, 0))
    call = make_item(visit, title="Courtesy call", date=D(2026, 10, 15), start_time=T(9, 30))
    tour = make_item(visit, title="Tour of the Magok district", date=D(2026, 10, 15))
    make_item(visit, title="Day not known", date=None)
    cancelled = make_delegation(
        title="Called off", start=D(2026, 10, 15), status=Delegation.Status.CANCELLED
    )
    make_item(cancelled, title="Cancelled dinner", date=D(2026, 10, 15), start_time=T(19, 0))

    days = days_of(month_grid(2026, 10))

    assert days[D(2026, 10, 15)].items == [tour, call, lunch]
    assert {date for date, day in days.items() if day.items} == {D(2026, 10, 15)}


def test_parse_month_accepts_year_and_month_and_refuses_anything_else():
    assert parse_month("2026-11") == D(2026, 11, 1)
    assert parse_month(" 2026-01 ") == D(2026, 1, 1)
    for bad in ["", "2026-13", "2026-00", "2026-1", "november", "9999-12", "0001-01", "2026-11-05"]:
        assert parse_month(bad) is None, bad


def test_shift_month_crosses_year_ends():
    assert shift_month(D(2026, 12, 1), 1) == D(2027, 1, 1)
    assert shift_month(D(2026, 1, 1), -1) == D(2025, 12, 1)


# ---- Month page -------------------------------------------------------------------------


def test_calendar_page_lists_visits_and_timed_programme_items_on_their_days(admin_client):
    visit = make_delegation(
        title="Friendship agreement visit", start=D(2026, 10, 14), end=D(2026, 10, 16)
    )
    make_item(
        visit,
        title="Signing ceremony",
        date=D(2026, 10, 15),
        start_time=T(10, 0),
        end_time=T(11, 30),
        venue=Venue.objects.create(name="Gangseo District Office"),
    )

    response = admin_client.get(CALENDAR_URL, {"month": "2026-10"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "October 2026" in html
    assert html.count(f'href="{visit.get_absolute_url()}"') == 3
    assert "Inbound visit:" in html
    assert "10:00–11:30" in html
    assert "Signing ceremony" in html
    assert "at Gangseo District Office" in html
    assert "No visits or programme items" not in html


def test_calendar_page_links_to_the_previous_and_next_months(admin_client):
    response = admin_client.get(CALENDAR_URL, {"month": "2026-01"})

    html = response.content.decode()
    assert response.context["month"] == D(2026, 1, 1)
    assert 'href="?month=2025-12"' in html
    assert 'href="?month=2026-02"' in html

    following = admin_client.get(CALENDAR_URL, {"month": "2026-02"})
    assert following.context["month"] == D(2026, 2, 1)


def test_calendar_page_shows_this_month_without_a_month_or_with_a_bad_one(admin_client):
    this_month = timezone.localdate().replace(day=1)

    for query in [{}, {"month": "2026-13"}, {"month": "<script>"}]:
        response = admin_client.get(CALENDAR_URL, query)
        assert response.status_code == 200
        assert response.context["month"] == this_month
        assert response.context["is_current_month"]


def test_calendar_page_says_when_a_month_has_nothing(admin_client):
    response = admin_client.get(CALENDAR_URL, {"month": "2019-03"})

    assert response.context["is_empty"]
    assert "No visits or programme items in March 2019." in response.content.decode()


def test_calendar_page_needs_a_login(client):
    response = client.get(CALENDAR_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_calendar_page_needs_the_view_permission(client, django_user_model):
    client.force_login(make_officer(django_user_model, can_view=False))

    assert client.get(CALENDAR_URL).status_code == 403


def test_the_navigation_links_to_the_calendar(admin_client):
    response = admin_client.get(reverse("delegations:delegation-list"))

    assert f'href="{CALENDAR_URL}"' in response.content.decode()


def test_calendar_page_costs_the_same_queries_for_one_or_fifty_visits(
    admin_client, django_assert_max_num_queries
):
    url = f"{CALENDAR_URL}?month=2026-10"
    visit = make_delegation(start=D(2026, 10, 1), end=D(2026, 10, 3))
    make_item(visit, start_time=T(9, 0), venue=Venue.objects.create(name="City Hall"))
    with django_assert_max_num_queries(5):
        one = query_count(admin_client, url)

    for n in range(49):
        partner = make_partner(f"Partner {n}", "JP")
        other = make_delegation(
            partner=partner, title=f"Visit {n}", start=D(2026, 10, n % 28 + 1), end=None
        )
        make_item(other, start_time=T(10, 0), venue=Venue.objects.create(name=f"Hall {n}"))
    with django_assert_max_num_queries(5):
        fifty = query_count(admin_client, url)

    assert one == fifty


# ---- Subscription page ------------------------------------------------------------------


def test_subscription_page_shows_the_users_absolute_feed_address(admin_client, admin_user):
    response = admin_client.get(SUBSCRIPTION_URL)

    assert response.status_code == 200
    feed = CalendarFeed.objects.get(user=admin_user)
    html = response.content.decode()
    assert f"http://testserver/delegations/calendar/feed/{feed.token}.ics" in html
    assert f"webcal://testserver/delegations/calendar/feed/{feed.token}.ics" in html
    assert "Outlook" in html and "Google Calendar" in html
    assert "Revoke and make a new address" in html


def test_subscription_page_keeps_the_same_address_between_visits(admin_client, admin_user):
    admin_client.get(SUBSCRIPTION_URL)
    token = CalendarFeed.objects.get(user=admin_user).token

    admin_client.get(SUBSCRIPTION_URL)

    assert CalendarFeed.objects.get(user=admin_user).token == token


def test_revoking_gives_a_new_address_and_the_old_one_stops(admin_client, admin_user):
    feed = CalendarFeed.objects.create(user=admin_user)
    old_url = feed.get_absolute_url()

    response = admin_client.post(SUBSCRIPTION_URL, follow=True)

    feed.refresh_from_db()
    assert feed.get_absolute_url() != old_url
    assert response.redirect_chain == [(SUBSCRIPTION_URL, 302)]
    assert "the old one no longer works" in response.content.decode()
    assert admin_client.get(old_url).status_code == 404
    assert admin_client.get(feed.get_absolute_url()).status_code == 200


def test_subscription_page_needs_a_login(client):
    response = client.get(SUBSCRIPTION_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


# ---- iCalendar feed ---------------------------------------------------------------------


@pytest.fixture
def feed(django_user_model) -> CalendarFeed:
    return CalendarFeed.objects.create(user=make_officer(django_user_model))


def test_feed_is_an_icalendar_document_named_for_amity(client, feed):
    response = client.get(feed.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Amity delegations"
    assert "Amity" in str(cal["PRODID"])
    assert cal.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in response.content


def test_feed_has_an_all_day_event_per_visit_with_an_exclusive_end(client, feed):
    leader = Person.objects.create(name="Kim Jae-hyun")
    visit = make_delegation(
        title="Friendship agreement visit",
        start=soon(10),
        end=soon(12),
        status=Delegation.Status.CONFIRMED,
        leader=leader,
        leader_title="District Mayor",
        purpose="Sign the friendship agreement.",
    )
    outbound = make_delegation(
        title="Education exchange",
        direction=Delegation.Direction.OUTBOUND,
        partner=make_partner("Miryang City", "KR"),
        start=soon(30),
    )

    events = events_by_uid(fetch_ics(client, feed))

    event = events[f"delegation-{visit.pk}@amity"]
    assert str(event["SUMMARY"]) == "← Changning District: Friendship agreement visit"
    assert event.decoded("DTSTART") == soon(10)
    assert type(event.decoded("DTSTART")) is datetime.date
    assert event.decoded("DTEND") == soon(13)
    assert str(event["STATUS"]) == "CONFIRMED"
    description = str(event["DESCRIPTION"])
    assert "Leader: Kim Jae-hyun, District Mayor" in description
    assert "Purpose: Sign the friendship agreement." in description
    assert f"http://testserver{visit.get_absolute_url()}" in description
    assert event.decoded("LAST-MODIFIED") == visit.updated_at.replace(microsecond=0)

    one_day = events[f"delegation-{outbound.pk}@amity"]
    assert str(one_day["SUMMARY"]) == "→ Miryang City: Education exchange"
    assert one_day.decoded("DTEND") == soon(31)
    assert str(one_day["STATUS"]) == "TENTATIVE"


def test_feed_marks_cancelled_visits_cancelled(client, feed):
    visit = make_delegation(start=soon(), status=Delegation.Status.CANCELLED)

    event = events_by_uid(fetch_ics(client, feed))[f"delegation-{visit.pk}@amity"]

    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Cancelled: ")


def test_feed_has_timed_programme_items_in_the_project_time_zone(client, feed, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # not the default, to show the feed follows it
    visit = make_delegation(start=soon(10), end=soon(12))
    venue = Venue.objects.create(name="Gangseo District Office", address="302 Hwagok-ro")
    signing = make_item(
        visit,
        title="Signing ceremony",
        date=soon(11),
        start_time=T(10, 0),
        end_time=T(11, 30),
        venue=venue,
    )
    dinner = make_item(visit, title="Welcome dinner", date=soon(10), start_time=T(18, 0))
    make_item(visit, title="Free afternoon", date=soon(12))  # no time: only the visit shows it

    cal = fetch_ics(client, feed)
    events = events_by_uid(cal)

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    event = events[f"programme-item-{signing.pk}@amity"]
    assert event.decoded("DTSTART") == datetime.datetime.combine(soon(11), T(10, 0), berlin)
    assert event.decoded("DTEND") == datetime.datetime.combine(soon(11), T(11, 30), berlin)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(event["LOCATION"]) == "Gangseo District Office, 302 Hwagok-ro"
    assert str(event["SUMMARY"]).startswith("Signing ceremony")
    # Without an end time an item takes an hour.
    event = events[f"programme-item-{dinner.pk}@amity"]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(hours=1)
    assert len(events) == 3
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_feed_uids_stay_the_same_between_fetches(client, feed):
    visit = make_delegation(start=soon())
    make_item(visit, start_time=T(9, 0))

    first = events_by_uid(fetch_ics(client, feed))
    visit.title = "Friendship agreement visit (renamed)"
    visit.save()
    second = events_by_uid(fetch_ics(client, feed))

    assert set(first) == set(second)
    assert len(first) == 2


def test_feed_leaves_out_partial_dates_and_visits_over_a_year_ago(client, feed):
    today = timezone.localdate()
    recent = make_delegation(
        title="Ended three months ago",
        start=today - datetime.timedelta(days=95),
        end=today - datetime.timedelta(days=90),
    )
    make_delegation(title="Ended long ago", start=today - datetime.timedelta(days=400))
    make_delegation(
        title="Some time next year",
        start=today.replace(year=today.year + 1, month=1, day=1),
        start_precision=Precision.YEAR,
    )

    events = events_by_uid(fetch_ics(client, feed))

    assert set(events) == {f"delegation-{recent.pk}@amity"}


def test_feed_with_a_wrong_token_is_not_found(client, feed):
    url = reverse("delegations:calendar-feed", args=["not-the-token"])

    assert client.get(url).status_code == 404


def test_feed_with_a_revoked_token_is_not_found_and_the_new_one_works(client, feed):
    old_url = feed.get_absolute_url()

    feed.revoke()

    assert client.get(old_url).status_code == 404
    assert client.get(feed.get_absolute_url()).status_code == 200


def test_feed_of_a_deactivated_user_is_not_found(client, feed):
    feed.user.is_active = False
    feed.user.save()

    assert client.get(feed.get_absolute_url()).status_code == 404


def test_feed_of_a_user_without_the_view_permission_is_not_found(client, django_user_model):
    feed = CalendarFeed.objects.create(user=make_officer(django_user_model, can_view=False))

    assert client.get(feed.get_absolute_url()).status_code == 404


def test_feed_works_for_a_permission_given_through_a_group(client, django_user_model):
    user = make_officer(django_user_model, can_view=False)
    group = user.groups.create(name="viewer")
    group.permissions.add(Permission.objects.get(codename="view_delegation"))
    feed = CalendarFeed.objects.create(user=user)

    assert client.get(feed.get_absolute_url()).status_code == 200


def test_feed_needs_no_login_and_creates_nothing(client, feed):
    make_delegation(start=soon())

    response = client.get(feed.get_absolute_url())

    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.content
    assert CalendarFeed.objects.count() == 1
    assert "sessionid" not in response.cookies


def test_feed_only_answers_reads(client, feed):
    assert client.post(feed.get_absolute_url()).status_code == 405
    assert client.head(feed.get_absolute_url()).status_code == 200


def test_feed_costs_the_same_queries_for_one_or_fifty_visits(
    client, feed, django_assert_max_num_queries
):
    url = feed.get_absolute_url()
    visit = make_delegation(start=soon(), leader=Person.objects.create(name="Leader"))
    make_item(visit, start_time=T(9, 0), venue=Venue.objects.create(name="City Hall"))
    with django_assert_max_num_queries(5):
        one = query_count(client, url)

    for n in range(49):
        other = make_delegation(
            partner=make_partner(f"Partner {n}", "JP"),
            title=f"Visit {n}",
            start=soon(n),
            leader=Person.objects.create(name=f"Leader {n}"),
        )
        make_item(other, start_time=T(10, 0), venue=Venue.objects.create(name=f"Hall {n}"))
    with django_assert_max_num_queries(5):
        fifty = query_count(client, url)

    assert one == fifty
    assert len(events_by_uid(fetch_ics(client, feed))) == 100
