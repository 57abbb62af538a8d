"""The import engine on the relations side: each file the office brings is planned row by
row (new / update / unchanged / error), and written all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError

from relations.dates import Precision
from relations.importing import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATE,
    CellError,
    apply_import,
    match_headers,
    plan_import,
    remap,
)
from relations.models import (
    Agreement,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    Person,
    Position,
)
from relations.resources import RESOURCES
from relations.spreadsheets import read_table
from tests.spreadsheet_files import DATA, counts, import_file, plan_file, write_csv

DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR
PARTNER_HEADERS = ["English name", "Country", "Relationship level", "Established on"]


def partner(name: str) -> Partner:
    return Partner.objects.get(name=name)


def stored(obj, field: str) -> tuple[datetime.date, str]:
    return getattr(obj, field), getattr(obj, f"{field}_precision")


def d(year, month=1, day=1) -> datetime.date:
    return datetime.date(year, month, day)


# Encodings and layouts ---------------------------------------------------------------------


@pytest.mark.django_db
def test_korean_partners_from_a_cp949_csv_are_stored_with_their_values():
    plan = import_file("partners", DATA / "partners_ko_cp949.csv")

    assert plan.totals == {NEW: 5, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
    chuncheon = partner("Chuncheon City")
    assert (chuncheon.native_name, chuncheon.kind, chuncheon.country.code) == (
        "춘천시",
        "city",
        "KR",
    )
    assert (chuncheon.population, chuncheon.level) == (286_000, "sister")
    assert stored(chuncheon, "established_on") == (d(2007, 8, 29), DAY)
    assert chuncheon.notes == "국내 자매도시"
    dalian = partner("Dalian City")
    assert (dalian.country.code, dalian.population, dalian.level) == ("CN", 7_450_000, "friendship")
    assert stored(dalian, "established_on") == (d(2010, 10, 29), DAY)
    manchester = partner("Manchester")
    assert (manchester.country.code, manchester.level) == ("GB", "friendly_exchange")
    assert stored(manchester, "established_on") == (d(2010, 10), MONTH)
    assert stored(partner("Sapporo City"), "established_on") == (d(2010), YEAR)
    hue = partner("Hue City")
    assert (hue.country.code, hue.level) == ("VN", "sister")
    assert stored(hue, "established_on") == (d(2007, 8, 29), DAY)


@pytest.mark.django_db
def test_chinese_partners_from_a_gb18030_csv_are_stored_with_their_values():
    import_file("partners", DATA / "partners_zh_gb18030.csv")

    hangzhou = partner("Hangzhou City")
    assert (hangzhou.native_name, hangzhou.country.code, hangzhou.region) == (
        "杭州市",
        "CN",
        "浙江省",
    )
    assert (hangzhou.population, hangzhou.level, hangzhou.notes) == (12_200_000, "sister", "西湖")
    zhejiang = partner("Zhejiang Province")
    assert (zhejiang.kind, zhejiang.level) == ("province", "friendship")
    assert stored(zhejiang, "established_on") == (d(2010, 10), MONTH)
    incheon = partner("Incheon City")
    assert incheon.country.code == "KR"
    assert stored(incheon, "established_on") == (d(2010), YEAR)
    assert stored(partner("Osaka City"), "established_on") == (d(2007, 8, 29), DAY)


@pytest.mark.django_db
def test_partners_from_a_utf8_csv_with_bom_are_stored():
    import_file("partners", DATA / "partners_utf8_bom.csv")

    assert partner("Bristol").country.code == "GB"
    assert stored(partner("Bristol"), "established_on") == (d(2010), YEAR)
    assert (partner("Suzhou City").native_name, partner("Suzhou City").country.code) == (
        "苏州市",
        "CN",
    )


@pytest.mark.django_db
def test_partners_from_a_semicolon_csv_are_stored():
    import_file("partners", DATA / "partners_semicolon.csv")

    cardiff = partner("Cardiff")
    assert (cardiff.country.code, cardiff.region, cardiff.population) == (
        "GB",
        "Wales, UK",
        362_000,
    )


@pytest.mark.django_db
def test_partners_from_an_xlsx_keep_date_cells_serial_numbers_and_years():
    import_file("partners", DATA / "partners_ko.xlsx")

    busan = partner("Busan")
    assert (busan.native_name, busan.country.code, busan.population) == (
        "부산광역시",
        "KR",
        3_400_000,
    )
    assert stored(busan, "established_on") == (d(2007, 8, 29), DAY)  # a date cell
    assert stored(busan, "level_since") == (d(2007, 8, 29), DAY)  # serial number 39323
    ulsan = partner("Ulsan")
    assert (ulsan.population, ulsan.level) == (1_100_000, "friendship")
    assert stored(ulsan, "established_on") == (d(2013, 8, 27), DAY)  # a date-time cell
    assert stored(ulsan, "level_since") == (d(2013, 8, 27), DAY)
    assert stored(partner("Daegu"), "established_on") == (d(2010), YEAR)  # the number 2010


# Cells as offices write them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "date", "precision"),
    [
        ("2007.08.29", d(2007, 8, 29), DAY),
        ("2007년 8월 29일", d(2007, 8, 29), DAY),
        ("2007年8月29日", d(2007, 8, 29), DAY),
        ("29/08/2007", d(2007, 8, 29), DAY),
        ("Oct 2010", d(2010, 10), MONTH),
        ("2010년 10월", d(2010, 10), MONTH),
        ("2010", d(2010), YEAR),
        ("39323", d(2007, 8, 29), DAY),  # an Excel serial number saved into a CSV
    ],
)
@pytest.mark.django_db
def test_each_date_spelling_is_stored_with_its_precision(tmp_path, cell, date, precision):
    path = write_csv(
        tmp_path / "dates.csv", [PARTNER_HEADERS, ["Jeonju City", "KR", "Sister city", cell]]
    )

    import_file("partners", path)

    assert stored(partner("Jeonju City"), "established_on") == (date, precision)


@pytest.mark.parametrize(
    ("cell", "code"),
    [("South Korea", "KR"), ("대한민국", "KR"), ("England", "GB"), ("中国", "CN"), ("KOR", "KR")],
)
@pytest.mark.django_db
def test_countries_named_in_english_korean_or_chinese_are_stored_as_iso_codes(tmp_path, cell, code):
    row = ["Jeonju City", cell, "Sister city", ""]
    path = write_csv(tmp_path / "country.csv", [PARTNER_HEADERS, row])

    import_file("partners", path)

    assert partner("Jeonju City").country.code == code


@pytest.mark.parametrize(
    ("cell", "population"),
    [("580,000", 580_000), ("21명", 21), ("58만", 580_000), ("1,234 people", 1234)],
)
@pytest.mark.django_db
def test_figures_with_separators_and_units_are_stored_as_numbers(tmp_path, cell, population):
    path = write_csv(
        tmp_path / "population.csv",
        [["English name", "Country", "관계", "인구"], ["Jeonju City", "KR", "자매도시", cell]],
    )

    import_file("partners", path)

    assert partner("Jeonju City").population == population


# Errors: row, column and reason ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "column", "message"),
    [
        (
            "bad_date.csv",
            "Established on",
            "“next spring” is not a date: write e.g. 2010, Oct 2010 or 2010-10-29.",
        ),
        (
            "bad_country.csv",
            "Country",
            "“Atlantis” is not a country Amity knows; use its English name or ISO code.",
        ),
        (
            "bad_choice.csv",
            "Relationship level",
            "“Best friends” is not one of: Sister city, Friendship city, Friendly exchange, "
            "Prospective.",
        ),
        ("bad_too_long.csv", "English name", "the text is 201 characters long; at most 200 fit."),
        ("bad_required_empty.csv", "English name", "the cell is empty; this column is required."),
        (
            "bad_same_record_twice.csv",
            "Native name",
            "row 2 gives the same partner with a different Native name.",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_row_is_reported_with_its_row_column_and_reason(name, column, message):
    plan = plan_file("partners", DATA / name)

    assert [row.action for row in plan.rows] == [NEW, ERROR, NEW]
    assert plan.errors == [CellError(3, column, message)]
    assert str(plan.errors[0]) == f"Row 3, column “{column}”: {message}"
    assert plan.summary() == "3 rows: 2 new, 0 updated, 0 unchanged, 1 with errors."


@pytest.mark.django_db
def test_an_unknown_partner_is_an_error_naming_it_never_a_new_partner(demo):
    plan = plan_file("agreements", DATA / "bad_unknown_partner.csv")

    assert [row.action for row in plan.rows] == [NEW, ERROR]
    assert [str(error) for error in plan.errors] == [
        "Row 3, column “Partner”: no partner named “Atlantis City” is recorded (add it first, "
        "or correct the name)."
    ]
    assert not Partner.objects.filter(name="Atlantis City").exists()


@pytest.mark.django_db
def test_a_file_without_a_required_column_is_refused_before_any_row(tmp_path):
    path = write_csv(tmp_path / "no_country.csv", [["English name"], ["Jeonju City"]])

    plan = plan_file("partners", path)

    assert plan.rows == []
    assert plan.problems == ["The file has no column for: Country. Map a column to each of these."]
    assert plan.has_errors


# All or nothing --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_with_one_bad_row_in_the_middle_writes_nothing():
    before = counts(Partner)
    plan = plan_file("partners", DATA / "partners_one_bad_row.csv")

    assert [row.action for row in plan.rows] == [NEW, NEW, ERROR, NEW, NEW]
    with pytest.raises(ValueError, match="An import with errors writes nothing"):
        apply_import(plan)

    assert counts(Partner) == before


def many_partners(path, count: int):
    rows = [[f"Partner town {n:04d}", "Japan", "Friendship city", "2010"] for n in range(count)]
    return write_csv(path, [PARTNER_HEADERS, *rows])


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_the_second_batch_leaves_the_database_as_it_was(tmp_path):
    # Between the preview and the confirmation someone else records one of the partners:
    # only the database sees the clash, when the second batch of 500 rows is written.
    plan = plan_file("partners", many_partners(tmp_path / "many.csv", 600))
    assert plan.totals[NEW] == 600
    Partner.objects.create(name="Partner town 0550", country="JP", level="sister")
    before = counts(Partner)

    with pytest.raises(IntegrityError):
        apply_import(plan)

    assert counts(Partner) == before
    assert not Partner.objects.filter(name="Partner town 0001").exists()


@pytest.mark.django_db
def test_a_plan_whose_file_had_a_missing_column_is_refused_too(tmp_path):
    plan = plan_file("partners", write_csv(tmp_path / "x.csv", [["English name"], ["Jeonju"]]))

    with pytest.raises(ValueError, match="An import with errors writes nothing"):
        apply_import(plan)


# Importing again ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing():
    import_file("partners", DATA / "partners_ko_cp949.csv")
    before = counts(Partner)

    plan = import_file("partners", DATA / "partners_ko_cp949.csv")

    assert plan.totals == {NEW: 0, UPDATE: 0, UNCHANGED: 5, ERROR: 0}
    assert all(row.changes == [] for row in plan.rows)
    assert counts(Partner) == before


@pytest.mark.django_db
def test_importing_again_with_one_changed_cell_updates_that_record_and_logs_why(tmp_path):
    import_file("partners", DATA / "partners_utf8_bom.csv")
    table = read_table(DATA / "partners_utf8_bom.csv")
    rows = [table.headers, *(cells for _, cells in table.rows)]
    rows[2][4] = "2008.05.01"  # Jeonju City: established on another day
    before = counts(Partner)

    plan = plan_file("partners", write_csv(tmp_path / "changed.csv", rows))
    apply_import(plan, reason="Corrected from the 2008 council minutes")

    assert plan.totals == {NEW: 0, UPDATE: 1, UNCHANGED: 2, ERROR: 0}
    assert plan.rows[1].changes == [("Established on", "2007-08-29", "2008-05-01")]
    jeonju = partner("Jeonju City")
    assert stored(jeonju, "established_on") == (d(2008, 5, 1), DAY)
    assert counts(Partner) == {**before, "Partner history": before["Partner history"] + 1}
    last = jeonju.history.latest()
    assert (last.history_type, last.history_change_reason) == (
        "~",
        "Corrected from the 2008 council minutes",
    )
    assert jeonju.version == 2


@pytest.mark.django_db
def test_a_new_record_gets_a_history_row_with_the_reason():
    plan = plan_file("partners", DATA / "partners_semicolon.csv")

    apply_import(plan, reason="Imported from the 2015 list")

    first = partner("Cardiff").history.get()
    assert (first.history_type, first.history_change_reason) == ("+", "Imported from the 2015 list")


@pytest.mark.django_db
def test_a_long_reason_is_cut_to_what_the_history_keeps():
    plan = plan_file("partners", DATA / "partners_semicolon.csv")

    apply_import(plan, reason="Imported from " + "x" * 150)

    assert partner("Cardiff").history.get().history_change_reason == ("Imported from " + "x" * 86)


# References to other records -------------------------------------------------------------


AGREEMENT_HEADERS = ["Partner", "Partner country", "Title", "Kind", "Signed on"]


@pytest.mark.django_db
def test_a_partner_is_found_by_its_english_name_native_name_or_alias(demo, tmp_path):
    path = write_csv(
        tmp_path / "agreements.csv",
        [
            AGREEMENT_HEADERS,
            ["changning district", "", "By English name", "MOU", "2014"],
            ["长宁区", "", "By native name", "MOU", "2015"],
            ["창닝구", "", "By alias", "MOU", "2016"],
        ],
    )

    import_file("agreements", path)

    changning = partner("Changning District")
    titles = {"By English name", "By native name", "By alias"}
    assert set(changning.agreements.filter(title__in=titles).values_list("title", flat=True)) == (
        titles
    )


@pytest.mark.django_db
def test_a_name_two_partners_share_needs_their_country(demo, tmp_path):
    Partner.objects.create(name="Changning District", country="TW", level="prospective")
    path = write_csv(
        tmp_path / "agreements.csv",
        [
            AGREEMENT_HEADERS,
            ["Changning District", "", "Which one?", "MOU", "2014"],
            ["Changning District", "China", "This one", "MOU", "2014"],
        ],
    )

    plan = plan_file("agreements", path)

    assert [str(error) for error in plan.errors] == [
        "Row 2, column “Partner”: “Changning District” names 2 partner records; give the "
        "partner's country to choose one."
    ]
    assert plan.rows[1].action == NEW
    assert plan.records[("record", plan_key(plan, 3))].instance.partner_id == (
        Partner.objects.get(name="Changning District", country="CN").pk
    )


def plan_key(plan, row_number: int):
    """The natural key of the record planned from a row."""
    for (part, key), record in plan.records.items():
        if part == "record" and record.first_row == row_number:
            return key
    raise LookupError(row_number)


# Records with children -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agreement_with_two_approvals_on_two_rows(demo):
    before = Agreement.objects.count()

    plan = import_file("agreements", DATA / "agreements_with_approvals.csv")

    assert plan.totals[NEW] == 2
    assert Agreement.objects.count() == before + 1
    agreement = Agreement.objects.get(title="Sports exchange agreement")
    assert (agreement.partner, agreement.kind) == (partner("Changning District"), "sectoral")
    assert stored(agreement, "signed_on") == (d(2014, 5, 2), DAY)
    approvals = {a.body: stored(a, "approved_on") for a in agreement.approvals.all()}
    assert approvals == {
        "Gangseo District Council": (d(2014, 4), MONTH),
        "Shanghai Municipal Foreign Affairs Office": (d(2014), YEAR),
    }
    again = plan_file("agreements", DATA / "agreements_with_approvals.csv")
    assert again.totals == {NEW: 0, UPDATE: 0, UNCHANGED: 2, ERROR: 0}


@pytest.mark.django_db
def test_a_new_approval_on_a_later_import_makes_its_row_new(demo, tmp_path):
    import_file("agreements", DATA / "agreements_with_approvals.csv")
    table = read_table(DATA / "agreements_with_approvals.csv")
    rows = [table.headers, *(cells for _, cells in table.rows)]
    rows.append([*rows[2][:4], "Ministry of the Interior", "2014.04.20"])
    before = counts(Approval)

    plan = import_file("agreements", write_csv(tmp_path / "more.csv", rows))

    assert [row.action for row in plan.rows] == [UNCHANGED, UNCHANGED, NEW]
    assert counts(Approval) == {
        "Approval": before["Approval"] + 1,
        "Approval history": before["Approval history"] + 1,
    }


@pytest.mark.django_db
def test_a_person_with_two_positions(demo):
    import_file("people", DATA / "people_with_positions.csv")

    person = Person.objects.get(name="Lee Min-jun")
    assert (person.native_name, person.partner) == ("이민준", partner("Gangseo District"))
    positions = {p.title: (stored(p, "start"), stored(p, "end")) for p in person.positions.all()}
    assert positions == {
        "Director of International Affairs": ((d(2019, 1), MONTH), (d(2021), YEAR)),
        "Deputy Mayor": ((d(2022, 7, 1), DAY), (None, DAY)),
    }


@pytest.mark.django_db
def test_an_institution_links_to_one_a_later_row_of_the_same_file_defines(demo):
    plan = import_file("institutions", DATA / "institutions_linked_forward.csv")

    assert plan.totals[NEW] == 2
    link = InstitutionLink.objects.get(institution__name="Gangseo Health Centre")
    assert link.counterpart == Institution.objects.get(name="Changning Central Hospital")
    assert link.counterpart.partner == partner("Changning District")
    assert stored(link, "established_on") == (d(2009, 9), MONTH)
    again = plan_file("institutions", DATA / "institutions_linked_forward.csv")
    assert again.totals == {NEW: 0, UPDATE: 0, UNCHANGED: 2, ERROR: 0}


@pytest.mark.parametrize(
    ("slug", "rows"),
    [
        (
            "agreements",
            [
                ["Partner", "Title", "Kind", "Signed on"],
                ["Miryang City", "MOU on tourism", "MOU", "2024"],
            ],
        ),
        ("people", [["Romanised name", "Partner"], ["Son Ji-woo", "Miryang City"]]),
        ("institutions", [["English name", "Partner"], ["Miryang Arts Centre", "Miryang City"]]),
    ],
)
@pytest.mark.django_db
def test_a_file_without_child_columns_imports_records_without_children(demo, tmp_path, slug, rows):
    # Approvals, positions and links are optional: their required columns are required
    # only in a file that gives them.
    plan = import_file(slug, write_csv(tmp_path / f"{slug}.csv", rows))

    assert plan.totals[NEW] == 1


@pytest.mark.django_db
def test_a_child_column_without_its_required_partner_column_is_named(demo, tmp_path):
    path = write_csv(
        tmp_path / "approvals.csv",
        [["Partner", "Title", "Kind", "Approved on"], ["Miryang City", "MOU", "MOU", "2024"]],
    )

    plan = plan_file("agreements", path)

    assert plan.problems == [
        "The file has no column for: Approving body. Map a column to each of these."
    ]


# Headers, mapping and defaults -------------------------------------------------------------


def test_headers_are_matched_whatever_their_case_spacing_and_punctuation():
    resource = RESOURCES["partners"]()
    headers = ["  ENGLISH NAME ", "country", "Relationship-Level", "관계 체결 일", "Shoe size"]

    assert match_headers(resource, headers) == ["name", "country", "level", "level_since", None]


def test_a_second_column_with_the_same_meaning_is_not_read():
    resource = RESOURCES["partners"]()

    assert match_headers(resource, ["영문명", "English name", "국가"]) == ["name", None, "country"]


def test_the_administrator_maps_and_ignores_columns():
    resource = RESOURCES["partners"]()
    headers = ["city1", "country1", "city2", "country2", "Notes"]

    mapping = remap(
        resource, headers, {"city1": "English name", "COUNTRY1": "country", "Notes": ""}
    )

    assert mapping == ["name", "country", None, None, None]


def test_mapping_a_column_takes_the_field_from_the_column_that_had_it():
    resource = RESOURCES["partners"]()

    mapping = remap(resource, ["Country", "country2"], {"country2": "국가"})

    assert mapping == [None, "country"]


def test_mapping_to_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="“Mayor” is not a column of this import"):
        remap(RESOURCES["partners"](), ["city1"], {"city1": "Mayor"})


@pytest.mark.django_db
def test_a_default_fills_a_missing_column_and_blank_cells_only(tmp_path):
    path = write_csv(
        tmp_path / "levels.csv",
        [
            ["English name", "Country", "Relationship level"],
            ["Jeonju City", "KR", ""],
            ["Tours", "France", "Friendship city"],
        ],
    )

    import_file("partners", path, defaults={"level": "Sister city"})

    assert partner("Jeonju City").level == "sister"
    assert partner("Tours").level == "friendship"


@pytest.mark.django_db
def test_a_default_stands_for_a_required_column_the_file_lacks(tmp_path):
    rows = [["city1", "Relationship level"], ["Tours", "Sister city"]]
    path = write_csv(tmp_path / "cities.csv", rows)

    plan = import_file(
        "partners", path, columns={"city1": "English name"}, defaults={"country": "France"}
    )

    assert plan.totals[NEW] == 1
    assert partner("Tours").country.code == "FR"


@pytest.mark.django_db
def test_a_partner_without_a_level_is_refused_by_the_models_rule(tmp_path):
    path = write_csv(tmp_path / "nolevel.csv", [["English name", "Country"], ["Tours", "France"]])

    plan = plan_file("partners", path)

    assert [str(e) for e in plan.errors] == [
        "Row 2, column “Relationship level”: Choose the level of the relationship."
    ]


@pytest.mark.django_db
def test_plan_import_writes_nothing():
    before = counts(Partner)
    resource = RESOURCES["partners"]()

    plan = plan_import(resource, read_table(DATA / "partners_ko_cp949.csv"))

    assert plan.totals[NEW] == 5
    assert counts(Partner) == before


@pytest.mark.django_db
def test_the_positions_of_a_person_are_updated_not_duplicated(demo, tmp_path):
    import_file("people", DATA / "people_with_positions.csv")
    table = read_table(DATA / "people_with_positions.csv")
    rows = [table.headers, *(cells for _, cells in table.rows)]
    rows[2][6] = "2024.06.30"  # the Deputy Mayor left
    before = counts(Position)

    plan = import_file("people", write_csv(tmp_path / "left.csv", rows))

    assert [row.action for row in plan.rows] == [UNCHANGED, UPDATE]
    assert plan.rows[1].changes == [("Position end", "", "2024-06-30")]
    assert Position.objects.count() == before["Position"]
    deputy = Position.objects.get(person__name="Lee Min-jun", title="Deputy Mayor")
    assert stored(deputy, "end") == (d(2024, 6, 30), DAY)


@pytest.mark.django_db
def test_a_decimal_column_reads_coordinates(tmp_path):
    path = write_csv(
        tmp_path / "coords.csv",
        [
            [*PARTNER_HEADERS, "위도", "경도"],
            ["Tours", "France", "Sister city", "", "47.3941", "0.6848"],
        ],
    )

    import_file("partners", path)

    assert (partner("Tours").latitude, partner("Tours").longitude) == (
        Decimal("47.394100"),
        Decimal("0.684800"),
    )


# What a file does not say ------------------------------------------------------------------


def test_a_column_the_file_lacks_leaves_the_records_value_alone(demo, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        [
            ["English name", "Country", "Relationship level", "Population"],
            ["Changning District", "China", "Friendship city", "690,000"],
        ],
    )

    plan = import_file("partners", path)

    assert plan.rows[0].changes == [("Population", "", "690000")]
    changning = partner("Changning District")
    assert (changning.native_name, changning.region, changning.population) == (
        "长宁区",
        "Shanghai",
        690_000,
    )
    assert stored(changning, "level_since") == (d(2013, 8, 27), DAY)
    assert changning.source.key == "000_a4bba1dd869ef14b"


@pytest.mark.django_db
def test_a_new_record_keeps_the_models_defaults_for_what_the_file_does_not_give():
    import_file("partners", DATA / "partners_utf8_bom.csv")  # no Kind or Status column

    bristol = partner("Bristol")
    assert (bristol.kind, bristol.status) == ("city", "active")


FRIENDSHIP = (
    "Agreement of Friendly District Relationships between Changning District, Shanghai, the "
    "People's Republic of China and Gangseo District, Seoul, Republic of Korea"
)


def test_an_agreement_updated_from_a_file_without_sectors_keeps_its_sectors(demo, tmp_path):
    agreement = Agreement.objects.get(title=FRIENDSHIP)
    sectors = set(agreement.sectors.values_list("name", flat=True))
    path = write_csv(
        tmp_path / "summary.csv",
        [
            ["Partner", "Partner country", "Title", "Kind", "Signed on", "Summary"],
            [
                "Changning District",
                "China",
                FRIENDSHIP,
                "Friendship agreement",
                "2013.08.27",
                "New",
            ],
        ],
    )

    plan = import_file("agreements", path)

    assert plan.rows[0].changes == [
        ("Summary", "Formally establishes the friendly district relationship.", "New")
    ]
    agreement.refresh_from_db()
    assert agreement.summary == "New"
    assert set(agreement.sectors.values_list("name", flat=True)) == sectors
    assert len(sectors) == 7


def test_sectors_named_in_korean_replace_an_agreements_sectors(demo, tmp_path):
    path = write_csv(
        tmp_path / "sectors.csv",
        [
            ["Partner", "Title", "Kind", "Signed on", "분야"],
            [
                "Changning District",
                FRIENDSHIP,
                "Friendship agreement",
                "2013.08.27",
                "문화예술, 보건의료",
            ],
        ],
    )

    plan = import_file("agreements", path)

    assert plan.rows[0].action == UPDATE
    agreement = Agreement.objects.get(title=FRIENDSHIP)
    assert set(agreement.sectors.values_list("name", flat=True)) == {"Culture and arts", "Health"}
    assert plan_file("agreements", path).totals[UNCHANGED] == 1


@pytest.mark.xfail(
    raises=IntegrityError,
    strict=True,
    reason="Natural keys compare partial dates with their precision, the database by the "
    "stored day: 2013 and 2013-01-01 are two agreements to the plan and one to the "
    "unique constraint, so the clash surfaces as a database error at confirmation.",
)
def test_two_rows_the_database_sees_as_one_record_are_reported_when_planning(demo, tmp_path):
    path = write_csv(
        tmp_path / "agreements.csv",
        [
            ["Partner", "Title", "Kind", "Signed on"],
            ["Miryang City", "Tourism MOU", "MOU", "2013"],
            ["Miryang City", "Tourism MOU", "MOU", "2013-01-01"],
        ],
    )
    before = counts(Agreement)

    plan = plan_file("agreements", path)
    if not plan.has_errors:
        apply_import(plan)

    assert plan.has_errors
    assert counts(Agreement) == before
