"""Oversized and malformed input on every form and list page: a form error (200), a
refusal (400 for a body Django will not read, 404 for a page number that is not one, a
redirect for an admin filter it cannot apply), never a 500, and nothing written."""

import urllib.parse

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, resolve, reverse

from delegations.models import Delegation
from relations.models import Sector
from tests.project_urls import sample, view_model
from tests.test_admin import (
    READ_ONLY_MODELS,
    REGISTERED_MODELS,
    admin_url,
    label,
    records,  # noqa: F401  (a fixture)
)

# The demo data with the records the seeds never mention (tests/test_admin.py).
pytestmark = pytest.mark.usefixtures("records")

MEGABYTE = "x" * 1_000_000
# One value put in every field of a form at once (the formsets' management forms keep
# their counts, so that each inline form is read as well, except for the numbers).
HOSTILE = {
    "nul": "Gangnam\x00District",
    "exponent": "1e400",
    "negative": "-1",
    "huge": "99999999999999999999",
    "zero-date": "0000-00-00",
    "far-date": "99999-01-01",
    "unknown-choice": "ZZZZ<script>'\"",
    "missing-id": "987654321",
    "superscript-digit": "²",
    "lone-surrogate": "\ud800",  # encoded as the bytes a broken client sends (below)
    "invalid-utf8": b"\xff\xfe\xc3\x28",
    "list": ["1", "abc", "987654321"],  # one name given three times
}
NUMBERS = {"exponent", "negative", "huge"}
# Django's own limits answer these with its 400 page before any form sees them.
TOO_LARGE = 400

# Rows that reading a page may write (sessions, login attempts); every other table must
# be the same after a refused post.
UNTRACKED = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


def view_names(*suffixes: str) -> list[str]:
    names = []
    for namespace in ("relations", "delegations"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names += [
            f"{namespace}:{key}"
            for key in resolver.reverse_dict
            if isinstance(key, str) and key.endswith(suffixes)
        ]
    return sorted(names)


FORM_PAGES = [*view_names("-add", "-update"), "relations:import-start"]
# Its one box takes any text as the reason for an export: only its size is refused.
SENSITIVE_EXPORT = "delegations:delegation-members-sensitive"
ADMIN_ADD_PAGES = [model for model in REGISTERED_MODELS if model not in READ_ONLY_MODELS]


def route_path(name: str) -> str:
    """The page's address; one with a record in it opens the first of the view's model."""
    try:
        return reverse(name)
    except NoReverseMatch:
        model = view_model(resolve(reverse(name, kwargs={"pk": 1})))
        return reverse(name, kwargs={"pk": sample(model).pk})


def snapshot() -> dict[str, list]:
    """Every row of every table that a refused post must leave alone."""
    return {
        model._meta.label: sorted(map(repr, model._base_manager.order_by().values_list()))
        for model in apps.get_models()
        if model._meta.label not in UNTRACKED
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def encode(value) -> bytes:
    if isinstance(value, bytes):
        return urllib.parse.quote_from_bytes(value).encode()
    # A lone surrogate cannot be UTF-8: send what "surrogatepass" makes of it, as a
    # broken client would.
    return urllib.parse.quote_from_bytes(value.encode("utf-8", "surrogatepass")).encode()


def body(data: dict) -> bytes:
    pairs = []
    for name, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append(encode(name) + b"=" + encode(one))
    return b"&".join(pairs)


def fields_of(response) -> tuple[dict, dict]:
    """(the form fields, the formsets' management fields with their rendered values)."""
    context = response.context
    if "adminform" in context:
        forms = [context["adminform"].form]
        formsets = [inline.formset for inline in context["inline_admin_formsets"]]
    else:
        forms = [context["form"]]
        formsets = list(context.get("formsets", {}).values())
    management = {}
    for formset in formsets:
        forms += formset.forms
        management |= {b.html_name: str(b.value()) for b in formset.management_form}
    names = {bound.html_name: "" for form in forms for bound in form}
    return names, management


def has_errors(response) -> bool:
    context = response.context
    if "adminform" in context:
        return bool(context["errors"])
    formsets = context.get("formsets", {}).values()
    return bool(
        context["form"].errors or any(any(fs.errors) or fs.non_form_errors() for fs in formsets)
    )


def attempt(client: Client, path: str, before: dict, **request) -> tuple[object, list[str]]:
    """POSTs; (the response or the exception, the tables it changed). Rolled back after,
    so that the next attempt starts from the same rows."""
    try:
        with transaction.atomic():
            response = client.generic("POST", path, **request)
            changed = changed_tables(before, snapshot())
            transaction.set_rollback(True)
    except Exception as error:  # collected: the test lists every problem
        return error, []
    return response, changed


def judge(path: str, kind: str, response, changed: list[str], *, refused=False) -> list[str]:
    """A form error and nothing written, or (for a value that can be plain text, such as
    "1e400" as a name) a save; anything else is a problem."""
    if isinstance(response, Exception):
        return [f"{path} {kind}: {response!r}"]
    if response.status_code == 302 and not refused:
        return []
    problems = []
    if response.status_code not in (200, TOO_LARGE):
        problems.append(f"{path} {kind}: HTTP {response.status_code}")
    elif response.status_code == 200 and not has_errors(response):
        problems.append(f"{path} {kind}: no form error shown")
    if changed:
        problems.append(f"{path} {kind}: refused, but changed {changed}")
    return problems


def post_hostile(client: Client, path: str) -> list[str]:
    """Posts every hostile value to the form at ``path``; what went wrong, if anything."""
    problems = []
    page = client.get(path)
    assert page.status_code == 200, f"{path}: {page.status_code}"
    names, management = fields_of(page)
    before = snapshot()
    for kind, value in HOSTILE.items():
        data = dict.fromkeys(names, value)
        data |= dict.fromkeys(management, value) if kind in NUMBERS else management
        response, changed = attempt(
            client,
            path,
            before,
            data=body(data),
            content_type="application/x-www-form-urlencoded",
        )
        # No text field takes a NUL: that one is always refused.
        problems += judge(path, kind, response, changed, refused=kind == "nul")
    return problems


def post_megabytes(client: Client, path: str, settings) -> list[str]:
    """Every field a megabyte long: over Django's body limit its clean 400 page; under a
    raised limit, a form error (or a save, where every field is free text)."""
    names, management = fields_of(client.get(path))
    data = body(dict.fromkeys(names, MEGABYTE) | management)
    form = "application/x-www-form-urlencoded"
    before = snapshot()
    problems = []
    response, changed = attempt(client, path, before, data=data, content_type=form)
    too_large = len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if too_large and getattr(response, "status_code", None) != TOO_LARGE:
        problems.append(f"{path} 1 MB fields: {response!r}, not the {TOO_LARGE} page")
    else:
        problems += judge(path, "1 MB fields", response, changed)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(data) + 1
    response, changed = attempt(client, path, before, data=data, content_type=form)
    problems += judge(path, "1 MB fields read", response, changed)
    return problems


@pytest.mark.parametrize("name", FORM_PAGES)
def test_hostile_input_on_an_officers_form_gives_form_errors(admin_client, name):
    assert post_hostile(admin_client, route_path(name)) == []


@pytest.mark.parametrize("name", [*FORM_PAGES, SENSITIVE_EXPORT])
def test_megabyte_fields_on_an_officers_form_are_refused(admin_client, settings, name):
    assert post_megabytes(admin_client, route_path(name), settings) == []


@pytest.mark.parametrize("model", ADMIN_ADD_PAGES, ids=label)
def test_hostile_input_on_an_admin_add_page_gives_form_errors(admin_client, model):
    assert post_hostile(admin_client, admin_url(model, "add")) == []


@pytest.mark.parametrize("model", ADMIN_ADD_PAGES, ids=label)
def test_megabyte_fields_on_an_admin_add_page_are_refused(admin_client, settings, model):
    assert post_megabytes(admin_client, admin_url(model, "add"), settings) == []


def test_a_key_beyond_64_bits_matches_nothing_in_a_list_of_keys():
    huge = 99999999999999999999
    sector = Sector.objects.first()

    assert list(Sector.objects.filter(pk__in=[huge, sector.pk])) == [sector]
    assert list(Sector.objects.filter(pk__in=[huge, -huge])) == []
    assert list(Sector.objects.filter(pk__in=["abc", "²", str(sector.pk)])) == [sector]


def test_a_body_over_the_limit_gets_the_clean_400_page(admin_client):
    path = route_path("relations:partner-add")

    response = admin_client.post(path, {"name": MEGABYTE * 3})

    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()


def test_a_request_for_an_unknown_host_gets_the_same_400_page(client):
    response = client.get("/accounts/login/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "Request refused" in response.content.decode()


def test_a_damaged_multipart_body_gets_a_400(admin_client):
    path = route_path("relations:partner-add")
    before = snapshot()

    response = admin_client.generic(
        "POST",
        path,
        b'--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nno end',
        content_type="multipart/form-data; boundary=xyz",
    )

    assert response.status_code in (200, 400)
    assert changed_tables(before, snapshot()) == []


def test_an_unknown_status_does_not_move_a_delegation(admin_client):
    path = route_path("delegations:delegation-move")
    delegation = Delegation.objects.get(pk=path.strip("/").split("/")[-2])
    before = snapshot()

    for value in ("ZZZZ", "\x00", "", "99999999999999999999", "completed"):
        response = admin_client.post(path, {"status": value})
        assert response.status_code == 302, value
        assert response.url == delegation.get_absolute_url()

    assert changed_tables(before, snapshot()) == []


# ---- List pages with hostile filters -----------------------------------------------------

FILTER_VALUES = [
    "-1",
    "0",
    "abc",
    "9999",
    "99999",
    "99999999999999999999",
    "1e400",
    "ZZZZ",
    "99999-01-01",
    "0000-00-00",
    "a\x00b",
    "-",
    "--name",
    "name,ZZZZ",
    "%",
    "'",
]
COMMON_PARAMS = {"page", "per_page", "sort", "q", "year", "month", "date", "export"}
# The pages reached without a record in their address, that read the query string.
LIST_PAGES = [
    "home",
    "search",
    *view_names("-list"),
    "delegations:calendar",
    "relations:deleted-records",
]
OK_STATUSES = {200, 404}  # 404: a page number beyond the last, or not a number


def hostile_gets(client: Client, path: str, params: set[str]) -> list[str]:
    problems = []
    requests = [dict.fromkeys(params, value) for value in FILTER_VALUES]
    requests += [{name: value} for name in sorted(params) for value in FILTER_VALUES]
    for query in requests:
        query.setdefault("export", "")
        try:
            response = client.get(path, query)
        except Exception as error:
            problems.append(f"{path} {query}: {error!r}")
            continue
        if response.status_code not in OK_STATUSES:
            problems.append(f"{path} {query}: HTTP {response.status_code}")
    return problems


@pytest.mark.parametrize("name", LIST_PAGES)
def test_hostile_filters_on_a_list_page_never_give_a_500(admin_client, name):
    path = route_path(name)
    page = admin_client.get(path)
    assert page.status_code == 200
    filterset = (page.context or {}).get("filter")
    params = COMMON_PARAMS | (set(filterset.form.fields) if filterset else set())
    params.discard("export")  # an export of a hostile filter is tried below, once

    problems = hostile_gets(admin_client, path, params)
    if filterset:
        hostile = dict.fromkeys(params, "99999999999999999999")
        response = admin_client.get(path, {**hostile, "export": "csv"})
        if response.status_code != 200:
            problems.append(f"{path} export of a hostile filter: HTTP {response.status_code}")

    assert problems == []


ADMIN_PARAMS = ("p", "o", "q", "e", "_to_field", "all")


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=label)
def test_hostile_parameters_on_an_admin_changelist_never_give_a_500(admin_client, model):
    path = admin_url(model, "changelist")
    params = list(ADMIN_PARAMS)
    hierarchy = admin.site._registry[model].date_hierarchy
    if hierarchy:
        params += [f"{hierarchy}__year", f"{hierarchy}__month", f"{hierarchy}__day"]
    problems = []
    for value in FILTER_VALUES:
        for query in (dict.fromkeys(params, value), *({n: value} for n in params)):
            response = admin_client.get(path, query)
            if response.status_code not in {200, 302, 400, 404}:
                problems.append(f"{path} {query}: HTTP {response.status_code}")

    assert problems == []
