"""Who may open what: every URL of the project, walked as each role, against one table.

A URL's class comes from its name: the first rule of RULES that matches it. A URL that
no rule matches fails ``test_every_url_has_a_class`` naming it, so a new page gets a
class (and so a rule for who may open it) before it ships.
"""

import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import resolve

from delegations.models import CalendarFeed, Delegation, Document, Gift
from relations.models import AccessRecord, Agreement
from relations.pages import ListPage
from relations.roles import ADMINISTRATOR, OFFICER, ROLES, VIEWER, role_permissions
from relations.roles import user_assign_role as assign
from tests.project_urls import Route, project_routes
from tests.test_admin import records  # noqa: F401  (a fixture)

ANONYMOUS = "anonymous"
EVERYONE = {VIEWER.name, OFFICER.name, ADMINISTRATOR.name}

# Classes of URL and the roles that may open them.
OPEN = "login and password reset"
OWN_TOKEN = "authenticated by the secret in its address"
LOGOUT = "log out"
ACCOUNT = "one's own account"
READ = "read"
CHANGE = "create, edit, delete, move"
EXPORT = "export"
IMPORT = "import"
SENSITIVE = "sensitive personal data"
USERS = "user management"
STAFF = "the admin site and administrators' pages"

MAY_OPEN = {
    OPEN: EVERYONE,
    OWN_TOKEN: EVERYONE,
    LOGOUT: EVERYONE,
    ACCOUNT: EVERYONE,
    READ: EVERYONE,
    CHANGE: {OFFICER.name, ADMINISTRATOR.name},
    EXPORT: {OFFICER.name, ADMINISTRATOR.name},
    IMPORT: {ADMINISTRATOR.name},
    SENSITIVE: {ADMINISTRATOR.name},
    USERS: {ADMINISTRATOR.name},
    STAFF: {ADMINISTRATOR.name},
}

# (pattern searched in the URL name, class): the first match wins, narrow rules first.
# Unnamed patterns are named by their view ("admin:django.views.generic.base.RedirectView").
RULES = [
    (r"^(admin:)?login$|^password_reset|^set_language$", OPEN),
    (r"^logout$", LOGOUT),
    (r"^delegations:calendar-feed$", OWN_TOKEN),
    (r"^password_change", ACCOUNT),
    (r"sensitive|passport", SENSITIVE),
    (r"import", IMPORT),
    (r"^admin:auth_", USERS),
    (r"^admin:|deleted-records$", STAFF),
    (r"export|-xlsx$", EXPORT),
    (r"-(add|update|delete|move)$", CHANGE),
    (r"-(list|detail|history|print|pdf|file)$", READ),
    (r"^(home|search|delegations:calendar|delegations:calendar-subscription)$", READ),
    (r"^delegations:clash-list$", READ),
    (r"^relations:lookup$", READ),  # a search box's matches: what the lists show anyway
]

# What an allowed GET answers when it is not 200: (pattern, status, for which roles).
ALLOWED_STATUS = [
    (r"^(admin:)?logout$|-move$", 405, EVERYONE),  # POST only
    (r"^admin:view_on_site$|^admin:django\.views\.generic\.base\.RedirectView$", 302, EVERYONE),
    (r"^admin:django\.contrib\.admin\.sites\.catch_all_view$", 404, EVERYONE),
    (r"^admin:login$", 302, {ADMINISTRATOR.name}),  # Staff go on to the admin's index.
    # An unknown upload sends the administrator back to the import page, with a message.
    (r"^relations:import-review$", 302, {ADMINISTRATOR.name}),
    # The language switcher takes a POST; a GET goes back (to the dashboard), logged in or not.
    (r"^set_language$", 302, EVERYONE | {ANONYMOUS}),
]
# The apps an Administrator administers in the admin (not django-axes' lockout records).
ADMINISTERED_APPS = {"auth", "relations", "delegations"}
# Query strings some pages need to answer at all.
QUERIES = {"admin:autocomplete": "?app_label=delegations&model_name=delegation&field_name=partner"}

# The admin's pages of one model and the right each needs.
ADMIN_PAGE_RIGHT = {
    "changelist": "view",
    "change": "view",
    "history": "view",
    "simple_history": "view",
    "add": "add",
    "delete": "delete",
    "password_change": "change",
}
LOGIN_PAGES = {"/accounts/login/", "/admin/login/"}


def url_class(route: Route) -> str | None:
    for pattern, klass in RULES:
        if re.search(pattern, route.name):
            return klass
    return None


def allowed_status(route: Route, role: str) -> int:
    for pattern, status, roles in ALLOWED_STATUS:
        if re.search(pattern, route.name) and role in roles:
            return status
    return 200


def admin_right(route: Route) -> str | None:
    """The permission an admin page of one model needs, e.g. "relations.view_partner"."""
    if route.model is None or not route.name.startswith("admin:") or "RedirectView" in route.name:
        return None
    opts = route.model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}_"
    page = route.name.removeprefix(prefix) if route.name.startswith(prefix) else "change"
    return f"{opts.app_label}.{ADMIN_PAGE_RIGHT[page]}_{opts.model_name}"


def may_open(role: str, route: Route) -> bool:
    if role not in MAY_OPEN[url_class(route)]:
        return False
    if route.name == "admin:app_list":
        return route.path.split("/")[2] in ADMINISTERED_APPS
    right = admin_right(route)
    # In the admin the Administrator sees what its permissions name, and no more
    # (django-axes' lockout records, adding to the access log).
    return right is None or right in role_permissions(ADMINISTRATOR)


def routes() -> list[Route]:
    """Every project URL, plus each list's exports (a query string, not a pattern)."""
    found = []
    for route in project_routes():
        query = QUERIES.get(route.name, "")
        found.append(Route(route.name, route.path + query, route.model))
        view_class = getattr(resolve(route.path).func, "view_class", None)
        if view_class and issubclass(view_class, ListPage):
            for fmt in ("csv", "xlsx"):
                found.append(
                    Route(f"{route.name}?export={fmt}", f"{route.path}?export={fmt}", route.model)
                )
    return found


def make_user(role: str, username: str | None = None):
    user = get_user_model().objects.create_user(username or role.lower())
    assign(user=user, role=role)
    return user


@pytest.fixture
def walk(records, settings, tmp_path):  # noqa: F811
    """The demo data with one record of every kind, files attached, and the roles."""
    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108020000009077")
    agreement = Agreement.objects.order_by("pk").first()
    agreement.document.save("agreement.pdf", ContentFile(pdf))
    gift = Gift.objects.order_by("pk").first()
    gift.photo.save("gift.png", ContentFile(png))
    delegation = Delegation.objects.order_by("pk").first()
    Document.objects.create(delegation=delegation, file=ContentFile(pdf, name="programme.pdf"))
    AccessRecord.objects.create(
        kind=AccessRecord.Kind.VIEW, user=get_user_model().objects.first(), what="a list"
    )
    where = {"username": "someone", "ip_address": "10.0.0.9", "user_agent": "test"}
    AccessAttempt.objects.create(failures_since_start=1, **where)
    AccessLog.objects.create(**where)
    AccessFailureLog.objects.create(**where)
    # The feed's owner may see delegations, so the feed answers.
    assign(user=CalendarFeed.objects.order_by("pk").first().user, role=VIEWER.name)
    return routes()


def test_every_url_has_a_class(walk):
    unclassified = [str(route) for route in walk if url_class(route) is None]

    assert not unclassified, "Add a rule to RULES for:\n" + "\n".join(unclassified)


@pytest.mark.parametrize("role", [role.name for role in ROLES])
def test_each_role_opens_the_pages_of_its_role_and_no_other(client, walk, role):
    client.force_login(make_user(role, f"walking-{role.lower()}"))
    client.raise_request_exception = False  # A page that fails is one more wrong answer.
    wrong = []
    for route in walk:
        response = client.get(route.path)
        status = response.status_code
        if may_open(role, route):
            expected = allowed_status(route, role)
            if status != expected:
                wrong.append(f"{route}: {status}, expected {expected} ({url_class(route)})")
            elif status == 302 and urlsplit(response.url).path in LOGIN_PAGES:
                wrong.append(f"{route}: sent to a login page ({url_class(route)})")
        else:
            # The admin sends anyone who is not staff to its login page (from its logout
            # page, to its index first), and has no index for an app with nothing to see.
            to_login = status == 302 and urlsplit(response.url).path in {"/admin/login/", "/admin/"}
            in_admin = route.name.startswith("admin:")
            no_index = route.name == "admin:app_list" and status == 404
            if not (status == 403 or (in_admin and to_login) or no_index):
                wrong.append(f"{route}: {status}, expected it refused ({url_class(route)})")

    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_anonymous_users_get_a_login_page_except_for_login_pages_and_the_feed(client, walk):
    client.raise_request_exception = False
    wrong = []
    for route in walk:
        response = client.get(route.path)
        if url_class(route) in {OPEN, OWN_TOKEN}:
            if response.status_code != (expected := allowed_status(route, ANONYMOUS)):
                wrong.append(f"{route}: {response.status_code}, expected {expected}")
        elif not (response.status_code == 302 and urlsplit(response.url).path in LOGIN_PAGES):
            wrong.append(f"{route}: {response.status_code}, expected a login page")

    assert not wrong, "\n".join(wrong)


# ---- The roles themselves -------------------------------------------------------------


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_sync_roles_makes_the_three_groups_as_declared(db):
    call_command("sync_roles", verbosity=0)

    viewer, officer, administrator = (codenames(role.name) for role in ROLES)
    assert "relations.view_partner" in viewer and "delegations.view_gift" in viewer
    assert not {p for p in viewer if not p.split(".")[1].startswith("view_")}
    assert "relations.view_accessrecord" not in viewer  # who looked at sensitive data
    assert "delegations.view_historicaldelegation" not in viewer  # via the history pages
    assert {"relations.change_partner", "delegations.delete_delegation"} <= officer
    assert "relations.export_data" in officer
    assert not officer & {"relations.import_data", "relations.view_sensitive", "auth.view_user"}
    assert officer < administrator
    assert {
        "relations.import_data",
        "relations.view_sensitive",
        "relations.export_sensitive",
        "auth.change_user",
        "auth.add_group",
    } <= administrator


def test_sync_roles_puts_back_a_group_changed_in_the_admin(db, capsys):
    call_command("sync_roles")
    officer = Group.objects.get(name=OFFICER.name)
    officer.permissions.remove(Permission.objects.get(codename="export_data"))
    officer.permissions.add(Permission.objects.get(codename="import_data"))

    call_command("sync_roles")

    assert "relations.export_data" in codenames(OFFICER.name)
    assert "relations.import_data" not in codenames(OFFICER.name)
    out = capsys.readouterr().out
    assert "Officer: + relations.export_data" in out
    assert "Officer: - relations.import_data" in out
    assert out.strip().endswith("2 changes (Viewer 0, Officer 2, Administrator 0).")


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_the_groups_before_django_makes_any_permission():
    call_command("migrate", "relations", "0002", verbosity=0)
    assert not Group.objects.filter(name__in=["Viewer", "Officer", "Administrator"]).exists()
    # As on a new database: permissions are made by post_migrate, after the migrations.
    Permission.objects.all().delete()

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # no post_migrate signal

    assert codenames(OFFICER.name) == role_permissions(OFFICER)
    assert codenames(ADMINISTRATOR.name) == role_permissions(ADMINISTRATOR)


def test_a_role_brings_staff_status_with_it_and_takes_it_away(db):
    user = make_user(ADMINISTRATOR.name)
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Administrator"]

    assign(user=user, role=OFFICER.name)

    user.refresh_from_db()
    assert not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Officer"]


def test_an_officer_gets_nothing_in_the_admin(client, db):
    client.force_login(make_user(OFFICER.name))

    for path in ["/admin/", "/admin/auth/user/", "/admin/relations/partner/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert urlsplit(response.url).path == "/admin/login/", path


def test_an_administrator_manages_users_in_the_admin(client, db):
    client.force_login(make_user(ADMINISTRATOR.name))

    response = client.get("/admin/auth/user/")

    assert response.status_code == 200
    assert client.get("/admin/auth/user/add/").status_code == 200


# ---- Exports --------------------------------------------------------------------------


def test_a_viewer_sees_lists_without_export_buttons_and_cannot_export(client, demo):
    client.force_login(make_user(VIEWER.name))

    page = client.get("/partners/")
    assert page.status_code == 200
    assert "export=csv" not in page.content.decode()
    assert client.get("/partners/", {"export": "csv"}).status_code == 403
    assert client.get("/delegations/", {"export": "xlsx"}).status_code == 403


def test_an_officer_exports_what_the_list_shows(client, demo):
    client.force_login(make_user(OFFICER.name))

    assert "export=csv" in client.get("/partners/").content.decode()
    response = client.get("/partners/", {"export": "csv"})
    assert response.status_code == 200
    assert "Changning District" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_viewer_gets_no_spreadsheets_of_a_delegation(client, demo):
    client.force_login(make_user(VIEWER.name))
    delegation = Delegation.objects.order_by("pk").first()

    page = client.get(delegation.get_absolute_url()).content.decode()
    assert "members.xlsx" not in page
    assert client.get(f"/delegations/{delegation.pk}/members.xlsx").status_code == 403
    assert client.get(f"/delegations/{delegation.pk}/rooming.xlsx").status_code == 403


def test_the_admin_imports_and_exports_only_with_the_rights_to(rf, db):
    from django.contrib import admin
    from import_export.admin import ImportExportModelAdmin

    from relations.models import Partner
    from relations.roles import DataTransferRights

    class PartnerTransferAdmin(DataTransferRights, ImportExportModelAdmin):
        pass

    model_admin = PartnerTransferAdmin(Partner, admin.AdminSite())

    def rights(role):
        request = rf.get("/")
        request.user = make_user(role)
        return model_admin.has_import_permission(request), model_admin.has_export_permission(
            request
        )

    assert rights(VIEWER.name) == (False, False)
    assert rights(OFFICER.name) == (False, True)
    assert rights(ADMINISTRATOR.name) == (True, True)
