"""The pages still work under the Content-Security-Policy, and the browser reports no
violation: behaviour comes from static/amity.js, never from inline code."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from delegations.models import Delegation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    """What the browser refused because of the policy, as it says in the console."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_choosing_a_page_size_reloads_the_list(page, violations):
    call_command("load_demo", verbosity=0)
    page.goto("/people/")

    page.get_by_label("Per page").select_option("50")

    page.wait_for_url("**/people/?per_page=50")
    expect(page.get_by_label("Per page")).to_have_value("50")
    assert violations == []


def test_the_calendar_address_is_copied_and_a_new_one_asked_for_first(page, violations):
    page.goto("/delegations/calendar/feed/")
    address = page.locator("#feed-url").input_value()

    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied.")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke and make a new address").click()
    assert page.locator("#feed-url").input_value() == address  # Not sent: asked first.
    assert violations == []


def test_the_print_page_keeps_its_own_style(page, violations):
    call_command("load_demo", verbosity=0)
    delegation = Delegation.objects.order_by("pk").first()

    page.goto(f"/delegations/{delegation.pk}/print/")

    # The toolbar is styled by the page's <style> (allowed by its nonce).
    expect(page.locator(".toolbar")).to_have_css("display", "flex")
    assert violations == []


def test_the_admin_runs_under_the_policy(page, violations):
    call_command("load_demo", verbosity=0)

    page.goto("/admin/relations/partner/")
    page.get_by_role("link", name="Changning District").first.click()

    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    assert violations == []
