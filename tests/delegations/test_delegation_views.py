import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from delegations.models import Delegation, Member, ProgrammeItem
from relations.models import Partner, Person, Sector

LIST = reverse("delegations:delegation-list")
ADD = reverse("delegations:delegation-add")
FORMSETS = ["members", "programme", "accommodations", "transports", "interpreters", "documents"]


def titles(response):
    return [d.title for d in response.context["object_list"]]


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def delegation_form(partner, **overrides):
    data = {
        "title": "Changning youth orchestra",
        "direction": "inbound",
        "partner": str(partner.pk),
        "start": "2027-03-10",
        "end": "2027-03-12",
        "status": "planned",
        "declared_size": "12",
        "budget_currency": "KRW",
    }
    for prefix in FORMSETS:
        data.update(management(prefix))
    data.update(overrides)
    return data


@pytest.fixture
def changning(demo):
    return Partner.objects.get(name="Changning District")


def test_the_list_shows_visits_newest_first(admin_client, demo):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert titles(response)[0].startswith("Signing of the friendship exchange agreement")
    assert "15 delegations" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"direction": "inbound"}, 3),
        ({"country": "KR"}, 1),
        ({"year": 2010}, 4),
        ({"start_from": "2010-01-01", "start_to": "2010-12-31"}, 4),
        ({"status": "cancelled"}, 0),
        ({"leader": "ro hyun"}, 2),
        ({"leader": "노현송"}, 2),
        ({"q": "kindergarten"}, 1),
        ({"q": "长宁"}, 14),
    ],
)
def test_each_filter_filters(admin_client, demo, params, count):
    assert len(titles(admin_client.get(LIST, {**params, "per_page": 100}))) == count


def test_the_sector_and_partner_filters_filter(admin_client, changning):
    sports = Sector.objects.get(name="Sports")
    response = admin_client.get(LIST, {"sector": sports.pk, "partner": changning.pk})
    assert len(titles(response)) == 5  # four annual sports delegations and the students


def test_sorting_by_title_both_ways(admin_client, demo):
    ascending = titles(admin_client.get(LIST, {"sort": "title", "per_page": 50}))
    assert ascending == sorted(ascending)
    assert titles(admin_client.get(LIST, {"sort": "-title", "per_page": 50})) == ascending[::-1]


def test_export_shows_declared_and_listed_head_counts(admin_client, demo):
    response = admin_client.get(LIST, {"year": 2013, "export": "csv", "sort": "start"})
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    official = next(r for r in rows if r["Title"].startswith("Official"))
    assert (official["Declared head-count"], official["Members listed"]) == ("21", "3")


def test_the_delegation_page_shows_everything_about_the_visit(admin_client, demo):
    visit = Delegation.objects.get(start=datetime.date(2013, 8, 27))
    html = admin_client.get(visit.get_absolute_url()).content.decode()
    assert "Ro Hyun-Song" in html and "Mayor of Gangseo District" in html
    assert "21 declared · 3 listed" in html
    assert "Agreement of Friendly District Relationships" in html
    assert "Tuesday 27 August 2013" in html
    assert visit.partner.get_absolute_url() in html


def test_an_officer_records_a_visit_with_members_and_a_programme(admin_client, changning):
    known = Person.objects.get(name="Bian Baiping")
    data = delegation_form(changning)
    data.update(management("members", total=2))
    data.update(
        {
            "members-0-person": str(known.pk),
            "members-0-role": "leader",
            "members-0-title": "Party Secretary",
            "members-1-new_person": "Wang Fang",
            "members-1-new_person_native": "王芳",
            "members-1-role": "member",
            "members-1-dietary_needs": "vegetarian",
        }
    )
    data.update(management("programme", total=1))
    data.update(
        {
            "programme-0-date": "2027-03-11",
            "programme-0-start_time": "10:00",
            "programme-0-end_time": "11:30",
            "programme-0-kind": "meeting",
            "programme-0-title": "Courtesy call on the mayor",
        }
    )
    response = admin_client.post(ADD, data, follow=True)
    visit = Delegation.objects.get(title="Changning youth orchestra")
    assert response.redirect_chain[-1][0] == visit.get_absolute_url()
    assert "added" in response.content.decode()
    members = {m.person.name: m for m in visit.members.all()}
    assert set(members) == {"Bian Baiping", "Wang Fang"}
    assert members["Wang Fang"].person.native_name == "王芳"
    assert members["Wang Fang"].dietary_needs == "vegetarian"
    assert visit.programme.get().title == "Courtesy call on the mayor"


def test_a_bad_row_in_a_formset_saves_nothing(admin_client, changning):
    data = delegation_form(changning)
    data.update(management("programme", total=1))
    data.update(
        {
            "programme-0-title": "Dinner",
            "programme-0-kind": "meal",
            "programme-0-start_time": "19:00",
        }
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["formsets"]["programme"].errors[0]
    assert errors["date"] == ["A time needs its day."]
    assert not Delegation.objects.filter(title="Changning youth orchestra").exists()


def test_a_member_is_either_chosen_or_typed_not_both(admin_client, changning):
    known = Person.objects.get(name="Bian Baiping")
    data = delegation_form(changning)
    data.update(management("members", total=1))
    data.update(
        {
            "members-0-person": str(known.pk),
            "members-0-new_person": "Someone",
            "members-0-role": "member",
        }
    )
    response = admin_client.post(ADD, data)
    assert "Choose a person or type a new name, not both." in response.content.decode()
    assert not Person.objects.filter(name="Someone").exists()


def test_saving_a_visit_that_clashes_warns_but_saves(admin_client, changning):
    interpreter = Person.objects.create(name="Park Min-ji")
    data = delegation_form(changning, declared_size="1")
    data.update(management("members", total=2))
    for n, name in enumerate(["Guest One", "Guest Two"]):
        data.update({f"members-{n}-new_person": name, f"members-{n}-role": "member"})
    data.update(management("programme", total=2))
    for n, (start, end) in enumerate([("10:00", "11:00"), ("10:30", "12:00")]):
        data.update(
            {
                f"programme-{n}-date": "2027-03-11",
                f"programme-{n}-start_time": start,
                f"programme-{n}-end_time": end,
                f"programme-{n}-kind": "meeting",
                f"programme-{n}-title": f"Meeting {n}",
                f"programme-{n}-interpreter": str(interpreter.pk),
            }
        )
    response = admin_client.post(ADD, data, follow=True)
    html = response.content.decode()
    assert "Warning: Park Min-ji is booked twice" in html
    assert "Warning: 2 members are listed but the head-count declared is 1." in html
    visit = Delegation.objects.get(title="Changning youth orchestra")
    assert 'data-testid="clashes"' in html
    assert visit.programme.count() == 2
    clash_page = admin_client.get(reverse("delegations:clash-list")).content.decode()
    assert "Park Min-ji is booked twice" in clash_page


def test_status_moves_only_along_its_steps(admin_client, changning):
    visit = Delegation.objects.create(
        title="Planned visit",
        direction="inbound",
        partner=changning,
        start=datetime.date(2027, 5, 1),
    )
    move = reverse("delegations:delegation-move", args=[visit.pk])
    admin_client.post(move, {"status": "completed"})
    visit.refresh_from_db()
    assert visit.status == "planned"
    for step in ["confirmed", "under_way", "completed"]:
        admin_client.post(move, {"status": step})
        visit.refresh_from_db()
        assert visit.status == step
    response = admin_client.post(move, {"status": "cancelled"}, follow=True)
    assert "cannot become cancelled" in response.content.decode()


def test_the_edit_form_offers_only_the_next_statuses(admin_client, changning):
    visit = Delegation.objects.create(
        title="Confirmed visit",
        direction="inbound",
        partner=changning,
        start=datetime.date(2027, 5, 1),
        status="confirmed",
    )
    form = admin_client.get(reverse("delegations:delegation-update", args=[visit.pk])).context[
        "form"
    ]
    assert [value for value, _ in form.fields["status"].choices] == [
        "confirmed",
        "under_way",
        "cancelled",
    ]
    data = delegation_form(
        changning, title="Confirmed visit", start="2027-05-01", end="", status="planned"
    )
    response = admin_client.post(reverse("delegations:delegation-update", args=[visit.pk]), data)
    assert "status" in response.context["form"].errors
    visit.refresh_from_db()
    assert visit.status == "confirmed"


def test_deleting_a_visit_lists_its_members_and_programme(admin_client, demo):
    visit = Delegation.objects.get(start=datetime.date(2013, 8, 27))
    url = reverse("delegations:delegation-delete", args=[visit.pk])
    html = admin_client.get(url).content.decode()
    assert "Member: Ro Hyun-Song (Leader)" in html
    admin_client.post(url)
    assert not Delegation.objects.filter(pk=visit.pk).exists()
    assert Person.objects.filter(name="Ro Hyun-Song").exists()


def test_a_viewer_without_permissions_is_refused(client, demo):
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12))
    visit = Delegation.objects.first()
    for url in [LIST, ADD, visit.get_absolute_url(), reverse("delegations:clash-list")]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_and_a_page_cost_the_same_queries_for_1_or_50_rows(
    admin_client, changning, django_assert_max_num_queries, rows
):
    leader = Person.objects.get(name="Bian Baiping")
    visit = None
    for n in range(rows):
        visit = Delegation.objects.create(
            title=f"Visit {n}",
            direction="inbound",
            partner=changning,
            start=datetime.date(2030, 1, 1) + datetime.timedelta(days=n),
            leader=leader,
        )
        person = Person.objects.create(name=f"Guest {n}")
        Member.objects.create(delegation=visit, person=person)
        ProgrammeItem.objects.create(delegation=visit, title=f"Item {n}", date=visit.start)
    with django_assert_max_num_queries(6):
        admin_client.get(LIST, {"per_page": 50})
    for n in range(rows):
        Member.objects.create(delegation=visit, person=Person.objects.create(name=f"Extra {n}"))
        ProgrammeItem.objects.create(delegation=visit, title=f"Extra {n}", date=visit.start)
    # 20 for the page, 9 for the history: its rows, the rows of each of its six kinds of
    # child row, and the records they name.
    with django_assert_max_num_queries(29):
        admin_client.get(visit.get_absolute_url())
