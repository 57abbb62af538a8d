import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from delegations.clashes import clashes_for, open_clashes
from delegations.models import (
    Delegation,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
    Venue,
)
from relations.models import Partner, Person

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 3, 10)


@pytest.fixture
def partner():
    return Partner.objects.create(name="Changning District", country="CN", level="friendship")


def visit(partner, title="Visit", start=DAY, days=3, **fields):
    end = start + datetime.timedelta(days=days - 1)
    return Delegation.objects.create(
        partner=partner, title=title, direction="inbound", start=start, end=end, **fields
    )


def item(delegation, title, start, end=None, day=DAY, **fields):
    return ProgrammeItem.objects.create(
        delegation=delegation,
        title=title,
        date=day,
        start_time=datetime.time(*start),
        end_time=datetime.time(*end) if end else None,
        **fields,
    )


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def kinds(clashes):
    return sorted(c.kind for c in clashes)


def test_an_interpreter_in_two_overlapping_items_is_a_clash(partner):
    interpreter = Person.objects.create(name="Park Min-ji")
    a, b = visit(partner, "A"), visit(partner, "B")
    item(a, "Welcome meeting", (10, 0), (11, 0), interpreter=interpreter)
    item(b, "Factory visit", (10, 30), (12, 0), interpreter=interpreter)

    clashes = clashes_for(a)
    assert kinds(clashes) == ["person-double-booked"]
    message = clashes[0].message
    assert "Park Min-ji is booked twice" in message
    assert "“Welcome meeting”" in message and "“Factory visit”" in message
    assert "10 Mar 2027, 10:30" in message
    assert {d.title for d in clashes[0].delegations} == {"A", "B"}
    assert [label for label, _ in clashes[0].links] == ["“Welcome meeting”", "“Factory visit”"]
    assert kinds(clashes_for(b)) == ["person-double-booked"]


def test_two_overlapping_items_of_one_visit_with_one_interpreter_clash(partner):
    interpreter = Person.objects.create(name="Park Min-ji")
    a = visit(partner)
    item(a, "Meeting", (9, 0), (10, 0), interpreter=interpreter)
    item(a, "Lunch", (9, 30), (11, 0), interpreter=interpreter)
    assert kinds(clashes_for(a)) == ["person-double-booked"]


def test_items_that_touch_do_not_clash(partner):
    officer = Person.objects.create(name="Lee Officer")
    a = visit(partner)
    item(a, "Meeting", (9, 0), (10, 0), responsible=officer)
    item(a, "Lunch", (10, 0), (11, 0), responsible=officer)
    assert clashes_for(a) == []


def test_an_item_without_an_end_is_taken_to_last_an_hour(partner):
    officer = Person.objects.create(name="Lee Officer")
    a = visit(partner)
    item(a, "Meeting", (9, 0), responsible=officer)
    item(a, "Call", (9, 59), (10, 10), responsible=officer)
    item(a, "Lunch", (10, 10), (11, 0), responsible=officer)
    assert kinds(clashes_for(a)) == ["person-double-booked"]


def test_cancelled_visits_never_clash(partner):
    interpreter = Person.objects.create(name="Park Min-ji")
    a, b = visit(partner, "A"), visit(partner, "B", status=Delegation.Status.CANCELLED)
    item(a, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    item(b, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    assert clashes_for(a) == []
    assert clashes_for(b) == []


def test_an_assignment_covering_its_own_visits_items_is_not_a_clash(partner):
    interpreter = Person.objects.create(name="Park Min-ji")
    a = visit(partner)
    InterpreterAssignment.objects.create(
        delegation=a, interpreter=interpreter, starts_at=at(DAY, 9), ends_at=at(DAY, 17)
    )
    item(a, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    assert clashes_for(a) == []


def test_an_assignment_overlapping_another_visits_assignment_clashes(partner):
    interpreter = Person.objects.create(name="Park Min-ji")
    a, b = visit(partner, "A"), visit(partner, "B")
    for delegation, hours in [(a, (9, 13)), (b, (12, 18))]:
        InterpreterAssignment.objects.create(
            delegation=delegation,
            interpreter=interpreter,
            starts_at=at(DAY + datetime.timedelta(days=1), hours[0]),
            ends_at=at(DAY + datetime.timedelta(days=1), hours[1]),
        )
    assert kinds(clashes_for(a)) == ["person-double-booked"]


def test_a_venue_booked_by_two_visits_at_once_clashes(partner):
    hall = Venue.objects.create(name="Council Hall")
    a, b = visit(partner, "A"), visit(partner, "B")
    item(a, "Meeting", (14, 0), (15, 0), venue=hall)
    item(b, "Ceremony", (14, 30), (16, 0), venue=hall)
    clashes = clashes_for(a)
    assert kinds(clashes) == ["venue-double-booked"]
    assert clashes[0].message.startswith("Council Hall is booked twice")


def test_one_visit_may_use_a_venue_for_two_things_at_once(partner):
    hotel = Venue.objects.create(name="Airport Hotel", kind="hotel")
    a = visit(partner)
    item(a, "Breakfast", (8, 0), (9, 0), venue=hotel)
    item(a, "Briefing", (8, 30), (9, 0), venue=hotel)
    assert clashes_for(a) == []


def test_a_vehicle_in_two_transports_at_once_clashes(partner):
    a, b = visit(partner, "A"), visit(partner, "B")
    for delegation in (a, b):
        Transport.objects.create(
            delegation=delegation,
            kind="bus",
            vehicle="12가 3456",
            departs_at=at(DAY, 9),
            arrives_at=at(DAY, 10),
        )
    Transport.objects.create(
        delegation=a,
        kind="bus",
        vehicle="12가 3456",
        departs_at=at(DAY, 10),
        arrives_at=at(DAY, 11),
    )
    clashes = clashes_for(a)
    assert kinds(clashes) == ["vehicle-double-booked"]
    assert "Vehicle 12가 3456" in clashes[0].message


def test_one_person_on_two_visits_that_share_a_day_clashes(partner):
    mayor = Person.objects.create(name="Jin Kyohun")
    a = visit(partner, "A", leader=mayor)
    b = visit(partner, "B", start=DAY + datetime.timedelta(days=2))
    Member.objects.create(delegation=b, person=mayor)
    c = visit(partner, "C", start=DAY + datetime.timedelta(days=3))
    Member.objects.create(delegation=c, person=mayor)
    assert kinds(clashes_for(a)) == ["person-in-two-visits"]
    assert "Jin Kyohun is on two visits at once" in clashes_for(a)[0].message
    assert kinds(clashes_for(c)) == ["person-in-two-visits"]  # with B, not with A


def test_an_item_outside_the_visits_dates_is_flagged(partner):
    a = visit(partner, days=2)
    item(a, "Farewell dinner", (19, 0), day=DAY + datetime.timedelta(days=2))
    item(a, "Last morning", (9, 0), day=DAY + datetime.timedelta(days=1))
    clashes = clashes_for(a)
    assert kinds(clashes) == ["item-outside-dates"]
    assert "“Farewell dinner” is on 12 Mar 2027, outside the visit's dates" in clashes[0].message


def test_more_members_than_declared_is_flagged_and_equal_is_not(partner):
    a = visit(partner, declared_size=2)
    for name in ["One", "Two"]:
        Member.objects.create(delegation=a, person=Person.objects.create(name=name))
    assert clashes_for(a) == []
    Member.objects.create(delegation=a, person=Person.objects.create(name="Three"))
    assert kinds(clashes_for(a)) == ["more-members-than-declared"]
    assert "3 members are listed but the head-count declared is 2" in clashes_for(a)[0].message


def test_the_open_clashes_page_lists_each_clash_once_and_only_for_open_visits(partner):
    interpreter = Person.objects.create(name="Park Min-ji")
    a, b = visit(partner, "A"), visit(partner, "B", status=Delegation.Status.CONFIRMED)
    item(a, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    item(b, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    old = visit(
        partner, "Old", start=datetime.date(2020, 1, 1), status="completed", declared_size=0
    )
    Member.objects.create(delegation=old, person=interpreter)
    assert kinds(open_clashes()) == ["person-double-booked"]
    Delegation.objects.filter(pk__in=[a.pk, b.pk]).update(status="completed")
    assert open_clashes() == []


def test_historical_visits_known_only_to_the_month_are_left_out(partner):
    mayor = Person.objects.create(name="Jin Kyohun")
    Delegation.objects.create(
        partner=partner,
        title="A",
        direction="outbound",
        start=datetime.date(2027, 3, 1),
        start_precision="month",
        leader=mayor,
    )
    b = visit(partner, "B", leader=mayor)
    assert clashes_for(b) == []


def test_finding_open_clashes_costs_the_same_queries_for_many_visits(
    partner, django_assert_max_num_queries
):
    interpreter = Person.objects.create(name="Park Min-ji")
    for n in range(30):
        v = visit(partner, f"V{n}", start=DAY + datetime.timedelta(days=n))
        Member.objects.create(delegation=v, person=Person.objects.create(name=f"P{n}"))
        item(v, "Meeting", (10, 0), (11, 0), day=v.start, interpreter=interpreter)
    with django_assert_max_num_queries(8):
        open_clashes()


def test_the_clash_page_checks_visits_to_come_and_counts_those_over_but_still_open(
    partner, admin_client
):
    interpreter = Person.objects.create(name="Park Min-ji")
    a, b = visit(partner, "A"), visit(partner, "B")
    item(a, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    item(b, "Meeting", (10, 0), (11, 0), interpreter=interpreter)
    # Left "planned" twenty years ago, and two old visits that clash with each other: the
    # page neither weighs every visit since nor shows clashes nobody can act on any more.
    old = datetime.date(2006, 5, 2)
    stale = visit(partner, "Stale", start=old)
    done = visit(partner, "Done", start=old, status="completed")
    item(stale, "Dinner", (19, 0), (21, 0), day=old, interpreter=interpreter)
    item(done, "Dinner", (19, 0), (21, 0), day=old, interpreter=interpreter)
    year_only = visit(partner, "Year only", start=datetime.date(2015, 1, 1), days=1)
    Delegation.objects.filter(pk=year_only.pk).update(start_precision="year", end=None)

    page = admin_client.get(reverse("delegations:clash-list")).content.decode()

    assert page.count("Park Min-ji is booked twice") == 1
    assert "Stale" not in page
    assert "2 visits that are over are still marked planned, confirmed or under way" in page


def test_a_visit_known_only_to_this_month_or_year_is_not_over_yet(partner):
    today = timezone.localdate()
    this_month = visit(partner, "This month", start=today.replace(day=1), days=1)
    Delegation.objects.filter(pk=this_month.pk).update(start_precision="month", end=None)
    last_year = visit(partner, "Last year", start=datetime.date(today.year - 1, 1, 1), days=1)
    Delegation.objects.filter(pk=last_year.pk).update(start_precision="year", end=None)

    assert list(Delegation.objects.ended(today)) == [last_year]


def test_a_visit_ending_in_a_month_known_only_as_such_is_over_after_that_month(partner):
    today = timezone.localdate()
    ends_this_month = visit(partner, "Ends this month", start=today.replace(day=1), days=1)
    Delegation.objects.filter(pk=ends_this_month.pk).update(
        end=today.replace(day=1), end_precision="month"
    )
    ended_last_year = visit(partner, "Ended last year", start=datetime.date(today.year - 1, 1, 1))
    Delegation.objects.filter(pk=ended_last_year.pk).update(
        end=datetime.date(today.year - 1, 1, 1), end_precision="year"
    )

    assert list(Delegation.objects.ended(today)) == [ended_last_year]
