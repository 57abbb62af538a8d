import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from relations.dates import Precision
from relations.models import (
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    PartnerAlias,
    Person,
    Position,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def make_partner(name: str = "Changning District", country: str = "CN", **kwargs) -> Partner:
    kwargs.setdefault("level", Partner.Level.FRIENDSHIP)
    return Partner.objects.create(name=name, country=country, **kwargs)


def make_home(**kwargs) -> Partner:
    return Partner.objects.create(name="Gangseo District", country="KR", is_home=True, **kwargs)


def make_institution(
    name: str = "Changning Central Hospital", partner: Partner | None = None, **kwargs
) -> Institution:
    return Institution.objects.create(name=name, partner=partner or make_partner(), **kwargs)


def make_person(name: str = "Kim Jae-hyun", **kwargs) -> Person:
    return Person.objects.create(name=name, **kwargs)


def make_position(person: Person | None = None, **kwargs) -> Position:
    kwargs.setdefault("title", "Mayor")
    return Position.objects.create(person=person or make_person(), **kwargs)


def make_agreement(partner: Partner | None = None, **kwargs) -> Agreement:
    kwargs.setdefault("title", "Friendly exchange agreement")
    kwargs.setdefault("kind", Agreement.Kind.FRIENDSHIP)
    kwargs.setdefault("signed_on", D(2013, 8, 27))
    return Agreement.objects.create(partner=partner or make_partner(), **kwargs)


def refused(error: ValidationError) -> set[str]:
    """The fields a ValidationError from full_clean() names."""
    return set(error.message_dict)


# Partner: database constraints


def test_two_partners_cannot_share_a_name_in_one_country():
    make_partner("Miryang City", "KR")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_partner("Miryang City", "KR")


def test_partners_in_different_countries_may_share_a_name():
    make_partner("Gangseo District", "KR")
    make_partner("Gangseo District", "CN")
    assert Partner.objects.count() == 2


def test_there_can_be_only_one_home_authority():
    make_home()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="Busan", country="KR", is_home=True)


def test_many_partners_may_be_not_home():
    make_home()
    make_partner("Changning District")
    make_partner("Miryang City", "KR")
    assert Partner.objects.partners().count() == 2


def test_the_home_authority_cannot_have_a_relationship_level_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_home(level=Partner.Level.SISTER)


@pytest.mark.parametrize("latitude", [Decimal("90.000001"), Decimal("-90.5")])
def test_a_partner_latitude_must_lie_between_minus_and_plus_ninety(latitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_partner(latitude=latitude, longitude=Decimal("121.4"))


@pytest.mark.parametrize("longitude", [Decimal("180.5"), Decimal("-181")])
def test_a_partner_longitude_must_lie_between_minus_and_plus_one_eighty(longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_partner(latitude=Decimal("31.2"), longitude=longitude)


def test_coordinates_on_the_edge_of_their_range_are_allowed():
    make_partner("North Pole", latitude=Decimal("90"), longitude=Decimal("180"))
    make_partner("South Pole", latitude=Decimal("-90"), longitude=Decimal("-180"))
    assert Partner.objects.count() == 2


@pytest.mark.parametrize("area", [Decimal("0"), Decimal("-38.3")])
def test_a_partner_area_must_be_positive(area):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_partner(area_km2=area)


def test_a_partner_alias_is_recorded_once_per_partner():
    partner = make_partner()
    PartnerAlias.objects.create(partner=partner, name="長寧區", language="zh-Hant")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAlias.objects.create(partner=partner, name="長寧區", language="zh-Hant")


def test_two_partners_may_have_the_same_alias():
    for name in ("Changning District", "Changning County"):
        PartnerAlias.objects.create(partner=make_partner(name), name="Changning")
    assert PartnerAlias.objects.count() == 2


# Partner: clean()


def test_a_valid_partner_passes_full_clean():
    make_partner().full_clean()


def test_the_home_authority_cannot_have_a_relationship_level():
    home = Partner(name="Gangseo District", country="KR", is_home=True, level="sister")
    with pytest.raises(ValidationError) as excinfo:
        home.full_clean()
    assert "level" in refused(excinfo.value)


def test_a_partner_needs_a_relationship_level():
    partner = Partner(name="Changning District", country="CN")
    with pytest.raises(ValidationError) as excinfo:
        partner.full_clean()
    assert refused(excinfo.value) == {"level"}


def test_a_level_date_needs_a_level():
    home = Partner(name="Gangseo District", country="KR", is_home=True, level_since=D(2013, 8, 27))
    with pytest.raises(ValidationError) as excinfo:
        home.full_clean()
    assert refused(excinfo.value) == {"level_since"}


@pytest.mark.parametrize(
    "coordinates", [{"latitude": Decimal("31.2")}, {"longitude": Decimal("121.4")}]
)
def test_a_partner_needs_both_coordinates_or_neither(coordinates):
    partner = Partner(name="Changning District", country="CN", level="friendship", **coordinates)
    with pytest.raises(ValidationError) as excinfo:
        partner.full_clean()
    assert refused(excinfo.value) == {NON_FIELD_ERRORS}


def test_full_clean_reports_a_second_home_authority():
    make_home()
    second = Partner(name="Busan", country="KR", is_home=True)
    with pytest.raises(ValidationError):
        second.full_clean()


def test_a_month_precise_level_date_typed_as_the_29th_is_stored_as_the_first():
    partner = Partner(
        name="Changning District",
        country="CN",
        level="friendship",
        level_since=D(2013, 8, 29),
        level_since_precision=Precision.MONTH,
        established_on=D(2007, 8, 29),
        established_on_precision=Precision.YEAR,
    )
    partner.full_clean()
    partner.save()
    partner.refresh_from_db()
    assert partner.level_since == D(2013, 8, 1)
    assert partner.established_on == D(2007, 1, 1)
    assert partner.level_since_display == "Aug 2013"
    assert partner.established_on_display == "2007"


def test_a_partner_with_a_different_native_name_shows_both():
    assert str(Partner(name="Changning District", native_name="长宁区")) == (
        "Changning District (长宁区)"
    )
    assert str(Partner(name="Miryang City")) == "Miryang City"


# Institution


def test_an_institution_name_is_unique_within_a_partner():
    partner = make_partner()
    make_institution("Changning Central Hospital", partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_institution("Changning Central Hospital", partner)


def test_institutions_of_different_partners_may_share_a_name():
    make_institution("Central Hospital", make_partner("Changning District"))
    make_institution("Central Hospital", make_partner("Miryang City", "KR"))
    assert Institution.objects.count() == 2


# Position and "Mayor at that time"


def test_a_position_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_position(start=D(2014, 7, 1), end=D(2014, 6, 30))


def test_a_position_may_end_on_the_day_it_starts():
    make_position(start=D(2014, 7, 1), end=D(2014, 7, 1))
    assert Position.objects.count() == 1


def test_a_position_cannot_end_before_it_starts():
    position = Position(
        person=make_person(), title="Mayor", start=D(2014, 7, 1), end=D(2014, 6, 30)
    )
    with pytest.raises(ValidationError) as excinfo:
        position.full_clean()
    assert refused(excinfo.value) == {"end"}


def test_a_position_without_a_person_is_reported_not_crashed_on():
    with pytest.raises(ValidationError) as excinfo:
        Position(title="Mayor").full_clean()
    assert "person" in refused(excinfo.value)


def test_a_month_precise_position_end_typed_as_the_29th_is_stored_as_the_first():
    position = Position(
        person=make_person(),
        title="Mayor",
        start=D(2010, 7, 1),
        end=D(2014, 6, 29),
        end_precision=Precision.MONTH,
        attested_on=D(2012, 5, 17),
        attested_on_precision=Precision.YEAR,
    )
    position.full_clean()
    assert position.end == D(2014, 6, 1)
    assert position.attested_on == D(2012, 1, 1)


def test_a_position_may_end_in_the_same_year_it_started_on_a_known_day():
    position = Position(
        person=make_person(),
        title="Acting Mayor",
        start=D(2010, 7, 1),
        end=D(2010, 12, 31),
        end_precision=Precision.YEAR,
    )
    position.full_clean()
    position.save()


def test_a_position_covers_the_days_of_its_range_including_both_ends():
    position = make_position(start=D(2010, 7, 1), end=D(2014, 6, 30))
    assert position.covers(D(2010, 7, 1))
    assert position.covers(D(2012, 5, 17))
    assert position.covers(D(2014, 6, 30))
    assert not position.covers(D(2010, 6, 30))
    assert not position.covers(D(2014, 7, 1))


def test_a_position_without_an_end_covers_every_day_from_its_start():
    position = make_position(start=D(2010, 7, 1))
    assert position.covers(D(2030, 1, 1))
    assert not position.covers(D(2010, 6, 30))


def test_a_position_without_a_start_covers_every_day_up_to_its_end():
    position = make_position(end=D(2014, 6, 30))
    assert position.covers(D(1990, 1, 1))
    assert not position.covers(D(2014, 7, 1))


def test_a_month_precise_end_covers_the_whole_last_month():
    position = make_position(start=D(2010, 7, 1), end=D(2014, 6, 1), end_precision=Precision.MONTH)
    assert position.covers(D(2014, 6, 30))
    assert not position.covers(D(2014, 7, 1))


def test_a_year_precise_end_covers_the_whole_last_year():
    position = make_position(start=D(2010, 7, 1), end=D(2014, 1, 1), end_precision=Precision.YEAR)
    assert position.covers(D(2014, 12, 31))
    assert not position.covers(D(2015, 1, 1))


def test_a_position_known_only_from_an_attested_month_covers_that_month():
    position = make_position(attested_on=D(2013, 8, 1), attested_on_precision=Precision.MONTH)
    assert position.covers(D(2013, 8, 1))
    assert position.covers(D(2013, 8, 31))
    assert not position.covers(D(2013, 7, 31))
    assert not position.covers(D(2013, 9, 1))


def test_a_position_known_only_from_an_attested_day_covers_that_day_alone():
    position = make_position(attested_on=D(2013, 8, 27))
    assert position.covers(D(2013, 8, 27))
    assert not position.covers(D(2013, 8, 28))


def test_a_position_with_no_dates_covers_no_day():
    assert not make_position().covers(D(2013, 8, 27))


def test_a_position_saved_without_clean_still_answers_covers():
    position = make_position(start=D(2010, 7, 1), end=D(2014, 6, 29), end_precision=Precision.MONTH)
    assert position.covers(D(2014, 6, 30))


def test_title_on_answers_the_title_held_at_that_time():
    person = make_person("Noh Hyun-song")
    make_position(
        person,
        title="Mayor",
        organisation="Gangseo District",
        start=D(2010, 7, 1),
        end=D(2014, 6, 30),
    )
    make_position(person, title="Member of the National Assembly", start=D(2016, 5, 30))
    assert person.title_on(D(2013, 8, 27)) == "Mayor, Gangseo District"
    assert person.title_on(D(2020, 1, 1)) == "Member of the National Assembly"
    assert person.title_on(D(2015, 1, 1)) == ""


def test_title_on_uses_a_position_known_only_from_a_source_date():
    person = make_person()
    make_position(
        person,
        title="Director of Foreign Affairs",
        attested_on=D(2007, 1, 1),
        attested_on_precision=Precision.YEAR,
    )
    assert person.title_on(D(2007, 8, 29)) == "Director of Foreign Affairs"
    assert person.title_on(D(2008, 1, 1)) == ""


def test_a_position_period_reads_as_the_sources_give_it():
    assert (
        Position(start=D(2010, 7, 1), end=D(2014, 6, 1), end_precision="month").period_display
        == "1 Jul 2010 – Jun 2014"
    )
    assert Position(end=D(2014, 6, 30)).period_display == "? – 30 Jun 2014"
    assert (
        Position(attested_on=D(2007, 1, 1), attested_on_precision="year").period_display
        == "in 2007"
    )
    assert Position().period_display == ""


# Agreement


def test_an_agreement_cannot_stop_being_valid_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_agreement(valid_from=D(2013, 8, 27), valid_until=D(2013, 8, 26))


def test_an_agreement_may_be_valid_for_a_single_day():
    make_agreement(valid_from=D(2013, 8, 27), valid_until=D(2013, 8, 27))
    assert Agreement.objects.count() == 1


def test_an_agreement_is_recorded_once_per_partner_title_and_signing_date():
    partner = make_partner()
    make_agreement(partner, title="Letter of intent", signed_on=D(2007, 8, 29))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_agreement(partner, title="Letter of intent", signed_on=D(2007, 8, 29))


def test_an_agreement_with_the_same_title_may_be_signed_again_on_another_day():
    partner = make_partner()
    make_agreement(partner, title="Renewal", signed_on=D(2018, 8, 27))
    make_agreement(partner, title="Renewal", signed_on=D(2023, 8, 27))
    assert Agreement.objects.count() == 2


def test_a_valid_agreement_passes_full_clean():
    make_agreement().full_clean()


def test_an_agreement_validity_cannot_end_before_it_begins():
    agreement = Agreement(
        partner=make_partner(),
        title="MOU",
        kind=Agreement.Kind.MOU,
        signed_on=D(2013, 8, 27),
        valid_from=D(2013, 8, 27),
        valid_until=D(2013, 8, 26),
    )
    with pytest.raises(ValidationError) as excinfo:
        agreement.full_clean()
    assert refused(excinfo.value) == {"valid_until"}


@pytest.mark.parametrize("status", [Agreement.Status.SIGNED, Agreement.Status.IN_FORCE])
def test_a_signed_agreement_needs_its_signing_date(status):
    agreement = Agreement(partner=make_partner(), title="MOU", kind="mou", status=status)
    with pytest.raises(ValidationError) as excinfo:
        agreement.full_clean()
    assert refused(excinfo.value) == {"signed_on"}


def test_a_proposed_agreement_needs_no_signing_date():
    agreement = Agreement(partner=make_partner(), title="MOU", kind="mou", status="proposed")
    agreement.full_clean()


@pytest.mark.parametrize("precision", [Precision.MONTH, Precision.YEAR])
def test_a_time_of_signing_needs_the_full_date_of_signing(precision):
    agreement = Agreement(
        partner=make_partner(),
        title="Friendship exchange agreement",
        kind="friendship",
        signed_on=D(2013, 8, 1),
        signed_on_precision=precision,
        signed_time=datetime.time(10, 30),
    )
    with pytest.raises(ValidationError) as excinfo:
        agreement.full_clean()
    assert refused(excinfo.value) == {"signed_time"}


def test_an_agreement_without_a_partner_is_reported_not_crashed_on():
    with pytest.raises(ValidationError) as excinfo:
        Agreement(title="MOU", kind="mou", signed_on=D(2013, 8, 27)).full_clean()
    assert "partner" in refused(excinfo.value)


def test_a_year_precise_signing_date_is_stored_as_the_first_of_january():
    agreement = Agreement(
        partner=make_partner(),
        title="Letter of intent",
        kind="letter_of_intent",
        signed_on=D(2007, 8, 29),
        signed_on_precision=Precision.YEAR,
    )
    agreement.full_clean()
    assert agreement.signed_on == D(2007, 1, 1)
    assert str(agreement) == "Letter of intent (2007)"


def test_a_person_signs_an_agreement_once():
    agreement = make_agreement()
    person = make_person()
    AgreementSignatory.objects.create(agreement=agreement, person=person, side="home")
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementSignatory.objects.create(agreement=agreement, person=person, side="witness")


def test_a_body_approves_an_agreement_once():
    agreement = make_agreement()
    Approval.objects.create(agreement=agreement, body="Shanghai Municipal Government")
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(agreement=agreement, body="Shanghai Municipal Government")


def test_a_month_precise_approval_date_is_stored_as_the_first():
    approval = Approval(
        agreement=make_agreement(),
        body="Chinese People's Association for Friendship with Foreign Countries",
        approved_on=D(2008, 3, 29),
        approved_on_precision=Precision.MONTH,
    )
    approval.full_clean()
    assert approval.approved_on == D(2008, 3, 1)
    assert approval.approved_on_display == "Mar 2008"


# Institution links


def make_two_institutions() -> tuple[Institution, Institution]:
    ours = make_institution("Gangseo Hospital", make_home())
    theirs = make_institution("Changning Central Hospital", make_partner())
    return ours, theirs


def test_two_institutions_are_linked_once():
    ours, theirs = make_two_institutions()
    InstitutionLink.objects.create(institution=ours, counterpart=theirs)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionLink.objects.create(institution=ours, counterpart=theirs)


def test_an_institution_cannot_be_linked_to_itself_in_the_database():
    ours, _ = make_two_institutions()
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionLink.objects.create(institution=ours, counterpart=ours)


def test_an_institution_cannot_be_linked_to_itself():
    ours, _ = make_two_institutions()
    with pytest.raises(ValidationError) as excinfo:
        InstitutionLink(institution=ours, counterpart=ours).full_clean()
    assert "counterpart" in refused(excinfo.value)


def test_a_link_the_other_way_round_is_refused():
    ours, theirs = make_two_institutions()
    InstitutionLink.objects.create(institution=ours, counterpart=theirs)
    with pytest.raises(ValidationError) as excinfo:
        InstitutionLink(institution=theirs, counterpart=ours).full_clean()
    assert refused(excinfo.value) == {NON_FIELD_ERRORS}


def test_a_link_can_be_cleaned_again_after_it_is_saved():
    ours, theirs = make_two_institutions()
    link = InstitutionLink.objects.create(institution=ours, counterpart=theirs)
    link.full_clean()


def test_a_link_without_institutions_is_reported_not_crashed_on():
    with pytest.raises(ValidationError) as excinfo:
        InstitutionLink().full_clean()
    assert {"institution", "counterpart"} <= refused(excinfo.value)


def test_a_month_precise_link_date_typed_as_the_29th_is_stored_as_the_first():
    ours, theirs = make_two_institutions()
    link = InstitutionLink(
        institution=ours,
        counterpart=theirs,
        established_on=D(2009, 10, 29),
        established_on_precision=Precision.MONTH,
    )
    link.full_clean()
    assert link.established_on == D(2009, 10, 1)
    assert link.established_on_display == "Oct 2009"
