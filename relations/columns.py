"""Spreadsheet columns of the import and export resources, as django-import-export fields.

A column knows its English header and the other spellings offices use (Korean, Chinese),
how to read a cell into a model value (``read``: raises ValueError with a message fit to
show next to the row and column) and how to write it back (``render``). Exports read the
database with ``values_list`` on ``paths``, so a column renders from plain values, never a
model instance: that keeps exports fast and flat in memory.
"""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import fields, widgets

from .cells import read_count, read_country, read_number, read_partial_date
from .dates import PartialDate, Precision
from .exports import FORMULA_STARTS
from .languages import in_every_language
from .search import fold

TRUE = {"yes", "y", "true", "1", "예", "네", "o", "是", "x", "✓"}
FALSE = {"no", "n", "false", "0", "아니오", "아니요", "否", ""}
# What exports write for a ticked and an unticked box, in the language of the export.
YES, NO = _("yes"), _("no")


@cache
def yes_and_no() -> tuple[set[str], set[str]]:
    """The words read as yes and as no: TRUE and FALSE, and YES and NO in every language."""
    yes = TRUE | {fold(word) for word in in_every_language(YES)}
    no = FALSE | {fold(word) for word in in_every_language(NO)}
    return yes, no


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_of(value) -> str:
    """A cell as text: XLSX gives 2010.0 for a number typed as 2010, and our exports put
    an apostrophe before a text a spreadsheet would take for a formula ("'+82-2-…")."""
    if isinstance(value, str):  # most cells: tested first, as imports read every cell
        text = unicodedata.normalize("NFC", value).strip()
        if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
            return text[1:]
        return text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def render_partial(date: datetime.date | None, precision: str) -> str:
    """2010, 2010-10 or 2010-10-29: what the date is known to, read back by the import."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year}"
    if precision == Precision.MONTH:
        return f"{date.year}-{date.month:02d}"
    return date.isoformat()


class Column(fields.Field):
    """A text column. ``attribute`` is the model field it fills."""

    def __init__(
        self,
        attribute: str,
        header: str,
        *,
        aliases: tuple[str, ...] = (),
        required: bool = False,
        max_length: int | None = None,
        example="",
        help_text: str = "",
        sensitive: bool = False,
    ):
        super().__init__(attribute=attribute, column_name=header, widget=widgets.CharWidget())
        # Translatable (a lazy string): exports write it in the language of the page, and
        # the import reads it in any interface language (see importing.column_keys).
        self.declared_header = header
        self.aliases = aliases
        self.required = required
        self.max_length = max_length
        self.example = example
        self.help_text = help_text
        self.sensitive = sensitive

    @property
    def header(self) -> str:
        """The header in the active language."""
        return str(self.declared_header)

    # Import ------------------------------------------------------------------------

    def read(self, value, context):
        """The model value of a cell; blank cells give ``empty``."""
        if value is None or (isinstance(value, str) and not value.strip()):  # is_blank, inlined
            if self.required:
                raise ValueError(_("the cell is empty; this column is required."))
            return self.empty
        return self.parse(value, context)

    empty = ""

    def parse(self, value, context):
        text = text_of(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                _("the text is %(length)s characters long; at most %(limit)s fit.")
                % {"length": len(text), "limit": self.max_length}
            )
        return text

    def assign(self, instance, value) -> None:
        setattr(instance, self.attribute, value)

    def current(self, instance):
        """The value the record holds now, comparable with what ``read`` returns."""
        return getattr(instance, self.attribute)

    def shown(self, value) -> str:
        """A read value, as the preview shows it."""
        return "" if value is None else str(value)

    # Export ------------------------------------------------------------------------

    # Renders from a handful of values (choices, countries, yes/no): an export renders
    # each value once per chunk instead of once per row.
    few_values = False

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.attribute,)

    def render_values(self, *values):
        value = values[0]
        return "" if value is None else value

    # django-import-export's own export path (Resource.export) goes through here.
    def export(self, instance, **kwargs):
        return self.shown(self.current(instance))


class NumberColumn(Column):
    """Figures with separators and units: "580,000", "21명", "41.4㎢"."""

    def __init__(self, *args, whole: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.whole = whole

    empty = None

    def parse(self, value, context):
        return read_count(value) if self.whole else read_number(value)


class DecimalColumn(NumberColumn):
    def __init__(self, *args, places: int = 2, **kwargs):
        super().__init__(*args, whole=False, **kwargs)
        self.places = places

    def parse(self, value, context):
        try:
            return read_number(value).quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation:  # more digits than Decimal arithmetic holds (28)
            raise ValueError(_("“%(value)s” has too many digits.") % {"value": value}) from None


class BooleanColumn(Column):
    empty = False
    few_values = True

    def parse(self, value, context):
        if isinstance(value, bool):
            return value
        key = fold(text_of(value))
        yes, no = yes_and_no()
        if key in yes:
            return True
        if key in no:
            return False
        raise ValueError(_("“%(value)s” is neither yes nor no.") % {"value": value})

    def shown(self, value) -> str:
        return str(YES if value else NO)

    def render_values(self, *values):
        return str(YES if values[0] else NO)


class ChoiceColumn(Column):
    """A choice by its label ("Sister city") or its code ("sister"), or an alias."""

    few_values = True

    def __init__(self, attribute, header, choices, *, synonyms: dict | None = None, **kwargs):
        super().__init__(attribute, header, **kwargs)
        self.choices = choices
        self.labels = dict(choices.choices)
        self.synonyms = synonyms or {}

    @cached_property
    def by_name(self) -> dict[str, str]:
        """Codes by label, in every interface language (an export in Korean imports
        back), by code and by synonym."""
        names = {
            fold(text): code
            for code, label in self.choices.choices
            for text in in_every_language(label)
        }
        names.update({fold(code): code for code in self.choices.values})
        names.update({fold(name): code for name, code in self.synonyms.items()})
        return names

    def parse(self, value, context):
        code = self.by_name.get(fold(text_of(value)))
        if code is None:
            known = ", ".join(str(label) for label in self.labels.values())
            raise ValueError(
                _("“%(value)s” is not one of: %(known)s.") % {"value": value, "known": known}
            )
        return code

    def shown(self, value) -> str:
        return str(self.labels.get(value, value or ""))

    def render_values(self, *values):
        return self.shown(values[0])


class CountryColumn(Column):
    """A country by its English, Korean or Chinese name or ISO code; stored as the code."""

    few_values = True

    def parse(self, value, context):
        return read_country(value)

    def current(self, instance):
        country = getattr(instance, self.attribute)
        return getattr(country, "code", country) or ""

    def shown(self, value) -> str:
        return countries.name(value) if value else ""

    def render_values(self, *values):
        return self.shown(values[0])


class DateColumn(Column):
    """A date known to the day."""

    empty = None

    def parse(self, value, context):
        date = read_partial_date(value)
        if date.precision != Precision.DAY:
            raise ValueError(_("“%(value)s” needs the day.") % {"value": value})
        return date.date

    def shown(self, value) -> str:
        return value.isoformat() if value else ""


class TimeColumn(Column):
    empty = None

    def parse(self, value, context):
        if isinstance(value, datetime.datetime):
            return value.time()
        if isinstance(value, datetime.time):
            return value
        if isinstance(value, float) and 0 <= value < 1:  # Excel keeps times as day fractions
            minutes = round(value * 24 * 60)
            return datetime.time(minutes // 60, minutes % 60)
        # "14시 30분" and "14시" as well as "14:30".
        text = unicodedata.normalize("NFKC", text_of(value)).replace("분", "")
        text = text.replace("시 ", ":").replace("시", ":")
        for pattern in ("%H:%M", "%H:%M:%S", "%H.%M", "%I:%M %p", "%I %p", "%H"):
            try:
                return datetime.datetime.strptime(text.strip(" :"), pattern).time()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a time: write e.g. 14:30.") % {"value": value})

    def shown(self, value) -> str:
        return value.strftime("%H:%M") if value else ""

    def render_values(self, *values):
        return self.shown(values[0])


class PartialDateColumn(Column):
    """A date known to the day, month or year; fills the field and its ``_precision``."""

    empty = None

    def parse(self, value, context):
        return read_partial_date(value)

    def assign(self, instance, value) -> None:
        setattr(instance, self.attribute, value.date if value else None)
        setattr(
            instance, f"{self.attribute}_precision", value.precision if value else Precision.DAY
        )

    def current(self, instance):
        date = getattr(instance, self.attribute)
        return PartialDate(date, getattr(instance, f"{self.attribute}_precision")) if date else None

    def shown(self, value) -> str:
        return render_partial(value.date, value.precision) if value else ""

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.attribute, f"{self.attribute}_precision")

    def render_values(self, date, precision):
        return render_partial(date, precision)


class Reference(Column):
    """Another record, named as people write it; an unknown name is an error on the row,
    never a new record. ``index`` is built once per import (see ``ImportContext``)."""

    empty = None
    # The lookup that resolves this column's values, and what the values name.
    index_name = ""
    noun = _("record")
    # A column of the same row that tells apart records sharing a name (e.g. a country).
    hint_column = ""

    def __init__(self, attribute, header, *, label_path: str, hint_column: str = "", **kwargs):
        super().__init__(attribute, header, **kwargs)
        self.label_path = label_path
        self.hint_column = hint_column or self.hint_column

    def parse(self, value, context):
        hint = context.row.get(self.hint_column) if self.hint_column else None
        return context.index(self.index_name).find(
            text_of(value), "" if is_blank(hint) else text_of(hint), self.noun
        )

    def assign(self, instance, value) -> None:
        setattr(instance, f"{self.attribute}_id", value)

    def current(self, instance):
        return getattr(instance, f"{self.attribute}_id")

    def shown(self, value) -> str:
        return "" if value is None else f"#{value}"

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.label_path,)


class ManyReference(Reference):
    """Several records in one cell, separated by commas or semicolons."""

    empty = frozenset()

    def parse(self, value, context):
        index = context.index(self.index_name)
        names = [part.strip() for part in text_of(value).replace(";", ",").split(",")]
        return frozenset(index.find(name, "", self.noun) for name in names if name)

    def assign(self, instance, value) -> None:
        instance.__dict__.setdefault("_imported_m2m", {})[self.attribute] = value

    def current(self, instance):
        return instance.__dict__.get("_current_m2m", {}).get(self.attribute, frozenset())

    def shown(self, value) -> str:
        return ", ".join(f"#{pk}" for pk in sorted(value))

    @property
    def paths(self) -> tuple[str, ...]:
        return ()  # Rendered from a per-chunk query: a join would repeat the row.


class Hint:
    """Mixed into a column read only to tell apart records that share a name (see
    ``Reference.hint_column``, which reads its cell): it is never stored."""

    def read(self, value, context):
        return None

    def assign(self, instance, value) -> None:
        pass

    def current(self, instance):
        return None


class Computed(Column):
    """A figure exports add for the reader, such as whether a gift needs registering. The
    import knows its header and leaves the column out. It renders from ``paths``, or from
    ``lookup``: a function giving the values of a chunk of records by primary key."""

    def __init__(self, header: str, *, paths=(), render=None, lookup=None, missing=None):
        super().__init__("", header)
        self.missing = missing  # what a lookup without a value for the record gives
        self.computed_paths = tuple(paths)
        self.render = render or (lambda value: value)
        self.lookup = lookup

    @property
    def paths(self) -> tuple[str, ...]:
        return self.computed_paths

    def render_values(self, *values):
        return self.render(*values)
