"""Import a large spreadsheet from the command line, by the same rules as the import page."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from relations.importing import ERROR, apply_import, plan_import, remap
from relations.resources import RESOURCES
from relations.spreadsheets import SpreadsheetError, describe_encoding, read_table

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of one kind of record. Every row is checked first; "
        "a file with any error writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(RESOURCES), help="What the file holds.")
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report; write nothing."
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help='Read the file\'s column HEADER as FIELD (e.g. city2="English name"); '
            "HEADER= ignores it. Columns are otherwise found by their headers.",
        )
        parser.add_argument(
            "--default",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="Fill the blank cells of FIELD (or the whole column, when the file has "
            'none) with VALUE, e.g. --default "Relationship level=Sister city".',
        )
        parser.add_argument(
            "--encoding",
            default="",
            help="Encoding of a CSV (utf-8, cp949, gb18030); detected when not given.",
        )

    def handle(self, *args, resource, file, dry_run, encoding, column, default, **options):
        started = time.monotonic()
        try:
            table = read_table(file, encoding=encoding)
        except (SpreadsheetError, OSError) as error:
            raise CommandError(f"{file}: {error}") from None
        if table.encoding:
            self.stderr.write(f"Reading {file} as {describe_encoding(table.encoding)}.")
        for note in table.notes:
            self.stderr.write(note)
        chosen = RESOURCES[resource]()
        try:
            choices = dict(pair.split("=", 1) for pair in column)
            filled = dict(pair.split("=", 1) for pair in default)
        except ValueError:
            raise CommandError("Write --column HEADER=FIELD and --default FIELD=VALUE.") from None
        defaults = {}
        for field, value in filled.items():
            if (column_id := chosen.column_id_of(field)) is None:
                raise CommandError(f"“{field}” is not a column of the {resource} import.")
            defaults[column_id] = value
        try:
            mapping = remap(chosen, table.headers, choices)
        except ValueError as error:
            raise CommandError(str(error)) from None
        unread = [h for h, m in zip(table.headers, mapping, strict=True) if h and m is None]
        if unread:
            self.stderr.write(f"Not read (no matching field): {', '.join(unread)}.")
        try:
            plan = plan_import(chosen, table, mapping, defaults=defaults, progress=self.progress)
        except SpreadsheetError as error:
            raise CommandError(f"{file}: {error}") from None
        self.stderr.write("")
        for problem in plan.problems:
            self.stderr.write(self.style.ERROR(problem))
        errors = plan.errors
        for error in errors[:SHOWN_ERRORS]:
            self.stderr.write(self.style.ERROR(str(error)))
        if len(errors) > SHOWN_ERRORS:
            self.stderr.write(f"… and {len(errors) - SHOWN_ERRORS:,} more errors.")
        seconds = time.monotonic() - started
        if plan.has_errors:
            bad = sum(1 for row in plan.rows if row.action == ERROR)
            raise CommandError(
                f"{plan.summary()} Nothing was written: fix the {bad:,} rows with errors "
                f"and run again. ({seconds:.1f} s)"
            )
        if dry_run:
            self.stdout.write(f"Dry run: {plan.summary()} Nothing was written. ({seconds:.1f} s)")
            return
        apply_import(
            plan,
            reason=f"Imported from {Path(file).name} (import_data command)",
            progress=self.written,
        )
        self.stderr.write("")
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file}: {plan.summary()} "
                f"({seconds:.1f} s, {len(plan.rows) / max(seconds, 0.001):,.0f} rows/s)"
            )
        )

    def progress(self, rows: int) -> None:
        if sys.stderr.isatty() or rows % 10_000 == 0:
            self.stderr.write(f"\r{rows:,} rows read…", ending="")
            self.stderr.flush()

    def written(self, records: int) -> None:
        # In one transaction: a run stopped before the end leaves nothing written.
        if sys.stderr.isatty() or records % 10_000 == 0:
            self.stderr.write(f"\r{records:,} records written…", ending="")
            self.stderr.flush()
