"""A new administrator's first import, in a real browser: upload, read the preview, fix
the bad row it points to, upload again, confirm, and find the record in the dossier."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from relations.models import Partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "영문명,국가,관계,결연일\n"
BAD = HEADER + "Testville,Japan,자매도시,2007.08.29\nNewtown,Atlantis,우호도시,Oct 2010\n"
FIXED = HEADER + "Testville,Japan,자매도시,2007.08.29\nNewtown,China,우호도시,Oct 2010\n"


def upload(page, tmp_path, text: str) -> None:
    path = tmp_path / "partners.csv"
    path.write_bytes(text.encode("cp949"))  # as Korean Excel saves a CSV
    page.goto("/imports/")
    page.get_by_label("What the file holds").select_option("partners")
    page.get_by_label("Spreadsheet").set_input_files(path)
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/imports/*/")


def test_upload_preview_fix_the_bad_row_and_confirm(page, tmp_path, settings):
    settings.AMITY_IMPORT_DIR = tmp_path / "imports"
    call_command("load_demo", verbosity=0)

    upload(page, tmp_path, BAD)
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Row 3, column “Country”: “Atlantis” is not a country")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert not Partner.objects.filter(name="Testville").exists()

    page.get_by_role("link", name="Upload the corrected file").click()
    upload(page, tmp_path, FIXED)
    expect(page.locator("#import-totals")).to_contain_text("2 new")
    page.get_by_role("button", name="Import 2 rows").click()

    page.wait_for_url("**/partners/")
    expect(page.locator(".alert-success")).to_contain_text("2 new")
    page.goto(Partner.objects.get(name="Newtown").get_absolute_url())
    expect(page.locator("body")).to_contain_text("Oct 2010")
