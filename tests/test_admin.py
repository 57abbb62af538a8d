import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from delegations.models import (
    Accommodation,
    CalendarFeed,
    Delegation,
    InterpreterAssignment,
    Transport,
    Venue,
)
from relations.models import (
    AccessRecord,
    Partner,
    Person,
)

# Every registered model, so a newly registered one is covered without editing this file.
# django-axes' own admin is read-only by design and is tested by its authors.
REGISTERED_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label != "axes"),
    key=lambda model: model._meta.label,
)

# Written only by the application (who saw or exported what); the admin only reads it.
READ_ONLY_MODELS = {AccessRecord}

LOGIN_PAGES = {"/accounts/login/", "/admin/login/"}
OPEN_TO_ANONYMOUS = LOGIN_PAGES | {
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/1/1/",
    "/accounts/reset/done/",
}
# Authenticated by a secret in the address instead of a login; refuses a wrong secret.
OWN_AUTHENTICATION = {"/delegations/calendar/feed/1.ics"}
# The language switcher, which the login page uses too (tests/test_i18n.py).
LANGUAGE_SWITCHER = {"/i18n/"}


def label(model) -> str:
    return model._meta.label


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def every_project_path(resolver: URLResolver | None = None, prefix: str = "/") -> set[str]:
    """One concrete path for every URL pattern, each parameter filled with "1".

    Django's reverse tables hold every pattern (named or not, path() or re_path()) as a
    format string, which spares us from parsing the patterns ourselves.
    """
    resolver = resolver or get_resolver()
    paths = set()
    for key in resolver.reverse_dict:
        for possibilities, *_ in resolver.reverse_dict.getlist(key):
            for template, params in possibilities:
                paths.add(prefix + template % dict.fromkeys(params, "1"))
    for namespace_prefix, namespace_resolver in resolver.namespace_dict.values():
        paths |= every_project_path(namespace_resolver, prefix + namespace_prefix)
    return paths


@pytest.fixture
def records(demo):
    """The demo data, plus the logistics and a group that the seeds never mention."""
    bian_visit = Delegation.objects.get(start=datetime.date(2009, 9, 20))
    gangseo = Partner.objects.get(is_home=True)
    interpreter = Person.objects.create(name="Park Min-ji", native_name="박민지", partner=gangseo)
    hotel = Venue.objects.create(name="Airport Hotel", kind=Venue.Kind.HOTEL, partner=gangseo)
    Accommodation.objects.create(
        delegation=bian_visit,
        hotel=hotel,
        check_in=datetime.date(2009, 9, 20),
        check_out=datetime.date(2009, 9, 23),
    )
    arrival = timezone.make_aware(datetime.datetime(2009, 9, 20, 9))
    Transport.objects.create(
        delegation=bian_visit, kind=Transport.Kind.VAN, vehicle="12가3456", departs_at=arrival
    )
    InterpreterAssignment.objects.create(
        delegation=bian_visit,
        interpreter=interpreter,
        languages="Korean–Chinese",
        starts_at=arrival,
        ends_at=arrival + datetime.timedelta(hours=8),
    )
    Group.objects.create(name="Editors")
    officer = User.objects.create_user("officer")
    CalendarFeed.objects.create(user=officer)
    AccessRecord.objects.create(
        kind=AccessRecord.Kind.EXPORT, user=officer, what="delegations.csv", row_count=15
    )


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=label)
def test_superuser_can_open_every_changelist(admin_client, records, model):
    url = admin_url(model, "changelist")

    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Changning"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=label)
def test_superuser_can_apply_each_list_filter(admin_client, records, model):
    changelist = admin_client.get(admin_url(model, "changelist")).context["cl"]

    for spec in changelist.filter_specs:
        # The first choice is "All"; the next one filters on a real value.
        choices = list(spec.choices(changelist))
        assert len(choices) > 1, f"{label(model)}: filter {spec.title!r} offers no choice"
        response = admin_client.get(admin_url(model, "changelist") + choices[1]["query_string"])
        # A filter the changelist cannot apply redirects to "?e=1" instead.
        assert response.status_code == 200, f"{label(model)}: filter {spec.title!r}"


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=label)
def test_superuser_can_open_every_add_page(admin_client, records, model):
    expected = 403 if model in READ_ONLY_MODELS else 200
    assert admin_client.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=label)
def test_superuser_can_open_the_change_page_of_every_record(admin_client, records, model):
    objects = model._default_manager.all()
    assert objects, f"no {label(model)} to open"

    for obj in objects:
        response = admin_client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200, f"{label(model)} {obj.pk}"


def test_partner_search_matches_native_names_and_aliases(admin_client, records):
    url = admin_url(Partner, "changelist")

    for term in ["Changning", "长宁区", "長寧區"]:
        partners = admin_client.get(url, {"q": term}).context["cl"].result_list
        assert [p.name for p in partners] == ["Changning District"], term


def test_partner_autocomplete_finds_a_partner_by_its_native_name(admin_client, records):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "delegations",
            "model_name": "delegation",
            "field_name": "partner",
            "term": "长宁",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["Changning District (长宁区)"]


def test_anonymous_users_are_sent_to_a_login_page_from_the_admin(client, records):
    for url in [reverse("admin:index"), admin_url(Partner, "changelist")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response.url).path in LOGIN_PAGES, url


def test_every_project_url_sends_anonymous_users_to_a_login_page(client, records):
    open_paths = OPEN_TO_ANONYMOUS | OWN_AUTHENTICATION | LANGUAGE_SWITCHER
    for path in sorted(every_project_path() - open_paths):
        response = client.get(path)
        assert response.status_code == 302, path
        assert urlsplit(response.url).path in LOGIN_PAGES, path


def test_login_and_password_reset_pages_are_open_to_anonymous_users(client, db):
    for path in sorted(OPEN_TO_ANONYMOUS):
        assert client.get(path).status_code == 200, path
