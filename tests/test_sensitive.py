"""Passport numbers and members' needs: encrypted, masked, shown or exported only on
request by those allowed, and every look or export recorded."""

import csv
import datetime
import io
import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from delegations.models import Delegation, Member
from relations.models import AccessRecord, Partner, Person
from relations.sensitive import described, mask

PASSPORTS = {"Wang Wei": "E12345678", "Lee Soo-jin": "M98765432"}
MASKED = {"Wang Wei": "E••••••78", "Lee Soo-jin": "M••••••32"}


def make_user(username: str, *perms: str):
    """A user with exactly these permissions ("app_label.codename")."""
    user = get_user_model().objects.create_user(username, password="a-long-password")
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def logged_in(client, username: str, *perms: str):
    client.force_login(make_user(username, *perms))
    return client


def url(name: str, delegation: Delegation) -> str:
    return reverse(f"delegations:{name}", args=[delegation.pk])


def sheet(response) -> list[list]:
    body = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def delegation(db) -> Delegation:
    partner = Partner.objects.create(name="Changning District", country="CN", level="friendship")
    delegation = Delegation.objects.create(
        title="Changning education delegation",
        direction="inbound",
        partner=partner,
        start=datetime.date(2027, 3, 10),
        end=datetime.date(2027, 3, 12),
    )
    for name, role in [("Wang Wei", "leader"), ("Lee Soo-jin", "member"), ("Choi Han-na", "staff")]:
        Member.objects.create(
            delegation=delegation,
            person=Person.objects.create(name=name),
            role=role,
            dietary_needs="Vegetarian" if name == "Choi Han-na" else "",
            passport_number=PASSPORTS.get(name, ""),
        )
    return delegation


@pytest.fixture
def captured_logs():
    """Every log line written meanwhile (pytest's own capture may be switched off)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


# ---- At rest and masked -----------------------------------------------------------------


def test_a_passport_number_is_stored_encrypted(delegation):
    member = Member.objects.get(person__name="Wang Wei")
    for table in ("delegations_member", "delegations_historicalmember"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT passport_number FROM {table} WHERE id = %s", [member.pk])  # noqa: S608
            stored = [row[0] for row in cursor.fetchall()]
        assert stored, table
        for value in stored:
            assert value.startswith("fernet:"), table
            assert "E12345678" not in value and "12345678" not in value, table
    assert Member.objects.get(pk=member.pk).passport_number == "E12345678"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("M12345678", "M••••••78"),
        ("E1234567890123", "E••••••23"),  # the length is not given away
        ("AB12", "••••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_keeps_the_first_character_and_the_last_two(value, masked):
    assert mask(value) == masked


def test_the_delegation_page_shows_passport_numbers_masked_to_a_viewer(client, delegation):
    logged_in(client, "viewer", "delegations.view_delegation")
    html = client.get(delegation.get_absolute_url()).content.decode()

    for name, number in PASSPORTS.items():
        assert number not in html
        assert MASKED[name] in html
    assert "Show passport numbers" not in html
    assert url("delegation-passports", delegation) not in html
    assert not AccessRecord.objects.exists()


def test_the_delegation_page_masks_them_too_for_users_who_may_see_them(client, delegation):
    logged_in(client, "admin", "delegations.view_delegation", "relations.view_sensitive")
    html = client.get(delegation.get_absolute_url()).content.decode()

    assert all(number not in html for number in PASSPORTS.values())
    assert "Show passport numbers" in html
    assert url("delegation-passports", delegation) in html
    assert not AccessRecord.objects.exists()


def test_the_print_page_and_the_admin_show_passport_numbers_masked(admin_client, delegation):
    member = Member.objects.get(person__name="Wang Wei")
    for page in [
        url("delegation-print", delegation),
        reverse("admin:delegations_member_change", args=[member.pk]),
    ]:
        html = admin_client.get(page).content.decode()
        assert "E12345678" not in html, page
        assert MASKED["Wang Wei"] in html, page


def test_the_pdf_shows_passport_numbers_masked(admin_client, delegation):
    pypdf = pytest.importorskip("pypdf")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint cannot be loaded here")
    response = admin_client.get(url("delegation-pdf", delegation))
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )

    assert "Lee Soo-jin" in text
    assert "E12345678" not in text and "M98765432" not in text
    record = AccessRecord.objects.get()
    assert (record.kind, record.what, record.row_count) == (
        "export",
        "changning-education-delegation.pdf",
        3,
    )


def test_the_admin_offers_no_passport_field_to_staff_who_may_not_see_them(client, delegation):
    user = make_user("staff", "delegations.view_member", "delegations.change_member")
    user.is_staff = True
    user.save()
    client.force_login(user)
    member = Member.objects.get(person__name="Wang Wei")
    html = client.get(reverse("admin:delegations_member_change", args=[member.pk])).content.decode()

    assert 'name="passport_number"' not in html
    assert MASKED["Wang Wei"] in html and "E12345678" not in html


# ---- Showing them in full ---------------------------------------------------------------


def test_showing_passport_numbers_shows_them_in_full_and_records_every_viewing(
    client, delegation, captured_logs
):
    logged_in(client, "admin", "delegations.view_delegation", "relations.view_sensitive")
    address = url("delegation-passports", delegation)

    asking = client.get(address)
    assert asking.status_code == 200
    assert "E12345678" not in asking.content.decode()
    assert not AccessRecord.objects.exists()

    for _ in range(2):
        response = client.post(address)
        assert response.status_code == 200
        html = response.content.decode()
        assert "E12345678" in html and "M98765432" in html
        assert "no-store" in response["Cache-Control"]

    records = AccessRecord.objects.order_by("at")
    assert len(records) == 2
    for record in records:
        assert record.kind == AccessRecord.Kind.VIEW
        assert record.user.username == "admin"
        assert record.what == f"Passport numbers of {delegation}"
        assert record.row_count == 2
        assert record.sensitive
        assert record.ip_address == "127.0.0.1"
    assert "E12345678" not in captured_logs.getvalue()


def test_passport_numbers_are_refused_to_users_without_view_sensitive(client, delegation):
    logged_in(client, "viewer", "delegations.view_delegation", "relations.export_data")
    address = url("delegation-passports", delegation)

    assert client.get(address).status_code == 403
    assert client.post(address).status_code == 403
    assert not AccessRecord.objects.exists()


def test_anonymous_users_are_sent_to_log_in_for_passport_numbers(client, delegation):
    response = client.post(url("delegation-passports", delegation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# ---- The member form --------------------------------------------------------------------


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


def member_prefix(response, name: str) -> str:
    forms = response.context["formsets"]["members"].forms
    return next(f.prefix for f in forms if f.instance.pk and f.instance.person.name == name)


EDITOR = ("delegations.view_delegation", "delegations.change_delegation")


def test_an_officer_without_view_sensitive_gets_no_passport_field_and_keeps_the_numbers(
    client, delegation
):
    logged_in(client, "officer", *EDITOR)
    edit = url("delegation-update", delegation)
    page = client.get(edit)
    html = page.content.decode()
    assert "passport_number" not in html
    assert "E12345678" not in html

    data = form_data(page)
    data[f"{member_prefix(page, 'Wang Wei')}-title"] = "Deputy Mayor"
    response = client.post(edit, data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    member = Member.objects.get(person__name="Wang Wei")
    assert member.title == "Deputy Mayor"
    assert member.passport_number == "E12345678"


def test_a_user_with_view_sensitive_edits_the_passport_number_shown_masked(client, delegation):
    logged_in(client, "admin", *EDITOR, "relations.view_sensitive")
    edit = url("delegation-update", delegation)
    page = client.get(edit)
    html = page.content.decode()
    assert "E12345678" not in html
    wang, lee = member_prefix(page, "Wang Wei"), member_prefix(page, "Lee Soo-jin")
    choi = member_prefix(page, "Choi Han-na")
    assert f'name="{wang}-passport_number"' in html
    data = form_data(page)
    assert data[f"{wang}-passport_number"] == MASKED["Wang Wei"]

    # Partly changed masked text is neither kept nor saved.
    data[f"{wang}-passport_number"] = "E••••••79"
    refused = client.post(edit, data)
    assert refused.status_code == 200
    assert "Type the whole number" in refused.content.decode()

    data[f"{wang}-passport_number"] = MASKED["Wang Wei"]  # left as shown: kept
    data[f"{lee}-passport_number"] = ""  # emptied: cleared
    data[f"{choi}-passport_number"] = " m 5555 4444 "  # typed: normalised and saved
    assert client.post(edit, data).status_code == 302

    numbers = dict(Member.objects.values_list("person__name", "passport_number"))
    assert numbers == {"Wang Wei": "E12345678", "Lee Soo-jin": "", "Choi Han-na": "M55554444"}
    assert not AccessRecord.objects.exists()


# ---- Exports ----------------------------------------------------------------------------


def test_the_member_list_has_no_passport_numbers_and_no_needs_by_default(client, delegation):
    logged_in(client, "officer", "delegations.view_delegation", "relations.export_data")
    rows = sheet(client.get(url("delegation-members-xlsx", delegation)))

    assert "Passport number" not in rows[0]
    assert "Dietary needs" not in rows[0]
    assert len(rows) == 4
    cells = {str(cell) for row in rows for cell in row}
    assert not cells & {*PASSPORTS.values(), "Vegetarian"}
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.EXPORT
    assert record.what == "changning-education-delegation-members.xlsx"
    assert (record.row_count, record.sensitive, record.reason) == (3, False, "")
    assert record.user.username == "officer"


def test_the_member_and_rooming_lists_carry_needs_for_users_with_view_sensitive(client, delegation):
    logged_in(
        client,
        "admin",
        "delegations.view_delegation",
        "relations.export_data",
        "relations.view_sensitive",
    )
    for name in ("delegation-members-xlsx", "delegation-rooming-xlsx"):
        rows = sheet(client.get(url(name, delegation)))
        assert "Dietary needs" in rows[0]
        assert "Passport number" not in rows[0]
        assert not {str(c) for row in rows for c in row} & set(PASSPORTS.values())
    records = AccessRecord.objects.order_by("at")
    assert [r.what.rsplit("-", 1)[1] for r in records] == ["members.xlsx", "rooming.xlsx"]
    assert all(r.sensitive and r.row_count == 3 for r in records)


def test_the_sensitive_export_is_refused_without_export_sensitive(client, delegation):
    logged_in(
        client,
        "officer",
        "delegations.view_delegation",
        "relations.export_data",
        "relations.view_sensitive",
    )
    address = url("delegation-members-sensitive", delegation)

    assert client.get(address).status_code == 403
    assert client.post(address, {"reason": "Visa letters"}).status_code == 403
    assert not AccessRecord.objects.exists()
    assert address not in client.get(delegation.get_absolute_url()).content.decode()


def test_the_sensitive_export_asks_for_a_reason(client, delegation):
    logged_in(client, "admin", "delegations.view_delegation", "relations.export_sensitive")
    address = url("delegation-members-sensitive", delegation)

    assert client.get(address).status_code == 200
    for reason in ("", "   "):
        response = client.post(address, {"reason": reason})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors["reason"]
        assert "Give the reason for exporting sensitive data." in response.content.decode()
    assert not AccessRecord.objects.exists()


def test_the_sensitive_export_with_a_reason_holds_the_numbers_and_is_recorded(
    client, delegation, captured_logs
):
    logged_in(client, "admin", "delegations.view_delegation", "relations.export_sensitive")
    assert (
        url("delegation-members-sensitive", delegation)
        in client.get(delegation.get_absolute_url()).content.decode()
    )

    response = client.post(
        url("delegation-members-sensitive", delegation),
        {"reason": "Visa invitation letters for the embassy"},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = sheet(response)
    column = rows[0].index("Passport number")
    assert {row[column] for row in rows[1:]} == {"E12345678", "M98765432", None}
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.EXPORT
    assert record.sensitive
    assert record.row_count == 3
    assert record.reason == "Visa invitation letters for the embassy"
    assert record.what == "changning-education-delegation-members-passports.xlsx"
    assert record.ip_address == "127.0.0.1"
    logs = captured_logs.getvalue()
    assert "members-passports.xlsx" in logs
    assert "E12345678" not in logs and "M98765432" not in logs


def test_a_list_export_is_recorded_with_its_filters_and_row_count(client, delegation):
    Delegation.objects.create(
        title="Outbound study tour",
        direction="outbound",
        partner=delegation.partner,
        start=datetime.date(2027, 5, 1),
    )
    logged_in(client, "officer", "delegations.view_delegation", "relations.export_data")

    response = client.get(
        reverse("delegations:delegation-list"),
        {"direction": "inbound", "export": "csv", "page": "2"},
    )

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 2  # header and one visit
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.EXPORT
    assert record.what == "delegations.csv (direction=inbound)"
    assert (record.row_count, record.sensitive) == (1, False)
    assert record.user.username == "officer"


def test_an_export_description_lists_the_filters_but_not_paging_or_sorting(rf):
    params = rf.get("/", {"q": "강서", "status": ["planned", "confirmed"], "sort": "-start"}).GET
    assert described("delegations.xlsx", params) == (
        "delegations.xlsx (q=강서; status=planned; status=confirmed)"
    )


# ---- The record of it -------------------------------------------------------------------


def test_the_access_record_is_read_only_in_the_admin(admin_client, delegation):
    record = AccessRecord.objects.create(
        kind=AccessRecord.Kind.EXPORT,
        user=get_user_model().objects.get(username="admin"),
        what="delegations.csv",
        row_count=2,
        reason="Annual report",
    )
    changelist = reverse("admin:relations_accessrecord_changelist")

    listing = admin_client.get(changelist, {"q": "Annual"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [record]
    page = admin_client.get(reverse("admin:relations_accessrecord_change", args=[record.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:relations_accessrecord_add")).status_code == 403
    delete = reverse("admin:relations_accessrecord_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:relations_accessrecord_change", args=[record.pk]),
            {"what": "nothing", "reason": ""},
        ).status_code
        == 403
    )
    record.refresh_from_db()
    assert record.what == "delegations.csv"
