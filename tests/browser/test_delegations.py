import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from delegations.models import Delegation
from relations.models import Partner, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, field: str, typed: str, match: str) -> None:
    """Types into the search box of ``field`` and picks the match offered that reads
    ``match``, as a pick from the drop-down does (it puts the match's text in the box)."""
    box = page.locator(f"#{field}-search")
    box.fill(typed)
    offered = page.locator(f"#{field}-matches option[value='{match}']")
    expect(offered).to_have_count(1)
    box.fill(match)


def test_an_officer_records_a_visit_and_sees_the_interpreter_clash(page):
    call_command("load_demo", verbosity=0)
    Person.objects.create(name="Park Min-ji", native_name="박민지")

    page.goto("/delegations/")
    page.get_by_role("link", name="Add delegation").click()
    page.locator("#id_title").fill("Changning youth orchestra")
    page.locator("#id_direction").select_option("inbound")
    choose(page, "id_partner", "长宁", "Changning District (长宁区) · China")
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
        choose(page, f"id_programme-{n}-interpreter", "park", "Park Min-ji (박민지)")
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


def test_a_search_box_offers_matches_in_any_script_and_refuses_text_that_is_none(page):
    call_command("load_demo", verbosity=0)
    page.goto("/delegations/?partner=")

    box = page.locator("#id_partner-search")
    box.fill("miryang")
    expect(page.locator("#id_partner-matches option")).to_have_count(1)
    box.fill("밀양")  # the same partner by its Korean name
    expect(page.locator("#id_partner-matches option")).to_have_attribute(
        "value", "Miryang City (밀양시) · South Korea"
    )
    box.fill("Miryang City (밀양시) · South Korea")
    expect(page.locator("#id_partner")).to_have_value(
        str(Partner.objects.get(name="Miryang City").pk)
    )

    box.fill("Atlantis")
    box.blur()
    assert "Choose one of the matches" in box.evaluate("b => b.validationMessage")


def test_text_that_matches_no_record_stops_the_save_rather_than_keep_the_old_choice(page):
    call_command("load_demo", verbosity=0)
    visit = Delegation.objects.filter(partner__isnull=False).order_by("pk").first()
    partner = visit.partner
    page.goto(f"/delegations/{visit.pk}/edit/")

    page.locator("#id_partner-search").fill("Atlantis")
    page.get_by_role("button", name="Save").click()

    box = page.locator("#id_partner-search")
    expect(box).to_be_focused()
    assert "Choose one of the matches" in box.evaluate("b => b.validationMessage")
    assert page.url.endswith(f"/delegations/{visit.pk}/edit/")
    visit.refresh_from_db()
    assert visit.partner == partner


def test_two_matches_that_read_alike_are_told_apart_by_their_ids(page):
    call_command("load_demo", verbosity=0)
    city = Partner.objects.get(name="Miryang City")
    first = Person.objects.create(name="Kim Min-jun", partner=city)
    second = Person.objects.create(name="Kim Min-jun", partner=city)
    page.goto("/delegations/add/")

    box = page.locator("#id_programme-0-interpreter-search")
    box.fill("kim min")
    text = f"Kim Min-jun · {city}"
    expect(page.locator("#id_programme-0-interpreter-matches option")).to_have_count(2)
    box.fill(f"{text} · #{second.pk}")
    expect(page.locator("#id_programme-0-interpreter")).to_have_value(str(second.pk))
    box.fill(text)
    expect(page.locator("#id_programme-0-interpreter")).to_have_value(str(first.pk))
