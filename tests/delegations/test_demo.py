"""load_demo holds every fact of the two seed documents, each citing its seed, and is idempotent."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from delegations.models import Delegation, Gift, Member, ProgrammeItem
from relations.dates import Precision
from relations.models import (
    Agreement,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    Person,
    Provenance,
)

CHANGNING_SEED = "000_a4bba1dd869ef14b"
MIRYANG_SEED = "004_1386d32d026b67f5"

pytestmark = pytest.mark.usefixtures("demo")
OUT, IN = Delegation.Direction.OUTBOUND, Delegation.Direction.INBOUND


def visit_on(year, month=1, day=1, **filters):
    return Delegation.objects.get(start=datetime.date(year, month, day), **filters)


def test_gangseo_is_home_with_its_profile():
    gangseo = Partner.objects.get(is_home=True)
    assert gangseo.name == "Gangseo District"
    assert gangseo.area_km2 == Decimal("41.4")
    assert "square meters" in gangseo.provenance_note
    assert gangseo.population == 580_000
    assert "20 dongs" in gangseo.profile
    assert "Gimpo Airport" in gangseo.profile
    assert gangseo.source.key == CHANGNING_SEED


def test_the_two_partners_have_their_levels_and_dates():
    changning = Partner.objects.get(name="Changning District", country="CN")
    assert changning.level == Partner.Level.FRIENDSHIP
    assert changning.level_since == datetime.date(2013, 8, 27)
    assert changning.established_on == datetime.date(2007, 8, 29)
    miryang = Partner.objects.get(name="Miryang City", country="KR")
    assert miryang.level == Partner.Level.FRIENDLY_EXCHANGE
    assert miryang.region == "Gyeongsangnam-do"


def test_the_advance_team_of_2007_went_out():
    team = visit_on(2007, 7, 15)
    assert team.direction == OUT
    assert team.partner.name == "Changning District"


def test_the_letter_of_intent_names_both_governments():
    loi = Agreement.objects.get(kind=Agreement.Kind.LETTER_OF_INTENT)
    assert loi.title == "Letter of Intent on Friendly Communication and Cooperation"
    assert loi.signed_on == datetime.date(2007, 8, 29)
    assert loi.partner_party == "People's Government of Changning District"
    assert loi.home_party.startswith("Government of Gangseo District")
    assert loi.sets_level == Partner.Level.FRIENDLY_EXCHANGE


def test_the_2013_agreement_was_signed_during_the_21_member_delegation():
    agreement = Agreement.objects.get(
        partner__name="Changning District", kind=Agreement.Kind.FRIENDSHIP
    )
    assert agreement.title.startswith("Agreement of Friendly District Relationships")
    assert agreement.signed_on == datetime.date(2013, 8, 27)
    delegation = agreement.signing.delegation
    assert (delegation.start, delegation.end) == (
        datetime.date(2013, 8, 27),
        datetime.date(2013, 8, 29),
    )
    assert delegation.declared_size == 21
    assert delegation.direction == OUT
    assert delegation.leader.name == "Ro Hyun-Song"
    assert delegation.leader_title == "Mayor of Gangseo District"
    leaders = {
        m.person.name: m.title
        for m in delegation.members.filter(role__in=[Member.Role.LEADER, Member.Role.CO_LEADER])
    }
    assert leaders == {
        "Ro Hyun-Song": "Mayor",
        "Park Sang Goo": "President of the District Parliament",
        "Quan Yongcan": "President",
    }


def test_both_outside_approvals_are_recorded():
    bodies = set(Approval.objects.values_list("body", flat=True))
    assert bodies == {
        "Shanghai Municipal Government",
        "Chinese People's Association for Friendship with Foreign Countries",
    }


@pytest.mark.parametrize(
    ("start", "direction", "size", "leader"),
    [
        (datetime.date(2008, 8, 23), OUT, None, "Kim Jae-Hyeon"),
        (datetime.date(2008, 10, 9), IN, 20, None),
        (datetime.date(2009, 2, 11), OUT, 46, "Park Yeonji"),
        (datetime.date(2009, 9, 20), IN, None, "Bian Baiping"),
        (datetime.date(2010, 8, 29), OUT, None, "Ro Hyun-Song"),
        (datetime.date(2010, 10, 29), OUT, None, None),
        (datetime.date(2010, 12, 12), IN, 6, None),
        (datetime.date(2011, 9, 21), OUT, 28, None),
    ],
)
def test_every_dated_visit_has_its_direction_size_and_leader(start, direction, size, leader):
    visit = Delegation.objects.get(start=start)
    assert visit.direction == direction
    assert visit.declared_size == size
    assert (visit.leader.name if visit.leader else None) == leader
    assert visit.source.key == CHANGNING_SEED


def test_leaders_carry_the_title_they_held_at_that_time():
    titles = dict(
        Delegation.objects.filter(leader__isnull=False).values_list("start", "leader_title")
    )
    assert titles[datetime.date(2008, 8, 23)] == "Mayor of Gangseo District"
    assert titles[datetime.date(2009, 2, 11)] == "President of Evergreen Welfare Hall"
    assert titles[datetime.date(2009, 9, 20)] == "Party Secretary of Changning District"
    assert titles[datetime.date(2010, 8, 29)] == "Department Chief of Gangseo District"
    ro = Person.objects.get(name="Ro Hyun-Song")
    assert ro.title_on(datetime.date(2010, 8, 29)) == "Department Chief, Gangseo District"
    assert ro.title_on(datetime.date(2013, 8, 27)) == "Mayor, Gangseo District"


def test_the_students_played_two_soccer_matches():
    students = visit_on(2008, 10, 9)
    matches = students.programme.filter(kind=ProgrammeItem.Kind.SPORTS)
    assert matches.count() == 2


def test_the_2009_visit_signed_three_institution_agreements():
    visit = visit_on(2009, 9, 20)
    assert visit.end == datetime.date(2009, 9, 23)
    signed = visit.agreements.all()
    assert signed.count() == 3
    assert {a.kind for a in signed} == {Agreement.Kind.INSTITUTIONAL}
    assert {a.signed_on_precision for a in signed} == {Precision.MONTH}
    pairs = {
        (link.institution.name, link.counterpart.name) for link in InstitutionLink.objects.all()
    }
    assert pairs == {
        ("MizMedi Women's Hospital", "Shanghai Changning Maternity & Infant Health Hospital"),
        ("Semin Information Technology High School", "Changning Contemporary Vocational School"),
        ("Gangseo Girls' High School", "Changning Xianxia High School"),
    }
    assert all(link.agreement_id for link in InstitutionLink.objects.all())


def test_four_annual_sports_delegations_are_stored_by_year_only():
    sports = Delegation.objects.filter(title__startswith="Annual sports delegation")
    assert sorted(d.start.year for d in sports) == [2010, 2011, 2012, 2013]
    assert {d.start_precision for d in sports} == {Precision.YEAR}
    assert {d.start.month for d in sports} == {1}
    assert {d.direction for d in sports} == {OUT}


def test_the_four_day_visit_of_2010_lists_the_three_places():
    visit = visit_on(2010, 8, 29)
    assert visit.end == datetime.date(2010, 9, 1)
    venues = set(visit.programme.values_list("venue__name", flat=True))
    assert venues == {
        "Soong Ching Ling Mausoleum",
        "Shibo Renjia Community",
        "Xinhua Sub-district Youth Activity Center",
    }


def test_the_parliamentary_delegation_met_the_peoples_congress():
    visit = visit_on(2010, 10, 29)
    assert "parliamentary" in visit.title
    assert visit.host.startswith("Standing Committee of the People's Congress")


def test_the_kindergarten_teachers_visited_two_kindergartens():
    visit = visit_on(2011, 9, 21)
    assert visit.end == datetime.date(2011, 9, 22)
    assert set(visit.programme.values_list("venue__institution__name", flat=True)) == {
        "Sea Shell Kindergarten",
        "New Experimental Kindergarten",
    }
    assert Institution.objects.filter(kind=Institution.Kind.KINDERGARTEN).count() == 2


def test_the_miryang_agreement_keeps_its_inferred_year_visible():
    agreement = Agreement.objects.get(partner__name="Miryang City")
    assert (agreement.signed_on.month, agreement.signed_on.day) == (8, 22)
    assert agreement.date_inferred
    assert "without a year" in agreement.provenance_note
    assert agreement.signed_time == datetime.time(17, 0)
    assert agreement.signed_place == "Miryang City Hall"
    assert set(agreement.sectors.values_list("name", flat=True)) == {
        "Economy",
        "Culture and arts",
        "Tourism",
        "Administration",
    }
    signatories = {(s.person.name, s.side, s.title) for s in agreement.signatories.all()}
    assert signatories == {
        ("Jin Kyohun", "home", "Mayor of Gangseo District"),
        ("Ahn Byunggu", "partner", "Mayor of Miryang City"),
    }
    assert agreement.source.key == MIRYANG_SEED


def test_the_two_miryang_gifts_go_the_right_way():
    given = Gift.objects.get(direction=Gift.Direction.GIVEN)
    assert "Pigumjeongdo" in given.description
    assert "Jeong Seon" in given.description
    assert (given.giver, given.recipient) == ("Gangseo District", "Miryang City")
    received = Gift.objects.get(direction=Gift.Direction.RECEIVED)
    assert "straw" in received.description.lower()
    assert "thatched house" in received.description
    assert received.giver == "Miryang City"
    assert {g.partner.name for g in (given, received)} == {"Miryang City"}


def test_every_historical_record_cites_its_seed():
    for model in apps.get_models():
        if issubclass(model, Provenance):
            uncited = model.objects.filter(source__isnull=True)
            assert not uncited.exists(), f"{model.__name__} without a source: {list(uncited)}"


def domain_models():
    """The models of both apps, without the audit trail's historical copies."""
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"relations", "delegations"}
        and not m._meta.model_name.startswith("historical")
    ]


def test_every_demo_record_passes_validation():
    for model in domain_models():
        for obj in model.objects.all():
            obj.full_clean()


def test_loading_again_changes_no_counts():
    models = [m for m in apps.get_models() if m._meta.app_label in {"relations", "delegations"}]
    # Historical models included: loading again must not even add audit rows.
    models += [
        m._meta.get_field(f.name).remote_field.through for m in models for f in m._meta.many_to_many
    ]
    before = {m: m.objects.count() for m in models}
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert {m: m.objects.count() for m in models} == before
    assert "Demo data loaded: 3 partners" in out.getvalue()
