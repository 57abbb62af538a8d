"""Dates that the sources give only to the year or the month.

A partial date is stored as two columns: the first day of the period it names
(``2010-10-01`` for "October 2010") and its precision. Nothing ever invents a day.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _


class Precision(models.TextChoices):
    DAY = "day", gettext_lazy("Day")
    MONTH = "month", gettext_lazy("Month")
    YEAR = "year", gettext_lazy("Year")


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


# How each interface language writes a date known to the year, the month or the day
# ({b} is the month's abbreviation, "Oct"). English as the sources do ("29 Oct 2010");
# Korean and Chinese as their offices do ("2010년 10월 29일", "2010年10月29日").
PARTIAL_FORMATS = {
    "en": {Precision.YEAR: "{y}", Precision.MONTH: "{b} {y}", Precision.DAY: "{d} {b} {y}"},
    "ko": {
        Precision.YEAR: "{y}년",
        Precision.MONTH: "{y}년 {m}월",
        Precision.DAY: "{y}년 {m}월 {d}일",
    },
    "zh-hans": {
        Precision.YEAR: "{y}年",
        Precision.MONTH: "{y}年{m}月",
        Precision.DAY: "{y}年{m}月{d}日",
    },
}


def format_partial(date: datetime.date | None, precision: str) -> str:
    """As the source gives it, in the active language: "2010", "Oct 2010", "29 Oct 2010";
    "2010년 10월"; "2010年10月29日". ``parse_partial`` reads each of them back."""
    if date is None:
        return ""
    language = (get_language() or "en").lower()
    formats = PARTIAL_FORMATS.get(language) or PARTIAL_FORMATS.get(language.split("-")[0])
    pattern = (formats or PARTIAL_FORMATS["en"])[precision]
    return pattern.format(y=date.year, m=date.month, d=date.day, b=f"{date:%b}")


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9

_NUMERIC = re.compile(
    r"^(?P<y>\d{4})(?:\s*[-./년年]\s*(?P<m>\d{1,2})(?:\s*[-./월月]\s*(?P<d>\d{1,2}))?)?"
    r"\s*[.일日월月년年]?$"
)
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$")
_WORDS = re.compile(
    r"^(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+)?(?P<month>[a-z]+)\.?\s*(?:(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?P<y>\d{4})$"
)


def parse_partial(text: str) -> PartialDate:
    """Read a date as people write it, keeping only the precision they gave.

    "2010", "2010-10", "Oct 2010", "October 29, 2010", "29 Oct 2010", "2010-10-29",
    "2010.10.29", "29/10/2010", "2010년 10월 29일", "2010年10月29日". Raises ValueError.
    """
    cleaned = " ".join(text.strip().lower().replace(",", ", ").split()).replace(" ,", ",")
    cleaned = cleaned.replace("년 ", "년").replace("월 ", "월").replace(" 년", "년")
    if (match := _NUMERIC.match(cleaned)) or (match := _DAY_FIRST.match(cleaned)):
        year, month, day = match["y"], match["m"], match["d"]
    elif (match := _WORDS.match(cleaned)) and match["month"] in MONTHS:
        year, month, day = match["y"], MONTHS[match["month"]], match["d1"] or match["d2"]
    else:
        raise ValueError(
            _("“%(text)s” is not a date: write e.g. 2010, Oct 2010 or 2010-10-29.") % {"text": text}
        )
    try:
        return PartialDate.of(int(year), int(month) if month else None, int(day) if day else None)
    except ValueError:
        raise ValueError(_("“%(text)s” is not a real date.") % {"text": text}) from None
