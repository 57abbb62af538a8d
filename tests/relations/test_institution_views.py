import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from delegations.models import Venue
from relations.models import Agreement, Institution, InstitutionLink, Partner, Person, Position

LIST = reverse("relations:institution-list")
ADD = reverse("relations:institution-add")

GANGSEO_INSTITUTIONS = [
    "Evergreen Welfare Hall",
    "Gangseo District Council",
    "Gangseo Girls' High School",
    "MizMedi Women's Hospital",
    "Semin Information Technology High School",
]
LINKED = [
    "Changning Contemporary Vocational School",
    "Changning Xianxia High School",
    "Gangseo Girls' High School",
    "MizMedi Women's Hospital",
    "Semin Information Technology High School",
    "Shanghai Changning Maternity & Infant Health Hospital",
]


def names(response) -> list[str]:
    return [i.name for i in response.context["object_list"]]


def make_partner(name="Osaka") -> Partner:
    return Partner.objects.create(name=name, country="JP", level="sister")


@pytest.fixture
def gangseo(demo):
    return Partner.objects.get(is_home=True)


@pytest.fixture
def mizmedi(demo):
    return Institution.objects.get(name="MizMedi Women's Hospital")


@pytest.fixture
def maternity(demo):
    return Institution.objects.get(name__startswith="Shanghai Changning Maternity")


def test_the_institution_list_shows_both_sides(admin_client, demo):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert len(names(response)) == 13
    html = response.content.decode()
    assert "13 institutions" in html
    assert "Women&#x27;s Hospital" in html
    assert "Welfare or community centre" in html


@pytest.mark.parametrize("query", ["mizmedi", "MIZMEDI women", "Women's Hosp"])
def test_the_name_filter_ignores_case(admin_client, demo, query):
    assert names(admin_client.get(LIST, {"q": query})) == ["MizMedi Women's Hospital"]


def test_the_name_filter_matches_native_script_and_ignores_accents(admin_client, db):
    partner = make_partner("Kraków")
    Institution.objects.create(
        name="Jagiellonian University", native_name="Uniwersytet Jagielloński", partner=partner
    )
    Institution.objects.create(name="Seoul Hospital", native_name="서울병원", partner=partner)
    assert names(admin_client.get(LIST, {"q": "jagiellonski"})) == ["Jagiellonian University"]
    assert names(admin_client.get(LIST, {"q": "서울"})) == ["Seoul Hospital"]


def test_the_kind_filter_filters(admin_client, demo):
    assert names(admin_client.get(LIST, {"kind": "hospital"})) == [
        "MizMedi Women's Hospital",
        "Shanghai Changning Maternity & Infant Health Hospital",
    ]
    assert names(admin_client.get(LIST, {"kind": "university"})) == []


def test_the_where_filter_shows_one_partners_institutions(admin_client, gangseo):
    assert names(admin_client.get(LIST, {"partner": gangseo.pk})) == GANGSEO_INSTITUTIONS


def test_the_linked_filter_finds_institutions_with_links_either_way(admin_client, demo):
    assert names(admin_client.get(LIST, {"linked": "true"})) == LINKED
    unlinked = names(admin_client.get(LIST, {"linked": "false"}))
    assert len(unlinked) == 7
    assert not set(unlinked) & set(LINKED)
    assert len(names(admin_client.get(LIST, {"linked": ""}))) == 13


def test_filters_combine(admin_client, gangseo):
    assert names(
        admin_client.get(LIST, {"partner": gangseo.pk, "linked": "true", "kind": "school"})
    ) == [
        "Gangseo Girls' High School",
        "Semin Information Technology High School",
    ]


def test_columns_sort_both_ways(admin_client, demo):
    by_name = names(admin_client.get(LIST, {"sort": "name"}))
    assert by_name == sorted(by_name)
    assert names(admin_client.get(LIST, {"sort": "-name"})) == by_name[::-1]
    for sort, descending in [("kind", False), ("-kind", True)]:
        listed = admin_client.get(LIST, {"sort": sort}).context["object_list"]
        kinds = [i.kind for i in listed]
        assert kinds == sorted(kinds, reverse=descending)
    by_where = names(admin_client.get(LIST, {"sort": "partner"}))
    assert set(by_where[:8]) == set(by_name) - set(GANGSEO_INSTITUTIONS)  # Changning first


def test_the_list_pages_by_25_50_or_100(admin_client, db):
    partner = make_partner()
    for n in range(30):
        Institution.objects.create(name=f"School {n:02}", partner=partner)
    first = admin_client.get(LIST)
    assert len(names(first)) == 25
    assert "30 institutions" in first.content.decode()
    assert names(admin_client.get(LIST, {"page": 2})) == [f"School {n}" for n in range(25, 30)]
    assert len(names(admin_client.get(LIST, {"per_page": 50}))) == 30


def test_an_empty_list_says_so(admin_client, db):
    assert "No institutions yet." in admin_client.get(LIST).content.decode()
    assert "Nothing matches" in admin_client.get(LIST, {"kind": "school"}).content.decode()


def test_export_csv_holds_what_the_filters_show(admin_client, gangseo):
    response = admin_client.get(LIST, {"partner": gangseo.pk, "kind": "hospital", "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["English name", "Native name", "Kind", "Partner"]
    assert [row[:4] for row in rows[1:]] == [
        ["MizMedi Women's Hospital", "", "Hospital", "Gangseo District"]
    ]


def test_export_xlsx_holds_what_the_filters_and_sort_show(admin_client, demo):
    response = admin_client.get(LIST, {"linked": "false", "sort": "-name", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "English name"
    exported = [row[0] for row in values[1:]]
    assert len(exported) == 7
    assert exported == sorted(exported, reverse=True)


def test_the_institution_page_shows_links_made_with_the_counterpart(admin_client, mizmedi):
    response = admin_client.get(mizmedi.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shanghai Changning Maternity &amp; Infant Health Hospital" in html
    assert "since Sep 2009" in html  # the month the source gives, no invented day
    link = mizmedi.links_made.get()
    assert link.counterpart.get_absolute_url() in html
    assert link.agreement.get_absolute_url() in html
    assert "medical staff exchanged for training" in html
    assert "Communication Status ¶5" in html  # the source is cited


def test_the_counterpart_page_shows_the_link_received(admin_client, mizmedi, maternity):
    html = admin_client.get(maternity.get_absolute_url()).content.decode()
    assert "Received from" in html
    assert mizmedi.get_absolute_url() in html
    assert "since Sep 2009" in html
    assert f'href="{maternity.partner.get_absolute_url()}"' in html


def test_the_institution_page_shows_who_holds_positions_there(admin_client, mizmedi):
    person = Person.objects.create(name="Noh Sung-il")
    Position.objects.create(
        person=person,
        title="Director",
        institution=mizmedi,
        start=datetime.date(2008, 3, 1),
        start_precision="month",
    )
    html = admin_client.get(mizmedi.get_absolute_url()).content.decode()
    assert person.get_absolute_url() in html
    assert "Director · Mar 2008 – " in html


def test_an_institution_with_nothing_recorded_has_a_helpful_page(admin_client, db):
    institution = Institution.objects.create(name="Lonely School", partner=make_partner())
    html = admin_client.get(institution.get_absolute_url()).content.decode()
    assert "No links recorded." in html
    assert "No positions recorded." in html
    assert "No source cited." in html


def institution_form(links=(), **overrides):
    data = {
        "name": "Osaka Municipal Hospital",
        "native_name": "大阪市立病院",
        "kind": "hospital",
        "address": "Osaka",
        "website": "https://hospital.example.jp",
        "links-TOTAL_FORMS": str(len(links)),
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
    }
    for n, link in enumerate(links):
        data.update({f"links-{n}-{key}": value for key, value in link.items()})
    return {**data, **overrides}


def test_an_officer_adds_an_institution_with_a_link(admin_client, mizmedi):
    partner = make_partner()
    link = {"counterpart": mizmedi.pk, "kind": "twinning", "status": "active"}
    data = institution_form([{**link, "established_on": "Oct 2010"}], partner=partner.pk)
    response = admin_client.post(ADD, data, follow=True)
    institution = Institution.objects.get(name="Osaka Municipal Hospital")
    assert response.redirect_chain[-1][0] == institution.get_absolute_url()
    assert "Institution “Osaka Municipal Hospital” added." in response.content.decode()
    made = institution.links_made.get()
    assert made.counterpart == mizmedi
    assert (made.established_on, made.established_on_precision) == (
        datetime.date(2010, 10, 1),
        "month",
    )
    assert "since Oct 2010" in response.content.decode()
    assert (
        institution.get_absolute_url()
        in admin_client.get(mizmedi.get_absolute_url()).content.decode()
    )


def test_an_invalid_link_date_is_refused_and_nothing_is_saved(admin_client, mizmedi):
    link = {"counterpart": mizmedi.pk, "kind": "twinning", "status": "active"}
    data = institution_form([{**link, "established_on": "Smarch 2010"}], partner=mizmedi.partner_id)
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    (form,) = response.context["formsets"]["links"].forms
    assert "established_on" in form.errors
    assert "nothing was saved" in response.content.decode()
    assert not Institution.objects.filter(name="Osaka Municipal Hospital").exists()
    assert InstitutionLink.objects.count() == 3


def test_a_missing_partner_is_shown_next_to_its_field(admin_client, db):
    response = admin_client.post(ADD, institution_form())
    assert "partner" in response.context["form"].errors
    assert not Institution.objects.exists()


def test_linking_back_to_an_existing_counterpart_is_refused(admin_client, mizmedi, maternity):
    url = reverse("relations:institution-update", args=[maternity.pk])
    data = institution_form(
        [{"counterpart": mizmedi.pk, "kind": "agreement", "status": "active"}],
        name=maternity.name,
        native_name="",
        partner=maternity.partner_id,
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "already linked" in response.content.decode()
    assert InstitutionLink.objects.count() == 3


def test_editing_an_institution_keeps_its_link_dates_as_given(admin_client, mizmedi):
    url = reverse("relations:institution-update", args=[mizmedi.pk])
    (form,) = admin_client.get(url).context["formsets"]["links"].initial_forms
    assert form.initial["established_on"] == "Sep 2009"
    link = mizmedi.links_made.get()
    data = institution_form(
        name=mizmedi.name,
        native_name="미즈메디병원",
        partner=mizmedi.partner_id,
        **{
            "links-TOTAL_FORMS": "1",
            "links-INITIAL_FORMS": "1",
            "links-0-id": link.pk,
            "links-0-counterpart": link.counterpart_id,
            "links-0-kind": link.kind,
            "links-0-status": "ended",
            "links-0-established_on": "Sep 2009",
            "links-0-agreement": link.agreement_id,
        },
    )
    assert admin_client.post(url, data).status_code == 302
    mizmedi.refresh_from_db()
    link.refresh_from_db()
    assert mizmedi.native_name == "미즈메디병원"
    assert (link.status, link.established_on, link.established_on_precision) == (
        "ended",
        datetime.date(2009, 9, 1),
        "month",
    )


def test_deleting_an_institution_lists_its_links_then_deletes_them(admin_client, mizmedi):
    url = reverse("relations:institution-delete", args=[mizmedi.pk])
    html = admin_client.get(url).content.decode()
    assert "Institution link: MizMedi Women&#x27;s Hospital – Shanghai Changning" in html
    response = admin_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert not Institution.objects.filter(pk=mizmedi.pk).exists()
    assert InstitutionLink.objects.count() == 2
    assert Agreement.objects.filter(title__contains="MizMedi").exists()  # kept


def test_deleting_an_institution_says_which_records_lose_their_link(admin_client, demo):
    centre = Institution.objects.get(name="Xinhua Sub-district Youth Activity Center")
    html = admin_client.get(
        reverse("relations:institution-delete", args=[centre.pk])
    ).content.decode()
    assert "kept but lose their link" in html
    assert "Venue: Xinhua Sub-district Youth Activity Center, in partner" in html
    assert "(loses its institution)" in html
    admin_client.post(reverse("relations:institution-delete", args=[centre.pk]))
    assert Venue.objects.get(name=centre.name).institution is None


def test_a_user_without_permission_is_refused(client, mizmedi):
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12))
    for name, args in [
        ("institution-list", []),
        ("institution-add", []),
        ("institution-detail", [mizmedi.pk]),
        ("institution-update", [mizmedi.pk]),
        ("institution-delete", [mizmedi.pk]),
    ]:
        assert client.get(reverse(f"relations:{name}", args=args)).status_code == 403, name
    assert (
        client.post(reverse("relations:institution-delete", args=[mizmedi.pk])).status_code == 403
    )
    assert Institution.objects.filter(pk=mizmedi.pk).exists()


def add_linked_institutions(count: int) -> Institution:
    """``count`` institutions in Osaka, each linked both ways, with someone working there."""
    osaka, busan = make_partner("Osaka"), make_partner("Busan")
    hub = Institution.objects.create(name="Hub Hospital", partner=busan)
    for n in range(count):
        institution = Institution.objects.create(name=f"Clinic {n:02}", partner=osaka)
        InstitutionLink.objects.create(institution=hub, counterpart=institution)
        other = Institution.objects.create(name=f"School {n:02}", partner=busan)
        InstitutionLink.objects.create(institution=other, counterpart=hub)
        person = Person.objects.create(name=f"Doctor {n:02}")
        Position.objects.create(person=person, title="Doctor", institution=hub)
    return hub


@pytest.mark.parametrize("rows", [1, 50])
def test_the_institution_list_costs_the_same_queries_for_1_or_50_rows(
    admin_client, db, django_assert_max_num_queries, rows
):
    add_linked_institutions(rows)
    # Session, user, partners for the "where" filter, count, page with its partners.
    with django_assert_max_num_queries(5):
        response = admin_client.get(LIST, {"per_page": 100, "linked": "true"})
    assert response.context["paginator"].count == 2 * rows + 1


@pytest.mark.parametrize("rows", [1, 50])
def test_the_institution_page_costs_the_same_queries_for_1_or_50_links(
    admin_client, db, django_assert_max_num_queries, rows
):
    hub = add_linked_institutions(rows)
    # Session, user, institution with partner and source, links made, links received,
    # positions with their people; the history: its rows, its links' rows, and the
    # records they name.
    with django_assert_max_num_queries(10):
        response = admin_client.get(hub.get_absolute_url())
    html = response.content.decode()
    assert html.count("Made with") == html.count("Received from") == rows
    assert html.count(">Doctor ") == rows
