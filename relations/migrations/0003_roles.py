"""The Viewer, Officer and Administrator groups of relations/roles.py."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from relations.roles import remove_roles, sync_roles


def create_roles(apps, schema_editor):
    # Django creates permissions in post_migrate, after every migration of the run: on a
    # new database they do not exist yet here, so make those of the apps the roles use.
    for label in ("auth", "relations", "delegations"):
        create_permissions(
            global_apps.get_app_config(label),
            apps=apps,
            verbosity=0,
            using=schema_editor.connection.alias,
        )
    sync_roles(apps, strict=False)


def delete_roles(apps, schema_editor):
    remove_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("relations", "0002_audit_trail_versions_and_sensitive_data"),
        ("delegations", "0002_audit_trail_versions_and_sensitive_data"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
