import datetime
import io
import re
import sys
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations import briefing as briefing_module
from delegations.briefing import agreement_state, partner_briefing
from delegations.models import Delegation, Gift, Member, ProgrammeItem, Venue
from relations.models import AccessRecord, Agreement, Partner, Person, Position
from relations.roles import VIEWER
from relations.roles import user_assign_role as assign
from tests.delegations.test_printouts import weasyprint_loads

SEOUL = ZoneInfo("Asia/Seoul")
# A Monday after every visit of the seeds.
TODAY = datetime.date(2026, 3, 2)
needs_weasyprint = pytest.mark.skipif(
    not weasyprint_loads(),
    reason="WeasyPrint cannot be loaded (pip install weasyprint; apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0): PDF not tested",
)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=SEOUL), tick=False):
        yield TODAY


def briefing_url(partner, name="briefing-print"):
    return reverse(f"delegations:{name}", args=[partner.pk])


def section(html: str, name: str) -> str:
    """The text of one <section id=...> of the page, tags dropped."""
    body = html.split(f'<section id="{name}"', 1)[1].split(">", 1)[1].split("</section>", 1)[0]
    inline = re.sub(r"</?(strong|em|span|a)\b[^>]*>", "", body)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def changning():
    return Partner.objects.get(name="Changning District")


def miryang():
    return Partner.objects.get(name="Miryang City")


def bian_becomes_chairman():
    """Bian Baiping, Party Secretary when he led his delegation of Sep 2009, holds
    another office today."""
    bian = Person.objects.get(name="Bian Baiping")
    Position.objects.create(
        person=bian,
        title="Chairman",
        organisation="Changning District Political Consultative Conference",
        start=datetime.date(2017, 1, 1),
        start_precision="year",
    )
    return bian


# ---- The page --------------------------------------------------------------------------


def test_the_briefing_shows_the_partners_profile_ladder_agreements_and_visits(
    admin_client, demo, today
):
    response = admin_client.get(briefing_url(changning()))

    assert response.status_code == 200
    html = response.content.decode()
    assert "@page" in html and "size: A4" in html  # printable on its own, like the printouts
    assert "navbar" not in html and "https://" not in html
    profile = section(html, "ladder")
    assert "Friendly exchange since 29 Aug 2007" in profile
    assert "Friendship city since 27 Aug 2013" in profile
    assert "set by Letter of Intent on Friendly Communication and Cooperation" in profile
    header = " ".join(unescape(re.sub(r"<[^>]+>", " ", html.split("</header>")[0])).split())
    assert "Changning District 长宁区" in header
    assert "Friendship city since 27 Aug 2013" in header
    assert "District, Shanghai, China" in header and "Active" in header
    agreements = section(html, "agreements")
    assert "Letter of Intent on Friendly Communication and Cooperation" in agreements
    assert "Approved by Chinese People's Association for Friendship" in agreements
    visits = section(html, "visits")
    assert "Official delegation for the friendly-district agreement" in visits
    assert "Ro Hyun-Song (노현송) Mayor of Gangseo District" in visits
    assert "Party Secretary Bian Baiping's delegation" in visits  # they came to us
    # The last five each way: the advance team of 2007 is the sixth outbound visit back.
    assert "Advance team" not in visits
    history = section(html, "history")
    assert history.index("15 Jul 2007") < history.index("27 Aug 2013 – 29 Aug 2013")


def test_the_briefing_gives_a_counterparts_title_then_and_today(admin_client, demo, today):
    bian_becomes_chairman()

    response = admin_client.get(briefing_url(changning()))

    (bian,) = [
        c for c in response.context["briefing"].counterparts if c.person.name == "Bian Baiping"
    ]
    assert bian.current_title == "Chairman, Changning District Political Consultative Conference"
    assert bian.last_met.title == "Party Secretary, Changning District"  # his member row
    assert bian.last_met.when == "20 Sep 2009 – 23 Sep 2009"
    counterparts = section(response.content.decode(), "counterparts")
    assert (
        "Bian Baiping 卞百平 Chairman, Changning District Political Consultative Conference "
        "20 Sep 2009 – 23 Sep 2009 Party Secretary Bian Baiping's delegation "
        "Party Secretary, Changning District"
    ) in counterparts


def test_a_counterpart_without_a_current_title_shows_the_last_one_known(admin_client, demo, today):
    html = admin_client.get(briefing_url(changning())).content.decode()

    assert (
        "not recorded; last known: Party Secretary, Changning District (in 20 Sep 2009)"
        in section(html, "counterparts")
    )


def test_a_partner_side_signatory_met_us_at_the_signing(admin_client, demo, today):
    html = admin_client.get(briefing_url(miryang())).content.decode()

    counterparts = section(html, "counterparts")
    assert "Ahn Byunggu 안병구" in counterparts
    assert (
        "22 Aug 2025 Friendship exchange agreement between Gangseo District and Miryang City "
        "Mayor of Miryang City"
    ) in counterparts


def test_the_briefing_lists_the_gifts_both_ways(admin_client, demo, today):
    html = admin_client.get(briefing_url(miryang())).content.decode()

    gifts = section(html, "gifts")
    given, received = gifts.split("Received by us")
    assert '22 Aug 2025 Painting "Pigumjeongdo" by Jeong Seon Gangseo District → Miryang City' in (
        given
    )
    assert "Straw craftwork of a traditional thatched house Miryang City → Gangseo District" in (
        received
    )
    history = section(html, "history")
    assert 'Gift given: Painting "Pigumjeongdo" by Jeong Seon.' in history
    assert "22 Aug 2025 (date inferred):" in history  # the article gives no year


def test_the_partner_dossier_has_a_briefing_book_button(admin_client, demo):
    html = admin_client.get(changning().get_absolute_url()).content.decode()

    assert f'href="{briefing_url(changning())}"' in html
    assert "Briefing book" in html


def test_the_home_authority_has_no_briefing_book_button(admin_client, demo):
    home = Partner.objects.home()

    html = admin_client.get(home.get_absolute_url()).content.decode()

    assert briefing_url(home) not in html


def test_a_viewer_opens_the_briefing(client, demo, today):
    viewer = get_user_model().objects.create_user("viewer")
    assign(user=viewer, role=VIEWER.name)
    client.force_login(viewer)

    assert (
        f'href="{briefing_url(changning())}"'
        in client.get(changning().get_absolute_url()).content.decode()
    )
    response = client.get(briefing_url(changning()))
    assert response.status_code == 200
    assert "Changning District" in response.content.decode()


def test_someone_who_may_not_see_delegations_gets_no_briefing_and_no_button(client, demo):
    user = get_user_model().objects.create_user("partners-only")
    user.user_permissions.add(Permission.objects.get(codename="view_partner"))
    client.force_login(user)

    assert client.get(changning().get_absolute_url()).status_code == 200
    assert (
        briefing_url(changning()) not in client.get(changning().get_absolute_url()).content.decode()
    )
    assert client.get(briefing_url(changning())).status_code == 403
    assert client.get(briefing_url(changning(), "briefing-pdf")).status_code == 403


def test_no_passport_number_or_need_appears_even_for_an_administrator(admin_client, demo, today):
    partner = changning()
    visit = Delegation.objects.get(title="Party Secretary Bian Baiping's delegation")
    aide = Person.objects.create(name="Zhou Lan", native_name="周兰", partner=partner)
    Member.objects.create(
        delegation=visit,
        person=aide,
        title="Secretary",
        passport_number="E98765432",
        dietary_needs="Halal meals",
        accessibility_needs="Step-free access",
    )

    html = admin_client.get(briefing_url(partner)).content.decode()

    assert "Zhou Lan" in section(html, "counterparts")  # the member is there...
    for secret in ("E98765432", "E••••••32", "Halal", "Step-free"):
        assert secret not in html  # ...and nothing sensitive about them


def test_pending_items_list_clashes_planned_visits_gifts_to_register_and_expiring_agreements(
    admin_client, demo, today, settings
):
    settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW = 100_000
    partner = changning()
    bian = Person.objects.get(name="Bian Baiping")
    first = Delegation.objects.create(
        partner=partner,
        title="Spring study tour",
        direction="inbound",
        start=datetime.date(2026, 4, 6),
        end=datetime.date(2026, 4, 8),
        leader=bian,
    )
    Delegation.objects.create(
        partner=partner,
        title="Health forum",
        direction="inbound",
        start=datetime.date(2026, 4, 8),
        leader=bian,
        status="confirmed",
    )
    Gift.objects.create(
        partner=partner,
        delegation=first,
        direction="received",
        description="Silk scroll",
        giver="Changning District",
        recipient="Gangseo District",
        value=250_000,
        value_krw=250_000,
    )
    Agreement.objects.filter(title__startswith="Agreement of Friendly District").update(
        valid_until=datetime.date(2026, 5, 1)
    )

    pending = section(admin_client.get(briefing_url(partner)).content.decode(), "pending")

    assert (
        "Clash: Bian Baiping is on two visits at once: Spring study tour "
        "(6 Apr 2026 – 8 Apr 2026) and Health forum (8 Apr 2026)."
    ) in pending
    assert "Gift waiting for registration: Silk scroll (?)" in pending
    assert "Agreement Agreement of Friendly District Relationships" in pending
    assert "Expires on 1 May 2026" in pending
    assert "Delegation planned: Spring study tour, 6 Apr 2026 – 8 Apr 2026" in pending
    assert "Delegation confirmed: Health forum, 8 Apr 2026" in pending


def test_nothing_pending_says_so(admin_client, demo, today):
    html = admin_client.get(briefing_url(changning())).content.decode()

    assert section(html, "pending") == "Open clashes and pending items Nothing pending."


# ---- The PDF ---------------------------------------------------------------------------


def pdf_text(response) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


@needs_weasyprint
def test_the_pdf_holds_the_key_facts_in_every_script(admin_client, demo, today):
    bian_becomes_chairman()

    response = admin_client.get(briefing_url(changning(), "briefing-pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="changning-district-briefing.pdf"'
    )
    text = pdf_text(response)
    words = " ".join(text.split())
    # Narrow table cells may break a Korean or Chinese name between two characters.
    letters = "".join(text.split())
    assert "长宁区" in letters and "卞百平" in letters and "노현송" in letters
    assert "Friendship city since 27 Aug 2013" in words
    assert "Letter of Intent on Friendly Communication and Cooperation" in words
    assert "Official delegation for the friendly-district agreement" in words
    assert "ChairmanChangningDistrictPoliticalConsultativeConference" in letters.replace(",", "")
    assert "PartySecretary,ChangningDistrict" in letters
    # A visit known only to the year keeps its year alone.
    assert "2010: a delegation from Gangseo District visited Changning District" in words
    assert "1 Jan 2010" not in words
    assert "Page 1 of" in words
    record = AccessRecord.objects.get()
    assert (record.kind, record.what) == ("export", "changning-district-briefing.pdf")


@needs_weasyprint
def test_the_pdf_of_miryang_holds_its_hangul_names_and_gifts(admin_client, demo, today):
    text = pdf_text(admin_client.get(briefing_url(miryang(), "briefing-pdf")))

    letters = "".join(text.split())
    assert "밀양시" in letters and "안병구" in letters and "진교훈" in letters
    assert "Strawcraftworkofatraditionalthatchedhouse" in letters
    assert "Pigumjeongdo" in letters


def test_without_weasyprint_the_briefing_pdf_says_why_and_points_to_the_page(
    admin_client, demo, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as a missing Pango does

    response = admin_client.get(briefing_url(changning(), "briefing-pdf"))

    assert response.status_code == 503
    html = response.content.decode()
    assert "WeasyPrint" in html and "libpango-1.0-0" in html
    assert f'href="{briefing_url(changning())}"' in html
    assert not AccessRecord.objects.exists()


# ---- The exchange history --------------------------------------------------------------


@pytest.fixture
def hamamatsu(db):
    """A small history: an MOU known to the day, a visit known to the month with a gift,
    one known to the year, and what is not history (a cancelled visit, a visit still to
    come and the gift kept for it)."""
    Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    partner = Partner.objects.create(
        name="Hamamatsu City", native_name="浜松市", country="JP", level="friendship"
    )
    Agreement.objects.create(
        partner=partner,
        title="Memorandum on cultural exchange",
        kind="mou",
        signed_on=datetime.date(2018, 5, 14),
        home_party="Gangseo District",
        partner_party="Hamamatsu City",
        sets_level="friendship",
    )
    tea = Delegation.objects.create(
        partner=partner,
        title="Tea culture delegation",
        direction="outbound",
        start=datetime.date(2019, 10, 1),
        start_precision="month",
        status="completed",
        declared_size=12,
        leader=Person.objects.create(name="Kim Min-su"),
        leader_title="Deputy Mayor",
        purpose="Tea culture exchange",
    )
    ProgrammeItem.objects.create(
        delegation=tea,
        title="Visit to a tea farm",
        kind="site_visit",
        venue=Venue.objects.create(name="Makinohara tea fields"),
    )
    Gift.objects.create(
        partner=partner,
        delegation=tea,
        direction="given",
        description="Celadon vase",
        giver="Gangseo District",
        recipient="Hamamatsu City",
    )
    Delegation.objects.create(
        partner=partner,
        title="Youth orchestra visit",
        direction="inbound",
        start=datetime.date(2021, 1, 1),
        start_precision="year",
        status="completed",
        purpose="Concerts for residents.",
    )
    Delegation.objects.create(
        partner=partner,
        title="Festival visit",
        direction="inbound",
        start=datetime.date(2022, 4, 1),
        status="cancelled",
    )
    anniversary = Delegation.objects.create(
        partner=partner,
        title="Anniversary delegation",
        direction="outbound",
        start=datetime.date(2024, 5, 14),
    )
    Gift.objects.create(
        partner=partner,
        delegation=anniversary,
        direction="given",
        description="Lacquer box",
        giver="Gangseo District",
        recipient="Hamamatsu City",
        given_on=datetime.date(2024, 5, 14),
    )
    return partner


def test_the_exchange_history_tells_each_exchange_oldest_first_as_precisely_as_known(hamamatsu):
    briefing = partner_briefing(hamamatsu, today=datetime.date(2024, 1, 15))

    assert [str(paragraph) for paragraph in briefing.narrative] == [
        "14 May 2018: the memorandum of understanding “Memorandum on cultural exchange” was "
        "signed between Gangseo District and Hamamatsu City. It set the relationship level "
        "to friendship city.",
        "Oct 2019: a delegation of 12 people from Gangseo District, led by Kim Min-su, "
        "Deputy Mayor, visited Hamamatsu City (Tea culture delegation). Purpose: Tea culture "
        "exchange. Places visited: Makinohara tea fields. Gift given: Celadon vase.",
        "2021: a delegation from Hamamatsu City visited Gangseo District (Youth orchestra "
        "visit). Purpose: Concerts for residents.",
    ]
    assert [visit.title for visit in briefing.planned] == ["Anniversary delegation"]


def test_the_exchange_history_page_never_invents_a_day(admin_client, hamamatsu, today):
    html = admin_client.get(briefing_url(hamamatsu)).content.decode()

    history = section(html, "history")
    assert history.startswith("Exchange history 14 May 2018: the memorandum")
    assert "Oct 2019: a delegation of 12 people" in history
    assert "2021: a delegation from Hamamatsu City" in history
    assert "1 Oct 2019" not in html and "1 Jan 2021" not in html
    assert "Festival visit" not in history  # cancelled


# ---- Agreement states ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "valid_until", "renews", "state", "label"),
    [
        ("in_force", None, False, "in-force", "In force"),
        ("in_force", datetime.date(2030, 8, 27), False, "in-force", "In force until 27 Aug 2030"),
        ("in_force", datetime.date(2026, 5, 1), False, "expiring", "Expires on 1 May 2026"),
        (
            "in_force",
            datetime.date(2026, 5, 1),
            True,
            "expiring",
            "Renews automatically on 1 May 2026",
        ),
        ("in_force", datetime.date(2025, 12, 31), False, "expired", "Expired on 31 Dec 2025"),
        ("signed", None, False, "signed", "Signed"),
        ("expired", None, False, "expired", "Expired"),
        ("proposed", None, False, "proposed", "Proposed, not signed yet"),
        ("superseded", None, False, "ended", "Superseded"),
    ],
)
def test_an_agreements_state_follows_its_validity_before_its_status(
    status, valid_until, renews, state, label
):
    agreement = Agreement(status=status, valid_until=valid_until, renews_automatically=renews)

    found = agreement_state(agreement, TODAY)

    assert (found.state, found.label) == (state, label)


# ---- Cost ------------------------------------------------------------------------------


def add_visits(partner, count, first=0):
    """Visits with a member of the partner, a site visit, a gift and an agreement each;
    every fifth still to come, so the clash checks run."""
    venue = Venue.objects.get_or_create(name="City hall", partner=partner)[0]
    for n in range(first, first + count):
        start = datetime.date(2000, 1, 1) + datetime.timedelta(days=30 * n)
        if n % 5 == 4:
            start = datetime.date(2026, 6, 1) + datetime.timedelta(days=n)
        visit = Delegation.objects.create(
            partner=partner,
            title=f"Visit {n}",
            direction="inbound" if n % 2 else "outbound",
            start=start,
            end=start + datetime.timedelta(days=2),
            status="planned" if n % 5 == 4 else "completed",
            leader=Person.objects.create(name=f"Leader {n}", partner=partner),
        )
        person = Person.objects.create(name=f"Official {n}", partner=partner)
        Position.objects.create(person=person, title="Director", start=start)
        Member.objects.create(delegation=visit, person=person, title="Director")
        ProgrammeItem.objects.create(
            delegation=visit, title="Tour", kind="site_visit", venue=venue, date=start
        )
        Gift.objects.create(
            partner=partner,
            delegation=visit,
            direction="given",
            description=f"Gift {n}",
            giver="Gangseo District",
            recipient=partner.name,
            given_on=start,
        )
        Agreement.objects.create(
            partner=partner, title=f"Agreement {n}", kind="sectoral", signed_on=start
        )


# Session and user, partner and aliases, agreements (3), visits and the places visited,
# gifts, home authority, counterparts (5: people, positions, members, leaders, signatures),
# planned visits, the clash checks (8), and where the history told in full begins.
QUERY_BOUND = 26


def test_the_briefing_costs_the_same_queries_for_1_and_for_50_visits(admin_client, db, today):
    Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    partner = Partner.objects.create(name="Suzhou", country="CN", level="friendship")
    counts = []
    for count, first in [(1, 0), (9, 1), (40, 10)]:
        add_visits(partner, count, first)
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(briefing_url(partner))
        assert response.status_code == 200
        counts.append(len(queries))

    # One visit, all past, skips the clash checks; from 10 visits on the count is fixed.
    assert counts[0] <= counts[1] == counts[2] <= QUERY_BOUND
    briefing = response.context["briefing"]
    # 100 people (50 leaders, 50 members): the most recently met are named.
    assert len(briefing.counterparts) == briefing_module.COUNTERPARTS_SHOWN
    assert briefing.counterparts[0].person.name in {"Leader 48", "Official 48"}
    assert len(briefing.narrative) == 40 + 40  # visits and agreements up to today


def test_a_partner_of_very_many_visits_is_told_from_a_year_and_counted_before_it(
    admin_client, db, today, monkeypatch
):
    monkeypatch.setattr(briefing_module, "HISTORY_VISITS", 10)
    Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    partner = Partner.objects.create(name="Suzhou", country="CN", level="friendship")
    counts = []
    for count, first in [(20, 0), (30, 20)]:
        add_visits(partner, count, first)
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(briefing_url(partner))
        counts.append(len(queries))

    assert counts[0] == counts[1] <= QUERY_BOUND + 4  # the start year and three counts
    briefing = response.context["briefing"]
    # 40 past visits, one every 30 days from 2000: the 10th newest began in 2003, and
    # 30 of them (with their agreements and gifts) came before.
    assert briefing.since == datetime.date(2003, 1, 1)
    assert briefing.earlier == {"visits": 30, "agreements": 30, "gifts": 30}
    page = unescape(response.content.decode())
    assert "Before 2003: 30 visits, 30 agreements, 30 gifts, listed in the dossier." in page
    told = " ".join(p.text for p in briefing.narrative)
    assert "(Visit 48)" in told and "(Visit 36)" not in told


def test_the_ladder_of_a_partner_of_very_many_visits_keeps_its_first_steps(
    admin_client, db, today, monkeypatch
):
    monkeypatch.setattr(briefing_module, "HISTORY_VISITS", 10)
    Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    partner = Partner.objects.create(name="Suzhou", country="CN", level="sister")
    Agreement.objects.create(
        partner=partner,
        title="Friendship letter",
        kind="friendship",
        signed_on=datetime.date(1995, 5, 1),
        sets_level="friendship",
        status="superseded",
    )
    add_visits(partner, 40)

    briefing = admin_client.get(briefing_url(partner)).context["briefing"]

    assert briefing.since is not None and briefing.since.year > 1995
    assert [step.level for step in briefing.ladder][:1] == ["Friendship city"]
