"""The dashboard: each item appears and disappears on the right days, costs the same
queries for 1 visit or 1,000, and shows each user what they may see."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations import dashboard
from delegations.models import Delegation, Gift, Member
from relations.models import Agreement, Partner, Person
from relations.roles import OFFICER, VIEWER, user_assign_role
from tests.test_production import run

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)  # a Monday
DAY = datetime.timedelta(days=1)
HOME = reverse("home")
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def on(day: datetime.date):
    """Freeze the clock at nine in the morning of ``day``, Seoul time."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9), SEOUL), tick=False)


def page_on(client, user, day: datetime.date = TODAY) -> str:
    """The dashboard as ``user`` sees it on ``day`` (logged in that day, so the session
    is fresh whatever the real clock says)."""
    with on(day):
        client.force_login(user)
        return client.get(HOME).content.decode()


def section(page: str, name: str) -> str:
    """The HTML of one section of the dashboard."""
    start = page.index(f'data-testid="dashboard-{name}"')
    return page[start : page.index("</section>", start)]


def make_partner(name="Changning District", **fields) -> Partner:
    fields.setdefault("country", "CN")
    fields.setdefault("level", Partner.Level.FRIENDSHIP)
    return Partner.objects.create(name=name, **fields)


def make_visit(partner, start, title="Visit", **fields) -> Delegation:
    fields.setdefault("direction", Delegation.Direction.INBOUND)
    return Delegation.objects.create(partner=partner, title=title, start=start, **fields)


def make_agreement(partner, title="Friendship agreement", **fields) -> Agreement:
    fields.setdefault("kind", Agreement.Kind.FRIENDSHIP)
    fields.setdefault("status", Agreement.Status.IN_FORCE)
    fields.setdefault("signed_on", datetime.date(2013, 8, 27))
    return Agreement.objects.create(partner=partner, title=title, **fields)


def make_gift(partner, description="Celadon vase", **fields) -> Gift:
    fields.setdefault("direction", Gift.Direction.RECEIVED)
    return Gift.objects.create(
        partner=partner, description=description, giver="Mayor", recipient="Mayor", **fields
    )


def make_user(role: str | None = None, name: str = "someone"):
    user = get_user_model().objects.create_user(name)
    if role:
        user_assign_role(user=user, role=role)
    return user


def titles(shortlist) -> list[str]:
    return [item.delegation.title for item in shortlist.items]


def years_ago(years: int, day: datetime.date = TODAY) -> datetime.date:
    return dashboard.years_before(day, years)


@pytest.fixture
def partner():
    return make_partner()


# ---- Delegations in the next 60 days --------------------------------------------------


def test_a_visit_59_days_away_is_listed_but_not_one_61_days_away(partner):
    make_visit(partner, TODAY + 59 * DAY, "Soon")
    make_visit(partner, TODAY + 61 * DAY, "Later")

    upcoming = dashboard.upcoming_delegations(TODAY)

    assert titles(upcoming) == ["Soon"]
    assert upcoming.total == 1
    assert upcoming.items[0].days_away == 59


def test_the_visit_61_days_away_appears_two_days_later(partner):
    make_visit(partner, TODAY + 61 * DAY, "Later")

    assert titles(dashboard.upcoming_delegations(TODAY)) == []
    assert titles(dashboard.upcoming_delegations(TODAY + 2 * DAY)) == ["Later"]


def test_visits_under_way_come_first_and_past_or_cancelled_ones_not_at_all(partner):
    make_visit(partner, TODAY + 3 * DAY, "Next week")
    make_visit(partner, TODAY - 2 * DAY, "Under way", end=TODAY + DAY)
    make_visit(partner, TODAY - 5 * DAY, "Over", end=TODAY - DAY)
    make_visit(partner, TODAY + 4 * DAY, "Called off", status=Delegation.Status.CANCELLED)

    upcoming = dashboard.upcoming_delegations(TODAY)

    assert titles(upcoming) == ["Under way", "Next week"]
    assert upcoming.items[0].under_way


def test_a_visit_known_only_to_the_month_stays_until_its_month_is_over(partner):
    make_visit(partner, TODAY.replace(day=1), "Some day in March", start_precision="month")

    assert titles(dashboard.upcoming_delegations(TODAY)) == ["Some day in March"]
    assert dashboard.upcoming_delegations(TODAY).items[0].days_away is None
    assert titles(dashboard.upcoming_delegations(datetime.date(2026, 4, 1))) == []


def test_the_list_is_capped_and_counts_them_all(partner):
    for n in range(12):
        make_visit(partner, TODAY + (n + 1) * DAY, f"Visit {n:02}")

    upcoming = dashboard.upcoming_delegations(TODAY, limit=10)

    assert len(upcoming.items) == 10 and upcoming.total == 12 and upcoming.more == 2
    assert titles(upcoming)[0] == "Visit 00"  # soonest first


def test_the_page_shows_a_visit_from_60_days_before_it(client, partner):
    make_visit(partner, datetime.date(2026, 5, 15), "Youth football exchange")
    reader = make_user(VIEWER.name)

    before = section(page_on(client, reader, datetime.date(2026, 3, 15)), "visits")
    assert "No delegations in the next 60 days." in before
    after = section(page_on(client, reader, datetime.date(2026, 3, 16)), "visits")
    assert "Youth football exchange" in after
    assert "in 60 days" in after


# ---- Agreements that expire or renew --------------------------------------------------


def test_an_agreement_expiring_in_89_days_is_listed_but_not_one_in_91(partner):
    make_agreement(partner, "Soon over", valid_until=TODAY + 89 * DAY)
    make_agreement(partner, "Not yet", valid_until=TODAY + 91 * DAY)
    make_agreement(partner, "Already over", valid_until=TODAY - DAY)

    due = dashboard.agreements_due(TODAY)

    assert [item.agreement.title for item in due.items] == ["Soon over"]
    assert due.items[0].days_left == 89


def test_an_agreement_that_ended_otherwise_is_not_due(partner):
    ended = Agreement.Status.TERMINATED
    make_agreement(partner, "Terminated", valid_until=TODAY + 9 * DAY, status=ended)

    assert dashboard.agreements_due(TODAY).total == 0


def test_the_page_says_which_agreements_renew_and_which_expire(client, partner):
    make_agreement(partner, "Tourism MOU", valid_until=TODAY + 20 * DAY, renews_automatically=True)
    make_agreement(partner, "School agreement", valid_until=TODAY + 30 * DAY)

    page = page_on(client, make_user(VIEWER.name))

    renews = page.index("Renews automatically")
    expires = page.index("Expires</span>")
    assert page.index("Tourism MOU") < renews < page.index("School agreement") < expires


# ---- Anniversaries --------------------------------------------------------------------


def anniversaries(today=TODAY) -> list[tuple[str, int, str]]:
    return [(a.kind, a.years, a.date_display) for a in dashboard.anniversaries(today).items]


def test_a_tenth_anniversary_this_year_is_listed_but_not_a_ninth():
    make_partner("Ten years", established_on=datetime.date(2016, 8, 29))
    make_partner("Nine years", country="JP", established_on=datetime.date(2017, 8, 29))

    assert anniversaries() == [("relationship", 10, "29 Aug 2026")]
    # Next year it is the other way round.
    assert anniversaries(datetime.date(2027, 1, 5)) == [("relationship", 10, "29 Aug 2027")]
    assert anniversaries(datetime.date(2022, 1, 5)) == [("relationship", 5, "29 Aug 2022")]


def test_an_agreement_signed_fifteen_years_ago_has_its_anniversary(partner):
    letter = make_agreement(partner, "Letter of intent", signed_on=datetime.date(2011, 3, 2))
    make_agreement(partner, "Sixteen", signed_on=datetime.date(2010, 3, 2))
    make_agreement(
        partner,
        "Never signed",
        status=Agreement.Status.PROPOSED,
        signed_on=datetime.date(2016, 1, 1),
    )

    found = dashboard.anniversaries(TODAY).items

    assert [(a.title, a.years, a.date_display) for a in found] == [
        ("Letter of intent", 15, "2 Mar 2026")
    ]
    assert found[0].passed  # 2 March is before 16 March
    assert found[0].url == letter.get_absolute_url()


def test_a_date_known_only_to_the_year_or_month_keeps_its_precision():
    make_partner(
        "Year only", established_on=datetime.date(2006, 1, 1), established_on_precision="year"
    )
    make_partner(
        "Month only",
        country="JP",
        established_on=datetime.date(2021, 11, 1),
        established_on_precision="month",
    )

    # Known to the month first (in the order of the year), the year-only one last.
    assert anniversaries() == [("relationship", 5, "Nov 2026"), ("relationship", 20, "2026")]


def test_an_ended_relationship_has_no_anniversary():
    make_partner("Ended", established_on=datetime.date(2016, 5, 1), status=Partner.Status.ENDED)

    assert anniversaries() == []


def test_the_page_names_the_anniversary(client):
    make_partner("Sakai City", country="JP", established_on=datetime.date(2011, 4, 1))

    page = page_on(client, make_user(VIEWER.name))

    assert "15th anniversary" in page
    assert "1 Apr 2026" in page


# ---- Partners gone quiet --------------------------------------------------------------


def quiet_names(today=TODAY, **kwargs) -> list[str]:
    return [q.partner.name for q in dashboard.quiet_partners(today, **kwargs).items]


@pytest.fixture
def two_partners():
    three = make_partner("Quiet for three years", established_on=datetime.date(2000, 1, 1))
    two = make_partner(
        "Quiet for two years", country="JP", established_on=datetime.date(2000, 1, 1)
    )
    make_visit(three, years_ago(3), "Last visit of three")
    make_visit(two, years_ago(2), "Last visit of two")
    return three, two


def test_a_partner_quiet_for_three_years_is_listed_but_not_one_quiet_for_two(two_partners):
    quiet = dashboard.quiet_partners(TODAY, years=3)

    assert [q.partner.name for q in quiet.items] == ["Quiet for three years"]
    assert quiet.items[0].years == 3
    assert quiet.items[0].last_start == years_ago(3)


def test_the_setting_says_how_many_years_make_a_partner_quiet(two_partners, settings):
    settings.AMITY_QUIET_AFTER_YEARS = 2
    assert quiet_names() == ["Quiet for three years", "Quiet for two years"]

    settings.AMITY_QUIET_AFTER_YEARS = 4
    assert quiet_names() == []


def test_the_page_follows_the_setting(client, two_partners, settings):
    settings.AMITY_QUIET_AFTER_YEARS = 2

    page = page_on(client, make_user(VIEWER.name))

    assert "Partners with no exchange for 2 years" in page
    assert "Quiet for two years" in page


def test_a_partner_with_no_exchange_ever_is_quiet_and_listed_first(client, two_partners):
    make_partner("Never visited", country="VN", established_on=datetime.date(2015, 1, 1))

    assert quiet_names(years=3) == ["Never visited", "Quiet for three years"]
    assert "No exchange recorded" in page_on(client, make_user(VIEWER.name))


def test_cancelled_visits_are_no_exchange_and_planned_ones_are(partner):
    make_visit(partner, TODAY - 30 * DAY, "Called off", status=Delegation.Status.CANCELLED)
    assert quiet_names() == ["Changning District"]

    make_visit(partner, TODAY + 30 * DAY, "Planned")
    assert quiet_names() == []


def test_a_new_relationship_is_not_quiet_nor_an_inactive_one():
    make_partner("Since last year", established_on=TODAY - 400 * DAY)
    make_partner("Dormant", country="JP", status=Partner.Status.DORMANT)
    make_partner("Home", country="KR", is_home=True, level="")

    assert quiet_names() == []


def test_quiet_partners_cost_one_query_however_many(django_assert_num_queries):
    for n in range(30):
        partner = make_partner(f"Partner {n}", established_on=datetime.date(2000, 1, 1))
        make_visit(partner, years_ago(5), f"Visit {n}")

    with django_assert_num_queries(1):
        quiet = dashboard.quiet_partners(TODAY, years=3, limit=8)

    assert quiet.total == 30 and len(quiet.items) == 8


# ---- Gifts and clashes ----------------------------------------------------------------


def test_a_gift_needing_registration_is_listed_until_it_is_registered(partner, settings):
    settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW = 100_000
    vase = make_gift(partner, "Celadon vase", value_krw=Decimal(250_000))
    make_gift(partner, "Tea set", value_krw=Decimal(30_000))

    waiting = dashboard.gifts_to_register()
    assert [gift.description for gift in waiting.items] == ["Celadon vase"]
    assert waiting.total == 1

    vase.registration_reference = "ETH-2026-014"
    vase.save()
    assert dashboard.gifts_to_register().total == 0


def test_clashes_of_the_visits_ahead_are_listed_but_not_those_further_away(partner):
    leader = Person.objects.create(name="Kim Min-su")
    for title in ("Football", "Health talks"):
        make_visit(partner, TODAY + 10 * DAY, title, end=TODAY + 12 * DAY, leader=leader)
    for title in ("Far off A", "Far off B"):
        make_visit(partner, TODAY + 200 * DAY, title, end=TODAY + 201 * DAY, leader=leader)

    clashes = dashboard.clashes_ahead(TODAY)

    assert clashes.total == 1
    assert {d.title for d in clashes.items[0].delegations} == {"Football", "Health talks"}
    assert dashboard.clashes_ahead(TODAY + 150 * DAY).total == 1  # now the far ones


# ---- The latest changes ---------------------------------------------------------------


def saved_by(user, record):
    record._history_user = user  # django-simple-history's way to name who saved
    record.save()
    return record


def test_the_latest_changes_say_who_changed_what_and_link_to_the_record(partner):
    user = make_user(OFFICER.name, "kim")
    partner.status = Partner.Status.DORMANT
    saved_by(user, partner)
    lee = Person.objects.create(name="Lee")
    visit = make_visit(partner, TODAY, "Football")
    Member.objects.create(delegation=visit, person=lee)
    gone = make_partner("Gone", country="JP")
    gone_pk = gone.pk
    gone.delete()

    changes = dashboard.latest_changes(dashboard.domain_models(), limit=6)

    assert [(c.change.kind, c.change.verbose_name) for c in changes] == [
        ("deleted", "Partner"),
        ("created", "Partner"),
        ("created", "Member"),
        ("created", "Delegation"),
        ("created", "Person"),
        ("changed", "Partner"),
    ]
    deleted, _, member, created, person, changed = changes
    assert person.url == lee.get_absolute_url()
    assert deleted.url == reverse("relations:partner-history", args=[gone_pk])
    assert member.parent == ("delegation", str(visit))
    assert member.url == visit.get_absolute_url()
    assert created.url == visit.get_absolute_url()
    assert changed.change.who == "kim"
    assert changed.fields == ["Status"]
    assert changed.url == partner.get_absolute_url()


def test_the_latest_changes_cost_a_few_queries_however_long_the_history(
    partner, django_assert_max_num_queries
):
    for n in range(40):
        partner.notes = f"Note {n}"
        partner.save()
        make_visit(partner, TODAY + n * DAY, f"Visit {n}")

    with django_assert_max_num_queries(8):
        changes = dashboard.latest_changes(dashboard.domain_models(), limit=10)

    assert len(changes) == 10


def test_the_page_shows_only_changes_to_records_the_user_may_see(client, partner):
    make_visit(partner, TODAY, "Secret visit")
    user = make_user(name="partners-only")
    user.user_permissions.add(Permission.objects.get(codename="view_partner"))
    client.force_login(user)

    page = client.get(HOME).content.decode()

    assert "Latest changes" in page
    assert "Changning District" in page
    assert "Secret visit" not in page
    assert 'id="visits"' not in page  # nor the sections of records it may not see


# ---- The page -------------------------------------------------------------------------


def test_the_demo_data_renders(admin_client, demo):
    response = admin_client.get(HOME)

    assert response.status_code == 200
    page = response.content.decode()
    for section in ("visits", "agreements", "anniversaries", "quiet", "gifts", "clashes"):
        assert f'data-testid="dashboard-{section}"' in page
    assert "Latest changes" in page
    assert "Changning District" in page  # no visit since 2013: gone quiet


def test_a_viewer_sees_everything_but_no_buttons_to_change_anything(client, partner):
    make_visit(partner, TODAY + 5 * DAY, "Football")
    make_gift(partner, value_krw=Decimal(500_000))
    make_agreement(partner, valid_until=TODAY + 20 * DAY)
    make_partner("Quiet one", country="JP")

    page = page_on(client, make_user(VIEWER.name, "reader"))

    for title in ("Football", "Celadon vase", "Friendship agreement", "Quiet one"):
        assert title in page
    for action in ("New delegation", "New agreement", "Plan a visit", "Register", "/edit/"):
        assert action not in page


def test_an_officer_gets_the_buttons(client, partner):
    make_gift(partner, value_krw=Decimal(500_000))
    make_partner("Quiet one", country="JP")
    client.force_login(make_user(OFFICER.name, "officer"))

    page = client.get(HOME).content.decode()

    assert "New delegation" in page and "Plan a visit" in page
    gift = Gift.objects.get()
    assert reverse("delegations:gift-update", args=[gift.pk]) in page


def test_a_user_without_a_role_is_told_why_the_page_is_empty(client):
    client.force_login(make_user())

    response = client.get(HOME)

    assert response.status_code == 200
    assert 'data-testid="dashboard-no-role"' in response.content.decode()


def test_empty_sections_say_so(client):
    page = page_on(client, make_user(VIEWER.name))

    assert "No delegations in the next 60 days." in page
    assert "No agreement expires or comes up for renewal in the next 90 days." in page
    assert "No gift is waiting for registration." in page
    assert "No changes recorded yet." in page


# ---- Cost on a large database ----------------------------------------------------------

# Queries of the whole request: session, user, permissions, each section, the latest
# changes. The same bound for 1 visit as for 1,000 (both take 33 today).
QUERY_BOUND = 40


def build_office(visits: int) -> None:
    """A busy office: partners, agreements and gifts, ``visits`` delegations over twenty
    years and the next months (bulk-made: no history), and a few saved changes."""
    partners = Partner.objects.bulk_create(make_partner_row(n) for n in range(40))
    Agreement.objects.bulk_create(
        Agreement(
            partner=partners[n % 40],
            title=f"Agreement {n}",
            kind=Agreement.Kind.MOU,
            status=Agreement.Status.IN_FORCE,
            signed_on=TODAY - (n * 97) * DAY,
            valid_until=TODAY + (n * 3) * DAY,
            renews_automatically=n % 2 == 0,
        )
        for n in range(60)
    )
    Gift.objects.bulk_create(
        Gift(
            partner=partners[n % 40],
            direction=Gift.Direction.RECEIVED,
            description=f"Gift {n}",
            giver="Mayor",
            recipient="Mayor",
            value_krw=Decimal(500_000),
            given_on=TODAY - n * DAY,
        )
        for n in range(30)
    )
    leader = Person.objects.create(name="Kim Min-su")
    Delegation.objects.bulk_create(
        Delegation(
            partner=partners[n % 40],
            title=f"Visit {n}",
            direction=Delegation.Direction.INBOUND if n % 2 else Delegation.Direction.OUTBOUND,
            start=TODAY + (120 - n * 7) * DAY,
            end=TODAY + (122 - n * 7) * DAY,
            status=Delegation.Status.PLANNED if n < 20 else Delegation.Status.COMPLETED,
            leader=leader,
        )
        for n in range(visits)
    )
    # Two visits at once with one leader: a clash; and some history to read.
    for title in ("Clash A", "Clash B"):
        visit = make_visit(partners[0], TODAY + 3 * DAY, title, end=TODAY + 4 * DAY, leader=leader)
        Member.objects.create(delegation=visit, person=Person.objects.create(name=f"M {title}"))
    agreement = make_agreement(partners[1], "Saved agreement", valid_until=TODAY + 5 * DAY)
    for summary in ("Draft", "Final"):
        agreement.summary = summary
        agreement.save()
    make_gift(partners[2], "Saved gift", value_krw=Decimal(900_000))


def make_partner_row(n: int) -> Partner:
    return Partner(
        name=f"Partner {n}",
        country="CN",
        level=Partner.Level.FRIENDSHIP,
        established_on=TODAY - (n * 365 + 10) * DAY,
    )


@pytest.mark.parametrize("visits", [1, 1000])
def test_the_dashboard_costs_the_same_queries_for_1_or_1000_visits(
    client, visits, django_assert_max_num_queries
):
    build_office(visits)
    user = make_user(OFFICER.name)

    with on(TODAY):
        client.force_login(user)
        with django_assert_max_num_queries(QUERY_BOUND):
            response = client.get(HOME)

    assert response.status_code == 200
    context = response.context
    assert context["visits"].total == (2 if visits == 1 else 11)  # 9 of the 1,000 in 60 days
    assert context["clashes"].total >= 1
    assert context["agreements"].total and context["gifts"].total == 31
    assert len(context["changes"]) == dashboard.CHANGES_SHOWN


def test_clashes_and_anniversaries_are_worked_out_once_for_everyone_while_cached(
    client, settings, django_assert_max_num_queries
):
    settings.AMITY_SUMMARY_CACHE_SECONDS = 60
    cache.clear()
    build_office(30)
    client.force_login(make_user(OFFICER.name))
    with on(TODAY), CaptureQueriesContext(connection) as first:
        first_page = client.get(HOME).content.decode()
    client.force_login(make_user(OFFICER.name, name="another"))
    with on(TODAY), CaptureQueriesContext(connection) as second:
        second_page = client.get(HOME).content.decode()
    cache.clear()

    # The second officer's page reads the clash checks and anniversaries from the cache.
    assert len(second) < len(first)
    assert section(second_page, "clashes") == section(first_page, "clashes")
    assert section(second_page, "anniversaries") == section(first_page, "anniversaries")


# ---- The setting ----------------------------------------------------------------------


def test_quiet_after_years_comes_from_the_environment_and_must_be_a_year_or_more():
    script = "import config.settings as s; print(s.AMITY_QUIET_AFTER_YEARS)"

    assert run(["-c", script], AMITY_QUIET_AFTER_YEARS="5").stdout.strip() == "5"
    refused = run(["-c", script], AMITY_QUIET_AFTER_YEARS="0")
    assert refused.returncode != 0
    assert "AMITY_QUIET_AFTER_YEARS must be 1 or more" in refused.stderr
