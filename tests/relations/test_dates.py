import datetime

import pytest

from relations.dates import PartialDate, Precision, format_partial, truncate


def test_of_a_year_is_year_precise_from_the_first_of_january():
    assert PartialDate.of(2010) == PartialDate(datetime.date(2010, 1, 1), Precision.YEAR)


def test_of_a_month_is_month_precise_from_the_first_of_the_month():
    assert PartialDate.of(2010, 10) == PartialDate(datetime.date(2010, 10, 1), Precision.MONTH)


def test_of_a_day_is_day_precise():
    assert PartialDate.of(2010, 10, 29) == PartialDate(datetime.date(2010, 10, 29), Precision.DAY)


def test_a_partial_date_is_day_precise_unless_told_otherwise():
    assert PartialDate(datetime.date(2010, 10, 29)).precision == Precision.DAY


def test_a_year_runs_from_the_first_of_january_to_the_thirty_first_of_december():
    year = PartialDate.of(2010)
    assert year.first_day == datetime.date(2010, 1, 1)
    assert year.last_day == datetime.date(2010, 12, 31)


def test_a_month_ends_on_its_last_day():
    october = PartialDate.of(2010, 10)
    assert october.first_day == datetime.date(2010, 10, 1)
    assert october.last_day == datetime.date(2010, 10, 31)


def test_february_of_a_leap_year_ends_on_the_twenty_ninth():
    assert PartialDate.of(2012, 2).last_day == datetime.date(2012, 2, 29)


def test_february_of_a_common_year_ends_on_the_twenty_eighth():
    assert PartialDate.of(2013, 2).last_day == datetime.date(2013, 2, 28)


def test_february_of_a_century_year_not_divisible_by_400_ends_on_the_twenty_eighth():
    assert PartialDate.of(1900, 2).last_day == datetime.date(1900, 2, 28)


def test_december_ends_on_the_thirty_first_of_the_same_year():
    assert PartialDate.of(2013, 12).last_day == datetime.date(2013, 12, 31)


def test_a_day_is_its_own_first_and_last_day():
    day = PartialDate.of(2013, 8, 27)
    assert day.first_day == day.last_day == datetime.date(2013, 8, 27)


@pytest.mark.parametrize(
    ("partial", "text"),
    [
        (PartialDate.of(2010), "2010"),
        (PartialDate.of(2010, 10), "Oct 2010"),
        (PartialDate.of(2010, 10, 29), "29 Oct 2010"),
        (PartialDate.of(2007, 8, 9), "9 Aug 2007"),
    ],
)
def test_a_partial_date_reads_as_the_source_gives_it(partial, text):
    assert str(partial) == text


@pytest.mark.parametrize(
    ("date", "precision"),
    [
        (datetime.date(2010, 10, 29), Precision.MONTH),
        (datetime.date(2010, 10, 1), Precision.YEAR),
        (datetime.date(2010, 1, 29), Precision.YEAR),
    ],
)
def test_a_partial_date_refuses_a_day_that_does_not_start_its_period(date, precision):
    with pytest.raises(ValueError, match="not the first day"):
        PartialDate(date, precision)


def test_a_partial_date_refuses_an_unknown_precision():
    with pytest.raises(ValueError, match="Unknown date precision"):
        PartialDate(datetime.date(2010, 1, 1), "week")


def test_partial_dates_sort_by_date():
    assert sorted([PartialDate.of(2013, 8, 27), PartialDate.of(2007)]) == [
        PartialDate.of(2007),
        PartialDate.of(2013, 8, 27),
    ]


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (Precision.DAY, datetime.date(2010, 10, 29)),
        (Precision.MONTH, datetime.date(2010, 10, 1)),
        (Precision.YEAR, datetime.date(2010, 1, 1)),
    ],
)
def test_truncate_gives_the_first_day_of_the_period(precision, expected):
    assert truncate(datetime.date(2010, 10, 29), precision) == expected


@pytest.mark.parametrize(
    ("precision", "text"),
    [(Precision.DAY, "29 Oct 2010"), (Precision.MONTH, "Oct 2010"), (Precision.YEAR, "2010")],
)
def test_format_partial_shows_only_what_is_known(precision, text):
    assert format_partial(datetime.date(2010, 10, 29), precision) == text


def test_format_partial_of_no_date_is_empty():
    assert format_partial(None, Precision.DAY) == ""
