"""Reading the files offices bring: CSV in the encodings Korean and Chinese Excel save,
XLSX with date cells, and hostile or oversized files refused before they cost memory."""

import datetime
import tracemalloc
import zipfile

import pytest

from relations import spreadsheets
from relations.spreadsheets import SpreadsheetError, detect_encoding, read_table
from tests.spreadsheet_files import DATA, write_csv


def rows_of(table) -> list[tuple[int, list]]:
    return list(table.rows)


def test_a_cp949_csv_with_korean_headers_is_detected_and_read():
    table = read_table(DATA / "partners_ko_cp949.csv")

    assert table.encoding == "cp949"
    assert table.headers == [
        "영문명",
        "현지어명",
        "종류",
        "국가",
        "지역",
        "인구",
        "관계",
        "결연일",
        "비고",
    ]
    number, cells = rows_of(table)[0]
    assert number == 2
    assert cells[:4] == ["Chuncheon City", "춘천시", "시", "대한민국"]


def test_a_gb18030_csv_with_chinese_headers_is_detected_and_read():
    table = read_table(DATA / "partners_zh_gb18030.csv")

    assert table.encoding == "gb18030"
    assert table.headers[:4] == ["英文名", "中文名", "类型", "国家"]
    assert rows_of(table)[2][1][:4] == ["Incheon City", "仁川广域市", "City", "韩国"]


def test_the_bom_of_a_utf8_csv_is_not_part_of_the_first_header():
    table = read_table(DATA / "partners_utf8_bom.csv")

    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "English name"
    assert rows_of(table)[2][1][:3] == ["Suzhou City", "苏州市", "中国"]


def test_a_utf8_csv_without_bom_is_read(tmp_path):
    path = write_csv(
        tmp_path / "plain.csv", [["English name", "Native name"], ["Jeonju", "전주시"]]
    )

    table = read_table(path)

    assert table.encoding == "utf-8-sig"
    assert rows_of(table) == [(2, ["Jeonju", "전주시"])]


def test_a_semicolon_csv_keeps_the_commas_inside_its_cells():
    table = read_table(DATA / "partners_semicolon.csv")

    assert table.headers == [
        "English name",
        "Country",
        "Region",
        "Relationship level",
        "Population",
    ]
    cells = ["Cardiff", "Wales, United Kingdom", "Wales, UK", "Sister city", "362,000"]
    assert rows_of(table)[0] == (2, cells)


def test_the_administrator_can_name_the_encoding_detection_cannot_tell(tmp_path):
    # Short Chinese text in GB18030 whose bytes are also valid Hangul in CP949: only the
    # administrator knows which the file is.
    path = tmp_path / "changning.csv"
    path.write_bytes("英文名,中文名\nChangning District,长宁区\n".encode("gb18030"))

    table = read_table(path, encoding="gb18030")

    assert table.encoding == "gb18030"
    assert rows_of(table) == [(2, ["Changning District", "长宁区"])]


def test_a_named_encoding_overrides_detection():
    table = read_table(DATA / "partners_ko_cp949.csv", encoding="euc-kr")

    assert table.encoding == "euc-kr"
    assert table.headers[0] == "영문명"


def test_a_wrong_encoding_is_refused_with_what_to_do():
    with pytest.raises(SpreadsheetError) as refused:
        read_table(DATA / "partners_ko_cp949.csv", encoding="utf-8")

    assert str(refused.value) == (
        "The file is not valid UTF-8 near byte 0: choose its encoding and upload it again."
    )


def test_an_unknown_encoding_is_refused():
    with pytest.raises(SpreadsheetError, match="“klingon” is not an encoding Amity knows"):
        read_table(DATA / "partners_ko_cp949.csv", encoding="klingon")


@pytest.mark.parametrize("city", ["화성", "청주", "천안", "창원"])
def test_a_small_cp949_file_whose_only_korean_ends_it_is_not_taken_for_utf8(city):
    # The last bytes of these CP949 names start valid UTF-8 sequences; only a character
    # cut off by the end of a truncated sample may be forgiven, not invalid bytes.
    assert detect_encoding(f"English name,City\nX,{city}\n".encode("cp949")) == "cp949"


def test_a_sample_cut_inside_a_utf8_character_is_still_utf8():
    sample = ("가나다" * 30_000).encode("utf-8")[: spreadsheets.SNIFF_BYTES]

    assert len(sample) % 3 != 0  # it ends inside a character
    assert detect_encoding(sample) == "utf-8-sig"


def test_an_xlsx_with_korean_headers_gives_date_cells_and_serial_numbers():
    table = read_table(DATA / "partners_ko.xlsx")

    assert table.format == "XLSX"
    assert table.headers == ["영문명", "현지어명", "국가", "인구", "관계", "결연일", "관계 체결일"]
    rows = rows_of(table)
    # A date cell, the same day as an Excel serial number, and a year typed as a number.
    busan, _, daegu = (cells for _, cells in rows)
    assert busan[:5] == ["Busan", "부산광역시", "South Korea", 3400000, "자매도시"]
    assert busan[5:] == [datetime.datetime(2007, 8, 29), 39323]
    assert daegu[5] == 2010


def test_only_the_first_sheet_of_a_workbook_is_read_and_the_others_are_noted(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Partners"
    workbook.active.append(["English name"])
    workbook.active.append(["Jeonju"])
    workbook.create_sheet("Notes").append(["ignored"])
    workbook.save(tmp_path / "two.xlsx")

    table = read_table(tmp_path / "two.xlsx")

    assert rows_of(table) == [(2, ["Jeonju"])]
    assert table.notes == ["The workbook has 2 sheets; only the first, “Partners”, is read."]


def test_an_xlsx_renamed_csv_is_read_as_the_workbook_it_is(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes((DATA / "partners_ko.xlsx").read_bytes())

    assert read_table(path).format == "XLSX"


def peak_memory_of(function) -> int:
    """Bytes Python allocated at most while ``function`` ran."""
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_an_xml_entity_bomb_is_refused_without_expanding_it():
    def read():
        with pytest.raises(SpreadsheetError) as refused:
            read_table(DATA / "bomb_entities.xlsx")
        assert str(refused.value) == (
            "The workbook declares XML entities, as an “XML bomb” does; it is refused. "
            "Save it again from Excel."
        )

    # Expanded, its shared strings would be 3 GB of "lol".
    assert peak_memory_of(read) < 5_000_000


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    def read():
        with pytest.raises(SpreadsheetError) as refused:
            read_table(DATA / "bomb_zip.xlsx")
        assert str(refused.value) == (
            "The workbook part xl/worksheets/sheet1.xml is compressed suspiciously well "
            "(23.8\xa0KB to 19.2\xa0MB); it is refused as a possible zip bomb."
        )

    assert (DATA / "bomb_zip.xlsx").stat().st_size < 40_000
    assert peak_memory_of(read) < 2_000_000


def test_a_workbook_expanding_past_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_EXPANDED_BYTES", 10_000)

    with pytest.raises(SpreadsheetError) as refused:
        read_table(DATA / "partners_ko.xlsx")

    assert str(refused.value) == (
        "The workbook would expand to 17.7\xa0KB; Amity reads at most 9.8\xa0KB."
    )


def test_a_workbook_of_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(spreadsheets.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"part{number}.xml", "<x/>")

    with pytest.raises(SpreadsheetError) as refused:
        read_table(path)

    assert str(refused.value) == "The workbook holds 501 parts; Amity reads at most 500."


def test_a_damaged_workbook_is_refused(tmp_path):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)

    with pytest.raises(SpreadsheetError, match=r"The \.xlsx file is damaged"):
        read_table(path)


def test_a_file_larger_than_the_import_limit_is_refused(settings, tmp_path):
    settings.AMITY_MAX_IMPORT_BYTES = 1024
    path = write_csv(tmp_path / "big.csv", [["English name"], *[["Jeonju City"]] * 200])

    with pytest.raises(SpreadsheetError) as refused:
        read_table(path)

    assert str(refused.value) == (
        "The file is 2.6\xa0KB; an import may be at most 1.0\xa0KB. "
        "Split it, or use the import_data command."
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b" , \r\n,\r\n", "The file has no rows."),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60, "old .xls files are not read"),
        ("scan.pdf", b"%PDF-1.4", "Amity reads CSV and .xlsx files; “.pdf” is neither."),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_in_plain_words(
    tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(SpreadsheetError, match=message):
        read_table(path)


def test_the_entity_bomb_is_a_workbook_read_through_its_shared_strings(tmp_path):
    # The same workbook with a harmless shared-strings part reads fine: the bomb is
    # refused for its entities, not for being malformed.
    from tests.data import make_fixtures

    harmless = make_fixtures.BILLION_LAUGHS.replace(b"&lol9;", b"lol")
    harmless = harmless[: harmless.index(b"<!DOCTYPE")] + harmless[harmless.index(b"<sst") :]
    path = tmp_path / "harmless.xlsx"
    path.write_bytes(make_fixtures.shared_strings_workbook(harmless))

    table = read_table(path)

    assert table.headers == ["English name"]
    assert rows_of(table) == [(2, ["lol"])]
