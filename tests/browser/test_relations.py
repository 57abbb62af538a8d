import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_finds_changning_and_reads_its_history(page):
    call_command("load_demo", verbosity=0)

    page.get_by_role("searchbox", name="Search").first.fill("Changning")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("^Changning District")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Changning District")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Agreement of Friendly District Relationships")
    expect(timeline).to_contain_text("27 Aug 2013")
    hospital_link = timeline.locator("li", has_text="MizMedi Women's Hospital")
    expect(hospital_link).to_contain_text("Sep 2009")
    expect(hospital_link).to_contain_text("Shanghai Changning Maternity & Infant Health Hospital")
