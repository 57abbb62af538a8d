"""Helpers of the import tests: the fixture files of tests/data, and small files made on
the spot."""

import csv
from pathlib import Path

from relations.importing import apply_import, plan_import, remap
from relations.resources import RESOURCES
from relations.spreadsheets import read_table

DATA = Path(__file__).resolve().parent / "data"


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def plan_file(slug: str, path: Path, *, encoding: str = "", columns=None, defaults=None):
    """What importing the file as ``slug`` would do; ``columns`` maps headers as the
    import page lets the administrator do."""
    resource = RESOURCES[slug]()
    table = read_table(path, encoding=encoding)
    mapping = remap(resource, table.headers, columns) if columns else None
    return plan_import(resource, table, mapping, defaults=defaults)


def import_file(slug: str, path: Path, **options):
    """Plan and write the file; the plan must be free of errors."""
    plan = plan_file(slug, path, **options)
    assert not plan.has_errors, [*plan.problems, *map(str, plan.errors)]
    apply_import(plan, reason="test import")
    return plan


def counts(*models) -> dict[str, int]:
    """Rows of each model and of its history table."""
    found = {}
    for model in models:
        found[model.__name__] = model.objects.count()
        found[f"{model.__name__} history"] = model.history.count()
    return found
