"""Export of what a list page shows, to CSV and XLSX, streamed so memory stays flat.

Every text cell that a spreadsheet would read as a formula is neutralised with a
leading apostrophe (OWASP): the libraries' own escaping handles only "=".
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # Korean Excel reads a UTF-8 CSV right only with it.

Column = tuple[str, str | Callable]


def neutralise(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cell(value):
    """A value as a spreadsheet cell: numbers and dates kept, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal | datetime.date | datetime.time):
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return neutralise(str(value))


def resolve(obj, accessor: str | Callable):
    if callable(accessor):
        return accessor(obj)
    for part in accessor.split("."):
        obj = getattr(obj, part, None)
        if callable(obj):
            obj = obj()
    return obj


def rows(objects: Iterable, columns: Sequence[Column]) -> Iterator[list]:
    yield [header for header, _ in columns]
    for obj in objects:
        yield [cell(resolve(obj, accessor)) for _, accessor in columns]


class _Echo:
    def write(self, value):
        return value


def csv_lines(table: Iterable[list]) -> Iterator[str]:
    """CSV text, line by line, of rows of cells (``cell()`` values)."""
    writer = csv.writer(_Echo())
    yield CSV_BOM
    for row in table:
        yield writer.writerow(
            [v.isoformat() if isinstance(v, datetime.date | datetime.time) else v for v in row]
        )


def csv_table_response(table: Iterable[list], filename: str):
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(table: Iterable[list], target, sheet_name: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Write-only mode keeps one row in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    for row in table:
        # XML cannot hold most control characters (a vertical tab pasted from PowerPoint):
        # they are dropped rather than failing the whole export.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    workbook.save(target)


def xlsx_table_response(table: Iterable[list], filename: str):
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(table, spool, filename)  # to disk, not to RAM
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def xlsx_response(objects: Iterable, columns: Sequence[Column], filename: str):
    return xlsx_table_response(rows(objects, columns), filename)


# Streamed exports of rows of cells, by format.
EXPORTERS = {"csv": csv_table_response, "xlsx": xlsx_table_response}
