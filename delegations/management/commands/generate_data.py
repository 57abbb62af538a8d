import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from delegations.generate import PER_SCALE, SOURCE_KEY, Generator
from relations.models import Source


class Command(BaseCommand):
    help = (
        "Add a large invented data set for load tests: at --scale 1 about "
        + ", ".join(f"{n:,} {name}" for name, n in PER_SCALE.items())
        + ". Written in bulk in one transaction; run it once per database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same data set.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before writing (load tests, scripts).",
        )

    def handle(self, *args, scale, seed, verbosity, interactive, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if Source.objects.filter(key=SOURCE_KEY).exists():
            raise CommandError(
                "This database already holds a generated data set; use a fresh database."
            )
        # Invented records among an office's real ones could not be told apart by hand.
        if interactive:
            rows = round(scale * sum(PER_SCALE.values()))
            answer = input(
                f"This adds about {rows:,} invented records to the database "
                f"{connection.settings_dict['NAME']}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing generated.")
        started = time.monotonic()

        def progress(text):
            if verbosity > 1:
                self.stderr.write(f"  {text} ({time.monotonic() - started:.0f} s)")

        counts = Generator(scale, seed=seed, progress=progress).run()
        for name, count in counts.items():
            self.stdout.write(f"{count:>9,}  {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {sum(counts.values()):,} rows at scale {scale:g} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
