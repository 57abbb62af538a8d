import datetime
import io
import sys

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from delegations.models import Accommodation, Delegation, Member, ProgrammeItem, Venue
from relations.models import Partner, Person


def weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


DAY_ONE = datetime.date(2027, 3, 10)
DAY_TWO = datetime.date(2027, 3, 11)
PRINTOUTS = [
    "delegation-print",
    "delegation-pdf",
    "delegation-members-xlsx",
    "delegation-rooming-xlsx",
]


@pytest.fixture
def delegation(db):
    partner = Partner.objects.create(
        name="Changning District", native_name="长宁区", country="CN", level="friendship"
    )
    leader = Person.objects.create(name="Wang Wei", native_name="王伟")
    officer = Person.objects.create(name="Kim Ji-won", native_name="김지원")
    interpreter = Person.objects.create(name="Park Min-ji", native_name="박민지")
    delegation = Delegation.objects.create(
        title="Changning education delegation",
        direction="inbound",
        partner=partner,
        start=DAY_ONE,
        end=DAY_TWO,
        leader=leader,
        leader_title="Deputy District Mayor",
        declared_size=5,
    )
    members = [
        (leader, "leader", "", "", ""),
        (Person.objects.create(name="Lee Soo-jin", native_name="이수진"), "member", "", "", ""),
        (
            Person.objects.create(name="Choi Han-na", native_name="최한나"),
            "staff",
            "Vegetarian",
            "Wheelchair",
            "CA123 10 Mar 09:40",
        ),
    ]
    for person, role, dietary, access, arrival in members:
        Member.objects.create(
            delegation=delegation,
            person=person,
            role=role,
            title="Officer",
            organisation="Changning Education Bureau",
            dietary_needs=dietary,
            accessibility_needs=access,
            arrival=arrival,
        )
    hall = Venue.objects.create(name="Gangseo District Office", native_name="강서구청", kind="hall")
    school = Venue.objects.create(name="Hwagok High School", kind="school")
    hotel = Venue.objects.create(name="Hotel Magok", kind="hotel", address="Magok-dong")
    ProgrammeItem.objects.create(
        delegation=delegation,
        date=DAY_ONE,
        start_time=datetime.time(10),
        end_time=datetime.time(11),
        title="Courtesy call on the Mayor",
        venue=hall,
        responsible=officer,
        interpreter=interpreter,
    )
    ProgrammeItem.objects.create(
        delegation=delegation,
        date=DAY_TWO,
        start_time=datetime.time(9, 30),
        title="School exchange visit",
        kind="site_visit",
        venue=school,
        responsible=officer,
    )
    Accommodation.objects.create(
        delegation=delegation,
        hotel=hotel,
        check_in=DAY_ONE,
        check_out=DAY_TWO + datetime.timedelta(days=1),
        rooms=3,
        room_notes="Two twins, one single",
        booking_reference="MG-2027-031",
    )
    return delegation


def url(name, delegation):
    return reverse(f"delegations:{name}", args=[delegation.pk])


def sheet_rows(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_the_print_page_shows_the_programme_day_by_day_and_the_members(admin_client, delegation):
    response = admin_client.get(url("delegation-print", delegation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "@page" in html and "size: A4" in html and "counter(page)" in html
    assert "Wednesday 10 March 2027" in html and "Thursday 11 March 2027" in html
    assert html.index("Courtesy call on the Mayor") < html.index("School exchange visit")
    for name in ("Wang Wei", "王伟", "Lee Soo-jin", "이수진", "Choi Han-na", "최한나"):
        assert name in html
    assert "Deputy District Mayor" in html
    assert "5 declared · 3 listed" in html
    assert "Hotel Magok" in html and "2 nights" in html
    assert '<button type="button" data-print>Print</button>' in html  # see static/amity.js
    assert "navbar" not in html  # its own page, not the app chrome
    assert "https://" not in html  # nothing fetched from the internet, fonts included


def test_the_delegation_page_links_to_its_printouts(admin_client, delegation):
    html = admin_client.get(delegation.get_absolute_url()).content.decode()

    for name in PRINTOUTS:
        assert url(name, delegation) in html


@pytest.mark.skipif(
    not weasyprint_loads(),
    reason="WeasyPrint cannot be loaded (pip install weasyprint; apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0): PDF not tested",
)
def test_the_pdf_holds_the_title_members_and_programme(admin_client, delegation):
    from pypdf import PdfReader

    response = admin_client.get(url("delegation-pdf", delegation))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="changning-education-delegation.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Changning education delegation" in text
    assert "Lee Soo-jin" in text
    assert "School exchange visit" in text
    assert "Page 1 of" in text


def test_without_weasyprint_the_pdf_page_says_why_and_points_to_the_print_page(
    admin_client, delegation, monkeypatch
):
    # A None entry in sys.modules makes the import fail, as a missing Pango does.
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    response = admin_client.get(url("delegation-pdf", delegation))

    assert response.status_code == 503
    html = response.content.decode()
    assert "WeasyPrint" in html and "libpango-1.0-0" in html
    assert url("delegation-print", delegation) in html


def test_the_member_list_opens_in_a_spreadsheet_with_every_member(admin_client, delegation):
    response = admin_client.get(url("delegation-members-xlsx", delegation))

    assert response.status_code == 200
    assert (
        'filename="changning-education-delegation-members.xlsx"'
        in (response["Content-Disposition"])
    )
    rows = sheet_rows(response)
    assert rows[0] == [
        "Name",
        "Native name",
        "Role",
        "Title then",
        "Organisation then",
        "Dietary needs",
        "Accessibility needs",
        "Arrival",
        "Departure",
    ]
    assert [row[:3] for row in rows[1:]] == [
        ["Wang Wei", "王伟", "Leader"],
        ["Lee Soo-jin", "이수진", "Member"],
        ["Choi Han-na", "최한나", "Staff"],
    ]
    assert rows[3][5:8] == ["Vegetarian", "Wheelchair", "CA123 10 Mar 09:40"]


def test_the_rooming_list_gives_each_stay_then_its_guests(admin_client, delegation):
    response = admin_client.get(url("delegation-rooming-xlsx", delegation))

    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][:8] == [
        "Hotel",
        "Check-in",
        "Check-out",
        "Nights",
        "Rooms",
        "Room notes",
        "Booking reference",
        "Guest",
    ]
    stay = rows[1]
    assert stay[0] == "Hotel Magok"
    assert stay[1].date() == DAY_ONE  # a real date cell, not text
    assert stay[3:7] == [2, 3, "Two twins, one single", "MG-2027-031"]
    assert [row[7:10] for row in rows[2:]] == [
        ["Wang Wei", "王伟", "Leader"],
        ["Lee Soo-jin", "이수진", "Member"],
        ["Choi Han-na", "최한나", "Staff"],
    ]


def test_a_member_name_that_looks_like_a_formula_is_neutralised(admin_client, delegation):
    person = Person.objects.create(name='=HYPERLINK("http://evil.example","x")')
    Member.objects.create(delegation=delegation, person=person)

    for name in ("delegation-members-xlsx", "delegation-rooming-xlsx"):
        cells = [c for row in sheet_rows(admin_client.get(url(name, delegation))) for c in row]
        assert '\'=HYPERLINK("http://evil.example","x")' in cells
        assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_a_title_in_hangul_alone_still_gives_a_file_name(admin_client, delegation):
    delegation.title = "창닝구 교육 대표단"
    delegation.save()

    response = admin_client.get(url("delegation-members-xlsx", delegation))

    assert (
        f'filename="delegation-{delegation.pk}-members.xlsx"' in (response["Content-Disposition"])
    )


@pytest.mark.parametrize("name", PRINTOUTS)
def test_a_user_who_may_not_see_delegations_gets_no_printout(client, delegation, name):
    user = get_user_model().objects.create_user("clerk")  # no password: hashing is slow
    client.force_login(user)

    assert client.get(url(name, delegation)).status_code == 403


@pytest.mark.parametrize("name", PRINTOUTS)
def test_a_missing_delegation_is_a_404(admin_client, db, name):
    missing = Delegation(pk=999_999)

    assert admin_client.get(url(name, missing)).status_code == 404
