import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from delegations.models import (
    Accommodation,
    AgreementSigning,
    Delegation,
    Gift,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
    Venue,
)
from relations.dates import Precision
from relations.models import Agreement, Partner, Person

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in August 2013, the month of the 21-member visit."""
    return datetime.datetime(2013, 8, day, hour, minute, tzinfo=datetime.UTC)


def make_partner(name: str = "Changning District", country: str = "CN", **kwargs) -> Partner:
    kwargs.setdefault("level", Partner.Level.FRIENDSHIP)
    return Partner.objects.create(name=name, country=country, **kwargs)


def make_home() -> Partner:
    return Partner.objects.create(name="Gangseo District", country="KR", is_home=True)


def make_person(name: str = "Kim Jae-hyun") -> Person:
    return Person.objects.create(name=name)


def make_delegation(partner: Partner | None = None, **kwargs) -> Delegation:
    kwargs.setdefault("title", "Friendship agreement visit")
    kwargs.setdefault("direction", Delegation.Direction.INBOUND)
    kwargs.setdefault("start", D(2013, 8, 27))
    return Delegation.objects.create(partner=partner or make_partner(), **kwargs)


def make_venue(name: str = "Gangseo District Office", **kwargs) -> Venue:
    return Venue.objects.create(name=name, **kwargs)


def make_gift(partner: Partner | None = None, **kwargs) -> Gift:
    kwargs.setdefault("direction", Gift.Direction.GIVEN)
    kwargs.setdefault("description", "Joseon-era painting (reproduction)")
    kwargs.setdefault("giver", "Mayor of Gangseo District")
    kwargs.setdefault("recipient", "Mayor of Miryang City")
    kwargs.setdefault("given_on", D(2013, 8, 27))
    return Gift.objects.create(partner=partner or make_partner(), **kwargs)


def new_gift(**kwargs) -> Gift:
    """An unsaved gift, for full_clean()."""
    if "partner" not in kwargs:
        kwargs["partner"] = make_partner()
    kwargs.setdefault("direction", Gift.Direction.RECEIVED)
    kwargs.setdefault("description", "Straw craftwork")
    kwargs.setdefault("giver", "Miryang City")
    kwargs.setdefault("recipient", "Gangseo District")
    return Gift(**kwargs)


def refused(error: ValidationError) -> set[str]:
    """The fields a ValidationError from full_clean() names."""
    return set(error.message_dict)


# Delegation: database constraints


def test_a_delegation_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_delegation(start=D(2013, 8, 27), end=D(2013, 8, 26))


def test_a_delegation_may_end_on_the_day_it_starts():
    make_delegation(start=D(2013, 8, 27), end=D(2013, 8, 27))
    assert Delegation.objects.count() == 1


def test_a_visit_is_recorded_once_per_partner_direction_start_and_title():
    partner = make_partner()
    make_delegation(partner, title="Advance team", start=D(2007, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_delegation(partner, title="Advance team", start=D(2007, 5, 1))


def test_the_same_visit_title_may_go_the_other_way():
    partner = make_partner()
    make_delegation(partner, title="New Year visit", direction="inbound")
    make_delegation(partner, title="New Year visit", direction="outbound")
    assert Delegation.objects.count() == 2


def test_a_delegation_budget_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_delegation(budget=Decimal("-1"))


def test_a_delegation_budget_may_be_zero():
    make_delegation(budget=Decimal("0"))
    assert Delegation.objects.get().budget == 0


def test_an_agreement_is_signed_during_one_delegation_only():
    partner = make_partner()
    agreement = Agreement.objects.create(
        partner=partner, title="Friendship agreement", kind="friendship", signed_on=D(2013, 8, 27)
    )
    AgreementSigning.objects.create(delegation=make_delegation(partner), agreement=agreement)
    other = make_delegation(partner, title="Follow-up visit", start=D(2014, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementSigning.objects.create(delegation=other, agreement=agreement)


def test_several_agreements_may_be_signed_during_one_delegation():
    partner = make_partner()
    delegation = make_delegation(partner)
    for title in ("School-to-school agreement", "Hospital-to-hospital agreement"):
        agreement = Agreement.objects.create(
            partner=partner, title=title, kind="institutional", signed_on=D(2013, 8, 27)
        )
        AgreementSigning.objects.create(delegation=delegation, agreement=agreement)
    assert delegation.agreements.count() == 2


# Delegation: clean()


def test_a_valid_delegation_passes_full_clean():
    make_delegation().full_clean()


def test_a_delegation_cannot_end_before_it_starts():
    delegation = Delegation(
        partner=make_partner(),
        title="Visit",
        direction="outbound",
        start=D(2013, 8, 27),
        end=D(2013, 8, 26),
    )
    with pytest.raises(ValidationError) as excinfo:
        delegation.full_clean()
    assert refused(excinfo.value) == {"end"}


def test_a_delegation_cannot_go_to_the_home_authority():
    delegation = Delegation(
        partner=make_home(), title="Visit", direction="inbound", start=D(2013, 8, 27)
    )
    with pytest.raises(ValidationError) as excinfo:
        delegation.full_clean()
    assert refused(excinfo.value) == {"partner"}


def test_a_delegation_without_a_partner_is_reported_not_crashed_on():
    with pytest.raises(ValidationError) as excinfo:
        Delegation(title="Visit", direction="inbound", start=D(2013, 8, 27)).full_clean()
    assert "partner" in refused(excinfo.value)


def test_a_month_precise_delegation_date_typed_as_the_29th_is_stored_as_the_first():
    delegation = Delegation(
        partner=make_partner(),
        title="Advance team",
        direction="outbound",
        start=D(2007, 5, 29),
        start_precision=Precision.MONTH,
        end=D(2007, 6, 29),
        end_precision=Precision.MONTH,
    )
    delegation.full_clean()
    assert (delegation.start, delegation.end) == (D(2007, 5, 1), D(2007, 6, 1))


# Delegation: dates


@pytest.mark.parametrize(
    ("dates", "period"),
    [
        ({"start": D(2013, 8, 27)}, (D(2013, 8, 27), D(2013, 8, 27))),
        ({"start": D(2013, 8, 27), "end": D(2013, 8, 29)}, (D(2013, 8, 27), D(2013, 8, 29))),
        ({"start": D(2013, 8, 1), "start_precision": "month"}, (D(2013, 8, 1), D(2013, 8, 31))),
        ({"start": D(2012, 2, 1), "start_precision": "month"}, (D(2012, 2, 1), D(2012, 2, 29))),
        ({"start": D(2007, 1, 1), "start_precision": "year"}, (D(2007, 1, 1), D(2007, 12, 31))),
        (
            {"start": D(2013, 8, 27), "end": D(2013, 9, 1), "end_precision": "month"},
            (D(2013, 8, 27), D(2013, 9, 30)),
        ),
        (
            {"start": D(2013, 12, 1), "start_precision": "month", "end": D(2014, 1, 3)},
            (D(2013, 12, 1), D(2014, 1, 3)),
        ),
    ],
)
def test_a_delegation_period_spans_every_day_its_dates_may_mean(dates, period):
    assert Delegation(**dates).period == period


@pytest.mark.parametrize(
    ("dates", "text"),
    [
        ({"start": D(2013, 8, 27)}, "27 Aug 2013"),
        ({"start": D(2013, 8, 27), "end": D(2013, 8, 29)}, "27 Aug 2013 – 29 Aug 2013"),
        ({"start": D(2013, 8, 27), "end": D(2013, 8, 27)}, "27 Aug 2013"),
        ({"start": D(2013, 8, 1), "start_precision": "month"}, "Aug 2013"),
        ({"start": D(2007, 1, 1), "start_precision": "year"}, "2007"),
        (
            {
                "start": D(2009, 10, 1),
                "start_precision": "month",
                "end": D(2009, 11, 1),
                "end_precision": "month",
            },
            "Oct 2009 – Nov 2009",
        ),
    ],
)
def test_a_delegation_shows_its_dates_as_the_sources_give_them(dates, text):
    assert Delegation(**dates).dates_display == text


def test_a_delegation_reads_as_its_title_and_dates():
    delegation = Delegation(title="Friendship agreement visit", start=D(2013, 8, 27))
    assert str(delegation) == "Friendship agreement visit (27 Aug 2013)"


# Delegation: upcoming

TODAY = D(2025, 9, 15)


@pytest.fixture
def today(monkeypatch):
    """Pin timezone.localdate() so the date arithmetic does not depend on the calendar."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def test_upcoming_lists_planned_visits_from_today_to_the_horizon(today):
    partner = make_partner()
    starting_today = make_delegation(partner, title="Today", start=today)
    in_sixty_days = make_delegation(
        partner, title="Sixty days", start=today + datetime.timedelta(days=60)
    )
    make_delegation(partner, title="Too far", start=today + datetime.timedelta(days=61))
    assert set(Delegation.objects.upcoming()) == {starting_today, in_sixty_days}


def test_upcoming_excludes_visits_that_have_started(today):
    make_delegation(title="Yesterday", start=today - datetime.timedelta(days=1))
    assert not Delegation.objects.upcoming().exists()


def test_upcoming_excludes_cancelled_visits(today):
    partner = make_partner()
    make_delegation(partner, title="Cancelled", start=today, status="cancelled")
    confirmed = make_delegation(partner, title="Confirmed", start=today, status="confirmed")
    assert list(Delegation.objects.upcoming()) == [confirmed]


def test_upcoming_looks_as_far_ahead_as_asked(today):
    later = make_delegation(start=today + datetime.timedelta(days=90))
    assert list(Delegation.objects.upcoming(days=90)) == [later]
    assert not Delegation.objects.upcoming(days=89).exists()


def test_upcoming_keeps_a_planned_visit_known_only_to_be_this_month(today):
    this_month = make_delegation(start=today.replace(day=1), start_precision=Precision.MONTH)
    assert list(Delegation.objects.upcoming()) == [this_month]


# Members, venues and the programme


def test_a_person_is_a_member_of_a_delegation_once():
    delegation = make_delegation()
    person = make_person()
    Member.objects.create(delegation=delegation, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(delegation=delegation, person=person, role="interpreter")


def test_a_venue_name_is_unique_within_a_partner():
    partner = make_partner()
    make_venue("Grand Hotel", partner=partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_venue("Grand Hotel", partner=partner)


def test_venues_of_different_partners_may_share_a_name():
    make_venue("Grand Hotel", partner=make_partner())
    make_venue("Grand Hotel", partner=make_partner("Miryang City", "KR"))
    assert Venue.objects.count() == 2


def test_a_programme_item_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeItem.objects.create(
            delegation=make_delegation(),
            title="Signing ceremony",
            date=D(2013, 8, 27),
            start_time=datetime.time(10, 30),
            end_time=datetime.time(10, 0),
        )


def test_a_programme_item_may_end_when_it_starts():
    ProgrammeItem.objects.create(
        delegation=make_delegation(),
        title="Photo",
        date=D(2013, 8, 27),
        start_time=datetime.time(10, 30),
        end_time=datetime.time(10, 30),
    )
    assert ProgrammeItem.objects.count() == 1


def test_a_programme_item_is_recorded_once_per_day_time_and_title():
    delegation = make_delegation()
    item = {"title": "Talks", "date": D(2013, 8, 27), "start_time": datetime.time(9)}
    ProgrammeItem.objects.create(delegation=delegation, **item)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeItem.objects.create(delegation=delegation, **item)


def new_item(**kwargs) -> ProgrammeItem:
    return ProgrammeItem(delegation=make_delegation(), title="Talks", **kwargs)


def test_a_valid_programme_item_passes_full_clean():
    new_item(
        date=D(2013, 8, 27), start_time=datetime.time(9), end_time=datetime.time(10)
    ).full_clean()


def test_a_programme_item_with_an_end_time_needs_a_start_time():
    item = new_item(date=D(2013, 8, 27), end_time=datetime.time(10))
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert refused(excinfo.value) == {"start_time"}


def test_a_programme_item_time_needs_its_day():
    item = new_item(start_time=datetime.time(9))
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert refused(excinfo.value) == {"date"}


def test_a_programme_item_cannot_end_before_it_starts():
    item = new_item(date=D(2013, 8, 27), start_time=datetime.time(10), end_time=datetime.time(9))
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert refused(excinfo.value) == {"end_time"}


# Logistics


def test_a_stay_cannot_check_out_before_it_checks_in():
    with pytest.raises(IntegrityError), transaction.atomic():
        Accommodation.objects.create(
            delegation=make_delegation(),
            hotel=make_venue("Grand Hotel", kind="hotel"),
            check_in=D(2013, 8, 27),
            check_out=D(2013, 8, 26),
        )


def test_a_stay_may_check_out_on_the_day_it_checks_in():
    stay = Accommodation.objects.create(
        delegation=make_delegation(),
        hotel=make_venue("Grand Hotel", kind="hotel"),
        check_in=D(2013, 8, 27),
        check_out=D(2013, 8, 27),
    )
    assert stay.nights == 0


def test_full_clean_refuses_a_stay_that_checks_out_before_it_checks_in():
    stay = Accommodation(
        delegation=make_delegation(),
        hotel=make_venue("Grand Hotel", kind="hotel"),
        check_in=D(2013, 8, 27),
        check_out=D(2013, 8, 26),
    )
    with pytest.raises(ValidationError):
        stay.full_clean()


def test_a_transport_cannot_arrive_before_it_departs():
    with pytest.raises(IntegrityError), transaction.atomic():
        Transport.objects.create(
            delegation=make_delegation(),
            kind="flight",
            reference="MU5041",
            departs_at=at(27, 9),
            arrives_at=at(27, 8),
        )


def test_a_transport_may_have_no_arrival_time():
    Transport.objects.create(
        delegation=make_delegation(), kind="van", vehicle="12가3456", departs_at=at(27, 9)
    )
    assert Transport.objects.count() == 1


def test_an_interpreter_assignment_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        InterpreterAssignment.objects.create(
            delegation=make_delegation(),
            interpreter=make_person("Li Na"),
            starts_at=at(27, 9),
            ends_at=at(27, 8, 59),
        )


def test_an_interpreter_assignment_may_end_when_it_starts():
    InterpreterAssignment.objects.create(
        delegation=make_delegation(),
        interpreter=make_person("Li Na"),
        starts_at=at(27, 9),
        ends_at=at(27, 9),
    )
    assert InterpreterAssignment.objects.count() == 1


# Gifts


def test_a_gift_is_recorded_once_per_partner_direction_description_and_day():
    partner = make_partner("Miryang City", "KR")
    make_gift(partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_gift(partner)


def test_the_same_gift_may_be_given_and_received():
    partner = make_partner("Miryang City", "KR")
    make_gift(partner, direction="given")
    make_gift(partner, direction="received")
    assert Gift.objects.count() == 2


@pytest.mark.parametrize("field", ["value", "value_krw"])
def test_a_gift_value_cannot_be_negative(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_gift(**{field: Decimal("-1")})


def test_a_gift_may_be_worth_nothing():
    make_gift(value=Decimal("0"), value_krw=Decimal("0"))
    assert Gift.objects.count() == 1


def test_a_valid_gift_passes_full_clean():
    new_gift().full_clean()


def test_a_gift_currency_is_upper_cased():
    gift = new_gift(value=Decimal("100"), currency="cny", value_krw=Decimal("19000"))
    gift.full_clean()
    assert gift.currency == "CNY"


def test_a_gift_value_in_won_is_copied_to_its_value_in_krw():
    gift = new_gift(value=Decimal("300000"), currency="krw")
    gift.full_clean()
    assert gift.value_krw == Decimal("300000")


def test_a_gift_value_in_another_currency_needs_its_krw_estimate():
    gift = new_gift(value=Decimal("1000"), currency="CNY")
    with pytest.raises(ValidationError) as excinfo:
        gift.full_clean()
    assert excinfo.value.message_dict["value_krw"] == [
        "Give the KRW estimate of a gift valued in CNY."
    ]
    assert gift.value_krw is None


def test_a_gift_value_in_krw_already_given_is_kept():
    gift = new_gift(value=Decimal("300000"), currency="KRW", value_krw=Decimal("299000"))
    gift.full_clean()
    assert gift.value_krw == Decimal("299000")


def test_a_gift_cannot_belong_to_a_delegation_of_another_partner():
    delegation = make_delegation(make_partner("Changning District"))
    gift = new_gift(partner=make_partner("Miryang City", "KR"), delegation=delegation)
    with pytest.raises(ValidationError) as excinfo:
        gift.full_clean()
    assert refused(excinfo.value) == {"delegation"}


def test_a_gift_may_belong_to_a_delegation_of_its_partner():
    delegation = make_delegation()
    new_gift(partner=delegation.partner, delegation=delegation).full_clean()


def test_a_gift_without_a_partner_is_reported_not_crashed_on():
    delegation = make_delegation()
    gift = new_gift(partner=None, delegation=delegation)
    with pytest.raises(ValidationError) as excinfo:
        gift.full_clean()
    assert "partner" in refused(excinfo.value)


def test_a_month_precise_gift_date_typed_as_the_29th_is_stored_as_the_first():
    gift = new_gift(given_on=D(2013, 8, 29), given_on_precision=Precision.MONTH)
    gift.full_clean()
    assert gift.given_on == D(2013, 8, 1)
    assert gift.given_on_display == "Aug 2013"
