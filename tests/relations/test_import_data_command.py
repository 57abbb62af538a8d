"""`manage.py import_data`: the same rules as the import page, for large files."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from relations.importing import ERROR
from relations.models import Partner
from tests.spreadsheet_files import DATA, counts, plan_file, write_csv

TWIN_CITIES = Path(settings.BASE_DIR).parent / "shared/data/twin_cities_raw.csv"
AS_PARTNERS = [
    "--column",
    "city1=English name",
    "--column",
    "country1=Country",
    "--default",
    "Relationship level=Sister city",
]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_refused(*args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_data", *map(str, args), stdout=io.StringIO(), stderr=err)
    return str(refused.value), err.getvalue()


@pytest.mark.django_db
def test_a_dry_run_reports_the_plan_and_writes_nothing():
    before = counts(Partner)

    out, err = run("partners", DATA / "partners_ko_cp949.csv", "--dry-run")

    assert out.startswith(
        "Dry run: 5 rows: 5 new, 0 updated, 0 unchanged, 0 with errors. Nothing was written. ("
    )
    assert f"Reading {DATA / 'partners_ko_cp949.csv'} as Korean (CP949 / EUC-KR)." in err
    assert counts(Partner) == before


@pytest.mark.django_db
def test_an_import_prints_one_summary_line_and_records_where_the_rows_came_from():
    path = DATA / "partners_zh_gb18030.csv"

    out, _ = run("partners", path)

    assert out.startswith(
        f"Imported {path}: 4 rows: 4 new, 0 updated, 0 unchanged, 0 with errors. ("
    )
    assert out.count("\n") == 1
    reasons = set(Partner.history.values_list("history_change_reason", flat=True))
    assert reasons == {"Imported from partners_zh_gb18030.csv (import_data command)"}


@pytest.mark.django_db
def test_a_file_with_errors_lists_them_and_writes_nothing():
    before = counts(Partner)

    message, err = run_refused("partners", DATA / "partners_one_bad_row.csv")

    assert message.startswith(
        "5 rows: 4 new, 0 updated, 0 unchanged, 1 with errors. Nothing was written: fix the 1 "
        "rows with errors and run again. ("
    )
    assert (
        "Row 4, column “Country”: “Atlantis” is not a country Amity knows; use its English "
        "name or ISO code." in err
    )
    assert counts(Partner) == before


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_with_a_failure_status_on_errors(capsys):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "import_data", "partners", str(DATA / "bad_country.csv")]
        )

    assert exited.value.code == 1
    assert "CommandError: 3 rows: 2 new" in capsys.readouterr().err
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_with_errors_fails_too():
    message, _ = run_refused("partners", DATA / "bad_choice.csv", "--dry-run")

    assert message.startswith("3 rows: 2 new, 0 updated, 0 unchanged, 1 with errors.")


@pytest.mark.django_db
def test_columns_are_mapped_and_defaults_filled_from_the_command_line(tmp_path):
    path = write_csv(
        tmp_path / "pairs.csv",
        [["city1", "country1", "city2", "country2"], ["Tours", "France", "Gangseo", "South Korea"]],
    )

    out, err = run("partners", path, *AS_PARTNERS)

    assert "Not read (no matching field): city2, country2." in err
    assert "1 rows: 1 new" in out
    tours = Partner.objects.get(name="Tours")
    assert (tours.country.code, tours.level) == ("FR", "sister")


@pytest.mark.django_db
def test_a_header_may_be_ignored_from_the_command_line(tmp_path):
    path = write_csv(
        tmp_path / "with_notes.csv",
        [["English name", "Country", "Notes"], ["Tours", "France", "not for the database"]],
    )

    run("partners", path, "--column", "Notes=", "--default", "Relationship level=Sister city")

    assert Partner.objects.get(name="Tours").notes == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "city1=Mayor"], "“Mayor” is not a column of this import."),
        (["--default", "Colour=red"], "“Colour” is not a column of the partners import."),
        (["--column", "city1"], "Write --column HEADER=FIELD and --default FIELD=VALUE."),
    ],
)
@pytest.mark.django_db
def test_a_mistyped_option_is_refused_in_plain_words(tmp_path, args, message):
    path = write_csv(tmp_path / "pairs.csv", [["city1", "country1"], ["Tours", "France"]])

    refused, _ = run_refused("partners", path, *args)

    assert refused == message


@pytest.mark.django_db
def test_a_missing_column_is_named():
    message, err = run_refused("partners", DATA / "partners_semicolon.csv", "--column", "Country=")

    assert "The file has no column for: Country. Map a column to each of these." in err
    assert message.startswith("0 rows: 0 new")


@pytest.mark.django_db
def test_the_encoding_can_be_named_when_detection_cannot_tell(tmp_path):
    path = tmp_path / "changning.csv"
    path.write_bytes("英文名,中文名,国家,关系\nChangning,长宁区,中国,友好城市\n".encode("gb18030"))

    _, err = run("partners", path, "--encoding", "gb18030")

    assert f"Reading {path} as Chinese (GB18030 / GBK)." in err
    assert Partner.objects.get(name="Changning").native_name == "长宁区"


@pytest.mark.django_db
def test_a_hostile_workbook_is_refused_with_its_reason():
    message, _ = run_refused("partners", DATA / "bomb_entities.xlsx")

    assert message == (
        f"{DATA / 'bomb_entities.xlsx'}: The workbook declares XML entities, as an “XML bomb” "
        "does; it is refused. Save it again from Excel."
    )


@pytest.mark.django_db
def test_a_missing_file_is_refused():
    message, _ = run_refused("partners", DATA / "no_such_file.csv")

    assert message.startswith(f"{DATA / 'no_such_file.csv'}: ")


# The real twin-cities file: 26,114 pairs from Wikipedia --------------------------------------

needs_twin_cities = pytest.mark.skipif(
    not TWIN_CITIES.exists(), reason=f"{TWIN_CITIES} is not on this machine"
)


def twin_city_rows() -> list[list[str]]:
    with TWIN_CITIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@needs_twin_cities
@pytest.mark.django_db
def test_a_dry_run_of_the_twin_cities_file_names_each_row_it_cannot_import():
    rows = twin_city_rows()
    northern_cyprus = [n for n, row in enumerate(rows, start=1) if row[1] == "Northern Cyprus"]
    assert len(northern_cyprus) == 48

    message, err = run_refused("partners", TWIN_CITIES, "--dry-run", *AS_PARTNERS)

    assert message.startswith(
        "26114 rows: 8251 new, 0 updated, 17811 unchanged, 52 with errors. Nothing was "
        "written: fix the 52 rows with errors and run again."
    )
    assert (
        f"Row {northern_cyprus[0]}, column “Country”: “Northern Cyprus” is not a country Amity "
        "knows; use its English name or ISO code." in err
    )
    assert "… and 2 more errors." in err
    assert not Partner.objects.exists()
    # Every row in error, with its reason: Northern Cyprus has no ISO code, and Löhne
    # (rows 11958-11961) is a town apart from Lohne (row 11957), yet names are compared
    # without accents, so the file seems to give Lohne twice with two spellings.
    plan = plan_file(
        "partners",
        TWIN_CITIES,
        columns={"city1": "English name", "country1": "Country"},
        defaults={"level": "Sister city"},
    )
    errors = {error.row: str(error) for error in plan.errors}
    assert sorted(errors) == sorted([*northern_cyprus, 11958, 11959, 11960, 11961])
    assert [row.number for row in plan.rows if row.action == ERROR] == sorted(errors)
    assert rows[11956][:2] == ["Lohne", "Germany"] and rows[11957][:2] == ["Löhne", "Germany"]
    assert errors[11958] == (
        "Row 11958, column “English name”: row 11957 gives the same partner with a different "
        "English name."
    )


@needs_twin_cities
@pytest.mark.django_db
def test_the_twin_cities_of_south_korea_import_and_import_again_unchanged(tmp_path):
    rows = twin_city_rows()
    korean = [row for row in rows[1:] if row[3] == "South Korea"]
    path = write_csv(tmp_path / "korean_twins.csv", [rows[0], *korean])

    out, _ = run("partners", path, *AS_PARTNERS)

    assert len(korean) == 284
    assert f"Imported {path}: 284 rows: 264 new, 0 updated, 20 unchanged, 0 with errors." in out
    assert Partner.objects.count() == 264
    brisbane = Partner.objects.get(name="Brisbane")
    assert (brisbane.country.code, brisbane.level, brisbane.status) == ("AU", "sister", "active")
    before = counts(Partner)

    again, _ = run("partners", path, *AS_PARTNERS)

    assert f"Imported {path}: 284 rows: 0 new, 0 updated, 284 unchanged, 0 with errors." in again
    assert counts(Partner) == before
