"""Exports of the import resources never hand a spreadsheet a formula: every text cell
that would start one (= + - @, tab, CR) gets a leading apostrophe, in CSV and in XLSX."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from relations.exports import CSV_BOM, FORMULA_STARTS, csv_lines, write_xlsx
from relations.models import Agreement, Partner
from relations.resources import RESOURCES

# Any text a record may hold: PostgreSQL stores no NUL, and XLSX has no place for the
# control characters openpyxl refuses (see the last test).
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00").filter(
        lambda char: not ILLEGAL_CHARACTERS_RE.match(char)
    ),
    max_size=60,
)
FORMULA_LIKE = st.builds(str.__add__, st.sampled_from(FORMULA_STARTS), TEXT)
PLAIN = TEXT.filter(lambda text: not text.startswith(FORMULA_STARTS))
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def csv_table(rows) -> list[list[str]]:
    text = "".join(csv_lines(rows))
    assert text.startswith(CSV_BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(CSV_BOM), newline="")))


def xlsx_table(rows) -> list[list]:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, "export")
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer, read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_xml_reads_it(text: str) -> str:
    # XML parsers read a bare CR, or CR LF, as LF (openpyxl writes the CR as it is).
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def tours(db):
    return Partner.objects.create(name="Tours", country="FR", level="sister")


def exported_cell(resource: str, queryset, header: str):
    rows = list(RESOURCES[resource]().export_rows(queryset))
    return rows, rows[0].index(header)


@EXAMPLES
@given(text=FORMULA_LIKE)
def test_a_text_cell_that_would_start_a_formula_gets_an_apostrophe(tours, text):
    Partner.objects.filter(pk=tours.pk).update(notes=text)
    rows, notes = exported_cell("partners", Partner.objects.filter(pk=tours.pk), "Notes")

    assert csv_table(rows)[1][notes] == f"'{text}"
    assert xlsx_table(rows)[1][notes] == as_xml_reads_it(f"'{text}")


@EXAMPLES
@given(text=FORMULA_LIKE)
def test_a_related_records_name_is_neutralised_too(tours, text):
    Partner.objects.filter(pk=tours.pk).update(name=text[:200])
    agreement = Agreement.objects.create(partner=tours, title="MOU", kind="mou", status="proposed")
    rows, partner = exported_cell(
        "agreements", Agreement.objects.filter(pk=agreement.pk), "Partner"
    )

    assert csv_table(rows)[1][partner] == f"'{text[:200]}"
    assert xlsx_table(rows)[1][partner] == as_xml_reads_it(f"'{text[:200]}")


@EXAMPLES
@given(text=PLAIN)
def test_other_text_is_exported_as_it_is(tours, text):
    Partner.objects.filter(pk=tours.pk).update(notes=text)
    rows, notes = exported_cell("partners", Partner.objects.filter(pk=tours.pk), "Notes")

    assert csv_table(rows)[1][notes] == text
    assert (xlsx_table(rows)[1][notes] or "") == as_xml_reads_it(text)


def test_negative_numbers_stay_numbers(tours):
    Partner.objects.filter(pk=tours.pk).update(
        latitude=Decimal("-33.868820"), longitude=Decimal("-151.209296")
    )
    rows, latitude = exported_cell("partners", Partner.objects.filter(pk=tours.pk), "Latitude")

    assert csv_table(rows)[1][latitude : latitude + 2] == ["-33.868820", "-151.209296"]
    assert xlsx_table(rows)[1][latitude : latitude + 2] == [-33.86882, -151.209296]


def test_a_control_character_in_a_text_does_not_break_the_xlsx_export(tours):
    Partner.objects.filter(pk=tours.pk).update(notes="Line one\x0bline two")
    rows, notes = exported_cell("partners", Partner.objects.filter(pk=tours.pk), "Notes")

    assert xlsx_table(rows)[1][notes].startswith("Line one")
