from django.core.management.base import BaseCommand

from delegations.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the facts of the two seed documents (Gangseo District and its partners "
        "Changning District and Miryang City). Safe to run again: nothing is duplicated."
    )

    def handle(self, *args, **options):
        counts = load_demo()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
