"""Importing visits, their members and programmes, and gifts: the office's date spellings
and ranges, head-counts with units, and people told apart by their organisation."""

import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from delegations.models import Delegation, Gift, Member, ProgrammeItem
from relations.dates import Precision
from relations.importing import NEW, UNCHANGED, UPDATE, apply_import
from relations.models import Partner, Person, Position
from relations.spreadsheets import read_table
from tests.spreadsheet_files import DATA, counts, import_file, plan_file, write_csv

DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR
OFFICIAL_2013 = "Official delegation for the friendly-district agreement"


def d(year, month=1, day=1) -> datetime.date:
    return datetime.date(year, month, day)


def dates_of(delegation: Delegation):
    return (
        (delegation.start, delegation.start_precision),
        (delegation.end, delegation.end_precision) if delegation.end else None,
    )


def test_korean_delegation_rows_keep_their_ranges_precisions_and_head_counts(demo):
    plan = import_file("delegations", DATA / "delegations_ko.csv")

    assert plan.totals[NEW] == 5
    changning = Partner.objects.get(name="Changning District")
    miryang = Partner.objects.get(name="Miryang City")
    orchestra = Delegation.objects.get(title="Changning youth orchestra")
    # "2009.09.20~23" fills Start and End; the partner was named in Chinese.
    assert (orchestra.partner, orchestra.direction) == (changning, "inbound")
    assert dates_of(orchestra) == ((d(2009, 9, 20), DAY), (d(2009, 9, 23), DAY))
    assert (orchestra.declared_size, orchestra.status) == (21, "completed")
    festival = Delegation.objects.get(title="Miryang festival visit")
    assert (festival.partner, festival.direction, festival.declared_size) == (
        miryang,
        "outbound",
        6,
    )
    assert dates_of(festival) == ((d(2010, 10), MONTH), None)
    tour = Delegation.objects.get(title="Study tour on elderly care")
    assert tour.partner == changning  # named by its Korean alias
    assert dates_of(tour) == ((d(2011), YEAR), None)
    week = Delegation.objects.get(title="Changning culture week")
    assert dates_of(week) == ((d(2007, 8, 29), DAY), (d(2007, 9, 2), DAY))
    assert week.declared_size == 46
    troupe = Delegation.objects.get(title="Miryang arirang troupe")
    assert dates_of(troupe) == ((d(2007, 8, 29), DAY), None)


def test_importing_the_delegations_again_changes_nothing(demo):
    import_file("delegations", DATA / "delegations_ko.csv")
    before = counts(Delegation)

    plan = import_file("delegations", DATA / "delegations_ko.csv")

    assert plan.totals[UNCHANGED] == 5
    assert counts(Delegation) == before


def test_one_changed_head_count_updates_one_visit(demo, tmp_path):
    import_file("delegations", DATA / "delegations_ko.csv")
    table = read_table(DATA / "delegations_ko.csv")
    rows = [table.headers, *(cells for _, cells in table.rows)]
    rows[1][5] = "22명"
    before = counts(Delegation)

    plan = plan_file("delegations", write_csv(tmp_path / "changed.csv", rows))
    apply_import(plan, reason="Head-count corrected")

    assert [row.action for row in plan.rows] == [UPDATE, *[UNCHANGED] * 4]
    assert plan.rows[0].changes == [("Declared head-count", "21", "22")]
    orchestra = Delegation.objects.get(title="Changning youth orchestra")
    assert orchestra.declared_size == 22
    assert orchestra.history.latest().history_change_reason == "Head-count corrected"
    assert counts(Delegation) == {
        "Delegation": before["Delegation"],
        "Delegation history": before["Delegation history"] + 1,
    }


DELEGATION_HEADERS = ["Partner", "Direction", "Title", "Start", "End"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2009.09.20~23", "", ((d(2009, 9, 20), DAY), (d(2009, 9, 23), DAY))),
        ("2009.09.20~2009.10.02", "", ((d(2009, 9, 20), DAY), (d(2009, 10, 2), DAY))),
        ("20–23 Sep 2009", "", ((d(2009, 9, 20), DAY), (d(2009, 9, 23), DAY))),
        # An End cell of its own wins over the end of a range.
        ("2009.09.20~23", "2009.09.25", ((d(2009, 9, 20), DAY), (d(2009, 9, 25), DAY))),
        ("Sep 2009", "Oct 2009", ((d(2009, 9), MONTH), (d(2009, 10), MONTH))),
    ],
)
def test_a_visits_start_may_give_its_whole_span(demo, tmp_path, start, end, expected):
    path = write_csv(
        tmp_path / "visit.csv",
        [DELEGATION_HEADERS, ["Miryang City", "Inbound", "Span test", start, end]],
    )

    import_file("delegations", path)

    assert dates_of(Delegation.objects.get(title="Span test")) == expected


def test_a_visit_ending_before_it_starts_is_an_error_on_its_row(demo, tmp_path):
    path = write_csv(
        tmp_path / "visit.csv",
        [DELEGATION_HEADERS, ["Miryang City", "Inbound", "Backwards", "2009.09.20~18", ""]],
    )

    plan = plan_file("delegations", path)

    assert [str(error) for error in plan.errors] == [
        "Row 2, column “Start”: “2009.09.20~18” ends before it starts."
    ]


def test_a_visit_to_the_home_authority_is_refused(demo, tmp_path):
    path = write_csv(
        tmp_path / "visit.csv",
        [DELEGATION_HEADERS, ["강서구", "Outbound", "Visiting ourselves", "2020", ""]],
    )

    plan = plan_file("delegations", path)

    assert [str(error) for error in plan.errors] == [
        "Row 2, column “Partner”: Choose a partner, not the home authority."
    ]


def test_visit_dates_from_an_xlsx_date_cell_and_serial_number(demo, tmp_path):
    workbook = Workbook()
    workbook.active.append(["교류도시", "구분", "방문단명", "기간", "종료일", "인원"])
    workbook.active.append(
        ["Miryang City", "내방", "Spreadsheet visit", datetime.date(2012, 5, 3), 41035, 12]
    )
    workbook.save(tmp_path / "visits.xlsx")

    import_file("delegations", tmp_path / "visits.xlsx")

    visit = Delegation.objects.get(title="Spreadsheet visit")
    assert dates_of(visit) == ((d(2012, 5, 3), DAY), (d(2012, 5, 6), DAY))
    assert visit.declared_size == 12


# Members: a person by name, told apart by organisation -------------------------------------


@pytest.fixture
def two_kims(demo):
    """Two people of the same name, in different organisations."""
    gangseo = Partner.objects.get(name="Gangseo District")
    for organisation in ("Gangseo District Council", "Gangseo District Office"):
        person = Person.objects.create(name="Kim Min-su", partner=gangseo)
        Position.objects.create(person=person, title="Officer", organisation=organisation)


MEMBER_HEADERS = ["Delegation", "Delegation start", "Person", "Role", "Organisation then"]


def test_a_member_named_by_two_people_needs_the_organisation(two_kims, tmp_path):
    path = write_csv(
        tmp_path / "members.csv",
        [
            MEMBER_HEADERS,
            [OFFICIAL_2013, "2013.08.27", "Kim Min-su", "단원", ""],
            [OFFICIAL_2013, "2013.08.27", "Kim Min-su", "단원", "Gangseo District Council"],
        ],
    )

    plan = plan_file("members", path)

    assert [str(error) for error in plan.errors] == [
        "Row 2, column “Person”: “Kim Min-su” names 2 person records; give the organisation "
        "to choose one."
    ]
    assert plan.rows[1].action == NEW


def test_members_are_added_to_the_visit_they_name(two_kims, tmp_path):
    path = write_csv(
        tmp_path / "members.csv",
        [
            MEMBER_HEADERS,
            [OFFICIAL_2013, "2013-08-27", "Kim Min-su", "통역", "Gangseo District Office"],
            [OFFICIAL_2013, "2013-08-27", "진교훈", "Member", ""],  # by native name
        ],
    )

    import_file("members", path)

    members = Member.objects.filter(delegation__title=OFFICIAL_2013)
    kim = members.get(person__name="Kim Min-su")
    assert kim.role == "interpreter"
    assert kim.person.positions.get().organisation == "Gangseo District Office"
    assert members.get(person__name="Jin Kyohun").role == "member"


def test_a_visit_title_shared_by_two_visits_needs_its_start(demo, tmp_path):
    official = Delegation.objects.get(title=OFFICIAL_2013)
    Delegation.objects.create(
        title=OFFICIAL_2013,
        partner=official.partner,
        direction=official.direction,
        start=d(2018, 5, 1),
        status="completed",
    )
    path = write_csv(
        tmp_path / "members.csv",
        [
            MEMBER_HEADERS,
            [OFFICIAL_2013, "", "Jin Kyohun", "Member", ""],
            [OFFICIAL_2013, "2018.05.01", "Jin Kyohun", "Member", ""],
        ],
    )

    plan = plan_file("members", path)

    assert [str(error) for error in plan.errors] == [
        f"Row 2, column “Delegation”: “{OFFICIAL_2013}” names 2 delegation records; give the "
        "delegation start to choose one."
    ]
    assert plan.rows[1].action == NEW


# Programme and gifts -----------------------------------------------------------------------


def test_programme_items_read_times_as_offices_write_them(demo, tmp_path):
    path = write_csv(
        tmp_path / "programme.csv",
        [
            ["방문단", "방문 시작일", "일자", "시작", "종료", "종류", "일정", "장소"],
            [
                OFFICIAL_2013,
                "2013.08.27",
                "2013.08.28",
                "14시 30분",
                "16:00",
                "시찰",
                "Tour of the port",
                "Soong Ching Ling Mausoleum",
            ],
            [OFFICIAL_2013, "2013.08.27", "2013.08.28", "2:00 PM", "", "면담", "Courtesy call", ""],
        ],
    )

    import_file("programme", path)

    tour = ProgrammeItem.objects.get(title="Tour of the port")
    assert (tour.date, tour.start_time, tour.end_time) == (
        d(2013, 8, 28),
        datetime.time(14, 30),
        datetime.time(16, 0),
    )
    assert (tour.kind, tour.venue.name) == ("site_visit", "Soong Ching Ling Mausoleum")
    call = ProgrammeItem.objects.get(title="Courtesy call")
    assert (call.start_time, call.kind, call.venue) == (datetime.time(14, 0), "meeting", None)


GIFT_HEADERS = ["Partner", "구분", "품명", "방문단", "방문 시작일", "증정자", "수령자", "가액"]


def test_a_gift_valued_in_won_is_recorded_with_its_krw_value(demo, tmp_path):
    path = write_csv(
        tmp_path / "gifts.csv",
        [
            GIFT_HEADERS,
            [
                "Changning District",
                "증정",
                "Celadon vase",
                OFFICIAL_2013,
                "2013.08.27",
                "Gangseo District",
                "Changning District",
                "580,000원",
            ],
        ],
    )

    import_file("gifts", path)

    vase = Gift.objects.get(description="Celadon vase")
    assert (vase.direction, vase.value, vase.currency, vase.value_krw) == (
        "given",
        Decimal("580000.00"),
        "KRW",
        Decimal("580000"),
    )
    assert vase.needs_registration


def test_a_gift_on_a_visit_to_another_partner_is_an_error(demo, tmp_path):
    path = write_csv(
        tmp_path / "gifts.csv",
        [
            GIFT_HEADERS,
            [
                "Miryang City",
                "접수",
                "Wrong visit",
                OFFICIAL_2013,
                "2013.08.27",
                "Miryang City",
                "Gangseo District",
                "",
            ],
        ],
    )

    plan = plan_file("gifts", path)

    assert [str(error) for error in plan.errors] == [
        "Row 2, column “Delegation”: This delegation went to another partner."
    ]
    assert not Gift.objects.filter(description="Wrong visit").exists()
