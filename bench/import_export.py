"""How fast the spreadsheet import and export run, beside what plain Django can do.

Runs on a throwaway database (a SQLite file under /tmp unless --database-url names
another server: a test database is created there and dropped at the end, so the named
database itself is never touched). For each row count it generates visits to ~200
partners, writes them as a CSV and an XLSX file, and prints one line per case:

    case=<name> rows=<n> rows_per_s=<x> ratio=<r> peak_mb=<m>

``ratio`` is the case's rate over its baseline's (imports: raw ``bulk_create``; exports:
``values_list`` with ``csv.writer`` or openpyxl write-only). tracemalloc slows Python
code down several times, so each case runs once timed and once more under tracemalloc
for ``peak_mb``. See bench/README.md.

    .venv/bin/python bench/import_export.py [--rows 10000 100000] [--database-url URL]
"""

import argparse
import csv
import datetime
import gc
import logging
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's own name would hide the django-import-export package: drop its folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
BATCH_SIZE = 1000  # of the bulk_create baseline
COUNTRIES = ("CN", "JP", "US", "FR", "DE", "VN", "MN", "RU", "GB", "AU", "TH", "PH")
WORDS = (
    *("cultural", "exchange", "youth", "delegation", "trade", "mission", "health"),
    *("cooperation", "tourism", "education", "sports", "festival", "investment"),
    *("smart", "city", "environment", "port", "logistics"),
)


def main() -> None:
    args = arguments()
    workdir = Path(tempfile.mkdtemp(prefix="amity-bench-"))
    setup_django(args.database_url, workdir)
    from django.db import connection

    if connection.vendor == "sqlite":
        # The test database of a SQLite URL is in memory unless named: use a file, as
        # the office's server does.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"# database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
        bench = Bench(workdir, seed=args.seed, repeat=args.repeat)
        bench.make_partners(args.partners)
        for rows in args.rows:
            # tracemalloc runs cost three times the timed ones: by default every case is
            # traced at the smallest size, and at larger sizes only the CSV exports.
            traced = {"all": True, "none": False}.get(args.memory, rows == min(args.rows))
            bench.run(rows, memory=args.memory != "none", memory_all=traced)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"process max_rss_mb={max_rss:.1f}", flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10_000, 100_000], help="Row counts to run."
    )
    parser.add_argument("--partners", type=int, default=200, help="Partners the rows visit.")
    parser.add_argument(
        "--database-url",
        default="",
        help="A server to run on, e.g. postgres://postgres@127.0.0.1:5432/amity_bench: "
        "the benchmark creates test_<name> there and drops it. Default: SQLite under /tmp.",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="Timed runs per case; the fastest counts."
    )
    parser.add_argument(
        "--memory",
        choices=("light", "all", "none"),
        default="light",
        help="Which cases run again under tracemalloc for peak_mb (else nan): light (the "
        "default) traces every case at the smallest --rows and the CSV exports at every "
        "size; all traces every case (three times longer); none traces nothing.",
    )
    parser.add_argument("--seed", type=int, default=8)
    return parser.parse_args()


def setup_django(database_url: str, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'unused.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Files of 100k rows are larger than the upload limit the page keeps.
    os.environ["AMITY_MAX_IMPORT_MB"] = "2048"
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # With DEBUG on every query would be kept in memory.
    logging.getLogger("relations.importing").setLevel(logging.WARNING)  # one line per import


@dataclass
class Result:
    seconds: float
    peak_mb: float


class Bench:
    def __init__(self, workdir: Path, *, seed: int, repeat: int):
        from delegations.models import Delegation
        from delegations.resources import DelegationResource

        self.workdir = workdir
        self.seed = seed
        self.repeat = repeat
        self.resource_class = DelegationResource
        self.model = Delegation
        self.partner_ids: dict[str, int] = {}
        self.state = "empty"  # or "baseline", "imported": what the delegations table holds

    # Data --------------------------------------------------------------------------

    def make_partners(self, count: int) -> None:
        from relations.models import Partner

        partners = [
            Partner(
                name=f"Bench City {i:03d}",
                native_name=f"벤치시 {i:03d}",
                country=COUNTRIES[i % len(COUNTRIES)],
                level=Partner.Level.SISTER,
            )
            for i in range(count)
        ]
        for partner in partners:
            partner.refresh_search_text()
        Partner.objects.bulk_create(partners)
        self.partner_ids = dict(Partner.objects.values_list("name", "pk"))

    def rows(self, count: int):
        """The visits as an office's sheet gives them: labels, ISO dates, figures."""
        from django_countries import countries

        Delegation = self.model
        rng = random.Random(self.seed)  # noqa: S311 - test data, not secrets
        names = sorted(self.partner_ids)
        country_of = {
            f"Bench City {i:03d}": str(countries.name(COUNTRIES[i % len(COUNTRIES)]))
            for i in range(len(names))
        }
        directions = [str(label) for label in Delegation.Direction.labels]
        statuses = [str(Delegation.Status.COMPLETED.label), str(Delegation.Status.CANCELLED.label)]
        first = datetime.date(1995, 1, 1)
        for number in range(count):
            partner = names[number % len(names)]
            start = first + datetime.timedelta(days=rng.randrange(11_000))
            end = start + datetime.timedelta(days=rng.randrange(7)) if rng.random() < 0.8 else None
            words = rng.sample(WORDS, 6)
            yield {
                "partner": partner,
                "partner_country": country_of[partner],
                "direction": rng.choice(directions),
                "title": f"{partner} {words[0]} {words[1]} visit no. {number}",
                "start": start,
                "end": end,
                "status": rng.choice(statuses),
                "purpose": " ".join(words).capitalize() + ".",
                "outcome": "Agreed to continue the exchange." if rng.random() < 0.5 else "",
                "sectors": "",
                "leader": "",
                "leader_title": rng.choice(("Mayor", "Deputy Mayor", "Director-General", "")),
                "declared_size": rng.randrange(2, 60) if rng.random() < 0.7 else None,
                "invited_by": rng.choice(("", "Gangseo District Office", "Chamber of Commerce")),
                "host": rng.choice(("", "International Relations Team")),
                "budget": (
                    Decimal(rng.randrange(10**5, 5 * 10**7)) / 100 if rng.random() < 0.4 else None
                ),
                "budget_currency": "KRW",
                "notes": f"Generated row {number}." if rng.random() < 0.3 else "",
                "source": "",
                "source_locator": "",
                "date_inferred": "no",
                "provenance_note": "",
            }

    def write_files(self, count: int) -> tuple[Path, Path]:
        from openpyxl import Workbook

        resource = self.resource_class()
        columns = resource.export_columns()
        csv_path = self.workdir / f"delegations-{count}.csv"
        xlsx_path = self.workdir / f"delegations-{count}.xlsx"
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Delegations")
        with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column.header for _, column in columns])
            sheet.append([column.header for _, column in columns])
            for row in self.rows(count):
                cells = [row[column_id] for column_id, _ in columns]
                writer.writerow(["" if cell is None else cell for cell in cells])
                # As Excel keeps them: dates and figures as such, not as text.
                sheet.append([float(c) if isinstance(c, Decimal) else c for c in cells])
        workbook.save(xlsx_path)
        return csv_path, xlsx_path

    def truncate(self) -> None:
        """Empty the visits and their history (other tables pointing at them are empty)."""
        from django.db import connection, transaction

        Delegation = self.model
        models = (
            Delegation.sectors.through,
            Delegation.agreements.through,
            Delegation.history.model,
            Delegation,
        )
        tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
        self.state = "empty"

    def fingerprint(self) -> tuple:
        """What the rows hold, to check that every import wrote the same records."""
        Delegation = self.model
        fields = (
            "partner_id", "direction", "title", "start", "end", "status", "purpose",
            "outcome", "leader_title", "declared_size", "invited_by", "host", "budget",
            "budget_currency", "notes", "date_inferred",
        )  # fmt: skip
        values = Delegation.objects.order_by("title").values_list(*fields)
        return (len(values), hash(tuple(values)))

    # Cases -------------------------------------------------------------------------

    def run(self, count: int, *, memory: bool, memory_all: bool) -> None:
        started = time.perf_counter()
        csv_path, xlsx_path = self.write_files(count)
        print(
            f"# rows={count}: files written in {time.perf_counter() - started:.1f} s "
            f"(CSV {csv_path.stat().st_size / 2**20:.1f} MB, "
            f"XLSX {xlsx_path.stat().st_size / 2**20:.1f} MB)",
            flush=True,
        )
        out = self.workdir / "export"

        baseline = self.case(
            "import_bulk_create_baseline",
            count,
            traced=memory_all,
            prepare=self.empty,
            body=lambda: self.bulk_create_baseline(csv_path),
            after=self.mark("baseline"),
        )
        expected = self.fingerprint()
        self.case(
            "import_csv",
            count,
            traced=memory_all,
            prepare=self.empty,
            body=lambda: self.import_file(csv_path),
            after=self.mark("imported", expected),
            baseline=baseline,
        )
        self.case(
            "import_xlsx",
            count,
            traced=memory_all,
            prepare=self.empty,
            body=lambda: self.import_file(xlsx_path),
            after=self.mark("imported", expected),
            baseline=baseline,
        )
        self.case(
            "reimport_csv_unchanged",
            count,
            traced=memory_all,
            prepare=lambda: self.imported(csv_path),
            body=lambda: self.import_file(csv_path, unchanged=True),
            after=self.mark("imported", expected),
            baseline=baseline,
        )
        # The exports read the records the imports wrote (with their history beside them).
        export_prepare = lambda: self.imported(csv_path)  # noqa: E731
        csv_baseline = self.case(
            "export_csv_baseline",
            count,
            traced=memory,
            prepare=export_prepare,
            body=lambda: self.export_csv_baseline(out),
        )
        self.case(
            "export_csv",
            count,
            traced=memory,
            prepare=export_prepare,
            body=lambda: self.export_csv(out),
            baseline=csv_baseline,
        )
        xlsx_baseline = self.case(
            "export_xlsx_baseline",
            count,
            traced=memory_all,
            prepare=export_prepare,
            body=lambda: self.export_xlsx_baseline(out),
        )
        self.case(
            "export_xlsx",
            count,
            traced=memory_all,
            prepare=export_prepare,
            body=lambda: self.export_xlsx(out),
            baseline=xlsx_baseline,
        )
        self.truncate()
        for path in (csv_path, xlsx_path, out):
            path.unlink(missing_ok=True)

    def case(self, name, count, *, prepare, body, traced, after=None, baseline=None) -> Result:
        best = float("inf")
        for _ in range(self.repeat):
            prepare()
            gc.collect()
            started = time.perf_counter()
            body()
            best = min(best, time.perf_counter() - started)
            if after:
                after()
        peak = float("nan")
        if traced:
            prepare()
            gc.collect()
            tracemalloc.start()
            body()
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            if after:
                after()
        ratio = 1.0 if baseline is None else baseline.seconds / best
        print(
            f"case={name} rows={count} rows_per_s={count / best:.0f} ratio={ratio:.2f} "
            f"peak_mb={peak:.1f}",
            flush=True,
        )
        return Result(best, peak)

    def mark(self, state: str, expected: tuple | None = None):
        def check():
            if expected is not None and self.fingerprint() != expected:
                raise AssertionError(f"the import did not write the same records ({state})")
            self.state = state

        return check

    def empty(self) -> None:
        if self.state != "empty":
            self.truncate()

    def imported(self, csv_path: Path) -> None:
        if self.state != "imported":
            self.truncate()
            self.import_file(csv_path)
            self.state = "imported"

    # Imports -----------------------------------------------------------------------

    def bulk_create_baseline(self, path: Path) -> None:
        """The limit: read the CSV, look partners up in a dict, insert in batches."""
        Delegation = self.model
        directions = {str(label): code for code, label in Delegation.Direction.choices}
        statuses = {str(label): code for code, label in Delegation.Status.choices}
        partners = self.partner_ids
        date = datetime.date.fromisoformat
        objects = []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                objects.append(
                    Delegation(
                        partner_id=partners[row["Partner"]],
                        direction=directions[row["Direction"]],
                        title=row["Title"],
                        start=date(row["Start"]),
                        end=date(row["End"]) if row["End"] else None,
                        status=statuses[row["Status"]],
                        purpose=row["Purpose"],
                        outcome=row["Outcome"],
                        leader_title=row["Leader's title then"],
                        declared_size=(
                            int(row["Declared head-count"]) if row["Declared head-count"] else None
                        ),
                        invited_by=row["Invited by"],
                        host=row["Host"],
                        budget=Decimal(row["Budget"]) if row["Budget"] else None,
                        budget_currency=row["Budget currency"] or "KRW",
                        notes=row["Notes"],
                        source_locator=row["Where in the source"],
                        date_inferred=row["Date inferred"] == "yes",
                        provenance_note=row["Provenance note"],
                    )
                )
        Delegation.objects.bulk_create(objects, batch_size=BATCH_SIZE)

    def import_file(self, path: Path, *, unchanged: bool = False) -> None:
        """Ours, as the import_data command runs it: read, plan every row, write."""
        from relations.importing import apply_import, plan_import
        from relations.spreadsheets import read_table

        plan = plan_import(self.resource_class(), read_table(path))
        if plan.has_errors:
            raise AssertionError(f"{path.name}: {plan.problems or plan.errors[:3]}")
        totals = plan.totals
        if unchanged and totals["unchanged"] != len(plan.rows):
            raise AssertionError(f"re-import is not all unchanged: {totals}")
        apply_import(plan, reason="benchmark")

    # Exports -----------------------------------------------------------------------

    def baseline_values(self):
        """The same columns as the resource exports (those read from the row itself), as
        plain values."""
        resource = self.resource_class()
        columns = [column for _, column in resource.export_columns()]
        columns += getattr(resource, "computed", ())
        paths = [path for column in columns for path in column.paths]
        return resource.export_queryset().values_list(*paths).iterator(chunk_size=2000)

    def export_csv_baseline(self, out: Path) -> None:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerows(self.baseline_values())

    def export_csv(self, out: Path) -> None:
        from relations.exports import CSV_BOM

        with out.open("w", encoding="utf-8", newline="") as handle:
            handle.write(CSV_BOM)
            csv.writer(handle).writerows(self.resource_class().export_rows())

    def export_xlsx_baseline(self, out: Path) -> None:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Delegations")
        for values in self.baseline_values():
            sheet.append(values)
        workbook.save(out)

    def export_xlsx(self, out: Path) -> None:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Delegations")
        for row in self.resource_class().export_rows():
            sheet.append(row)
        workbook.save(out)


if __name__ == "__main__":
    main()
