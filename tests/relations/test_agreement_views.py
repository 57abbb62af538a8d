import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.urls import reverse

from relations.models import (
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    Person,
    Sector,
)

LIST = reverse("relations:agreement-list")
ADD = reverse("relations:agreement-add")

LOI = "Letter of Intent on Friendly Communication and Cooperation"
FRIENDSHIP_2013 = (
    "Agreement of Friendly District Relationships between Changning District, Shanghai"
)
MIRYANG = "Friendship exchange agreement between Gangseo District and Miryang City"
MIZMEDI = "Friendly exchange and cooperation agreement: MizMedi Women's Hospital"


def make_partner(name: str = "Osaka", country: str = "JP") -> Partner:
    return Partner.objects.create(name=name, country=country, level=Partner.Level.SISTER)


def make_agreement(partner: Partner, title: str, **fields) -> Agreement:
    fields.setdefault("kind", Agreement.Kind.MOU)
    fields.setdefault("signed_on", datetime.date(2015, 5, 1))
    return Agreement.objects.create(partner=partner, title=title, **fields)


def titles(response) -> list[str]:
    return [a.title for a in response.context["object_list"]]


def starting(response, *prefixes: str) -> bool:
    """True when the listed titles are exactly those starting with ``prefixes``, in order."""
    shown = titles(response)
    return len(shown) == len(prefixes) and all(
        t.startswith(p) for t, p in zip(shown, prefixes, strict=True)
    )


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def form_data(response) -> dict:
    """What the browser would post back from the form page in ``response``, unchanged."""
    forms = [response.context["form"]]
    for formset in response.context["formsets"].values():
        forms += [formset.management_form, *formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif field.widget_type == "clearablefile" or value is None:
                continue
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = str(value)
    return data


@pytest.fixture
def miryang_agreement(demo) -> Agreement:
    return Agreement.objects.get(title=MIRYANG)


# ---- The list ---------------------------------------------------------------------------


def test_the_agreement_list_shows_the_demo_agreements(admin_client, demo):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert len(titles(response)) == 6
    html = response.content.decode()
    assert "6 agreements" in html
    assert LOI in html
    assert "Miryang City" in html
    assert "Sep 2009" in html  # month-precise, as the source gives it
    assert '<span class="badge text-bg-light border fw-normal">Economy</span>' in html


def test_the_text_filter_matches_title_and_parties(admin_client, demo):
    assert starting(admin_client.get(LIST, {"q": "mizmedi"}), MIZMEDI)
    # "Gyeongsangnam-do" is only in the partner party, not in the title.
    assert starting(admin_client.get(LIST, {"q": "GYEONGSANGNAM"}), MIRYANG)


def test_the_text_filter_ignores_accents_and_case(admin_client, db):
    partner = make_partner("Bogotá", country="CO")
    make_agreement(partner, "Acuerdo de Cooperación Cultural")
    make_agreement(partner, "Memorando de entendimiento")
    for query in ["COOPERACION", "cooperación", "acuerdo de cooperacion"]:
        assert titles(admin_client.get(LIST, {"q": query})) == ["Acuerdo de Cooperación Cultural"]


def test_the_text_filter_highlights_what_it_matched(admin_client, demo):
    html = admin_client.get(LIST, {"q": "mizmedi"}).content.decode()
    assert "<mark>MizMedi</mark>" in html


def test_the_partner_kind_and_status_filters_filter(admin_client, demo):
    miryang = Partner.objects.get(name="Miryang City")
    assert starting(admin_client.get(LIST, {"partner": miryang.pk}), MIRYANG)
    institutional = titles(admin_client.get(LIST, {"kind": "institutional"}))
    assert len(institutional) == 3
    assert all(t.startswith("Friendly exchange and cooperation agreement") for t in institutional)
    assert starting(admin_client.get(LIST, {"status": "in_force"}), MIRYANG, FRIENDSHIP_2013)
    assert titles(admin_client.get(LIST, {"status": "expired"})) == []


def test_the_sector_filter_filters_by_sector_of_exchange(admin_client, demo):
    health = Sector.objects.get(name="Health")
    economy = Sector.objects.get(name="Economy")
    assert starting(admin_client.get(LIST, {"sector": health.pk}), FRIENDSHIP_2013, MIZMEDI)
    assert starting(admin_client.get(LIST, {"sector": economy.pk}), MIRYANG)


def test_the_signed_from_and_to_years_filter(admin_client, demo):
    assert starting(admin_client.get(LIST, {"signed_from": 2010}), MIRYANG, FRIENDSHIP_2013)
    assert starting(admin_client.get(LIST, {"signed_to": 2007}), LOI)
    in_2009 = titles(admin_client.get(LIST, {"signed_from": 2009, "signed_to": 2009}))
    assert len(in_2009) == 3
    assert MIZMEDI in " ".join(in_2009)


def test_a_nonsense_year_does_not_crash_the_list(admin_client, demo):
    assert admin_client.get(LIST, {"signed_from": "abc"}).status_code == 200


def test_columns_sort_by_title_both_ways(admin_client, demo):
    ascending = titles(admin_client.get(LIST, {"sort": "title"}))
    assert ascending[0].startswith("Agreement of Friendly District")
    assert ascending[-1] == LOI
    assert titles(admin_client.get(LIST, {"sort": "-title"})) == ascending[::-1]


def test_sorting_by_signing_date_changes_the_order(admin_client, demo):
    def years(sort: str) -> list[int]:
        return [
            a.signed_on.year for a in admin_client.get(LIST, {"sort": sort}).context["page_obj"]
        ]

    oldest_first = [2007, 2009, 2009, 2009, 2013, 2025]
    assert years("signed_on") == oldest_first
    assert years("-signed_on") == oldest_first[::-1]


def test_the_list_pages_by_25_and_shows_the_count(admin_client, db):
    partner = make_partner()
    for n in range(30):
        make_agreement(partner, f"Agreement {n:02}")
    first = admin_client.get(LIST, {"per_page": 25, "sort": "title"})
    assert len(titles(first)) == 25
    assert "30 agreements" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get(LIST, {"per_page": 25, "sort": "title", "page": 2})
    assert titles(second) == [f"Agreement {n}" for n in range(25, 30)]
    assert "Page 2 of 2" in second.content.decode()


def test_an_empty_list_offers_to_clear_the_filters(admin_client, demo):
    assert (
        "Nothing matches these filters"
        in admin_client.get(LIST, {"q": "Atlantis"}).content.decode()
    )


# ---- Export -----------------------------------------------------------------------------


def test_export_csv_has_a_bom_and_only_the_filtered_rows(admin_client, demo):
    response = admin_client.get(LIST, {"kind": "institutional", "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="agreements.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    # The columns of the import template, so the file can be edited and imported back.
    assert rows[0][:6] == ["Partner", "Partner country", "Title", "Kind", "Status", "Signed on"]
    assert len(rows) == 4
    assert all(row[3] == "Institutional agreement" for row in rows[1:])
    assert {row[5] for row in rows[1:]} == {"2009-09"}


def test_export_with_a_filter_that_does_not_validate_exports_what_the_page_shows(
    admin_client, demo
):
    shown = admin_client.get(LIST, {"signed_from": "abc"})
    assert "signed_from" in shown.context["filter"].errors
    assert titles(shown) == []
    assert csv_rows(admin_client.get(LIST, {"signed_from": "abc", "export": "csv"}))[1:] == []


def test_export_neutralises_cells_that_would_be_formulas(admin_client, db):
    make_agreement(
        make_partner(),
        '=HYPERLINK("http://evil")',
        home_party="+1+2",
        partner_party="-3",
        signed_place="@SUM(A1)",
    )
    header, row = csv_rows(admin_client.get(LIST, {"export": "csv"}))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["Title"] == '\'=HYPERLINK("http://evil")'
    assert [cells["Signed at"], cells["Our party"], cells["Partner's party"]] == [
        "'@SUM(A1)",
        "'+1+2",
        "'-3",
    ]


def test_export_xlsx_opens_in_a_spreadsheet_with_the_rows(admin_client, demo):
    response = admin_client.get(LIST, {"export": "xlsx", "sort": "signed_on"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[c.value for c in row] for row in workbook.active.iter_rows()]
    header = values[0]
    titles = [row[header.index("Title")] for row in values[1:]]
    assert titles[0] == LOI
    assert titles[-1] == MIRYANG
    assert len(set(titles)) == 6  # an agreement with two approvals takes two rows
    assert values[-1][header.index("Date inferred")] == "yes"


# ---- The detail page --------------------------------------------------------------------


def test_the_detail_shows_approvals_without_a_date_as_such(admin_client, demo):
    agreement = Agreement.objects.get(title__startswith=FRIENDSHIP_2013)
    response = admin_client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shanghai Municipal Government" in html
    assert "Chinese People&#x27;s Association for Friendship with Foreign Countries" in html
    assert html.count("date not given") == 2
    assert "the source gives no date" in html
    assert "27 Aug 2013, at Changning District, Shanghai" in html
    assert "Relationship Establishment ¶2–3" in html  # where in the source


def test_the_detail_shows_signatories_with_the_titles_they_held(admin_client, miryang_agreement):
    html = admin_client.get(miryang_agreement.get_absolute_url()).content.decode()
    jin = Person.objects.get(name="Jin Kyohun")
    assert f'<a href="{jin.get_absolute_url()}">Jin Kyohun</a>' in html
    assert "Mayor of Gangseo District" in html
    assert "Mayor of Miryang City" in html
    assert "22 Aug 2025, 17:00, at Miryang City Hall" in html


def test_the_detail_says_the_miryang_year_was_inferred_and_why(admin_client, miryang_agreement):
    html = admin_client.get(miryang_agreement.get_absolute_url()).content.decode()
    assert "date inferred" in html
    assert "The article gives &#x27;August 22&#x27; without a year." in html


def test_the_detail_shows_a_month_precise_date_and_the_institution_link(admin_client, demo):
    agreement = Agreement.objects.get(title__startswith=MIZMEDI)
    html = admin_client.get(agreement.get_absolute_url()).content.decode()
    assert "Sep 2009" in html
    assert "1 Sep 2009" not in html
    hospital = Institution.objects.get(name="MizMedi Women's Hospital")
    assert f'href="{hospital.get_absolute_url()}"' in html
    assert "date inferred" not in html


def permissions(*codenames: str) -> QuerySet[Permission]:
    return Permission.objects.filter(content_type__app_label="relations", codename__in=codenames)


def test_edit_and_delete_buttons_follow_thepermissions(client, miryang_agreement):
    user = get_user_model().objects.create_user("viewer", password="x" * 12)
    user.user_permissions.add(*permissions("view_agreement"))
    client.force_login(user)
    url = miryang_agreement.get_absolute_url()
    edit = reverse("relations:agreement-update", args=[miryang_agreement.pk])
    delete = reverse("relations:agreement-delete", args=[miryang_agreement.pk])
    html = client.get(url).content.decode()
    assert edit not in html
    assert delete not in html
    user.user_permissions.add(*permissions("change_agreement", "delete_agreement"))
    user = get_user_model().objects.get(pk=user.pk)  # drop the cached permissions
    client.force_login(user)
    html = client.get(url).content.decode()
    assert edit in html
    assert delete in html


# ---- Adding, editing, deleting ----------------------------------------------------------


def agreement_form(partner: Partner, **overrides) -> dict:
    jin = Person.objects.get(name="Jin Kyohun")
    ahn = Person.objects.get(name="Ahn Byunggu")
    data = {
        "partner": partner.pk,
        "title": "Memorandum on youth exchange",
        "kind": "mou",
        "status": "signed",
        "signed_on": "Oct 2010",
        "signed_place": "Miryang City Hall",
        "sectors": [Sector.objects.get(name="Youth").pk, Sector.objects.get(name="Sports").pk],
        "signatories-TOTAL_FORMS": "2",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
        "signatories-0-person": jin.pk,
        "signatories-0-side": "home",
        "signatories-0-title": "Mayor of Gangseo District",
        "signatories-0-order": "0",
        "signatories-1-person": ahn.pk,
        "signatories-1-side": "partner",
        "signatories-1-title": "Mayor of Miryang City",
        "signatories-1-order": "1",
        "approvals-TOTAL_FORMS": "1",
        "approvals-INITIAL_FORMS": "0",
        "approvals-MIN_NUM_FORMS": "0",
        "approvals-MAX_NUM_FORMS": "1000",
        "approvals-0-body": "Ministry of the Interior and Safety",
        "approvals-0-approved_on": "2010",
        "approvals-0-note": "Approval of the exchange plan.",
    }
    return {**data, **overrides}


def test_an_officer_adds_an_agreement_with_signatories_and_approvals(admin_client, demo):
    miryang = Partner.objects.get(name="Miryang City")
    response = admin_client.post(ADD, agreement_form(miryang), follow=True)
    agreement = Agreement.objects.get(title="Memorandum on youth exchange")
    assert response.redirect_chain[-1][0] == agreement.get_absolute_url()
    assert "Agreement “Memorandum on youth exchange (Oct 2010)” added." in response.content.decode()
    assert (agreement.signed_on, agreement.signed_on_precision) == (
        datetime.date(2010, 10, 1),
        "month",
    )
    assert sorted(agreement.sectors.values_list("name", flat=True)) == ["Sports", "Youth"]
    assert list(agreement.signatories.values_list("person__name", "title")) == [
        ("Jin Kyohun", "Mayor of Gangseo District"),
        ("Ahn Byunggu", "Mayor of Miryang City"),
    ]
    approval = agreement.approvals.get()
    assert approval.body == "Ministry of the Interior and Safety"
    assert (approval.approved_on, approval.approved_on_precision) == (
        datetime.date(2010, 1, 1),
        "year",
    )


def test_the_add_form_starts_with_the_partner_it_was_opened_for(admin_client, demo):
    miryang = Partner.objects.get(name="Miryang City")
    form = admin_client.get(ADD, {"partner": miryang.pk}).context["form"]
    assert str(form["partner"].value()) == str(miryang.pk)


def test_a_bad_date_or_missing_title_is_shown_at_the_field_and_nothing_saved(admin_client, demo):
    before = (
        Agreement.objects.count(),
        AgreementSignatory.objects.count(),
        Approval.objects.count(),
    )
    miryang = Partner.objects.get(name="Miryang City")
    response = admin_client.post(ADD, agreement_form(miryang, signed_on="31 Feb 2010", title=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert "is not a real date" in form.errors["signed_on"][0]
    assert "title" in form.errors
    html = response.content.decode()
    assert "nothing was saved" in html
    assert "is not a real date" in html
    after = (
        Agreement.objects.count(),
        AgreementSignatory.objects.count(),
        Approval.objects.count(),
    )
    assert after == before


def test_a_bad_approval_date_is_shown_in_its_row_and_nothing_saved(admin_client, demo):
    before = Agreement.objects.count()
    miryang = Partner.objects.get(name="Miryang City")
    response = admin_client.post(
        ADD, agreement_form(miryang, **{"approvals-0-approved_on": "soon"})
    )
    assert response.status_code == 200
    assert response.context["formsets"]["approvals"].errors[0]["approved_on"]
    assert Agreement.objects.count() == before


def test_editing_an_agreement_keeps_its_signatories_and_partial_date(
    admin_client, miryang_agreement
):
    url = reverse("relations:agreement-update", args=[miryang_agreement.pk])
    page = admin_client.get(url)
    assert page.context["form"].initial["signed_on"] == "22 Aug 2025"
    data = form_data(page)
    data.update(title="Friendship exchange agreement (amended)", signed_on="Aug 2025")
    data.pop("signed_time")  # a time needs a full date
    response = admin_client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == miryang_agreement.get_absolute_url()
    miryang_agreement.refresh_from_db()
    assert miryang_agreement.title == "Friendship exchange agreement (amended)"
    assert miryang_agreement.signed_on_display == "Aug 2025"
    assert miryang_agreement.signatories.count() == 2
    assert miryang_agreement.sectors.count() == 4
    assert "saved" in response.content.decode()


def test_the_delete_page_lists_what_goes_with_it_then_deletes(admin_client, demo):
    partner = Partner.objects.get(name="Miryang City")
    agreement = make_agreement(partner, "Short-lived memorandum")
    Approval.objects.create(agreement=agreement, body="City Council")
    AgreementSignatory.objects.create(
        agreement=agreement,
        person=Person.objects.get(name="Ahn Byunggu"),
        side="partner",
        title="Mayor of Miryang City",
    )
    agreement.sectors.add(Sector.objects.get(name="Tourism"))
    url = reverse("relations:agreement-delete", args=[agreement.pk])
    html = admin_client.get(url).content.decode()
    assert "Approval: City Council approval" in html
    assert "Agreement signatory: Ahn Byunggu, Mayor of Miryang City" in html
    assert "object (" not in html  # no sector link rows as "Agreement_sectors object (7)"
    response = admin_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "deleted" in response.content.decode()
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not Approval.objects.filter(body="City Council").exists()
    assert AgreementSignatory.objects.filter(agreement__partner=partner).count() == 2
    assert Sector.objects.filter(name="Tourism").exists()


def test_a_user_without_permission_is_refused(client, miryang_agreement):
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12))
    pk = miryang_agreement.pk
    for url in [
        LIST,
        miryang_agreement.get_absolute_url(),
        ADD,
        reverse("relations:agreement-update", args=[pk]),
        reverse("relations:agreement-delete", args=[pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.get(LIST, {"export": "csv"}).status_code == 403
    assert client.post(reverse("relations:agreement-delete", args=[pk])).status_code == 403
    assert Agreement.objects.filter(pk=pk).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, miryang_agreement):
    response = client.get(miryang_agreement.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- Query counts -----------------------------------------------------------------------


def make_busy_agreement(partner: Partner, n: int) -> Agreement:
    """An agreement with two sectors, an approval and two signatories."""
    agreement = make_agreement(
        partner, f"Agreement {n}", signed_on=datetime.date(2000 + n % 20, 1, 1)
    )
    agreement.sectors.add(*Sector.objects.all()[:2])
    Approval.objects.create(agreement=agreement, body="Council", note=f"Approval {n}")
    for side in ["home", "partner"]:
        person = Person.objects.create(name=f"Signer {n} {side}", partner=partner)
        AgreementSignatory.objects.create(agreement=agreement, person=person, side=side)
    return agreement


@pytest.fixture
def sectors(db):
    for name in ["Culture", "Sports", "Youth"]:
        Sector.objects.create(name=name, slug=name.lower())


@pytest.mark.parametrize("rows", [1, 50])
def test_the_agreement_list_costs_the_same_queries_for_1_or_50_rows(
    admin_client, sectors, django_assert_max_num_queries, rows
):
    partner = make_partner()
    for n in range(rows):
        make_busy_agreement(partner, n)
    # Session, user, count, page, sectors of the page; partner and sector choices.
    with django_assert_max_num_queries(7):
        response = admin_client.get(LIST, {"per_page": 50, "q": "agreement"})
    assert len(titles(response)) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_agreement_detail_costs_the_same_queries_for_1_or_50_related_rows(
    admin_client, sectors, django_assert_max_num_queries, rows
):
    partner = make_partner()
    home = Partner.objects.create(name="Gangseo District", country="KR", is_home=True)
    agreement = make_agreement(partner, "Busy agreement")
    agreement.sectors.add(*Sector.objects.all())
    for n in range(rows):
        Approval.objects.create(agreement=agreement, body=f"Council {n}")
        person = Person.objects.create(name=f"Signer {n}", partner=partner)
        AgreementSignatory.objects.create(agreement=agreement, person=person, side="partner")
        ours = Institution.objects.create(name=f"School {n}", partner=home)
        theirs = Institution.objects.create(name=f"School {n}", partner=partner)
        InstitutionLink.objects.create(institution=ours, counterpart=theirs, agreement=agreement)
    # Session, user, the agreement with partner and source; sectors, signatories with
    # their people, approvals with their sources, institution links with both ends; the
    # visit it was signed during; the history: its rows, its signatories' and approvals'
    # rows, and the records they name (partner, source, people).
    with django_assert_max_num_queries(13):
        response = admin_client.get(agreement.get_absolute_url())
    page = response.content.decode().split('data-testid="history"')[0]  # it names them too
    assert page.count("Signer ") == rows


def test_an_agreement_page_links_the_visit_it_was_signed_during(admin_client, demo):
    agreement = Agreement.objects.get(signed_on=datetime.date(2013, 8, 27))
    html = admin_client.get(agreement.get_absolute_url()).content.decode()
    assert "Signed during the visit" in html
    assert agreement.signing.delegation.get_absolute_url() in html
