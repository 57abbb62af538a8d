"""bench/load.py: its virtual officers post the edit forms back as a browser would, and its
percentiles are the usual ones. (The load test itself runs with `make load`.)"""

import importlib.util
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from delegations.models import Delegation
from relations.models import Partner
from relations.roles import OFFICER
from tests.test_permissions import make_user

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "page", ["relations:partner-update", "delegations:delegation-update"], ids=["partner", "visit"]
)
def test_an_edit_form_read_from_its_html_saves_back_unchanged(load, demo, client, page):
    """What the load test's officers do: the fields a browser would send, read from the
    page alone (selects, textareas, checkboxes, hidden version and formsets), save."""
    model = Partner if page.startswith("relations") else Delegation
    record = model.objects.order_by("pk").last()
    client.force_login(make_user(OFFICER.name))
    url = reverse(page, args=[record.pk])

    fields = load.edit_form_fields(client.get(url).content)
    response = client.post(url, urlencode(fields), "application/x-www-form-urlencoded")

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ("version", str(record.version)) in fields


def test_a_page_without_an_edit_form_is_a_failure(load):
    with pytest.raises(load.Failure, match="no edit form"):
        load.edit_form_fields(b'<form method="post"><input name="q"></form>')


def test_the_form_reader_sends_what_a_browser_sends(load):
    html = b"""<form method="get"><input name="ignored" value="x"></form>
    <form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="t"><input name="version" value="3">
      <input type="checkbox" name="on" checked><input type="checkbox" name="off" value="1">
      <input type="file" name="photo"><input type="submit" name="save" value="Save">
      <input name="gone" value="1" disabled>
      <select name="first"><option value="a">A</option><option value="b">B</option></select>
      <select name="chosen"><option value="a">A</option><option value="b" selected>B</option>
      </select>
      <select name="many" multiple><option value="1" selected>1</option><option value="2">
      </option><option value="3" selected>3</option></select>
      <textarea name="notes">
Line &amp; more</textarea>
    </form>"""

    assert load.edit_form_fields(html) == [
        ("csrfmiddlewaretoken", "t"),
        ("version", "3"),
        ("on", "on"),
        ("first", "a"),
        ("chosen", "b"),
        ("many", "1"),
        ("many", "3"),
        ("notes", "Line & more"),
    ]


def test_percentiles_are_by_nearest_rank(load):
    values = [float(n) for n in range(1, 101)]

    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile([7.0], 99) == 7
    assert load.percentile(values[:10], 95) == 10
