"""The reports page: numbers checked against fixtures counted by hand."""

import datetime
import io
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from delegations import reports
from delegations.models import Delegation, Member
from delegations.reports import (
    Period,
    annual_statistics,
    balance_by_partner,
    default_period,
    exchanges_by_country,
    exchanges_by_partner,
    exchanges_by_sector,
    exchanges_by_year,
    not_counted,
    people_exchanged,
)
from relations.dates import Precision
from relations.models import AccessRecord, Agreement, Partner, Person, Sector
from relations.roles import OFFICER, VIEWER, user_assign_role

PAGE = reverse("delegations:report-list")
REPORT_XLSX = reverse("delegations:report-xlsx")
ANNUAL_XLSX = reverse("delegations:annual-statistics-xlsx")
S = Delegation.Status
IN, OUT = Delegation.Direction.INBOUND, Delegation.Direction.OUTBOUND


def d(year, month=1, day=1):
    return datetime.date(year, month, day)


def visit(partner, direction, start, *, status=S.COMPLETED, sectors=(), members=0, **fields):
    delegation = Delegation.objects.create(
        partner=partner,
        direction=direction,
        start=start,
        title=f"{partner.name} {direction} {start}",
        status=status,
        **fields,
    )
    delegation.sectors.set(sectors)
    for n in range(members):
        person = Person.objects.create(name=f"Member {n} of {delegation.title}")
        Member.objects.create(delegation=delegation, person=person)
    return delegation


@pytest.fixture
def exchanges(db):
    """Three partners in two countries with visits in 2018–2020, counted by hand below."""
    culture, economy, sports = (
        Sector.objects.create(name=name, slug=name.lower())
        for name in ("Culture", "Economy", "Sports")
    )
    Partner.objects.create(name="Hometown", country="KR", is_home=True)
    a = Partner.objects.create(
        name="Aville",
        country="JP",
        level=Partner.Level.SISTER,
        established_on=d(2015, 5),
        established_on_precision=Precision.MONTH,
    )
    b = Partner.objects.create(
        name="Bburg",
        country="JP",
        level=Partner.Level.FRIENDSHIP,
        level_since=d(2021, 3, 1),
        established_on=d(2019),
        established_on_precision=Precision.YEAR,
    )
    c = Partner.objects.create(name="Cstadt", country="CN", level=Partner.Level.FRIENDLY_EXCHANGE)
    # Established after 2020 and never visited: not in the annual statistics of 2020.
    Partner.objects.create(
        name="Dorf", country="KR", level=Partner.Level.PROSPECTIVE, established_on=d(2022)
    )
    Agreement.objects.create(
        partner=b,
        title="Letter of intent",
        kind=Agreement.Kind.LETTER_OF_INTENT,
        signed_on=d(2019, 2, 1),
        sets_level=Partner.Level.FRIENDLY_EXCHANGE,
    )
    # 1-6 count; 7-9 have not happened; 10 falls before 2019.
    visit(a, IN, d(2019, 3, 10), sectors=[culture], members=2)  # 1: 2 listed
    visit(
        a,
        OUT,
        d(2019, 6),
        start_precision=Precision.MONTH,
        declared_size=10,
        sectors=[culture, economy],
    )  # 2: 10 declared
    visit(a, IN, d(2020, 1, 15), declared_size=5, members=5)  # 3: no sector; list complete: 5
    visit(b, OUT, d(2020, 9, 1), sectors=[sports], declared_size=12, members=3)  # 4: partial: 12
    visit(b, IN, d(2020), start_precision=Precision.YEAR, sectors=[sports])  # 5: unknown
    visit(c, OUT, d(2019, 11, 20), status=S.UNDER_WAY, sectors=[economy], declared_size=4)  # 6
    visit(c, IN, d(2020, 5, 5), status=S.CANCELLED, declared_size=30)  # 7
    visit(a, OUT, d(2020, 12, 1), status=S.PLANNED)  # 8
    visit(b, OUT, d(2020, 10, 10), status=S.CONFIRMED)  # 9
    visit(a, IN, d(2018, 4, 4), sectors=[sports], declared_size=3)  # 10
    return {"a": a, "b": b, "c": c}


PERIOD = Period.of_years(2019, 2020)


def table(report):
    return [[row.label, *row.values] for row in report.rows]


def test_exchanges_per_year_count_each_direction(exchanges):
    report = exchanges_by_year(PERIOD)

    assert table(report) == [[2019, 1, 2, 3], [2020, 2, 1, 3]]
    assert report.totals == [3, 3, 6]


def test_only_completed_and_under_way_visits_count_and_the_rest_is_said(exchanges):
    assert not_counted(PERIOD) == {"cancelled": 1, "planned": 1, "confirmed": 1}


def test_the_period_chooses_the_visits(exchanges):
    report = exchanges_by_year(Period.of_years(2018, 2019))

    assert table(report) == [[2018, 1, 0, 1], [2019, 1, 2, 3]]
    assert exchanges_by_year(Period(d(2019, 6, 1), d(2019, 12, 31))).totals == [0, 2, 2]


def test_exchanges_by_partner_count_visits_and_people(exchanges):
    report = exchanges_by_partner(PERIOD)

    assert table(report) == [
        ["Aville", "Japan", "Sister city", 3, 17, 2020],  # 2 listed + 10 + 5 listed
        ["Bburg", "Japan", "Friendship city", 2, 12, 2020],  # 12 declared + unknown
        ["Cstadt", "China", "Friendly exchange", 1, 4, 2019],
    ]
    assert report.totals == ["", "", 6, 33, ""]
    assert report.rows[0].url == exchanges["a"].get_absolute_url()


def test_a_partner_without_a_recorded_level_has_an_empty_relationship_cell(db):
    visit(Partner.objects.create(name="Dtown", country="KR", level=""), IN, d(2020, 3, 1))

    assert table(exchanges_by_partner(Period.of_years(2020, 2020))) == [
        ["Dtown", "South Korea", "", 1, 0, 2020]
    ]


def test_the_partner_chart_shows_the_fifteen_busiest_and_the_table_all(db):
    for n in range(16):
        partner = Partner.objects.create(name=f"P{n:02}", country="JP", level="sister")
        for day in range(1, n + 2):  # P00 one visit ... P15 sixteen
            visit(partner, IN, d(2020, 1, day))

    report = exchanges_by_partner(Period.of_years(2020, 2020))

    assert len(report.rows) == 16
    assert report.chart["labels"] == [f"P{n:02}" for n in range(15, 0, -1)]
    assert "The chart shows the 15 partners with the most exchanges." in report.notes


def test_exchanges_by_country_add_up_their_partners(exchanges):
    report = exchanges_by_country(PERIOD)

    assert table(report) == [["Japan", 2, 3, 2, 5], ["China", 1, 0, 1, 1]]
    assert report.totals == [3, 3, 3, 6]


def test_a_visit_counts_in_each_of_its_sectors_and_without_one_as_unspecified(exchanges):
    report = exchanges_by_sector(PERIOD)

    assert table(report) == [
        ["Culture", 1, 1, 2],
        ["Economy", 0, 2, 2],
        ["Sports", 1, 1, 2],
        ["Unspecified", 1, 0, 1],
    ]


def test_people_come_from_complete_member_lists_else_declared_head_counts(exchanges):
    report = people_exchanged(PERIOD)

    # Inbound listed, declared, people; outbound listed, declared, people; visits unknown.
    assert table(report) == [
        [2019, 2, 0, 2, 0, 14, 14, 0],
        [2020, 5, 0, 5, 0, 12, 12, 1],
    ]
    assert report.totals == [7, 0, 7, 0, 26, 26, 1]
    assert [c.group for c in report.columns[:3]] == ["Inbound"] * 3


def test_the_balance_per_partner_is_visits_in_minus_visits_out(exchanges):
    report = balance_by_partner(PERIOD)

    assert table(report) == [
        ["Aville", "Japan", 2, 1, 1],
        ["Bburg", "Japan", 1, 1, 0],
        ["Cstadt", "China", 0, 1, -1],
    ]
    assert report.totals == ["", 3, 3, 0]


def test_annual_statistics_list_partners_with_the_level_they_had_that_year(exchanges):
    statistics = annual_statistics(2020)

    assert statistics.columns[6:] == [
        "Culture",
        "Economy",
        "Sports",
        "Unspecified",
        "Total",
        "Inbound",
        "Outbound",
    ]
    assert statistics.rows == [
        [1, "Aville", "", "Japan", "Sister city", "May 2015", 0, 0, 0, 1, 1, 1, 0],
        [2, "Bburg", "", "Japan", "Friendly exchange", "2019", 0, 0, 2, 0, 2, 1, 1],
        [3, "Cstadt", "", "China", "Friendly exchange", "", 0, 0, 0, 0, 0, 0, 0],
    ]
    assert statistics.totals[6:] == [0, 0, 2, 1, 3, 2, 1]
    assert statistics.home == "Hometown"
    # Bburg became a friendship city in March 2021.
    assert annual_statistics(2021).rows[1][4] == "Friendship city"


def test_the_default_period_is_the_last_ten_years_that_have_visits(db):
    assert default_period(today=d(2026, 3, 1)) == Period.of_years(2026, 2026)
    partner = Partner.objects.create(name="Aville", country="JP", level=Partner.Level.SISTER)
    for year in [1990, *range(2000, 2022, 2)]:  # 1990, then 2000, 2002, ... 2020
        visit(partner, IN, d(year))
    visit(partner, IN, d(2024), status=S.PLANNED)

    # The ten latest years with a visit that took place: 2020 back to 2002.
    assert default_period(today=d(2026, 3, 1)) == Period.of_years(2002, 2020)


# ---- The seed data ----------------------------------------------------------------------

# Counted by hand from delegations/demo.py, all 15 visits completed. Changning (14):
# 2007 advance team (out); 2008 Mayor Kim (out), student footballers (in); 2009 welfare
# delegation (out), Bian Baiping (in); 2010 sports session (out), four-day exchange (out),
# parliamentary delegation (out), six citizens (in); 2011 sports (out), kindergarten
# teachers (out); 2012 sports (out); 2013 sports (out), official delegation (out).
# Miryang (1): 2025 signing (out).
DEMO_YEARS = {
    2007: [0, 1, 1],
    2008: [1, 1, 2],
    2009: [1, 1, 2],
    2010: [1, 3, 4],
    2011: [0, 2, 2],
    2012: [0, 1, 1],
    2013: [0, 2, 2],
    2025: [0, 1, 1],
}


def test_the_seed_visits_per_year(demo):
    report = exchanges_by_year(Period.of_years(2007, 2025))

    assert {row.label: row.values for row in report.rows if row.values[2]} == DEMO_YEARS
    assert report.totals == [3, 12, 15]


def test_the_seed_people_and_sectors(demo):
    people = people_exchanged(Period.of_years(2007, 2025))
    by_year = {row.label: row.values for row in people.rows}

    # 2008 in: 20 students declared. 2009 in: Bian's list of 1; out: 46 declared.
    # 2013 out: 21 declared, although three leaders are listed (a partial list).
    assert by_year[2008] == [0, 20, 20, 0, 0, 0, 1]  # Mayor Kim's visit: no head-count
    assert by_year[2009] == [1, 0, 1, 0, 46, 46, 0]
    assert by_year[2013] == [0, 0, 0, 0, 21, 21, 1]  # the sports session: no head-count
    assert by_year[2025] == [0, 0, 0, 1, 0, 1, 0]  # Mayor Jin, the only member listed
    # In: 20 + 1 + 6; out: 46 + 28 + 21 + 1; 8 visits with no head-count at all.
    assert people.totals == [1, 26, 27, 1, 95, 96, 8]

    sectors = {
        row.label: row.values for row in exchanges_by_sector(Period.of_years(2007, 2025)).rows
    }
    # Sports: the students (in) and the four annual sessions (out).
    assert sectors["Sports"] == [1, 4, 5]
    # Administration: advance team, parliamentary, official 2013 and Miryang, all out.
    assert sectors["Administration"] == [0, 4, 4]
    assert sectors["Unspecified"] == [0, 0, 0]


def test_the_seed_annual_statistics_of_2010_and_2013(demo):
    (changning,) = annual_statistics(2010).rows  # Miryang's tie begins only in 2025
    assert changning[1:6] == [
        "Changning District",
        "长宁区",
        "China",
        "Friendly exchange",  # the letter of intent of 2007
        "29 Aug 2007",
    ]
    assert changning[-3:] == [4, 1, 3]

    assert annual_statistics(2013).rows[0][4] == "Friendship city"  # signed 27 Aug 2013
    assert [row[1] for row in annual_statistics(2025).rows] == [
        "Changning District",
        "Miryang City",
    ]


# ---- The page and its spreadsheets ------------------------------------------------------


def make_user(role):
    user = get_user_model().objects.create_user(role.name.lower())
    user_assign_role(user=user, role=role.name)
    return user


@pytest.fixture
def officer(client, db):
    client.force_login(make_user(OFFICER))
    return client


def test_the_page_shows_every_report_for_the_period_asked(officer, exchanges):
    response = officer.get(PAGE, {"from_year": 2019, "to_year": 2020})

    assert response.status_code == 200
    assert response.context["period"] == PERIOD
    assert [r.key for r in response.context["reports"]] == [
        "by-year",
        "by-partner",
        "by-country",
        "by-sector",
        "people",
        "balance",
    ]
    page = response.content.decode()
    assert "Not counted in this period: 1 planned, 1 confirmed, 1 cancelled." in page
    assert 'id="chart-by-year-data" type="application/json"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "reports.xlsx?report=by-year&amp;from_year=2019&amp;to_year=2020" in page


def test_a_long_table_shows_its_first_rows_and_counts_the_rest_the_export_has_all(
    officer, exchanges, monkeypatch
):
    monkeypatch.setattr(reports, "ROWS_SHOWN", 2)

    page = officer.get(PAGE, {"from_year": 2019, "to_year": 2020})
    balance = next(r for r in page.context["reports"] if r.key == "balance")
    book = workbook(
        officer.get(REPORT_XLSX, {"report": "balance", "from_year": 2019, "to_year": 2020})
    )

    # The partners exchanged with most come first; the totals count all three.
    assert [row.label for row, _cells in balance.cells] == ["Aville", "Bburg"]
    assert balance.totals == ["", 3, 3, 0]
    html = page.content.decode()
    assert "One more row is not shown; the totals count it — the Excel file has every row." in (
        " ".join(html.split())
    )
    assert [row[0] for row in rows_from(book.active, "Partner")][:5] == [
        "Partner",
        "Aville",
        "Bburg",
        "Cstadt",
        "Total",
    ]


def test_the_page_refuses_a_period_that_ends_before_it_starts(officer, exchanges):
    response = officer.get(PAGE, {"from_year": 2020, "to_year": 2019})

    assert "The first year comes after the last." in response.content.decode()
    assert response.context["period"] == Period.of_years(2018, 2020)  # the default instead


def test_one_year_given_alone_keeps_the_other_from_the_default(officer, exchanges):
    assert officer.get(PAGE, {"from_year": 2019}).context["period"] == Period.of_years(2019, 2020)
    assert officer.get(PAGE, {"to_year": 2018}).context["period"] == Period.of_years(2018, 2018)


def test_the_page_costs_the_same_queries_for_ten_visits_or_a_thousand(
    officer, exchanges, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERIES):
        assert officer.get(PAGE).status_code == 200

    partners = [
        Partner.objects.create(name=f"Partner {n}", country=country, level=Partner.Level.SISTER)
        for n, country in zip(range(30), itertools.cycle(["JP", "CN", "US", "DE"]), strict=False)
    ]
    sectors = list(Sector.objects.all())
    visits = Delegation.objects.bulk_create(
        Delegation(
            partner=partners[n % 30],
            direction=IN if n % 3 else OUT,
            start=d(2000 + n % 21, 1 + n % 12, 1 + n % 28),
            title=f"Visit {n}",
            status=S.COMPLETED,
            declared_size=n % 7 or None,
        )
        for n in range(1000)
    )
    Delegation.sectors.through.objects.bulk_create(
        Delegation.sectors.through(delegation=v, sector=sectors[n % 3])
        for n, v in enumerate(visits)
        if n % 4
    )
    person = Person.objects.create(name="Frequent traveller")
    Member.objects.bulk_create(Member(delegation=v, person=person) for v in visits[::5])
    assert Delegation.objects.count() > 1000

    with django_assert_max_num_queries(QUERIES):
        response = officer.get(PAGE, {"from_year": 2000, "to_year": 2020})
    # The fixture's seven visits that took place (2018-2020), and the thousand.
    assert response.context["reports"][0].totals[2] == 1007
    with django_assert_max_num_queries(QUERIES):
        assert officer.get(REPORT_XLSX).status_code == 200
    with django_assert_max_num_queries(QUERIES):
        assert officer.get(ANNUAL_XLSX, {"year": 2010}).status_code == 200


# Session, user, permissions, the default period, then ten for the six reports.
QUERIES = 20


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_from(sheet, header: str) -> list[tuple]:
    """The rows of a sheet from its header row (first cell ``header``) on."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == header)
    return rows[start:]


def test_a_report_exports_to_xlsx_with_its_numbers(officer, exchanges):
    response = officer.get(REPORT_XLSX, {"report": "by-year", "from_year": 2019, "to_year": 2020})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="exchanges-by-year-2019-2020.xlsx"'
    )
    book = workbook(response)
    assert book.sheetnames == ["Exchanges per year"]
    assert rows_from(book.active, "Year") == [
        ("Year", "Inbound", "Outbound", "Total"),
        (2019, 1, 2, 3),
        (2020, 2, 1, 3),
        ("Total", 3, 3, 6),
    ]
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.EXPORT
    assert (
        record.what
        == "exchanges-by-year-2019-2020.xlsx (report=by-year; from_year=2019; to_year=2020)"
    )
    assert record.row_count == 2


def test_all_reports_export_to_one_workbook_a_sheet_each(officer, exchanges):
    book = workbook(officer.get(REPORT_XLSX, {"from_year": 2019, "to_year": 2020}))

    assert len(book.sheetnames) == 6
    people = rows_from(book["People exchanged per year"], "Year")
    assert people[0][1] == "Inbound: From member lists"
    assert next(row for row in people if row[0] == "Total") == ("Total", 7, 0, 7, 0, 26, 26, 1)
    assert officer.get(REPORT_XLSX, {"report": "nonsense"}).status_code == 404


def test_the_annual_statistics_export_has_a_row_per_partner(officer, exchanges):
    response = officer.get(ANNUAL_XLSX, {"year": 2020})

    assert response["Content-Disposition"] == 'attachment; filename="annual-statistics-2020.xlsx"'
    rows = rows_from(workbook(response).active, "No.")
    assert rows[0][:6] == (
        "No.",
        "Partner",
        "Native name",
        "Country",
        "Type of relationship",
        "Established",
    )
    assert rows[2] == (2, "Bburg", None, "Japan", "Friendly exchange", "2019", 0, 0, 2, 0, 2, 1, 1)
    assert rows[-1][0] == "Total" and rows[-1][6:] == (0, 0, 2, 1, 3, 2, 1)
    assert AccessRecord.objects.get().what == "annual-statistics-2020.xlsx"
    assert officer.get(ANNUAL_XLSX, {"year": "20x0"}).status_code == 404


def test_a_partner_name_that_looks_like_a_formula_is_exported_as_text(officer, db):
    partner = Partner.objects.create(
        name='=HYPERLINK("http://evil.example","Click")', country="JP", level=Partner.Level.SISTER
    )
    visit(partner, IN, d(2020, 5, 1))

    book = workbook(officer.get(REPORT_XLSX, {"report": "by-partner"}))
    name = rows_from(book.active, "Partner")[1][0]
    assert name == '\'=HYPERLINK("http://evil.example","Click")'

    annual = workbook(officer.get(ANNUAL_XLSX, {"year": 2020}))
    assert rows_from(annual.active, "No.")[1][1].startswith("'=")


def test_a_viewer_sees_the_reports_but_cannot_export_them(client, exchanges):
    client.force_login(make_user(VIEWER))

    page = client.get(PAGE)
    assert page.status_code == 200
    assert "reports.xlsx" not in page.content.decode()
    assert client.get(REPORT_XLSX).status_code == 403
    assert client.get(ANNUAL_XLSX, {"year": 2020}).status_code == 403
    assert not AccessRecord.objects.exists()


# ---- In a browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_charts_are_drawn_from_our_own_static_files(page):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)

    page.goto(PAGE)

    chart = page.wait_for_function(
        "() => { const c = document.getElementById('chart-by-year');"
        " const chart = window.Chart && Chart.getChart(c);"
        " const outbound = chart && chart.data.datasets[1].data.reduce((a, b) => a + b);"
        " return chart && [c.width, c.height, outbound]; }"
    )
    size = chart.json_value()
    assert size[0] > 0 and size[1] > 0
    assert size[2] == 12  # the outbound visits of the seeds, as in the table
    assert refused == []
