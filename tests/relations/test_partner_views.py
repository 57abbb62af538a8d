import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from delegations.models import Delegation
from relations import dossier as dossier_module
from relations.models import Agreement, Partner, PartnerAlias, Sector

LIST = reverse("relations:partner-list")


def make_partner(name, country="JP", **fields):
    fields.setdefault("level", Partner.Level.SISTER)
    return Partner.objects.create(name=name, country=country, **fields)


def names(response) -> list[str]:
    return [p.name for p in response.context["object_list"]]


@pytest.fixture
def changning(demo):
    return Partner.objects.get(name="Changning District")


def test_the_partner_list_shows_partners_but_not_home(admin_client, demo):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["Changning District", "Miryang City"]
    assert "2 partners" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["Changning", "changning", "长宁", "長寧區", "창닝", "shanghai changning"]
)
def test_the_name_filter_matches_english_native_and_alias_names(admin_client, demo, query):
    assert names(admin_client.get(LIST, {"q": query})) == ["Changning District"]


def test_the_name_filter_ignores_accents_and_case(admin_client, db):
    make_partner("São Paulo", country="BR", native_name="São Paulo")
    make_partner("Gdańsk", country="PL")
    assert names(admin_client.get(LIST, {"q": "SAO PAULO"})) == ["São Paulo"]
    assert names(admin_client.get(LIST, {"q": "gdansk"})) == ["Gdańsk"]


def test_an_alias_match_lists_the_partner_once(admin_client, db):
    partner = make_partner("Osaka")
    PartnerAlias.objects.create(partner=partner, name="Osaka City")
    PartnerAlias.objects.create(partner=partner, name="Osaka-shi")
    assert names(admin_client.get(LIST, {"q": "osaka"})) == ["Osaka"]


def test_country_kind_level_and_status_filters_filter(admin_client, demo):
    assert names(admin_client.get(LIST, {"country": "CN"})) == ["Changning District"]
    assert names(admin_client.get(LIST, {"kind": "city"})) == ["Miryang City"]
    assert names(admin_client.get(LIST, {"level": "friendly_exchange"})) == ["Miryang City"]
    assert names(admin_client.get(LIST, {"status": "dormant"})) == []


def test_domestic_and_foreign_are_judged_against_the_home_country(admin_client, demo):
    assert names(admin_client.get(LIST, {"scope": "domestic"})) == ["Miryang City"]
    assert names(admin_client.get(LIST, {"scope": "foreign"})) == ["Changning District"]


def test_the_sector_filter_counts_agreements_and_visits(admin_client, demo):
    economy = Sector.objects.get(name="Economy")
    sports = Sector.objects.get(name="Sports")
    youth = Sector.objects.get(name="Youth")  # only on visits, never on an agreement
    assert names(admin_client.get(LIST, {"sector": economy.pk})) == ["Miryang City"]
    assert names(admin_client.get(LIST, {"sector": sports.pk})) == ["Changning District"]
    assert names(admin_client.get(LIST, {"sector": youth.pk})) == ["Changning District"]


def test_established_between_years_filters(admin_client, demo):
    assert names(admin_client.get(LIST, {"established_to": 2010})) == ["Changning District"]
    assert names(admin_client.get(LIST, {"established_from": 2020})) == ["Miryang City"]


def test_no_exchange_since_finds_partners_gone_quiet(admin_client, demo):
    # Changning's last exchange in the seeds is the 2013 visit; Miryang signed in 2025.
    assert names(admin_client.get(LIST, {"quiet_since": 2014})) == ["Changning District"]
    assert names(admin_client.get(LIST, {"quiet_since": 2013})) == []
    Delegation.objects.filter(partner__name="Changning District").delete()
    Agreement.objects.filter(partner__name="Changning District", signed_on__year=2013).delete()
    assert names(admin_client.get(LIST, {"quiet_since": 2010})) == ["Changning District"]


def test_a_nonsense_year_gives_a_form_error_not_a_crash(admin_client, demo):
    response = admin_client.get(LIST, {"quiet_since": "abc", "established_from": "x"})
    assert response.status_code == 200


def test_columns_sort_both_ways(admin_client, demo):
    assert names(admin_client.get(LIST, {"sort": "-name"})) == [
        "Miryang City",
        "Changning District",
    ]
    assert names(admin_client.get(LIST, {"sort": "country"})) == [
        "Changning District",
        "Miryang City",
    ]
    assert names(admin_client.get(LIST, {"sort": "-established_on"}))[0] == "Miryang City"


def test_the_list_pages_by_25_50_or_100(admin_client, db):
    for n in range(60):
        make_partner(f"Partner {n:02}")
    first = admin_client.get(LIST)
    assert len(names(first)) == 25
    assert "60 partners" in first.content.decode()
    assert len(names(admin_client.get(LIST, {"per_page": 50}))) == 50
    assert len(names(admin_client.get(LIST, {"per_page": 50, "page": 2}))) == 10
    assert len(names(admin_client.get(LIST, {"per_page": 7}))) == 25  # not offered: default


def test_an_empty_list_says_so_and_offers_to_clear_filters(admin_client, demo):
    response = admin_client.get(LIST, {"q": "Atlantis"})
    assert "Nothing matches these filters" in response.content.decode()


def test_export_csv_holds_what_the_filters_show(admin_client, demo):
    response = admin_client.get(LIST, {"country": "KR", "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:2] == ["English name", "Native name"]
    assert [row[0] for row in rows[1:]] == ["Miryang City"]
    assert rows[1][1] == "밀양시"


def test_export_neutralises_cells_that_would_be_formulas(admin_client, db):
    make_partner('=HYPERLINK("http://evil")', native_name="+1+2", region="@SUM(A1)")
    response = admin_client.get(LIST, {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    row = list(csv.reader(io.StringIO(body)))[1]
    assert row[0] == '\'=HYPERLINK("http://evil")'
    assert row[1] == "'+1+2"
    assert "'@SUM(A1)" in row


def test_export_xlsx_opens_in_a_spreadsheet(admin_client, demo):
    response = admin_client.get(LIST, {"export": "xlsx", "sort": "name"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "English name"
    assert [row[0] for row in values[1:]] == ["Changning District", "Miryang City"]


def test_the_dossier_gathers_everything_done_with_the_partner(admin_client, changning):
    response = admin_client.get(changning.get_absolute_url())
    assert response.status_code == 200
    dossier = response.context["dossier"]
    titles = [event.title for event in dossier.timeline]
    assert titles[0].startswith("Agreement of Friendly District Relationships")
    assert any("MizMedi" in t for t in titles)
    assert "Advance team to Changning District" in titles
    kinds = {event.kind for event in dossier.timeline}
    assert {"agreement", "approval", "visit-in", "visit-out"} <= kinds
    assert [step.level for step in dossier.ladder] == ["Friendly exchange", "Friendship city"]
    assert dossier.figures["Visits received"] == 3
    assert dossier.figures["Visits made"] == 11
    assert dossier.figures["Last exchange"] == "27 Aug 2013"
    assert [s.key for s in dossier.sources] == ["000_a4bba1dd869ef14b"]
    html = response.content.decode()
    assert "Sep 2009" in html  # a month-precise date as the source gives it
    assert ">2013<" in html  # a year-only visit
    assert "Chinese People&#x27;s Association for Friendship with Foreign Countries" in html


def test_the_timeline_is_newest_first_with_undated_events_last(admin_client, changning):
    timeline = admin_client.get(changning.get_absolute_url()).context["dossier"].timeline
    dated = [e.date for e in timeline if e.date]
    assert dated == sorted(dated, reverse=True)
    assert timeline[-1].date is None


def test_the_miryang_dossier_shows_gifts_both_ways_and_the_inferred_year(admin_client, demo):
    miryang = Partner.objects.get(name="Miryang City")
    html = admin_client.get(miryang.get_absolute_url()).content.decode()
    assert "Pigumjeongdo" in html
    assert "thatched house" in html
    assert "year inferred" in html


def test_a_new_partner_has_an_empty_but_helpful_dossier(admin_client, db):
    partner = make_partner("Nowhere")
    html = admin_client.get(partner.get_absolute_url()).content.decode()
    assert "No agreements or visits recorded yet." in html
    assert "No gifts recorded." in html


def partner_form(**overrides):
    data = {
        "name": "Kaohsiung",
        "native_name": "高雄市",
        "kind": "city",
        "country": "TW",
        "level": "friendship",
        "level_since": "Oct 2010",
        "status": "active",
        "established_on": "2010",
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "Takao",
        "aliases-0-language": "ja",
    }
    return {**data, **overrides}


def test_an_officer_adds_a_partner_with_an_alias_and_partial_dates(admin_client, db):
    response = admin_client.post(reverse("relations:partner-add"), partner_form(), follow=True)
    partner = Partner.objects.get(name="Kaohsiung")
    assert response.redirect_chain[-1][0] == partner.get_absolute_url()
    assert "Partner “Kaohsiung (高雄市)” added." in response.content.decode()
    assert (partner.level_since, partner.level_since_precision) == (
        datetime.date(2010, 10, 1),
        "month",
    )
    assert (partner.established_on, partner.established_on_precision) == (
        datetime.date(2010, 1, 1),
        "year",
    )
    assert list(partner.aliases.values_list("name", flat=True)) == ["Takao"]
    assert partner.search_text == "kaohsiung\n高雄市"


def test_a_bad_date_is_shown_next_to_its_field_and_nothing_is_saved(admin_client, db):
    response = admin_client.post(
        reverse("relations:partner-add"), partner_form(level_since="31 Feb 2010", name="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "is not a real date" in form.errors["level_since"][0]
    assert "name" in form.errors
    assert "nothing was saved" in response.content.decode()
    assert not Partner.objects.exists()
    assert not PartnerAlias.objects.exists()


def test_editing_a_partner_shows_its_partial_dates_as_typed(admin_client, changning):
    url = reverse("relations:partner-update", args=[changning.pk])
    form = admin_client.get(url).context["form"]
    assert form.initial["established_on"] == "29 Aug 2007"
    data = partner_form(name="Changning District", country="CN", level_since="2013-08-27")
    data.update({"aliases-TOTAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    changning.refresh_from_db()
    assert changning.native_name == "高雄市"


def test_deleting_a_partner_with_agreements_is_refused_with_the_reason(admin_client, changning):
    url = reverse("relations:partner-delete", args=[changning.pk])
    html = admin_client.get(url).content.decode()
    assert "cannot be deleted while these records refer to it" in html
    assert "Letter of Intent" in html
    admin_client.post(url)
    assert Partner.objects.filter(pk=changning.pk).exists()


def test_deleting_a_partner_lists_what_goes_with_it_then_deletes(admin_client, db):
    partner = make_partner("Temporary")
    PartnerAlias.objects.create(partner=partner, name="Temp")
    url = reverse("relations:partner-delete", args=[partner.pk])
    html = admin_client.get(url).content.decode()
    assert "Partner alias: Temp" in html
    response = admin_client.post(url, follow=True)
    assert not Partner.objects.filter(pk=partner.pk).exists()
    assert "deleted" in response.content.decode()


def test_a_user_without_permission_is_refused(client, demo):
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12))
    for url in [LIST, reverse("relations:partner-add"), reverse("search") + "?q=a"]:
        status = client.get(url).status_code
        assert status == (200 if "search" in url else 403), url


@pytest.mark.parametrize("rows", [1, 50])
def test_the_partner_list_costs_the_same_queries_for_1_or_50_rows(
    admin_client, db, django_assert_max_num_queries, rows
):
    for n in range(rows):
        partner = make_partner(f"City {n}")
        PartnerAlias.objects.create(partner=partner, name=f"Alias {n}")
        Agreement.objects.create(
            partner=partner,
            title="Friendship",
            kind="friendship",
            signed_on=datetime.date(2010, 1, 1),
        )
    # Session, user, home country, count, page.
    with django_assert_max_num_queries(5):
        admin_client.get(LIST, {"per_page": 50, "q": "city"})


@pytest.mark.parametrize("rows", [1, 50])
def test_the_dossier_costs_the_same_queries_for_1_or_50_records(
    admin_client, demo, django_assert_max_num_queries, rows
):
    changning = Partner.objects.get(name="Changning District")
    for n in range(rows):
        Delegation.objects.create(
            title=f"Visit {n}",
            direction="inbound",
            partner=changning,
            start=datetime.date(2015, 1, 1),
        )
        Agreement.objects.create(
            partner=changning, title=f"MOU {n}", kind="mou", signed_on=datetime.date(2016, 1, 1)
        )
    # 25 for the dossier (with the counts of what it does not show in full), 3 for the
    # history (its rows, its aliases' rows, the source).
    with django_assert_max_num_queries(28):
        admin_client.get(changning.get_absolute_url())


def test_a_partner_of_many_years_shows_the_newest_and_links_to_the_rest(admin_client, demo):
    changning = Partner.objects.get(name="Changning District")
    for n in range(70):
        Delegation.objects.create(
            title=f"Visit {n}",
            direction="inbound",
            partner=changning,
            start=datetime.date(2014, 1, 1) + datetime.timedelta(days=30 * n),
        )
    for n in range(30):
        Agreement.objects.create(
            partner=changning, title=f"MOU {n}", kind="mou", signed_on=datetime.date(1980 + n, 1, 1)
        )
    total_events = 14 + 5 + 2 + 70 + 30  # the demo's visits, agreements and approvals

    response = admin_client.get(changning.get_absolute_url())
    dossier = response.context["dossier"]
    page = response.content.decode()

    assert len(dossier.timeline) == dossier_module.TIMELINE_SHOWN
    assert dossier.timeline_more == total_events - dossier_module.TIMELINE_SHOWN
    assert f"{dossier.timeline_more} earlier events are not shown." in page
    assert dossier.timeline[0].title == "Visit 69"  # the newest
    assert dossier.figures["Agreements"] == 35
    assert len(dossier.agreements) == dossier_module.AGREEMENTS_SHOWN
    assert "10 earlier agreements: see all agreements" in page
    assert f'href="/agreements/?partner={changning.pk}"' in page
