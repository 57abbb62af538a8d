import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Development only: create an administrator with a random password when no "
        "superuser exists yet, and print the credentials once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            # Outside development accounts are made deliberately, with createsuperuser.
            raise CommandError("Refusing to create an account while DEBUG is off.")
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing:
            self.stdout.write(
                f"Log in as '{existing.get_username()}' with the password printed when it "
                f"was created (forgotten? python manage.py changepassword "
                f"{existing.get_username()})."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created administrator '{username}' with password: {password}\n"
                "This password is shown only once: note it now."
            )
        )
