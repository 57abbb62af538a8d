"""The audit trail read back: history sections, full history pages, deleted records and
the admin's read-only history."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from delegations.models import Delegation, Gift, Member, ProgrammeItem
from relations.history import change_log
from relations.models import Agreement, Institution, Partner, PartnerAlias, Person
from tests.form_data import field_values, form_data


@pytest.fixture
def changning(demo):
    return Partner.objects.get(name="Changning District")


def edit_page(client, obj):
    opts = obj._meta
    url = reverse(f"{opts.app_label}:{opts.model_name}-update", args=[obj.pk])
    return url, form_data(client.get(url))


def history_rows(model) -> int:
    return model.history.count()


def history_html(client, obj) -> str:
    html = client.get(obj.get_absolute_url()).content.decode()
    return html[html.index('data-testid="history"') :]


# ---- What a save writes ------------------------------------------------------------------


def test_editing_a_partner_and_one_alias_writes_two_history_rows(admin_client, changning):
    url, data = edit_page(admin_client, changning)
    data["profile"] = "A district of Shanghai, west of the Huangpu."
    alias_field = next(k for k, v in data.items() if v == "Shanghai Changning District")
    data[alias_field] = "Shanghai Changning"
    partners, aliases = history_rows(Partner), history_rows(PartnerAlias)

    assert admin_client.post(url, data).status_code == 302

    assert history_rows(Partner) == partners + 1
    assert history_rows(PartnerAlias) == aliases + 1
    for row in [changning.history.first(), PartnerAlias.history.first()]:
        assert row.history_type == "~"
        assert row.history_user.username == "admin"
        assert row.ip_address == "127.0.0.1"


def test_saving_an_unchanged_form_writes_no_history_and_keeps_the_version(admin_client, changning):
    url, data = edit_page(admin_client, changning)
    partners, aliases = history_rows(Partner), history_rows(PartnerAlias)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert (history_rows(Partner), history_rows(PartnerAlias)) == (partners, aliases)
    changning.refresh_from_db()
    assert changning.version == 1


@pytest.mark.parametrize("model", [Partner, Agreement, Person, Institution, Delegation, Gift])
def test_no_edit_page_writes_history_when_nothing_changed(admin_client, demo, model):
    obj = model.objects.first()
    url, data = edit_page(admin_client, obj)
    before = history_rows(model)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    assert history_rows(model) == before


# ---- The history section -----------------------------------------------------------------


def test_the_history_section_shows_each_change_old_to_new_with_who_and_where(
    admin_client, changning
):
    url, data = edit_page(admin_client, changning)
    data.update(name="Changning", status="dormant", level_since="Aug 2013")
    admin_client.post(url, data)

    html = history_html(admin_client, changning)

    assert "admin" in html
    assert "127.0.0.1" in html
    assert "Changed" in html
    # Verbose names and what an officer reads: choice labels, partial dates as given.
    assert "English name:</span> <del" in html
    assert "Changning District</del> → <ins" in html
    assert 'Active</del> → <ins class="text-decoration-none">Dormant</ins>' in html
    assert '27 Aug 2013</del> → <ins class="text-decoration-none">Aug 2013</ins>' in html
    assert "Level since precision" not in html
    assert "Version" not in html


def test_a_record_loaded_by_a_command_is_shown_as_made_by_the_system(admin_client, changning):
    html = history_html(admin_client, changning)

    assert "Created" in html
    assert "system" in html


@pytest.mark.parametrize(
    "model", [Partner, Agreement, Person, Institution, Delegation, Gift], ids=lambda m: m.__name__
)
def test_every_detail_page_has_a_history_and_a_full_history_page(admin_client, demo, model):
    obj = model.objects.first()
    opts = model._meta
    full = reverse(f"{opts.app_label}:{opts.model_name}-history", args=[obj.pk])

    html = history_html(admin_client, obj)
    assert "Created" in html
    assert f'href="{full}"' in html

    response = admin_client.get(full)
    assert response.status_code == 200
    assert "Created" in response.content.decode()


def test_a_delegation_history_includes_its_members_and_programme(admin_client, demo):
    visit = Delegation.objects.filter(members__isnull=False).first()
    member = visit.members.first()
    member.role = Member.Role.INTERPRETER
    member.save()
    ProgrammeItem.objects.create(delegation=visit, title="Tea with the mayor")

    html = history_html(admin_client, visit)

    assert f"Member “{member.person} (Interpreter)”" in html
    assert "Role:</span> <del" in html
    assert "Programme item “Tea with the mayor”" in html


@pytest.mark.parametrize("extra", [1, 30])
def test_a_delegation_history_costs_the_same_queries_for_few_or_many_changes(
    demo, django_assert_max_num_queries, extra
):
    visit = Delegation.objects.filter(members__isnull=False).first()
    for n in range(extra):
        person = Person.objects.create(name=f"Guest {n}")
        member = Member.objects.create(delegation=visit, person=person)
        member.title = f"Guest of honour {n}"
        member.save()
        item = ProgrammeItem.objects.create(delegation=visit, title=f"Item {n}")
        item.delete()
    visit.refresh_from_db()

    # Its rows and six kinds of child rows, the rows before the oldest changes shown,
    # and the records they name (partner, people, venues, sources...).
    children = ["members", "programme", "accommodations", "transports", "interpreters"]
    with django_assert_max_num_queries(20):
        changes = change_log(visit, children=[*children, "documents"])
    assert len(changes) <= 50
    assert {change.kind for change in changes} == {"created", "changed", "deleted"}


def test_sensitive_values_never_appear_in_the_history(admin_client, demo):
    visit = Delegation.objects.filter(members__isnull=False).first()
    member = visit.members.first()
    member.passport_number = "M12345678"
    member.dietary_needs = "no shellfish"
    member.save()

    html = history_html(admin_client, visit)

    assert "Passport number:" in html
    assert "M12345678" not in html
    assert "shellfish" not in html
    assert "not shown: sensitive" in html


def test_the_full_history_of_a_deleted_partner_is_still_readable(admin_client, db):
    partner = Partner.objects.create(name="Temporary", country="JP", level="sister")
    PartnerAlias.objects.create(partner=partner, name="Temp")
    url = reverse("relations:partner-history", args=[partner.pk])
    admin_client.post(reverse("relations:partner-delete", args=[partner.pk]))

    response = admin_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "has been deleted" in html
    assert "Deleted" in html
    assert "Partner alias “Temp”" in html


def test_the_history_page_of_a_record_that_never_existed_is_not_found(admin_client, db):
    assert admin_client.get(reverse("relations:partner-history", args=[999])).status_code == 404


def test_the_history_page_needs_the_right_to_view_the_record(client, demo):
    user = get_user_model().objects.create_user("visitor", password="x" * 12)
    client.force_login(user)
    partner = Partner.objects.first()

    assert client.get(reverse("relations:partner-history", args=[partner.pk])).status_code == 403


# ---- Deleted records ---------------------------------------------------------------------

DELETED = reverse("relations:deleted-records")


def test_a_deleted_partner_is_still_readable_on_the_deleted_records_page(admin_client, db):
    partner = Partner.objects.create(
        name="Temporary",
        native_name="臨時",
        country="JP",
        level="sister",
        established_on=datetime.date(2001, 1, 1),
        established_on_precision="year",
    )
    admin_client.post(reverse("relations:partner-delete", args=[partner.pk]))
    assert not Partner.objects.filter(pk=partner.pk).exists()

    html = admin_client.get(DELETED).content.decode()

    assert "Temporary (臨時)" in html
    assert "admin" in html
    assert "127.0.0.1" in html
    assert "Native-script name:</span> 臨時" in html
    assert "Relationship level:</span> Sister city" in html
    assert "Established on:</span> 2001" in html
    assert f'href="{reverse("relations:partner-history", args=[partner.pk])}"' in html


def test_the_deleted_records_page_is_for_administrators_only(client, demo):
    officer = get_user_model().objects.create_user("officer", password="x" * 12)
    client.force_login(officer)

    assert client.get(DELETED).status_code == 403


def test_deleted_members_show_without_their_sensitive_data(admin_client, demo):
    member = Member.objects.first()
    member.passport_number = "M12345678"
    member.save()
    member.delete()

    html = admin_client.get(DELETED).content.decode()

    assert str(member.person) in html
    assert "M12345678" not in html


# ---- The admin: history to read, never to change -----------------------------------------


def test_the_admin_shows_a_partners_history_and_a_deleted_partners_too(admin_client, db):
    partner = Partner.objects.create(name="Temporary", country="JP", level="sister")
    partner.name = "Provisional"
    partner.save()
    url = reverse("admin:relations_partner_history", args=[partner.pk])

    assert "Provisional" in admin_client.get(url).content.decode()
    partner.delete()
    assert admin_client.get(url).status_code == 200


def test_nobody_can_change_or_delete_history_through_the_admin(admin_client, changning):
    row = changning.history.earliest()
    rows = changning.history.count()
    old_version = reverse("admin:relations_partner_simple_history", args=[changning.pk, row.pk])
    change_page = admin_client.get(reverse("admin:relations_partner_change", args=[changning.pk]))
    form = field_values(change_page.context["adminform"].form)

    assert admin_client.get(old_version).status_code == 200
    assert admin_client.post(old_version, {**form, "name": "Reverted"}).status_code == 403
    for url in [
        f"/admin/relations/historicalpartner/{row.pk}/change/",
        f"/admin/relations/historicalpartner/{row.pk}/delete/",
    ]:
        assert admin_client.post(url, {"post": "yes", "name": "X"}).status_code == 404

    assert changning.history.count() == rows
    assert changning.history.earliest().name == row.name
    changning.refresh_from_db()
    assert changning.name == "Changning District"


def test_the_admin_history_of_a_member_hides_the_passport_number(admin_client, demo):
    member = Member.objects.first()
    member.passport_number = "M12345678"
    member.save()
    member.passport_number = "M87654321"
    member.save()

    html = admin_client.get(reverse("admin:delegations_member_history", args=[member.pk]))

    assert "Passport number" in html.content.decode()
    assert "M12345678" not in html.content.decode()
    assert "M87654321" not in html.content.decode()


def test_no_history_table_is_open_to_editing_in_the_admin():
    assert not [model for model in admin.site._registry if model.__name__.startswith("Historical")]
