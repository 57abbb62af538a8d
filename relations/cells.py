"""What a spreadsheet cell means, as offices write them.

Each reader takes the text (or number) of one cell and returns a clean value, or raises
ValueError with a message fit to show the administrator next to the row and column.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from .dates import PartialDate, parse_partial
from .search import fold

# Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers of 1900-01-01 .. 2099-12-31: a bare 4-digit number is a year, not this.
EXCEL_SERIALS = range(367, 73051)

_RANGE = re.compile(r"^(?P<start>.+?)\s*(?:~|–|—|\s-\s|부터|至|到)\s*(?P<end>.+?)\s*(?:까지)?$")


def read_partial_date(value) -> PartialDate:
    """A date to the day, month or year: "2007.08.29", "2007년 8월 29일", "29/08/2007",
    "Oct 2010", "2010", a datetime from XLSX, or an Excel serial number (39323)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return PartialDate(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 1000 <= number <= 9999:
            return PartialDate.of(int(number))
        if number.is_integer() and int(number) in EXCEL_SERIALS:
            return PartialDate(EXCEL_EPOCH + datetime.timedelta(days=int(number)))
        raise ValueError(_("“%(value)s” is not a date.") % {"value": value})
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.isdigit() and len(text) == 5 and int(text) in EXCEL_SERIALS:
        return PartialDate(EXCEL_EPOCH + datetime.timedelta(days=int(text)))
    return parse_partial(text)


def read_date_range(value) -> tuple[PartialDate, PartialDate | None]:
    """A start and an end: "2009.09.20~23", "2009.09.20~2009.09.23", "20–23 Sep 2009"
    (the end borrows what it leaves out from the start). One date gives no end."""
    if not isinstance(value, str):
        return read_partial_date(value), None
    text = unicodedata.normalize("NFKC", value).strip()
    match = _RANGE.match(text)
    if not match:
        return read_partial_date(text), None
    start_text, end_text = match["start"], match["end"]
    if end_text.isdigit() and len(end_text) <= 2:
        # "2009.09.20~23": the end is a day of the start's month.
        start = read_partial_date(start_text)
        end = PartialDate(start.date.replace(day=int(end_text)))
    elif start_text.isdigit() and len(start_text) <= 2:
        # "20–23 Sep 2009": the start is a day of the end's month.
        end = read_partial_date(end_text)
        start = PartialDate(end.date.replace(day=int(start_text)))
    else:
        start, end = read_partial_date(start_text), read_partial_date(end_text)
    if end.last_day < start.first_day:
        raise ValueError(_("“%(value)s” ends before it starts.") % {"value": value})
    return start, end


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?")
_MULTIPLIERS = {"만": 10_000, "억": 100_000_000, "천": 1_000, "万": 10_000, "亿": 100_000_000}


def read_number(value) -> Decimal:
    """A figure with its thousands separators and unit: "580,000", "21명", "41.4㎢",
    "58만", "1.2억 원", "46 people"."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
        # An XLSX cell can hold infinity or NaN, which no column can store.
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
        return number
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    match = _NUMBER.match(text)
    if not match:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    try:
        number = Decimal(match.group())
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
    rest = text[match.end() :]
    if rest[:1] in _MULTIPLIERS:
        number *= _MULTIPLIERS[rest[0]]
    return number


def read_count(value) -> int:
    number = read_number(value)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(
            _("“%(value)s” is not a whole number of people or things.") % {"value": value}
        )
    return int(number)


# Names that no country list spells this way, seen in the office's files and on Wikipedia.
COUNTRY_ALIASES = {
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "usa": "US",
    "united states": "US",
    "us": "US",
    "america": "US",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "korea, republic of": "KR",
    "한국": "KR",
    "남한": "KR",
    "north korea": "KP",
    "북한": "KP",
    "russia": "RU",
    "taiwan": "TW",
    "vietnam": "VN",
    "czech republic": "CZ",
    "republic of ireland": "IE",
    "holland": "NL",
    "the netherlands": "NL",
    "georgia (country)": "GE",
    "cape verde": "CV",
    "ivory coast": "CI",
    "macau": "MO",
    "laos": "LA",
    "syria": "SY",
    "iran": "IR",
    "palestine": "PS",
    "turkey": "TR",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "brunei": "BN",
    "moldavia": "MD",
    "falkland islands": "FK",
    "east timor": "TL",
    "bahamas": "BS",
    "federated states of micronesia": "FM",
    "micronesia": "FM",
    "west bank": "PS",
    "surinam": "SR",
    "bosnia and hercegovina": "BA",
    "kosovo": "XK",
    "中國": "CN",
    "中华人民共和国": "CN",
    "日本国": "JP",
}


def _key(name: str) -> str:
    return " ".join(fold(name).split())


@cache
def _country_names() -> dict[str, str]:
    names = {}
    for language in ("en", "ko", "zh-hans", "zh-hant", "ja"):
        with translation.override(language):
            for code, name in countries:
                names.setdefault(_key(str(name)), code)
    for code, _name in countries:
        names.setdefault(code.casefold(), code)
        alpha3 = countries.alpha3(code)
        if alpha3:
            names.setdefault(alpha3.casefold(), code)
    names.update({_key(alias): code for alias, code in COUNTRY_ALIASES.items()})
    return names


def read_country(value) -> str:
    """The ISO code of a country named in English, Korean, Chinese or Japanese, or by code:
    "South Korea", "대한민국", "England", "中国", "KOR" and "Wales, United Kingdom"."""
    text = str(value or "").strip()
    names = _country_names()
    for candidate in (text, *reversed(text.split(","))):
        code = names.get(_key(candidate))
        if code:
            return code
    raise ValueError(
        _("“%(value)s” is not a country Amity knows; use its English name or ISO code.")
        % {"value": value}
    )
