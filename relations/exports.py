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


def csv_response(objects: Iterable, columns: Sequence[Column], filename: str):
    writer = csv.writer(_Echo())

    def lines():
        yield CSV_BOM
        for row in rows(objects, columns):
            yield writer.writerow(
                [v.isoformat() if isinstance(v, datetime.date | datetime.time) else v for v in row]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(objects: Iterable, columns: Sequence[Column], filename: str):
    from openpyxl import Workbook

    # Write-only mode keeps one row in memory; the file goes to disk, not to RAM.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    for row in rows(objects, columns):
        sheet.append(row)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


EXPORTERS = {"csv": csv_response, "xlsx": xlsx_response}
