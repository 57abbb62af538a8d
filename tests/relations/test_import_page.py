"""The administrators' import page: upload, match columns, preview, confirm or cancel."""

import csv
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from relations.import_files import find_upload, purge_expired
from relations.models import AccessRecord, Partner
from relations.roles import user_assign_role

START = "/imports/"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.AMITY_IMPORT_DIR = tmp_path / "imports"
    return settings.AMITY_IMPORT_DIR


@pytest.fixture
def administrator(django_user_model):
    user = django_user_model.objects.create_user("imports-admin", password="x")
    user_assign_role(user=user, role="Administrator")
    return user


@pytest.fixture
def client(client, administrator):
    client.force_login(administrator)
    return client


def upload(client, text: str, *, name="partners.csv", encoding="utf-8", resource="partners"):
    data = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    response = client.post(START, {"resource": resource, "file": data, "encoding": ""})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return response["Location"]


GOOD = (
    "영문명,국가,관계,결연일\n"
    "Testville,Japan,자매도시,2007.08.29\n"
    "Newtown,China,우호도시,Oct 2010\n"
)


def test_upload_shows_a_preview_and_writes_nothing_until_confirmed(client, demo):
    review = upload(client, GOOD, encoding="cp949")
    page = client.get(review)
    assert page.status_code == 200
    assert page.context["plan"].totals == {"new": 2, "update": 0, "unchanged": 0, "error": 0}
    assert page.context["table"].encoding == "cp949"
    assert not Partner.objects.filter(name="Testville").exists()

    confirmed = client.post(review, {"action": "confirm"})
    assert confirmed.status_code == 302
    testville = Partner.objects.get(name="Testville")
    assert (testville.country, testville.level) == ("JP", "sister")
    assert testville.established_on.isoformat() == "2007-08-29"
    assert Partner.objects.get(name="Newtown").established_on_precision == "month"
    assert testville.history.get().history_change_reason == "Imported from partners.csv"
    assert AccessRecord.objects.filter(kind="import", row_count=2).exists()
    assert find_upload(review.strip("/").split("/")[-1], testville) is None


def test_the_preview_names_row_column_and_reason_and_confirm_is_refused(client, demo):
    review = upload(client, GOOD + "Nowhere City,Atlantis,자매도시,2010\n")
    page = client.get(review)
    html = page.content.decode()
    assert "Row 4, column “Country”: “Atlantis” is not a country Amity knows" in html
    assert 'value="confirm"' not in html
    response = client.post(review, {"action": "confirm"}, follow=True)
    assert "nothing was imported" in response.content.decode()
    assert not Partner.objects.filter(name="Testville").exists()


def test_unknown_headers_ask_for_a_mapping_then_preview(client, demo):
    review = upload(client, "city1,country1,Remarks\nTestville,Japan,x\n")
    page = client.get(review)
    assert page.templates[0].name == "relations/import_mapping.html"
    assert "city1" in page.context["unmatched"]
    # A required field left unmapped and without a value is refused with a message.
    refused = client.post(review, {"action": "map", "column_0": "name"})
    assert "Country" in refused.content.decode()
    mapped = client.post(
        review,
        {
            "action": "map",
            "column_0": "name",
            "column_1": "country",
            "column_2": "",
            "default_level": "Sister city",
        },
    )
    assert mapped.status_code == 302
    plan = client.get(review).context["plan"]
    assert plan.totals["new"] == 1
    client.post(review, {"action": "confirm"})
    assert Partner.objects.get(name="Testville").level == "sister"


def test_cancel_deletes_the_uploaded_file(client, demo, import_dir):
    review = upload(client, GOOD)
    assert any(import_dir.rglob("upload.csv"))
    response = client.post(review, {"action": "cancel"})
    assert response.status_code == 302
    assert not any(import_dir.rglob("upload.csv"))
    assert client.get(review).status_code == 302  # gone: back to the start


def test_uploads_expire_and_are_purged(client, demo, import_dir, settings):
    upload(client, GOOD)
    folder = next(import_dir.iterdir())
    old = time.time() - settings.AMITY_IMPORT_EXPIRY_HOURS * 3600 - 60
    os.utime(folder, (old, old))
    assert purge_expired() == 1
    assert not folder.exists()


def test_another_users_upload_is_not_found(client, demo, django_user_model):
    review = upload(client, GOOD)
    other = django_user_model.objects.create_user("other-admin", password="x")
    user_assign_role(user=other, role="Administrator")
    client.force_login(other)
    assert client.get(review).status_code == 302


def test_an_oversized_file_is_refused_with_its_size(client, settings, demo):
    settings.AMITY_MAX_IMPORT_BYTES = 100
    data = SimpleUploadedFile("big.csv", b"x" * 500, content_type="text/csv")
    response = client.post(START, {"resource": "partners", "file": data})
    assert response.status_code == 200
    assert "an import may be at most 100" in response.content.decode()


def test_an_unreadable_file_is_refused_and_deleted(client, demo, import_dir):
    review = upload(client, "not,really\x00", name="old.xls")
    response = client.get(review, follow=True)
    assert "Amity reads CSV and .xlsx files" in response.content.decode()
    assert not any(import_dir.rglob("upload*"))


def test_officers_may_not_import(client, django_user_model):
    officer = django_user_model.objects.create_user("officer", password="x")
    user_assign_role(user=officer, role="Officer")
    client.force_login(officer)
    assert client.get(START).status_code == 403
    assert client.get("/imports/templates/partners.csv").status_code == 403


def test_templates_have_the_columns_and_an_example_row(client, db):
    response = client.get("/imports/templates/people.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Romanised name", "Native name", "Partner"]
    assert rows[1][0] == "Wang Lan"
    workbook = load_workbook(io.BytesIO(b"".join(client.get("/imports/templates/gifts.xlsx"))))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Partner", "Partner country", "Direction"]


def test_a_list_export_can_be_imported_back_unchanged(client, demo, tmp_path):
    exported = b"".join(client.get("/partners/", {"export": "csv"}).streaming_content)
    review = upload(client, exported.decode("utf-8-sig"), name="partners-export.csv")
    assert client.get(review).context["plan"].totals["unchanged"] == 2


def test_the_admin_exports_selected_records_and_links_to_the_import(client, demo):
    changelist = client.get("/admin/relations/partner/")
    assert "/imports/?resource=partners" in changelist.content.decode()
    ids = list(Partner.objects.partners().values_list("pk", flat=True))
    response = client.post(
        "/admin/relations/partner/",
        {"action": "export_selected_csv", "_selected_action": ids},
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("English name,Native name")
    assert len(text.splitlines()) == 1 + len(ids)
    assert AccessRecord.objects.filter(kind="export", what__contains="admin").exists()


def test_the_import_folder_is_private(client, demo, import_dir):
    upload(client, GOOD)
    folder = next(import_dir.iterdir())
    assert Path(folder).stat().st_mode & 0o077 == 0


TWIN_CITIES = Path(__file__).resolve().parents[3] / "shared/data/twin_cities_raw.csv"


@pytest.mark.skipif(not TWIN_CITIES.exists(), reason="../shared/data is not beside the checkout")
def test_the_twin_cities_file_imports_through_the_page_once_its_columns_are_matched(client, db):
    with TWIN_CITIES.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    korean = [rows[0]] + [row for row in rows[1:] if row[3] == "South Korea"]
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in korean) + "\n"
    review = upload(client, text, name="twin_cities_korea.csv")

    assert client.get(review).templates[0].name == "relations/import_mapping.html"
    client.post(
        review,
        {
            "action": "map",
            "column_0": "",
            "column_1": "",
            "column_2": "name",
            "column_3": "country",
            "default_level": "Sister city",
        },
    )
    assert client.get(review).context["plan"].totals["error"] == 0
    client.post(review, {"action": "confirm"})

    korean_cities = {row[2] for row in korean[1:]}
    assert Partner.objects.filter(country="KR").count() == len(korean_cities)
    first = Partner.objects.get(name=korean[1][2], country="KR")
    assert (first.level, first.history.get().history_change_reason) == (
        "sister",
        "Imported from twin_cities_korea.csv",
    )
