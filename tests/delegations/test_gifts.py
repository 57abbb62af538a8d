import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from delegations.gifts import gifts_given_before
from delegations.models import Delegation, Gift
from relations.models import Partner

LIST = reverse("delegations:gift-list")
ADD = reverse("delegations:gift-add")
GIVEN, RECEIVED = Gift.Direction.GIVEN, Gift.Direction.RECEIVED


@pytest.fixture
def miryang(demo):
    return Partner.objects.get(name="Miryang City")


@pytest.fixture
def changning(demo):
    return Partner.objects.get(name="Changning District")


@pytest.fixture
def signing_visit(miryang):
    return miryang.delegations.get()


def make_gift(partner, description, **fields) -> Gift:
    fields.setdefault("direction", GIVEN)
    fields.setdefault("giver", "Gangseo District")
    fields.setdefault("recipient", partner.name)
    return Gift.objects.create(partner=partner, description=description, **fields)


def make_visit(partner, title, start, **fields) -> Delegation:
    fields.setdefault("direction", Delegation.Direction.INBOUND)
    return Delegation.objects.create(partner=partner, title=title, start=start, **fields)


def descriptions(response) -> list[str]:
    return [gift.description for gift in response.context["object_list"]]


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


# ---- The list and its filters ---------------------------------------------------------


def test_the_gift_list_shows_the_demo_gifts_both_ways(admin_client, demo):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert sorted(descriptions(response)) == [
        'Painting "Pigumjeongdo" by Jeong Seon',
        "Straw craftwork of a traditional thatched house",
    ]
    html = response.content.decode()
    assert "2 gifts" in html
    assert ">Given<" in html
    assert ">Received<" in html
    assert "22 Aug 2025" in html
    assert "Signing of the friendship exchange agreement in Miryang" in html
    assert "Needs registration</span>" not in html  # the demo gifts carry no value


def test_the_text_filter_searches_description_giver_and_recipient(admin_client, demo):
    assert descriptions(admin_client.get(LIST, {"q": "pigumjeongdo"})) == [
        'Painting "Pigumjeongdo" by Jeong Seon'
    ]
    # Gangseo gave the painting and received the straw craftwork.
    assert len(descriptions(admin_client.get(LIST, {"q": "gangseo"}))) == 2
    assert descriptions(admin_client.get(LIST, {"q": "Atlantis"})) == []


def test_the_direction_filter_filters(admin_client, demo):
    assert descriptions(admin_client.get(LIST, {"direction": "received"})) == [
        "Straw craftwork of a traditional thatched house"
    ]


def test_the_partner_filter_filters(admin_client, miryang, changning):
    make_gift(changning, "Tea set")
    assert descriptions(admin_client.get(LIST, {"partner": changning.pk})) == ["Tea set"]
    assert len(descriptions(admin_client.get(LIST, {"partner": miryang.pk}))) == 2


def test_the_partner_filter_does_not_offer_the_home_authority(admin_client, demo):
    partners = admin_client.get(LIST).context["filter"].form.fields["partner"].queryset
    assert not partners.filter(is_home=True).exists()


def test_the_year_filter_filters(admin_client, changning):
    make_gift(changning, "Calligraphy scroll", given_on=datetime.date(2013, 1, 1))
    assert descriptions(admin_client.get(LIST, {"year": 2013})) == ["Calligraphy scroll"]
    assert len(descriptions(admin_client.get(LIST, {"year": 2025}))) == 2


def test_the_disposition_filter_filters(admin_client, demo):
    assert descriptions(admin_client.get(LIST, {"disposition": "handed_over"})) == [
        'Painting "Pigumjeongdo" by Jeong Seon'
    ]
    assert descriptions(admin_client.get(LIST, {"disposition": "kept"})) == []


def test_the_needs_registration_filter_filters_both_ways(admin_client, changning):
    make_gift(changning, "Vase", value=Decimal(150_000), value_krw=Decimal(150_000))
    assert descriptions(admin_client.get(LIST, {"needs_registration": "true"})) == ["Vase"]
    assert "Vase" not in descriptions(admin_client.get(LIST, {"needs_registration": "false"}))
    assert len(descriptions(admin_client.get(LIST, {"needs_registration": "false"}))) == 2
    assert len(descriptions(admin_client.get(LIST, {"needs_registration": ""}))) == 3


def test_columns_sort_both_ways_with_undated_and_unvalued_gifts_last(admin_client, changning):
    make_gift(changning, "Old scroll", given_on=datetime.date(2009, 5, 1), value_krw=50_000)
    make_gift(changning, "Undated vase", value_krw=300_000)
    by_date = descriptions(admin_client.get(LIST, {"sort": "date"}))
    assert by_date[0] == "Old scroll"
    assert by_date[-1] == "Undated vase"
    assert descriptions(admin_client.get(LIST, {"sort": "-date"}))[-1] == "Undated vase"
    by_value = descriptions(admin_client.get(LIST, {"sort": "-value_krw"}))
    assert by_value[:2] == ["Undated vase", "Old scroll"]
    assert descriptions(admin_client.get(LIST, {"sort": "value_krw"}))[0] == "Old scroll"
    assert descriptions(admin_client.get(LIST, {"sort": "description"}))[0] == "Old scroll"
    assert descriptions(admin_client.get(LIST, {"sort": "-partner"}))[0].startswith(
        ("Painting", "Straw")
    )


def test_the_list_shows_the_value_with_its_currency_and_krw_estimate(admin_client, changning):
    make_gift(changning, "Silk scarf", value=Decimal("120.50"), currency="USD", value_krw=165_000)
    html = admin_client.get(LIST, {"q": "silk"}).content.decode()
    assert "120.50 USD" in html
    assert "≈ 165,000 KRW" in html
    assert "Needs registration</span>" in html


def test_an_empty_result_says_so(admin_client, demo):
    html = admin_client.get(LIST, {"q": "Atlantis"}).content.decode()
    assert "Nothing matches these filters" in html


def test_the_nav_links_to_the_gifts_register(admin_client, demo):
    assert f'href="{LIST}">Gifts</a>' in admin_client.get(reverse("home")).content.decode()


# ---- Needs registration ---------------------------------------------------------------


def flagged() -> list[str]:
    return sorted(Gift.objects.needs_registration().values_list("description", flat=True))


def test_a_gift_worth_150000_krw_needs_registration(changning):
    gift = make_gift(changning, "Celadon vase", value=Decimal(150_000), value_krw=150_000)
    assert gift.needs_registration
    assert flagged() == ["Celadon vase"]


def test_a_gift_worth_99999_krw_does_not(changning):
    gift = make_gift(changning, "Fan", value=Decimal(99_999), value_krw=99_999)
    assert not gift.needs_registration
    assert flagged() == []


def test_a_registered_gift_no_longer_needs_registration(changning):
    gift = make_gift(changning, "Vase", value_krw=500_000, registration_reference="GS-2025-7")
    assert not gift.needs_registration
    assert flagged() == []


def test_the_threshold_comes_from_the_settings(changning, settings):
    gift = make_gift(changning, "Fan", value_krw=60_000)
    assert flagged() == []
    settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW = 50_000
    assert gift.needs_registration
    assert flagged() == ["Fan"]


def test_a_usd_gift_is_flagged_on_its_krw_estimate(admin_client, changning):
    make_gift(changning, "Pen", value=Decimal(80), currency="USD", value_krw=110_000)
    make_gift(changning, "Mug", value=Decimal(80), currency="USD", value_krw=90_000)
    assert flagged() == ["Pen"]
    assert descriptions(admin_client.get(LIST, {"needs_registration": "true"})) == ["Pen"]


# ---- Export ---------------------------------------------------------------------------


def test_export_csv_holds_what_the_filters_show(admin_client, changning):
    make_gift(changning, "Pen", value=Decimal(80), currency="USD", value_krw=110_000)
    make_gift(changning, "Tea", value=Decimal(20_000), value_krw=20_000)
    rows = exported(admin_client.get(LIST, {"partner": changning.pk, "export": "csv"}))
    header = rows[0]
    assert "Estimated value in KRW" in header
    assert "Needs registration" in header
    by_description = {row[header.index("Description")]: row for row in rows[1:]}
    assert set(by_description) == {"Pen", "Tea"}
    pen = by_description["Pen"]
    assert pen[header.index("Estimated value in KRW")] == "110000"
    assert pen[header.index("Currency")] == "USD"
    assert pen[header.index("Needs registration")] == "yes"
    assert by_description["Tea"][header.index("Needs registration")] == "no"


def test_export_xlsx_holds_what_the_filters_show(admin_client, demo):
    response = admin_client.get(LIST, {"direction": "given", "export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[c.value for c in row] for row in workbook.active.iter_rows()]
    header = values[0]
    assert [row[header.index("Description")] for row in values[1:]] == [
        'Painting "Pigumjeongdo" by Jeong Seon'
    ]
    assert values[1][header.index("Partner")] == "Miryang City"
    assert values[1][header.index("Needs registration")] == "no"


# ---- Detail, add, edit, delete --------------------------------------------------------


def test_the_gift_page_shows_value_registration_and_visit(admin_client, signing_visit):
    gift = make_gift(
        signing_visit.partner,
        "Silver tray",
        delegation=signing_visit,
        value=Decimal(200),
        currency="EUR",
        value_krw=300_000,
    )
    response = admin_client.get(reverse("delegations:gift-detail", args=[gift.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "200 EUR (≈ 300,000 KRW)" in html
    assert 'data-testid="needs-registration"' in html
    assert signing_visit.title in html


def gift_form(partner, **overrides):
    data = {
        "direction": "given",
        "partner": partner.pk,
        "given_on": "Oct 2024",
        "description": "Hanji lamp",
        "giver": "Gangseo District",
        "recipient": partner.name,
        "value": "150000",
        "currency": "KRW",
    }
    return {**data, **overrides}


def test_an_officer_adds_a_gift_with_a_partial_date(admin_client, changning):
    response = admin_client.post(ADD, gift_form(changning), follow=True)
    gift = Gift.objects.get(description="Hanji lamp")
    assert response.redirect_chain[-1][0] == gift.get_absolute_url()
    assert "Gift “Hanji lamp” added." in response.content.decode()
    assert (gift.given_on, gift.given_on_precision) == (datetime.date(2024, 10, 1), "month")
    assert gift.value_krw == 150_000  # a KRW value is its own estimate
    assert gift.needs_registration


def test_a_usd_gift_without_its_krw_estimate_is_refused_next_to_that_field(admin_client, changning):
    response = admin_client.post(ADD, gift_form(changning, value="120", currency="usd"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["value_krw"]
    assert "KRW estimate" in form.errors["value_krw"][0]
    assert not Gift.objects.filter(description="Hanji lamp").exists()


def test_a_gift_cannot_be_tied_to_a_visit_to_another_partner(
    admin_client, changning, signing_visit
):
    response = admin_client.post(ADD, gift_form(changning, delegation=signing_visit.pk))
    assert response.status_code == 200
    assert "delegation" in response.context["form"].errors


def test_the_add_form_starts_from_the_visit_it_was_opened_from(admin_client, signing_visit):
    response = admin_client.get(ADD, {"delegation": signing_visit.pk, "direction": "received"})
    form = response.context["form"]
    assert form.initial["delegation"] == signing_visit.pk
    assert form.initial["partner"] == signing_visit.partner_id
    assert form.initial["direction"] == "received"
    assert response.context["cancel_url"] == signing_visit.get_absolute_url()


def test_the_add_form_takes_the_partner_alone_and_ignores_nonsense(admin_client, changning):
    form = admin_client.get(ADD, {"partner": changning.pk, "delegation": "x"}).context["form"]
    assert form.initial == {"partner": str(changning.pk)}


def test_editing_a_gift_shows_its_partial_date_as_typed_and_saves(admin_client, changning):
    gift = make_gift(changning, "Hanji lamp", given_on=datetime.date(2024, 1, 1))
    gift.given_on_precision = "year"
    gift.save()
    url = reverse("delegations:gift-update", args=[gift.pk])
    assert admin_client.get(url).context["form"].initial["given_on"] == "2024"
    data = gift_form(changning, registration_reference="GS-2024-3", disposition="handed_over")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    gift.refresh_from_db()
    assert gift.registration_reference == "GS-2024-3"
    assert not gift.needs_registration


def test_deleting_a_gift_asks_first(admin_client, changning):
    gift = make_gift(changning, "Hanji lamp")
    url = reverse("delegations:gift-delete", args=[gift.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Delete gift “Hanji lamp”?" in response.content.decode()
    assert Gift.objects.filter(pk=gift.pk).exists()
    response = admin_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert not Gift.objects.filter(pk=gift.pk).exists()
    assert "Gift “Hanji lamp” deleted." in response.content.decode()


def test_a_user_without_permissions_is_refused(client, demo):
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12))
    gift = Gift.objects.first()
    urls = [
        LIST,
        ADD,
        reverse("delegations:gift-detail", args=[gift.pk]),
        reverse("delegations:gift-update", args=[gift.pk]),
        reverse("delegations:gift-delete", args=[gift.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("delegations:gift-delete", args=[gift.pk])).status_code == 403
    assert Gift.objects.filter(pk=gift.pk).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, demo):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---- Given to this partner before -----------------------------------------------------


def test_gifts_given_before_lists_earlier_gifts_to_the_same_partner_only(
    miryang, changning, signing_visit
):
    next_visit = make_visit(miryang, "Return visit", datetime.date(2026, 5, 1))
    make_gift(miryang, "Undated fan")
    make_gift(miryang, "Own gift of the visit", delegation=next_visit)
    make_gift(miryang, "Given later", given_on=datetime.date(2026, 6, 1))
    make_gift(changning, "Gift to another partner", given_on=datetime.date(2020, 1, 1))
    earlier = gifts_given_before(next_visit)
    # Newest first, undated last; received gifts (the straw craftwork) never.
    assert [g.description for g in earlier] == [
        'Painting "Pigumjeongdo" by Jeong Seon',
        "Undated fan",
    ]
    assert earlier[0].delegation == signing_visit


def test_gifts_given_before_leaves_out_the_visits_own_gifts(signing_visit):
    assert gifts_given_before(signing_visit) == []


def test_gifts_given_before_keeps_the_visits_period_when_its_start_is_partial(miryang):
    visit = make_visit(miryang, "Some visit in 2024", datetime.date(2024, 1, 1))
    visit.start_precision = "year"
    visit.save()
    make_gift(miryang, "Same year", given_on=datetime.date(2024, 9, 9))
    make_gift(miryang, "Next year", given_on=datetime.date(2025, 1, 1))
    assert [g.description for g in gifts_given_before(visit)] == ["Same year"]


def test_gifts_given_before_honours_its_limit(miryang):
    visit = make_visit(miryang, "Return visit", datetime.date(2026, 5, 1))
    for year in range(2000, 2005):
        make_gift(miryang, f"Gift of {year}", given_on=datetime.date(year, 1, 1))
    assert [g.description for g in gifts_given_before(visit, limit=2)] == [
        'Painting "Pigumjeongdo" by Jeong Seon',
        "Gift of 2004",
    ]


def test_the_given_before_partial_lists_the_gifts_with_their_visit(miryang, signing_visit):
    visit = make_visit(miryang, "Return visit", datetime.date(2026, 5, 1))
    html = render_to_string(
        "delegations/includes/gifts_given_before.html",
        {"delegation": visit, "gifts_given_before": gifts_given_before(visit)},
    )
    assert "Given to this partner before" in html
    assert "22 Aug 2025" in html
    assert "Pigumjeongdo" in html
    assert signing_visit.get_absolute_url() in html
    empty = render_to_string(
        "delegations/includes/gifts_given_before.html",
        {"delegation": signing_visit, "gifts_given_before": []},
    )
    assert "Nothing recorded as given to Miryang City before this visit." in empty


# ---- Cost -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_the_gift_list_costs_the_same_queries_for_1_or_50_gifts(
    admin_client, db, django_assert_max_num_queries, rows
):
    for n in range(rows):
        partner = Partner.objects.create(name=f"City {n}", country="JP")
        visit = make_visit(partner, f"Visit {n}", datetime.date(2020, 1, 1))
        make_gift(partner, f"Gift {n}", delegation=visit, value_krw=200_000)
    # Session, user, count, the partner filter's choices, the page.
    with django_assert_max_num_queries(5):
        response = admin_client.get(LIST, {"per_page": 50, "q": "gift"})
    assert len(response.context["object_list"]) == rows
