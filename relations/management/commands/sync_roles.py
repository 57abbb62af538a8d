from django.core.management.base import BaseCommand, CommandError

from relations.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Create the Viewer, Officer and Administrator groups, or bring their permissions "
        "back to relations/roles.py (run it after a migration that adds permissions)."
    )

    def handle(self, *args, **options):
        try:
            results = sync_roles()
        except LookupError as error:
            raise CommandError(str(error)) from error
        changes = 0
        for result in results:
            for perm in sorted(result.added):
                self.stdout.write(f"{result.role.name}: + {perm}", self.style.SUCCESS)
            for perm in sorted(result.removed):
                self.stdout.write(f"{result.role.name}: - {perm}", self.style.WARNING)
            changes += len(result.added) + len(result.removed)
        summary = ", ".join(f"{r.role.name} {len(r.added) + len(r.removed)}" for r in results)
        self.stdout.write(f"Roles in step with relations/roles.py: {changes} changes ({summary}).")
