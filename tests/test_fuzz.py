"""Hostile and random input to the import parsers and the partial-date parser: each gives
a value or its own clean error (ValueError for a cell, SpreadsheetError for a file,
ValidationError for a form box), never another exception.

tests/relations/test_cells.py already fuzzes read_partial_date, read_date_range and
read_number with text; this adds the other cell types, every import column, whole files
and the format → parse round trip."""

import datetime
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django import forms
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from relations.cells import read_count, read_country, read_date_range, read_number
from relations.columns import Computed, Hint
from relations.dates import PartialDate, Precision, format_partial, parse_partial
from relations.forms import PartialDateField
from relations.importing import ImportContext
from relations.resources import RESOURCES
from relations.spreadsheets import SpreadsheetError, read_table

FAST = settings(max_examples=200, deadline=None)
DB = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# What a spreadsheet cell can hold once read: CSV gives text, XLSX numbers, dates, times
# and booleans as well.
CELLS = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.text(alphabet="0123456789.,-/~ 년월일年月日만억", max_size=20),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)


def columns():
    """Every column of every import, as (resource, header, column)."""
    for slug, resource_class in sorted(RESOURCES.items()):
        resource = resource_class()
        for name, column in resource.fields.items():
            if isinstance(column, Computed | Hint) or not hasattr(column, "read"):
                continue
            yield slug, name, column


def read_all_columns(cell, context) -> None:
    for slug, name, column in columns():
        context.row = {name: cell}
        try:
            column.read(cell, context)
        except ValueError as error:
            assert str(error), f"{slug}.{name}: an empty message for {cell!r}"
        except Exception as error:  # the point: no other kind escapes
            raise AssertionError(f"{slug}.{name} raised {error!r} on {cell!r}") from error


@pytest.mark.django_db
@DB
@given(cell=CELLS)
@example(cell=float("inf"))
@example(cell=Decimal("99999999999999999999999999999"))
@example(cell=0.99999)
def test_every_import_column_reads_any_cell_or_says_why(cell):
    read_all_columns(cell, ImportContext())


@FAST
@given(cell=CELLS)
@example(cell=float("inf"))
@example(cell=Decimal("-Infinity"))
@example(cell="1e400")
def test_counts_and_figures_are_read_or_refused_cleanly(cell):
    for reader in (read_number, read_count):
        try:
            result = reader(cell)
        except ValueError as error:
            assert str(error)
        else:
            assert result.is_finite() if isinstance(result, Decimal) else result >= 0


@FAST
@given(cell=CELLS)
def test_any_cell_is_a_known_country_or_a_clean_refusal(cell):
    try:
        code = read_country(cell)
    except ValueError as error:
        assert str(error)
    else:
        assert len(code) == 2


@FAST
@given(cell=st.one_of(CELLS, st.from_regex(r"\A\d{4}\.\d{2}\.\d{2}\s*~\s*\d{1,3}\Z")))
@example(cell="2009.02.20~31")
@example(cell="0~2009.02.20")
def test_any_date_range_is_read_or_refused_cleanly(cell):
    try:
        start, end = read_date_range(cell)
    except ValueError as error:
        assert str(error)
    else:
        assert end is None or end.last_day >= start.first_day


# ---- The partial-date parser -----------------------------------------------------------


@FAST
@given(text=st.text(max_size=40))
@example(text="0000-00-00")
@example(text="99999-01-01")
@example(text="2010-02-30")
@example(text="\x00")
def test_any_text_is_a_partial_date_or_a_clean_error(text):
    try:
        partial = parse_partial(text)
    except ValueError as error:
        assert str(error)
    else:
        assert isinstance(partial, PartialDate)
        assert partial.first_day <= partial.last_day


@FAST
@given(text=st.text(max_size=40))
def test_the_partial_date_box_gives_a_value_or_a_form_error(text):
    try:
        value = PartialDateField(required=False).clean(text)
    except forms.ValidationError as error:
        assert error.messages
    else:
        assert value is None or isinstance(value, PartialDate)


@FAST
@given(
    date=st.dates(min_value=datetime.date(1000, 1, 1)),
    precision=st.sampled_from(Precision.values),
    language=st.sampled_from(["en", "ko", "zh-hans"]),
)
def test_every_partial_date_written_in_any_language_reads_back(date, precision, language):
    partial = PartialDate.of(
        date.year, *(date.month, date.day)[: ["year", "month", "day"].index(precision)]
    )
    with translation.override(language):
        text = format_partial(partial.date, partial.precision)

    assert parse_partial(text) == partial


# ---- Whole files -----------------------------------------------------------------------


def read_everything(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            table = read_table(path)
            for _number, cells in table.rows:
                assert isinstance(cells, list)
        except SpreadsheetError as error:
            assert str(error)
        except Exception as error:  # the point: no other kind escapes
            raise AssertionError(f"{name} raised {error!r} on {data[:80]!r}") from error


@FAST
@given(data=st.binary(min_size=1, max_size=2000), name=st.sampled_from(["in.csv", "in.xlsx"]))
@example(data=b"a,b\n\x00\x00,\xff\xfe\n", name="in.csv")
@example(data=b'"unclosed\n' * 3, name="in.csv")
@example(data=b"PK\x03\x04" + b"\x00" * 40, name="in.csv")
def test_any_bytes_are_a_table_or_a_clean_refusal(data, name):
    read_everything(data, name)


@FAST
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "cp949", "gb18030"]))
def test_any_text_saved_as_csv_in_an_office_encoding_is_read_or_refused(text, encoding):
    read_everything(text.encode(encoding, errors="replace"), "in.csv")


def workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["English name", "Country", "Established"])
    sheet.append(["Kyoto", "Japan", datetime.date(1970, 1, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WORKBOOK = workbook_bytes()


@FAST
@given(
    changes=st.lists(
        st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.integers(30, len(WORKBOOK)),
)
def test_a_damaged_workbook_is_refused_cleanly(changes, cut):
    data = bytearray(WORKBOOK)
    for position, byte in changes:
        data[position] = byte
    read_everything(bytes(data[:cut]), "in.xlsx")
