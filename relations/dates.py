"""Dates that the sources give only to the year or the month.

A partial date is stored as two columns: the first day of the period it names
(``2010-10-01`` for "October 2010") and its precision. Nothing ever invents a day.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


@dataclass(frozen=True, order=True)
class PartialDate:
    date: datetime.date
    precision: str = Precision.DAY

    def __post_init__(self):
        if self.precision not in Precision.values:
            raise ValueError(f"Unknown date precision {self.precision!r}")
        if self.date != truncate(self.date, self.precision):
            raise ValueError(f"{self.date} is not the first day of its {self.precision}")

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> "PartialDate":
        if month is None:
            return cls(datetime.date(year, 1, 1), Precision.YEAR)
        if day is None:
            return cls(datetime.date(year, month, 1), Precision.MONTH)
        return cls(datetime.date(year, month, day), Precision.DAY)

    @property
    def first_day(self) -> datetime.date:
        return self.date

    @property
    def last_day(self) -> datetime.date:
        """The last day the period could mean: 31 Dec for a year, the month's end for a month."""
        if self.precision == Precision.YEAR:
            return self.date.replace(month=12, day=31)
        if self.precision == Precision.MONTH:
            return self.date.replace(day=calendar.monthrange(self.date.year, self.date.month)[1])
        return self.date

    def __str__(self) -> str:
        return format_partial(self.date, self.precision)


def truncate(date: datetime.date, precision: str) -> datetime.date:
    """The first day of the period of ``precision`` that holds ``date``."""
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


def last_day(date: datetime.date, precision: str) -> datetime.date:
    """The last day a partial date can mean, whatever day it was stored with."""
    return PartialDate(truncate(date, precision), precision).last_day


def format_partial(date: datetime.date | None, precision: str) -> str:
    """As the source gives it: "2010", "Oct 2010", "29 Oct 2010"."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year}"
    if precision == Precision.MONTH:
        return f"{date:%b} {date.year}"
    return f"{date.day} {date:%b} {date.year}"
