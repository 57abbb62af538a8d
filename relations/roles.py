"""Who may see and change what: three roles, kept as Django groups.

A role is data: the actions it may take on every record of the office's work, plus named
rights. ``sync_roles()`` makes the groups match this declaration (the data migration
0003_roles and ``manage.py sync_roles`` both call it), so change roles here rather than
in the admin: the next sync puts the groups back as declared.

- Viewer: reads everything except sensitive personal data.
- Officer: reads and changes everything except sensitive personal data; exports lists.
- Administrator: an Officer who also imports, sees and exports sensitive data, reads the
  access log and manages users and groups in the Django admin (the only role with staff
  status: ``user_assign_role`` gives it and takes it away).

Names of apps are plain labels here, and these functions take an app registry, so that
the migration can run them on its historical models.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import transaction

# The apps whose records are the office's work; every role acts on all of their models.
DOMAIN_APPS = ("relations", "delegations")
# Models of those apps that are not shared work: the log of who saw sensitive data, and
# each user's secret calendar address. Only the extra rights of a role reach them.
NOT_SHARED = {"relations.accessrecord", "delegations.calendarfeed"}

# Rights that belong to no single model (declared on AccessRecord).
IMPORT_DATA = "relations.import_data"
EXPORT_DATA = "relations.export_data"
VIEW_SENSITIVE = "relations.view_sensitive"
EXPORT_SENSITIVE = "relations.export_sensitive"

USER_MANAGEMENT = tuple(
    f"auth.{action}_{model}"
    for model in ("user", "group")
    for action in ("view", "add", "change", "delete")
)


@dataclass(frozen=True)
class Role:
    name: str
    # Default model actions ("view", "add", ...) on every shared model of DOMAIN_APPS.
    actions: tuple[str, ...]
    # Further permissions, as "app_label.codename".
    rights: tuple[str, ...] = ()
    # Staff may open the Django admin; there the permissions decide what they see.
    staff: bool = False


VIEWER = Role("Viewer", actions=("view",))
OFFICER = Role(
    "Officer",
    actions=("view", "add", "change", "delete"),
    rights=(EXPORT_DATA,),
)
ADMINISTRATOR = Role(
    "Administrator",
    actions=OFFICER.actions,
    rights=(
        *OFFICER.rights,
        IMPORT_DATA,
        VIEW_SENSITIVE,
        EXPORT_SENSITIVE,
        # The access log is read-only; a feed address may be revoked for someone who left.
        "relations.view_accessrecord",
        "delegations.view_calendarfeed",
        "delegations.delete_calendarfeed",
        *USER_MANAGEMENT,
    ),
    staff=True,
)
ROLES = (VIEWER, OFFICER, ADMINISTRATOR)
ROLE_NAMES = tuple(role.name for role in ROLES)


def is_history(model) -> bool:
    """A django-simple-history row: read through its record's history page, never edited."""
    names = {field.name for field in model._meta.fields}
    return {"history_id", "history_type", "history_date"} <= names


def shared_models(apps=global_apps) -> list:
    models = []
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if not is_history(model) and model._meta.label_lower not in NOT_SHARED:
                models.append(model)
    return models


def role_permissions(role: Role, apps=global_apps) -> set[str]:
    """The role's permissions as "app_label.codename"."""
    perms = {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in shared_models(apps)
        for action in role.actions
    }
    return perms | set(role.rights)


@dataclass
class SyncResult:
    role: Role
    added: set[str]
    removed: set[str]
    missing: set[str]


def _permission_ids(perms: Iterable[str], apps) -> dict[str, int]:
    Permission = apps.get_model("auth", "Permission")
    wanted = {tuple(perm.split(".", 1)) for perm in perms}
    labels = {app_label for app_label, _ in wanted}
    found = Permission.objects.filter(content_type__app_label__in=labels).values_list(
        "content_type__app_label", "codename", "pk"
    )
    return {f"{app}.{codename}": pk for app, codename, pk in found if (app, codename) in wanted}


def sync_roles(apps=global_apps, *, strict: bool = True) -> list[SyncResult]:
    """Create the role groups, or bring their permissions back to the declaration.

    Strict (the command, after ``migrate``) refuses a permission that does not exist; the
    migration is not strict, since rights added by later migrations do not exist yet
    when it runs (``sync_roles`` grants them afterwards).
    """
    Group = apps.get_model("auth", "Group")
    results = []
    with transaction.atomic():
        for role in ROLES:
            wanted = role_permissions(role, apps)
            ids = _permission_ids(wanted, apps)
            missing = wanted - set(ids)
            if missing and strict:
                raise LookupError(
                    f"Role {role.name}: no such permission {', '.join(sorted(missing))} "
                    "(run manage.py migrate first)."
                )
            group, _ = Group.objects.get_or_create(name=role.name)
            current = {
                f"{app}.{codename}"
                for app, codename in group.permissions.values_list(
                    "content_type__app_label", "codename"
                )
            }
            group.permissions.set(ids.values())
            results.append(
                SyncResult(
                    role, added=set(ids) - current, removed=current - set(ids), missing=missing
                )
            )
    return results


def remove_roles(apps=global_apps) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


def role_named(name: str) -> Role:
    for role in ROLES:
        if role.name == name:
            return role
    raise LookupError(f"No role named {name!r}; the roles are {', '.join(ROLE_NAMES)}.")


@transaction.atomic
def user_assign_role(*, user, role: str) -> None:
    """Give the user this role alone (other groups stay) and the staff status it comes with.

    A superuser keeps its staff status: it is made with createsuperuser, not with a role.
    """
    Group = global_apps.get_model("auth", "Group")
    chosen = role_named(role)
    sync_roles()  # The groups exist, and hold what roles.py says.
    user.groups.remove(*Group.objects.filter(name__in=ROLE_NAMES).exclude(name=chosen.name))
    user.groups.add(Group.objects.get(name=chosen.name))
    user.is_staff = chosen.staff or user.is_superuser
    user.save(update_fields=["is_staff"])


class DataTransferRights:
    """Mixed into ModelAdmins with django-import-export, before its mixins: importing
    also needs ``relations.import_data`` and exporting ``relations.export_data``, besides
    the model's own right that IMPORT_EXPORT_*_PERMISSION_CODE asks for."""

    def has_import_permission(self, request) -> bool:
        return super().has_import_permission(request) and request.user.has_perm(IMPORT_DATA)

    def has_export_permission(self, request) -> bool:
        return super().has_export_permission(request) and request.user.has_perm(EXPORT_DATA)
