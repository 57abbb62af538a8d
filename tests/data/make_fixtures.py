"""Build the spreadsheet fixtures of the import tests: `python tests/data/make_fixtures.py`.

The files are what offices bring: CSVs saved by Korean and Chinese Excel, a UTF-8 CSV with
a BOM, an XLSX with real date cells and Excel serial numbers, a semicolon CSV, files with
one kind of bad row each, and two hostile workbooks (an XML entity bomb, a zip bomb).
Every file is rebuilt byte for byte the same, so a change shows in `git diff --stat`.
"""

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
# Zip entries carry a timestamp: a fixed one keeps the workbooks reproducible.
STAMP = (2024, 1, 1, 0, 0, 0)


def write_csv(name: str, rows: list[list], *, encoding: str = "utf-8", delimiter=",") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """The workbook with fixed timestamps, and some parts replaced."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            body = replace.get(entry.filename, source.read(entry.filename))
            if entry.filename == "docProps/core.xml":  # openpyxl stamps the time it saved
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", body)
            target.writestr(info, body, compresslevel=level)
    return out.getvalue()


def write_xlsx(name: str, rows: list[list]) -> None:
    (HERE / name).write_bytes(rezip(workbook_bytes(rows)))


# Partners in the encodings and layouts offices use -------------------------------------

KOREAN_HEADERS = ["영문명", "현지어명", "종류", "국가", "지역", "인구", "관계", "결연일", "비고"]
KOREAN_PARTNERS = [
    ["Chuncheon City", "춘천시", "시", "대한민국", "Gangwon-do", "286,000명", "자매도시",
     "2007.08.29", "국내 자매도시"],
    ["Dalian City", "다롄시", "시", "중국", "Liaoning", "7,450,000", "우호도시",
     "2010년 10월 29일", ""],
    ["Manchester", "맨체스터", "시", "England", "", "580,000", "우호교류", "Oct 2010", ""],
    ["Sapporo City", "삿포로시", "시", "일본", "Hokkaido", "", "자매결연", "2010", ""],
    ["Hue City", "후에시", "시", "베트남", "", "", "자매도시", "29/08/2007", "베트남 중부"],
]  # fmt: skip

CHINESE_HEADERS = ["英文名", "中文名", "类型", "国家", "地区", "人口", "关系", "缔结日期", "备注"]
CHINESE_PARTNERS = [
    ["Hangzhou City", "杭州市", "City", "中国", "浙江省", "12,200,000", "友好城市",
     "2007.08.29", "西湖"],
    ["Zhejiang Province", "浙江省", "省", "中国", "", "", "友好交流城市", "Oct 2010", ""],
    ["Incheon City", "仁川广域市", "City", "韩国", "", "2,990,000", "友好城市", "2010", ""],
    ["Osaka City", "大阪市", "City", "日本", "大阪府", "", "友好交流城市", "2007年8月29日", ""],
]  # fmt: skip

ENGLISH_HEADERS = ["English name", "Native name", "Country", "Relationship level", "Established on"]


def partners() -> None:
    write_csv("partners_ko_cp949.csv", [KOREAN_HEADERS, *KOREAN_PARTNERS], encoding="cp949")
    write_csv("partners_zh_gb18030.csv", [CHINESE_HEADERS, *CHINESE_PARTNERS], encoding="gb18030")
    write_csv(
        "partners_utf8_bom.csv",
        [
            ENGLISH_HEADERS,
            ["Bristol", "", "England", "Sister city", "2010"],
            ["Jeonju City", "전주시", "South Korea", "Friendship city", "2007.08.29"],
            ["Suzhou City", "苏州市", "中国", "Friendly exchange", "Oct 2010"],
        ],
        encoding="utf-8-sig",
    )
    # Commas inside values: only the semicolon can be the delimiter.
    write_csv(
        "partners_semicolon.csv",
        [
            ["English name", "Country", "Region", "Relationship level", "Population"],
            ["Cardiff", "Wales, United Kingdom", "Wales, UK", "Sister city", "362,000"],
            ["Tours", "France", "Centre-Val de Loire", "Friendship city", "136,000"],
        ],
        delimiter=";",
    )
    write_xlsx(
        "partners_ko.xlsx",
        [
            ["영문명", "현지어명", "국가", "인구", "관계", "결연일", "관계 체결일"],
            # A real date cell, and the same day as an Excel serial number.
            ["Busan", "부산광역시", "South Korea", 3_400_000, "자매도시",
             datetime.date(2007, 8, 29), 39323],
            ["Ulsan", "울산광역시", "KR", "1,100,000", "우호도시",
             datetime.datetime(2013, 8, 27), "2013.08.27"],
            # A year typed as a number is a year, not a serial number.
            ["Daegu", "대구광역시", "대한민국", None, "우호교류", 2010, None],
        ],
    )  # fmt: skip


# One kind of bad row per file, each at row 3 (row 1 is the header) --------------------

GOOD = ["Jeonju City", "전주시", "South Korea", "Sister city", "2007.08.29"]
AFTER = ["Bristol", "", "England", "Sister city", "2010"]


def bad_rows() -> None:
    bad = {
        "bad_date.csv": ["Hue City", "후에시", "Vietnam", "Sister city", "next spring"],
        "bad_country.csv": ["Atlantis City", "", "Atlantis", "Sister city", "2010"],
        "bad_choice.csv": ["Hue City", "후에시", "Vietnam", "Best friends", "2010"],
        "bad_too_long.csv": ["H" * 201, "", "Vietnam", "Sister city", "2010"],
        "bad_required_empty.csv": ["", "후에시", "Vietnam", "Sister city", "2010"],
        # The same partner (English name and country) as row 2, with another native name.
        "bad_same_record_twice.csv": ["Jeonju City", "全州市", "South Korea", "Sister city",
                                      "2007.08.29"],
    }  # fmt: skip
    for name, row in bad.items():
        write_csv(name, [ENGLISH_HEADERS, GOOD, row, AFTER])
    write_csv(
        "bad_unknown_partner.csv",
        [
            ["Partner", "Title", "Kind", "Signed on"],
            ["Changning District", "Memorandum on youth exchange", "MOU", "2014.05.02"],
            ["Atlantis City", "Letter of intent with Atlantis", "Letter of intent", "2015"],
        ],
    )
    # Five partners; the one on row 4 names a country that does not exist.
    write_csv(
        "partners_one_bad_row.csv",
        [
            ENGLISH_HEADERS,
            GOOD,
            AFTER,
            ["Atlantis City", "", "Atlantis", "Sister city", "2010"],
            ["Hue City", "후에시", "Vietnam", "Sister city", "29/08/2007"],
            ["Suzhou City", "苏州市", "China", "Friendly exchange", "Oct 2010"],
        ],
    )


# Records with children, and delegations with the office's date spellings ----------------


def records_with_children() -> None:
    write_csv(
        "agreements_with_approvals.csv",
        [
            ["Partner", "Title", "Kind", "Signed on", "승인기관", "승인일"],
            ["창닝구", "Sports exchange agreement", "Sectoral agreement", "2014.05.02",
             "Gangseo District Council", "2014.04"],
            ["창닝구", "Sports exchange agreement", "Sectoral agreement", "2014.05.02",
             "Shanghai Municipal Foreign Affairs Office", "2014"],
        ],
    )  # fmt: skip
    write_csv(
        "people_with_positions.csv",
        [
            ["이름(영문)", "성명", "Partner", "직위", "소속", "취임일", "퇴임일"],
            ["Lee Min-jun", "이민준", "Gangseo District", "Director of International Affairs",
             "Gangseo District Office", "2019.01", "2021"],
            ["Lee Min-jun", "이민준", "Gangseo District", "Deputy Mayor",
             "Gangseo District Office", "2022년 7월 1일", ""],
        ],
    )  # fmt: skip
    write_csv(
        "institutions_linked_forward.csv",
        [
            ["English name", "Kind", "Partner", "Linked institution", "Linked on"],
            # Row 2 links to the hospital that row 3 defines.
            ["Gangseo Health Centre", "Hospital", "Gangseo District",
             "Changning Central Hospital", "2009.09"],
            ["Changning Central Hospital", "Hospital", "Changning District", "", ""],
        ],
    )  # fmt: skip
    write_csv(
        "delegations_ko.csv",
        [
            ["교류도시", "구분", "방문단명", "기간", "종료일", "인원", "상태"],
            ["长宁区", "내방", "Changning youth orchestra", "2009.09.20~23", "", "21명",
             "완료"],
            ["Miryang City", "방문", "Miryang festival visit", "Oct 2010", "", "6", "완료"],
            ["창닝구", "방문", "Study tour on elderly care", "2011", "", "", "완료"],
            ["Changning District", "내방", "Changning culture week", "2007년 8월 29일",
             "2007년 9월 2일", "46 people", "완료"],
            ["Miryang City", "내방", "Miryang arirang troupe", "29/08/2007", "", "", "완료"],
        ],
    )  # fmt: skip


# Hostile workbooks ------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE sst [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" \
uniqueCount="2"><si><t>English name</t></si><si><t>&lol9;</t></si></sst>"""

# The zip bomb's sheet: 2,000 rows of 10,000 "l"s, 20 MB that deflate packs into 20 KB.
BOMB_ROWS = 2_000
BOMB_ROW = b'<row><c t="inlineStr"><is><t>' + b"l" * 10_000 + b"</t></is></c></row>"


def shared_strings_workbook(strings_xml: bytes) -> bytes:
    """A workbook whose two cells are the two strings of ``strings_xml`` (openpyxl
    writes inline strings; Excel writes a shared-strings part, which we add)."""
    plain = workbook_bytes([["English name"], ["lol"]])
    with zipfile.ZipFile(io.BytesIO(plain)) as source:
        types = source.read("[Content_Types].xml")
        rels = source.read("xl/_rels/workbook.xml.rels")
        sheet = source.read("xl/worksheets/sheet1.xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    sheet = sheet.replace(
        b'<c r="A1" t="inlineStr"><is><t>English name</t></is></c>', b'<c r="A1" t="s"><v>0</v></c>'
    ).replace(b'<c r="A2" t="inlineStr"><is><t>lol</t></is></c>', b'<c r="A2" t="s"><v>1</v></c>')
    parts = {
        "[Content_Types].xml": types,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO(rezip(plain, parts))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zipfile.ZipInfo("xl/sharedStrings.xml", STAMP), strings_xml)
    return buffer.getvalue()


def hostile() -> None:
    # A billion laughs: 10^9 "lol"s (3 GB) if the XML parser expanded entities.
    (HERE / "bomb_entities.xlsx").write_bytes(shared_strings_workbook(BILLION_LAUGHS))
    plain = workbook_bytes([["English name"], ["lol"]])
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + BOMB_ROW * BOMB_ROWS + b"</sheetData></worksheet>"
    )
    (HERE / "bomb_zip.xlsx").write_bytes(rezip(plain, {"xl/worksheets/sheet1.xml": sheet}, level=9))


if __name__ == "__main__":
    partners()
    bad_rows()
    records_with_children()
    hostile()
    for path in sorted(HERE.iterdir()):
        if path.suffix in (".csv", ".xlsx"):
            print(f"{path.stat().st_size:>8,}  {path.name}")
