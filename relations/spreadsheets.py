"""Reading the files offices bring: CSV in the encodings Korean and Chinese Excel save,
and XLSX, checked before it is parsed.

``read_table`` returns the header row and the data rows with their spreadsheet row
numbers, so every message can say "row 7" as the administrator sees it in Excel.
"""

import codecs
import csv
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Tried in this order when the administrator does not name one. UTF-8 first: a file that
# decodes as UTF-8 is almost never anything else.
ENCODINGS = {
    "utf-8-sig": "UTF-8",
    "cp949": gettext_lazy("Korean (CP949 / EUC-KR)"),
    "gb18030": gettext_lazy("Chinese (GB18030 / GBK)"),
}
FORMATS = {".csv": "CSV", ".txt": "CSV", ".xlsx": "Excel workbook (.xlsx)"}
SNIFF_BYTES = 64 * 1024

# An .xlsx is a zip: bound what it may expand to before openpyxl reads it.
MAX_ZIP_ENTRIES = 500
MAX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_EXPANSION_RATIO = 200


class SpreadsheetError(ValueError):
    """The file cannot be read; the message says why, in plain words."""


@dataclass
class Table:
    headers: list[str]
    # (spreadsheet row number, cells) for each non-empty row under the header.
    rows: Iterator[tuple[int, list]]
    format: str
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def read_table(path: Path, *, encoding: str = "") -> Table:
    """The header row and the data rows of a CSV or XLSX file.

    ``encoding`` overrides detection for CSV ("" detects). Raises SpreadsheetError.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    size = path.stat().st_size
    limit = settings.AMITY_MAX_IMPORT_BYTES
    if size > limit:
        raise SpreadsheetError(
            _(
                "The file is %(size)s; an import may be at most %(limit)s. Split it, or use "
                "the import_data command."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise SpreadsheetError(_("The file is empty."))
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        if suffix not in ("", ".xlsx"):
            suffix = ".xlsx"  # An Excel file renamed .csv: read it as what it is.
        return _read_xlsx(path)
    if suffix == ".xlsx" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _(
                "This is not an .xlsx workbook Amity can read (old .xls files are not read: "
                "save it from Excel as .xlsx or as CSV)."
            )
        )
    if suffix not in FORMATS and suffix != "":
        raise SpreadsheetError(
            _(
                "Amity reads CSV and .xlsx files; “%(suffix)s” is neither. Save the sheet "
                "from Excel as .xlsx or CSV."
            )
            % {"suffix": path.suffix}
        )
    return _read_csv(path, encoding)


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV from its first bytes: UTF-8 (with or without BOM), else the
    legacy encoding whose decoding looks like text in its own script."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for cut in range(4):  # The sample may end inside a character.
        try:
            sample[: len(sample) - cut].decode("utf-8")
            return "utf-8-sig"
        except UnicodeDecodeError as error:
            # Forgive only a character cut off by the sample's end, not bad bytes near it.
            if error.start < len(sample) - 4 or error.reason != "unexpected end of data":
                break
    scores = {}
    for encoding in ("cp949", "gb18030"):
        text = sample.decode(encoding, errors="replace")
        scores[encoding] = _plausibility(text, encoding)
    return max(scores, key=scores.get)


def _plausibility(text: str, encoding: str) -> float:
    """Share of characters that are ASCII or in the script the encoding is for.

    GB18030 decodes almost any bytes, CP949 bytes included, into rare Chinese characters;
    real text in either uses the common blocks."""
    if not text:
        return 0.0
    good = sum(1 for char in text if _belongs(char, encoding))
    return good / len(text) - text.count("\ufffd") / len(text)


def _belongs(char: str, encoding: str) -> bool:
    code = ord(char)
    if code < 0x80 or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF:
        return True  # ASCII, CJK punctuation and full-width forms
    if encoding == "cp949":
        return 0xAC00 <= code <= 0xD7A3  # Hangul syllables
    return 0x4E00 <= code <= 0x9FA5 and _common_hanzi(char)


def _common_hanzi(char: str) -> bool:
    # GB2312 level 1 holds the 3,755 everyday characters: text in Chinese is mostly these,
    # while CP949 Hangul read as GB18030 falls mostly outside them.
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= encoded[0] <= 0xD7


def _read_csv(path: Path, encoding: str) -> Table:
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    chosen = encoding or detect_encoding(sample)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise SpreadsheetError(
            _("“%(encoding)s” is not an encoding Amity knows.") % {"encoding": chosen}
        ) from None
    if chosen == "utf-8":
        chosen = "utf-8-sig"  # A BOM is never part of the first header.
    text_sample = sample.decode(chosen, errors="ignore")
    try:
        # Sniff whole lines only: the sample may end inside a row.
        lines = text_sample.splitlines()[:20]
        delimiter = csv.Sniffer().sniff("\n".join(lines), ",;\t").delimiter
    except csv.Error:
        delimiter = ","
    handle = path.open(encoding=chosen, newline="")
    reader = csv.reader(handle, delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list]]:
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield reader.line_num, cells
        except UnicodeDecodeError as error:
            raise SpreadsheetError(
                _(
                    "The file is not valid %(encoding)s near byte %(byte)s: choose its "
                    "encoding and upload it again."
                )
                % {"encoding": ENCODINGS.get(chosen, chosen), "byte": f"{error.start:,}"}
            ) from None
        except csv.Error as error:
            raise SpreadsheetError(
                _("Line %(line)s: %(error)s.") % {"line": reader.line_num, "error": error}
            ) from None
        finally:
            handle.close()

    rows = numbered()
    try:
        _number, headers = next(rows)
    except StopIteration:
        raise SpreadsheetError(_("The file has no rows.")) from None
    return Table(
        headers=[clean_header(h) for h in headers], rows=rows, format="CSV", encoding=chosen
    )


def check_zip(path: Path) -> None:
    """Refuse a zip that would expand past our bounds (a "zip bomb") before parsing it."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("The .xlsx file is damaged (not a valid zip archive).")) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError(
            _("The workbook holds %(parts)s parts; Amity reads at most %(limit)s.")
            % {"parts": f"{len(entries):,}", "limit": MAX_ZIP_ENTRIES}
        )
    expanded = sum(entry.file_size for entry in entries)
    if expanded > MAX_EXPANDED_BYTES:
        raise SpreadsheetError(
            _("The workbook would expand to %(size)s; Amity reads at most %(limit)s.")
            % {"size": filesizeformat(expanded), "limit": filesizeformat(MAX_EXPANDED_BYTES)}
        )
    for entry in entries:
        if entry.file_size > MAX_EXPANSION_RATIO * max(entry.compress_size, 1024):
            raise SpreadsheetError(
                _(
                    "The workbook part %(part)s is compressed suspiciously well (%(packed)s "
                    "to %(size)s); it is refused as a possible zip bomb."
                )
                % {
                    "part": entry.filename,
                    "packed": filesizeformat(entry.compress_size),
                    "size": filesizeformat(entry.file_size),
                }
            )


def _read_xlsx(path: Path) -> Table:
    # With defusedxml installed openpyxl refuses XML entity bombs; never parse without it.
    if not openpyxl.xml.DEFUSEDXML:
        raise SpreadsheetError(_("Reading .xlsx needs defusedxml, which is not installed."))
    check_zip(path)
    # A handle, not the path: openpyxl refuses a path by its suffix, and an Excel file
    # renamed .csv is still an Excel file.
    handle = path.open("rb")
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged or hostile files.
        handle.close()
        raise SpreadsheetError(unreadable(error)) from None
    sheet = workbook.worksheets[0]
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(
            _("The workbook has %(count)s sheets; only the first, “%(sheet)s”, is read.")
            % {"count": len(workbook.worksheets), "sheet": sheet.title}
        )

    def numbered() -> Iterator[tuple[int, list]]:
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if any(cell is not None and str(cell).strip() for cell in cells):
                    yield number, list(cells)
        except Exception as error:
            raise SpreadsheetError(unreadable(error)) from None
        finally:
            workbook.close()
            handle.close()

    rows = numbered()
    try:
        _number, headers = next(rows)
    except StopIteration:
        workbook.close()
        handle.close()
        raise SpreadsheetError(_("The first sheet of the workbook is empty.")) from None
    return Table(
        headers=[clean_header(h) for h in headers],
        rows=rows,
        format="XLSX",
        notes=notes,
    )


def unreadable(error: Exception) -> str:
    """Why openpyxl could not read a workbook, without its hints for programmers (which
    name the file on the server)."""
    cause = error.__cause__ or error
    if isinstance(cause, DefusedXmlException):
        return _(
            "The workbook declares XML entities, as an “XML bomb” does; it is refused. "
            "Save it again from Excel."
        )
    return _("The .xlsx file cannot be read: %(cause)s") % {"cause": cause}


def clean_header(value) -> str:
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def header_key(header: str) -> str:
    """How headers are compared: case, spaces, punctuation and width do not matter."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return "".join(char for char in text if char.isalnum())


def as_text(value) -> str:
    """A cell as text for messages and previews."""
    if value is None:
        return ""
    return str(value)


def describe_encoding(encoding: str) -> str:
    return ENCODINGS.get(encoding, encoding)
