import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from relations.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_visit_and_sees_the_interpreter_clash(page):
    call_command("load_demo", verbosity=0)
    Person.objects.create(name="Park Min-ji", native_name="박민지")

    page.goto("/delegations/")
    page.get_by_role("link", name="Add delegation").click()
    page.locator("#id_title").fill("Changning youth orchestra")
    page.locator("#id_direction").select_option("inbound")
    page.locator("#id_partner").select_option(label="Changning District (长宁区)")
    page.locator("#id_start").fill("2027-03-10")
    page.locator("#id_end").fill("2027-03-12")
    page.locator("#id_declared_size").fill("3")
    for n, name in enumerate(["Wang Fang", "Li Na", "Zhang Wei"]):
        page.locator(f"#id_members-{n}-new_person").fill(name)
    for n, (start, end) in enumerate([("10:00", "11:00"), ("10:30", "12:00")]):
        page.locator(f"#id_programme-{n}-date").fill("2027-03-11")
        page.locator(f"#id_programme-{n}-start_time").fill(start)
        page.locator(f"#id_programme-{n}-end_time").fill(end)
        page.locator(f"#id_programme-{n}-title").fill(f"Rehearsal {n + 1}")
        page.locator(f"#id_programme-{n}-interpreter").select_option(label="Park Min-ji")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Changning youth orchestra")
    expect(page.get_by_role("alert").filter(has_text="added")).to_be_visible()
    warnings = page.get_by_test_id("clashes")
    expect(warnings).to_contain_text("Park Min-ji is booked twice")
    expect(warnings).to_contain_text("“Rehearsal 1”")
    expect(page.get_by_test_id("head-count")).to_have_text("3 declared · 3 listed")

    page.get_by_role("link", name="Print").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Changning youth orchestra")
    expect(page.locator("body")).to_contain_text("Rehearsal 2")
    expect(page.locator("body")).to_contain_text("Zhang Wei")
