import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from delegations.models import Delegation, Member
from relations.forms import PositionFormSet
from relations.models import Agreement, AgreementSignatory, Partner, Person, Position

LIST = reverse("relations:person-list")
ADD = reverse("relations:person-add")


def make_person(name, native_name="", **fields):
    return Person.objects.create(name=name, native_name=native_name, **fields)


def names(response) -> list[str]:
    return [p.name for p in response.context["object_list"]]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="relations", codename__in=codenames)


@pytest.fixture
def ro(demo):
    return Person.objects.get(name="Ro Hyun-Song")


def test_the_person_list_shows_everyone_with_their_latest_title(admin_client, demo):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert len(names(response)) == 8
    html = response.content.decode()
    assert "8 people" in html
    # Ro was a department chief in 2010 and mayor in 2013: the list gives the later title.
    row = html[html.index("Ro Hyun-Song") :]
    row = row[: row.index("</tr>")]
    assert "Mayor, Gangseo District" in row
    assert "Department Chief" not in row


def test_the_title_shown_is_the_current_one_before_older_dated_ones(admin_client, db):
    person = make_person("Lee Min")
    Position.objects.create(person=person, title="Clerk", attested_on=datetime.date(2021, 5, 1))
    Position.objects.create(
        person=person,
        title="Director",
        start=datetime.date(2015, 1, 1),
        start_precision="year",
    )
    Position.objects.create(
        person=person,
        title="Adviser",
        start=datetime.date(2010, 1, 1),
        end=datetime.date(2012, 1, 1),
    )
    html = admin_client.get(LIST).content.decode()
    assert "Director" in html
    assert "Clerk" not in html


@pytest.mark.parametrize("query", ["Ro Hyun", "ro hyun-song", "노현송", "현송"])
def test_the_name_filter_matches_english_and_native_script(admin_client, demo, query):
    assert names(admin_client.get(LIST, {"q": query})) == ["Ro Hyun-Song"]


def test_the_name_filter_ignores_accents_and_case(admin_client, db):
    make_person("José Núñez")
    make_person("Jonas Meier")
    assert names(admin_client.get(LIST, {"q": "jose nunez"})) == ["José Núñez"]
    assert names(admin_client.get(LIST, {"q": "NÚÑEZ"})) == ["José Núñez"]


def test_the_side_filter_shows_the_people_of_one_partner(admin_client, demo):
    changning = Partner.objects.get(name="Changning District")
    miryang = Partner.objects.get(name="Miryang City")
    assert names(admin_client.get(LIST, {"partner": changning.pk})) == ["Bian Baiping"]
    assert names(admin_client.get(LIST, {"partner": miryang.pk})) == ["Ahn Byunggu"]


def test_the_title_filter_finds_who_held_a_title_once(admin_client, demo):
    assert names(admin_client.get(LIST, {"title": "department chief"})) == ["Ro Hyun-Song"]
    # Ro held two titles in Gangseo; a match on either lists him once.
    assert names(admin_client.get(LIST, {"title": "mayor"})) == [
        "Ahn Byunggu",
        "Jin Kyohun",
        "Kim Jae-Hyeon",
        "Ro Hyun-Song",
    ]


def test_filters_combine(admin_client, demo):
    gangseo = Partner.objects.get(is_home=True)
    assert names(admin_client.get(LIST, {"title": "mayor", "partner": gangseo.pk, "q": "ro"})) == [
        "Ro Hyun-Song"
    ]


def test_columns_sort_both_ways(admin_client, demo):
    by_name = names(admin_client.get(LIST, {"sort": "name"}))
    assert by_name == sorted(by_name)
    assert names(admin_client.get(LIST, {"sort": "-name"})) == by_name[::-1]
    # 김재현, 노현송, 안병구, 진교훈 (Hangul sorts alike on SQLite and PostgreSQL).
    mayors = {"title": "mayor", "sort": "native_name"}
    assert names(admin_client.get(LIST, mayors)) == [
        "Kim Jae-Hyeon",
        "Ro Hyun-Song",
        "Ahn Byunggu",
        "Jin Kyohun",
    ]
    by_side = names(admin_client.get(LIST, {"sort": "partner"}))
    assert by_side.index("Bian Baiping") < by_side.index("Ro Hyun-Song")
    assert by_side.index("Ro Hyun-Song") < by_side.index("Ahn Byunggu")


def test_the_list_pages_by_25_50_or_100(admin_client, db):
    for n in range(60):
        make_person(f"Person {n:02}")
    first = admin_client.get(LIST)
    assert len(names(first)) == 25
    assert "60 people" in first.content.decode()
    assert "Page 1 of 3" in first.content.decode()
    assert names(admin_client.get(LIST, {"page": 3})) == [f"Person {n}" for n in range(50, 60)]
    assert len(names(admin_client.get(LIST, {"per_page": 50, "page": 2}))) == 10
    assert len(names(admin_client.get(LIST, {"per_page": 100}))) == 60


def test_an_empty_list_says_so(admin_client, db):
    assert "No people yet." in admin_client.get(LIST).content.decode()
    html = admin_client.get(LIST, {"q": "Nobody"}).content.decode()
    assert "Nothing matches these filters" in html


def test_export_csv_holds_what_the_filters_show(admin_client, demo):
    changning = Partner.objects.get(name="Changning District")
    rows = csv_rows(admin_client.get(LIST, {"partner": changning.pk, "export": "csv"}))
    assert rows[0][:3] == ["Romanised name", "Native name", "Partner"]
    assert {tuple(row[:3]) for row in rows[1:]} == {
        ("Bian Baiping", "卞百平", "Changning District")
    }


def test_export_xlsx_holds_what_the_filters_and_sort_show(admin_client, demo):
    response = admin_client.get(LIST, {"title": "mayor", "sort": "-name", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Romanised name"
    # One row per position held (the import's layout); the order is the page's.
    assert list(dict.fromkeys(row[0] for row in values[1:])) == [
        "Ro Hyun-Song",
        "Kim Jae-Hyeon",
        "Jin Kyohun",
        "Ahn Byunggu",
    ]


def test_the_person_page_shows_positions_over_time(admin_client, ro):
    response = admin_client.get(ro.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "노현송" in html
    assert html.index("Mayor") < html.index("Department Chief")  # newest first
    assert "in 27 Aug 2013" in html
    assert "in 29 Aug 2010" in html
    assert "Communication Status ¶6" in html  # the source is cited
    assert f'href="{Partner.objects.get(is_home=True).get_absolute_url()}"' in html


def test_the_person_page_shows_the_delegations_led_and_joined(admin_client, ro):
    response = admin_client.get(ro.get_absolute_url())
    html = response.content.decode()
    # 2013: a member row as leader; 2010: leader only, with no member row.
    assert "Official delegation for the friendly-district agreement" in html
    assert "Four-day exchange visit" in html
    for delegation in Delegation.objects.filter(leader=ro):
        assert delegation.get_absolute_url() in html
    (section,) = response.context["sections"]
    assert [m.delegation.start.year for m in section.context["memberships"]] == [2013]
    assert [d.start.year for d in section.context["led"]] == [2010]


def test_the_person_page_shows_agreements_signed_with_the_title_held_then(admin_client, demo):
    jin = Person.objects.get(name="Jin Kyohun")
    html = admin_client.get(jin.get_absolute_url()).content.decode()
    agreement = Agreement.objects.get(partner__name="Miryang City")
    assert agreement.get_absolute_url() in html
    assert "Friendship exchange agreement between Gangseo District and Miryang City" in html
    assert "as Mayor of Gangseo District" in html


def test_a_person_with_nothing_recorded_has_a_helpful_page(admin_client, db):
    html = admin_client.get(make_person("Nobody Yet").get_absolute_url()).content.decode()
    assert "No positions recorded." in html
    assert "No agreements signed." in html
    assert "No delegations recorded." in html
    assert "No source cited." in html


def test_edit_and_delete_buttons_follow_permissions(client, admin_client, ro):
    url = ro.get_absolute_url()
    html = admin_client.get(url).content.decode()
    assert reverse("relations:person-update", args=[ro.pk]) in html
    assert reverse("relations:person-delete", args=[ro.pk]) in html
    viewer = get_user_model().objects.create_user("viewer", password="x" * 12)
    viewer.user_permissions.add(*permissions("view_person"))
    client.force_login(viewer)
    html = client.get(url).content.decode()
    assert reverse("relations:person-update", args=[ro.pk]) not in html
    assert reverse("relations:person-delete", args=[ro.pk]) not in html


def person_form(positions=(), **overrides):
    data = {
        "name": "Zhang Wei",
        "native_name": "张伟",
        "email": "zhang@example.org",
        "positions-TOTAL_FORMS": str(len(positions)),
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "1000",
    }
    for n, position in enumerate(positions):
        data.update({f"positions-{n}-{key}": value for key, value in position.items()})
    return {**data, **overrides}


def test_an_officer_adds_a_person_with_two_positions(admin_client, demo):
    changning = Partner.objects.get(name="Changning District")
    data = person_form(
        [
            {"title": "Deputy Director", "organisation": "Foreign Affairs Office", "start": "2010"},
            {"title": "Director", "start": "Oct 2015", "end": "2020-06-30"},
        ],
        partner=changning.pk,
    )
    response = admin_client.post(ADD, data, follow=True)
    person = Person.objects.get(name="Zhang Wei")
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    assert "Person “Zhang Wei” added." in response.content.decode()
    assert person.partner == changning
    director, deputy = person.positions.all()
    assert (deputy.title, deputy.start, deputy.start_precision) == (
        "Deputy Director",
        datetime.date(2010, 1, 1),
        "year",
    )
    assert (director.start, director.start_precision) == (datetime.date(2015, 10, 1), "month")
    assert (director.end, director.end_precision) == (datetime.date(2020, 6, 30), "day")
    assert "Oct 2015 – 30 Jun 2020" in response.content.decode()


def test_a_position_ending_before_it_starts_is_refused_next_to_its_end(admin_client, db):
    data = person_form([{"title": "Mayor", "start": "2014", "end": "Dec 2013"}])
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    (form,) = response.context["formsets"]["positions"].forms
    assert form.errors["end"] == ["A position cannot end before it starts."]
    assert "nothing was saved" in response.content.decode()
    assert "A position cannot end before it starts." in response.content.decode()
    assert not Person.objects.exists()


def test_a_year_end_in_the_start_year_is_accepted(admin_client, db):
    data = person_form([{"title": "Mayor", "start": "2014-07-01", "end": "2014"}])
    assert admin_client.post(ADD, data).status_code == 302
    assert Position.objects.get().end_precision == "year"


def test_an_invalid_partial_date_is_refused_and_nothing_is_saved(admin_client, db):
    data = person_form(
        [{"title": "Mayor", "attested_on": "31 Feb 2010"}, {"title": "Clerk", "start": "soon"}]
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    first, second = response.context["formsets"]["positions"].forms
    assert "is not a real date" in first.errors["attested_on"][0]
    assert "start" in second.errors
    assert not Person.objects.exists()
    assert not Position.objects.exists()


def test_a_missing_name_is_refused_even_when_the_positions_are_fine(admin_client, db):
    response = admin_client.post(ADD, person_form([{"title": "Mayor"}], name=""))
    assert "name" in response.context["form"].errors
    assert not Position.objects.exists()


def test_editing_a_person_shows_partial_dates_as_given_and_saves(admin_client, ro):
    url = reverse("relations:person-update", args=[ro.pk])
    formset = admin_client.get(url).context["formsets"]["positions"]
    assert [f.initial["attested_on"] for f in formset.initial_forms] == [
        "27 Aug 2013",
        "29 Aug 2010",
    ]
    mayor, chief = ro.positions.all()
    data = person_form(
        name="Ro Hyun-Song",
        native_name="노현송",
        phone="+82 2 2600 6301",
        **{
            "positions-TOTAL_FORMS": "3",
            "positions-INITIAL_FORMS": "2",
            "positions-0-id": mayor.pk,
            "positions-0-title": "Mayor",
            "positions-0-organisation": "Gangseo District",
            "positions-0-attested_on": "27 Aug 2013",
            "positions-1-id": chief.pk,
            "positions-1-title": "Department Chief",
            "positions-1-attested_on": "29 Aug 2010",
            "positions-1-DELETE": "on",
            "positions-2-title": "Member of the National Assembly",
            "positions-2-start": "2004",
            "positions-2-end": "2008",
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    ro.refresh_from_db()
    assert ro.phone == "+82 2 2600 6301"
    assert ro.partner is None  # the form left the side empty
    assert sorted(ro.positions.values_list("title", flat=True)) == [
        "Mayor",
        "Member of the National Assembly",
    ]
    mayor.refresh_from_db()
    assert (mayor.attested_on, mayor.attested_on_precision) == (datetime.date(2013, 8, 27), "day")


def test_deleting_a_person_lists_their_positions_then_deletes(admin_client, db):
    person = make_person("Temporary")
    Position.objects.create(person=person, title="Intern")
    url = reverse("relations:person-delete", args=[person.pk])
    html = admin_client.get(url).content.decode()
    assert "Position: Intern" in html
    response = admin_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "Person “Temporary” deleted." in response.content.decode()
    assert not Person.objects.exists()
    assert not Position.objects.exists()


def test_deleting_a_delegation_member_is_refused_with_what_blocks_it(admin_client, ro):
    url = reverse("relations:person-delete", args=[ro.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be deleted while these records refer to it" in html
    assert (
        "Member: Ro Hyun-Song (Leader), in delegation “Official delegation for the "
        "friendly-district agreement (27 Aug 2013 – 29 Aug 2013)”" in html
    )
    assert "Yes, delete" not in html
    response = admin_client.post(url, follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Person.objects.filter(pk=ro.pk).exists()


def test_deleting_a_signatory_is_refused_with_the_agreement(admin_client, demo):
    ahn = Person.objects.get(name="Ahn Byunggu")
    html = admin_client.get(reverse("relations:person-delete", args=[ahn.pk])).content.decode()
    assert (
        "Agreement signatory: Ahn Byunggu, Mayor of Miryang City, in agreement “Friendship "
        "exchange agreement between Gangseo District and Miryang City (22 Aug 2025)”" in html
    )


def test_deleting_a_leader_says_the_visit_loses_its_leader(admin_client, demo):
    # Kim led the 2008 visit without a member row: Delegation.leader is SET_NULL.
    kim = Person.objects.get(name="Kim Jae-Hyeon")
    url = reverse("relations:person-delete", args=[kim.pk])
    html = admin_client.get(url).content.decode()
    assert "kept but lose their link" in html
    assert "Delegation: Mayor&#x27;s visit to schools and hospitals (23 Aug 2008)" in html
    admin_client.post(url)
    visit = Delegation.objects.get(title="Mayor's visit to schools and hospitals")
    assert visit.leader is None


def test_a_user_without_permission_is_refused(client, ro):
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12))
    for name, args in [
        ("person-list", []),
        ("person-add", []),
        ("person-detail", [ro.pk]),
        ("person-update", [ro.pk]),
        ("person-delete", [ro.pk]),
    ]:
        assert client.get(reverse(f"relations:{name}", args=args)).status_code == 403, name
    assert client.post(reverse("relations:person-delete", args=[ro.pk])).status_code == 403
    assert client.post(ADD, person_form()).status_code == 403
    assert Person.objects.count() == 8


def test_a_viewer_can_see_but_not_change(client, ro):
    viewer = get_user_model().objects.create_user("viewer", password="x" * 12)
    viewer.user_permissions.add(*permissions("view_person"))
    client.force_login(viewer)
    assert client.get(LIST).status_code == 200
    assert client.get(ro.get_absolute_url()).status_code == 200
    assert client.get(reverse("relations:person-update", args=[ro.pk])).status_code == 403


def add_people_with_positions(count: int) -> Person:
    partner = Partner.objects.create(name="Osaka", country="JP", level="sister")
    for n in range(count):
        person = make_person(f"Official {n:02}", partner=partner)
        Position.objects.create(
            person=person, title="Director", partner=partner, start=datetime.date(2015, 1, 1)
        )
        Position.objects.create(person=person, title="Clerk", attested_on=datetime.date(2010, 1, 1))
    return person


@pytest.mark.parametrize("rows", [1, 50])
def test_the_person_list_costs_the_same_queries_for_1_or_50_rows(
    admin_client, db, django_assert_max_num_queries, rows
):
    add_people_with_positions(rows)
    # Session, user, partners for the side filter, count, page of people with their side,
    # their positions.
    with django_assert_max_num_queries(6):
        response = admin_client.get(LIST, {"per_page": 50, "title": "director"})
    assert len(names(response)) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_person_page_costs_the_same_queries_for_1_or_50_records(
    admin_client, db, django_assert_max_num_queries, rows
):
    partner = Partner.objects.create(name="Osaka", country="JP", level="sister")
    person = make_person("Busy Official", partner=partner)
    other = make_person("Counterpart")
    for n in range(rows):
        Position.objects.create(person=person, title=f"Post {n}", partner=partner)
        agreement = Agreement.objects.create(
            partner=partner, title=f"MOU {n}", kind="mou", signed_on=datetime.date(2010, 1, 1)
        )
        AgreementSignatory.objects.create(agreement=agreement, person=person, side="partner")
        Delegation.objects.create(
            title=f"Led visit {n}",
            direction="inbound",
            partner=partner,
            leader=person,
            start=datetime.date(2011, 1, 1),
        )
        joined = Delegation.objects.create(
            title=f"Joined visit {n}",
            direction="inbound",
            partner=partner,
            leader=other,
            start=datetime.date(2012, 1, 1),
        )
        Member.objects.create(delegation=joined, person=person)
    # Session, user, person with side and source, positions, signatures with their
    # agreements, memberships, delegations led without a member row; the history: its
    # rows, its positions' rows, and the records they name.
    with django_assert_max_num_queries(10):
        response = admin_client.get(person.get_absolute_url())
    html = response.content.decode()
    assert html.count("Led visit") == html.count("Joined visit") == rows


def test_positions_sent_back_unchanged_do_not_count_as_changed(ro):
    formset = PositionFormSet(instance=ro, prefix="positions")
    data = {f"positions-{key}": value for key, value in formset.management_form.initial.items()}
    for form in formset.initial_forms:
        data.update(
            {
                form["id"].html_name: form.instance.pk,
                form["title"].html_name: form.instance.title,
                form["organisation"].html_name: form.instance.organisation,
                # Typed differently from the "27 Aug 2013" shown, but the same date.
                form["attested_on"].html_name: form.instance.attested_on.isoformat(),
            }
        )
    sent = PositionFormSet(data, instance=ro, prefix="positions")
    assert sent.is_valid()
    assert [form.changed_data for form in sent.forms] == [[], [], []]
    assert not sent.has_changed()
