"""Search boxes instead of drop-downs: the lookup answers, and forms and filters that hold
only the record chosen, however many there are."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from delegations.models import Delegation, Member
from relations.lookups import RESULTS
from relations.models import Partner, PartnerAlias, Person
from relations.roles import OFFICER, VIEWER, user_assign_role

pytestmark = pytest.mark.django_db


def lookup(client, name, text):
    response = client.get(reverse("relations:lookup", args=[name]), {"q": text})
    assert response.status_code == 200
    return [match["text"] for match in response.json()["results"]]


@pytest.fixture
def officer(client):
    user = get_user_model().objects.create_user("officer")
    user_assign_role(user=user, role=OFFICER.name)
    client.force_login(user)
    return user


def test_a_partner_is_found_by_any_of_its_names(client, officer):
    changning = Partner.objects.create(
        name="Changning District", native_name="长宁区", country="CN"
    )
    PartnerAlias.objects.create(partner=changning, name="Shanghai Changning")
    Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    want = ["Changning District (长宁区) · China"]

    assert lookup(client, "partners", "changning") == want
    assert lookup(client, "partners", "长宁") == want
    assert lookup(client, "partners", "SHANGHAI") == want  # the alias, any case
    # Our own authority is a partner of nobody: offered where people or venues are ours.
    assert lookup(client, "partners", "gangseo") == []
    assert lookup(client, "authorities", "gangseo") == ["Gangseo District · South Korea"]


def test_people_are_told_apart_by_their_authority(client, officer):
    for name in ("Miryang City", "Changning District"):
        partner = Partner.objects.create(name=name, country="KR")
        Person.objects.create(name="Kim Min-jun", native_name="김민준", partner=partner)

    assert sorted(lookup(client, "people", "김민준")) == [
        "Kim Min-jun (김민준) · Changning District",
        "Kim Min-jun (김민준) · Miryang City",
    ]


def test_a_visit_is_found_by_its_title_or_its_partner(client, officer):
    partner = Partner.objects.create(name="Changning District", native_name="长宁区", country="CN")
    Delegation.objects.create(
        partner=partner,
        title="Youth orchestra",
        direction="inbound",
        start=datetime.date(2026, 5, 1),
    )

    assert lookup(client, "delegations", "orchestra") == lookup(client, "delegations", "长宁")
    assert len(lookup(client, "delegations", "orchestra")) == 1


def test_it_answers_the_first_matches_only(client, officer):
    partner = Partner.objects.create(name="Changning District", country="CN")
    Person.objects.bulk_create(
        Person(name=f"Wang {n}", search_text=f"wang {n}", partner=partner) for n in range(50)
    )

    assert len(lookup(client, "people", "wang")) == RESULTS


def test_empty_or_hostile_text_finds_nothing_and_breaks_nothing(client, officer):
    Person.objects.create(name="Wang Wei")

    assert lookup(client, "people", "") == []
    assert lookup(client, "people", "   ") == []
    assert lookup(client, "people", "%") == []
    assert lookup(client, "people", "' OR 1=1 --" * 50) == []
    # PostgreSQL refuses a NUL in a query: it is dropped, not a 500.
    assert lookup(client, "people", "Wang\x00 Wei") == ["Wang Wei"]


def test_only_those_who_may_see_the_records_get_them(client):
    Person.objects.create(name="Wang Wei")
    nobody = get_user_model().objects.create_user("nobody")
    client.force_login(nobody)
    url = reverse("relations:lookup", args=["people"])

    assert client.get(url, {"q": "wang"}).status_code == 403
    user_assign_role(user=nobody, role=VIEWER.name)
    assert client.get(url, {"q": "wang"}).json()["results"][0]["text"] == "Wang Wei"
    assert client.get(reverse("relations:lookup", args=["passwords"])).status_code == 404
    client.logout()
    assert client.get(url, {"q": "wang"}).status_code == 302  # to the login page


def test_a_form_holds_only_the_record_chosen_whatever_the_number_of_people(client, officer):
    partner = Partner.objects.create(name="Changning District", country="CN")
    visit = Delegation.objects.create(
        partner=partner,
        title="Youth orchestra",
        direction="inbound",
        start=datetime.date(2026, 5, 1),
    )
    wang = Person.objects.create(name="Wang Wei", partner=partner)
    Member.objects.create(delegation=visit, person=wang)
    Person.objects.bulk_create(Person(name=f"Someone {n}") for n in range(300))
    Partner.objects.bulk_create(Partner(name=f"City {n}", country="JP") for n in range(300))

    page = client.get(reverse("delegations:delegation-update", args=[visit.pk])).content.decode()

    assert "Someone 1" not in page and "City 1" not in page
    assert f'<option value="{wang.pk}" selected>Wang Wei</option>' in page
    assert f'data-lookup="{reverse("relations:lookup", args=["people"])}"' in page
    assert f'data-lookup="{reverse("relations:lookup", args=["partners"])}"' in page


def test_the_filter_shows_the_partner_chosen_and_no_other(client, officer):
    changning = Partner.objects.create(name="Changning District", country="CN")
    Partner.objects.create(name="Miryang City", country="KR")

    page = client.get(reverse("delegations:delegation-list"), {"partner": changning.pk})

    html = page.content.decode()
    assert f'<option value="{changning.pk}" selected>Changning District</option>' in html
    assert "Miryang City" not in html


def test_a_form_still_refuses_a_record_it_may_not_choose(client, officer):
    """The box offers matches, but the form checks what is sent as before."""
    home = Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    response = client.post(
        reverse("delegations:delegation-add"),
        {"title": "Visit", "direction": "inbound", "partner": home.pk, "start": "2026-05-01"},
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Delegation.objects.exists()
