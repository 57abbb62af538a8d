"""Load test: N officers browsing Amity on gunicorn, against SQLite and PostgreSQL.

For each database it builds the data set (``generate_data --scale S``; a SQLite file
under var/bench/ or the PostgreSQL database amity_load_s<S>), creates N officers, starts
gunicorn on loopback with production settings (DEBUG off, plain HTTP allowed on
loopback only), logs every officer in at once (measured apart: password hashing is slow
by design), then lets each officer browse with 1-3 s think time: dashboard, lists with
filters, sorting and pages, dossiers, delegations, search, gifts, reports, and an edit
form posted back unchanged. It prints one table per database, ready for the README,
and a PASS/FAIL line against the target: p95 <= 300 ms and p99 <= 1 s on every page
kind, no errors.

    .venv/bin/python bench/load.py [--db both] [--scale 1] [--users 30] [--duration 120]
    .venv/bin/python bench/load.py --db sqlite --data demo --users 5 --duration 20

Generating scale 1 takes minutes: --reuse keeps a database this script built earlier
(it still runs migrate, so new indexes arrive). See bench/README.md.
"""

import argparse
import base64
import contextlib
import hashlib
import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/import_export.py would hide the django-import-export package: drop this folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_SERVER = os.environ.get("AMITY_LOAD_PG", "postgres://postgres@127.0.0.1:5432")
# A throwaway data set: fixed keys, so that a database built once can be served again
# (passport numbers are encrypted with the field key).
SECRET_KEY = "amity-load-test-" + hashlib.sha256(b"amity load test").hexdigest()
FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"amity load test field key").digest())
PASSWORD = "load-test-officer-password-7"  # noqa: S105 - throwaway accounts on loopback
USERNAME = "load-officer-{:02d}"
TARGET_P95_MS = 300
TARGET_P99_MS = 1000
REQUEST_TIMEOUT = 60


def main() -> None:
    args = arguments()
    if args.prepare_only is not None:
        print(json.dumps(prepare(args.prepare_only)))
        return
    check_generator(args)
    # A kill of this script stops gunicorn too (run_one's finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/load.py: terminated"))
    VAR.mkdir(parents=True, exist_ok=True)
    collect_static()
    failed = False
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        target = Target(kind, args.scale, args.data)
        report = run_one(target, args)
        failed |= not report
    if failed and args.strict:
        sys.exit(1)


def arguments() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="generate_data --scale")
    parser.add_argument(
        "--data",
        choices=("generated", "demo"),
        default="generated",
        help="generated (generate_data --scale) or demo (load_demo: a few records, for "
        "trying the script out).",
    )
    parser.add_argument("--users", type=int, default=30, help="Officers browsing at once.")
    parser.add_argument(
        "--duration", type=float, default=120, help="Seconds of browsing per database."
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=10,
        help="Seconds of browsing before the measurement starts (each gunicorn worker's "
        "first requests load templates and code).",
    )
    parser.add_argument(
        "--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
        help="Think time between an officer's requests, in seconds.",
    )  # fmt: skip
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * cores + 1,
        help="gunicorn worker processes (default 2 x cores + 1, gunicorn's advice).",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="Threads per worker; more than 1 runs gunicorn's gthread workers.",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the database if this script already built it at this scale.",
    )
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a run fails.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--prepare-only", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


def check_generator(args) -> None:
    command = ROOT / "delegations" / "management" / "commands" / "generate_data.py"
    if args.data == "generated" and not command.exists():
        sys.exit(
            "bench/load.py: manage.py generate_data does not exist yet (issue 7 part 1); "
            "run with --data demo to try the script on the demo data."
        )


# ---- The database ----------------------------------------------------------------------


@dataclass
class Target:
    kind: str  # "sqlite" or "postgres"
    scale: float
    data: str

    @property
    def label(self) -> str:
        suffix = "demo" if self.data == "demo" else f"s{self.scale:g}".replace(".", "_")
        return f"load_{suffix}"

    @property
    def url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        return f"{PG_SERVER}/amity_{self.label}"

    @property
    def sqlite_path(self) -> Path:
        return VAR / f"amity_{self.label}.sqlite3"

    @property
    def marker(self) -> Path:
        """Written once the data set is complete: what --reuse trusts."""
        return VAR / f"amity_{self.label}.{self.kind}.json"

    def env(self, **extra) -> dict[str, str]:
        """Production settings, with plain HTTP allowed: the test runs on loopback."""
        clean = {
            k: v
            for k, v in os.environ.items()
            if not re.match(r"^(DEBUG|SECRET_KEY|ALLOWED_HOSTS|AMITY_|SECURE_|SESSION_|CSRF_)", k)
        }
        return {
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "AMITY_FIELD_ENCRYPTION_KEYS": FIELD_KEY.decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.url,
            "STATIC_ROOT": str(VAR / "static"),
            "MEDIA_ROOT": str(VAR / "media"),
            "AMITY_IMPORT_DIR": str(VAR / "imports"),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            **extra,
        }


def manage(target: Target, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command line
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=target.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def collect_static() -> None:
    """whitenoise's manifest storage needs the collected files when DEBUG is off."""
    result = subprocess.run(  # noqa: S603 - our own command line
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=Target("sqlite", 0, "demo").env(DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"collectstatic failed:\n{result.stdout}{result.stderr}")


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def build(target: Target, args) -> None:
    """A fresh database holding the data set, or the one built before with --reuse."""
    if args.reuse and target.marker.exists():
        kept = json.loads(target.marker.read_text())
        if kept.get("url") == target.url and database_exists(target):
            log(f"reusing {target.url} (built {kept['built']})")
            manage(target, "migrate", "--noinput")
            analyze(target)
            return
    log(f"building {target.url}")
    target.marker.unlink(missing_ok=True)
    if target.kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        name = f"amity_{target.label}"
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    manage(target, "migrate", "--noinput")
    if target.data == "demo":
        out = manage(target, "load_demo")
    else:
        out = manage(target, "generate_data", "--scale", f"{target.scale:g}", "--noinput")
    seconds = time.perf_counter() - started
    analyze(target)
    for line in out.rstrip().splitlines():
        log(f"  {line}")
    log(f"built in {seconds:.0f} s")
    target.marker.write_text(
        json.dumps({"url": target.url, "built": time.strftime("%Y-%m-%d %H:%M:%S")})
    )


def analyze(target: Target) -> None:
    """Fresh planner statistics on PostgreSQL, as autovacuum keeps them on a server that
    has run for a while (right after a bulk load they may not exist yet). SQLite keeps
    none unless the application runs ANALYZE, so it is measured as the app leaves it."""
    if target.kind == "postgres":
        import psycopg

        with psycopg.connect(target.url, autocommit=True) as conn:
            conn.execute("ANALYZE")


def database_exists(target: Target) -> bool:
    if target.kind == "sqlite":
        return target.sqlite_path.exists()
    import psycopg

    try:
        psycopg.connect(target.url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def sample(target: Target, users: int) -> dict:
    """Runs prepare() in a process of its own, with the target's settings."""
    result = subprocess.run(  # noqa: S603 - our own command line
        [PYTHON, __file__, "--prepare-only", str(users)],
        cwd=ROOT,
        env=target.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"preparing the officers failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare(users: int) -> dict:
    """Creates the officers and returns what the virtual officers pick from: real ids,
    names and filter values of this database."""
    import django

    django.setup()
    from axes.utils import reset
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from delegations.models import Delegation, Gift, Member
    from relations.models import Agreement, Partner, Person, Sector
    from relations.roles import OFFICER, user_assign_role

    User = get_user_model()
    hashed = make_password(PASSWORD)  # one slow hash for all of them
    for number in range(1, users + 1):
        user, _ = User.objects.update_or_create(
            username=USERNAME.format(number),
            defaults={"password": hashed, "is_active": True, "is_superuser": False},
        )
        user_assign_role(user=user, role=OFFICER.name)
    reset()  # no lockout left from an earlier run

    rng = random.Random(1)  # noqa: S311 - picking test records, not secrets

    def ids(queryset, k=1000):
        values = list(queryset.values_list("pk", flat=True))
        return rng.sample(values, min(k, len(values)))

    def names(queryset, k=200):
        values = [n for pair in queryset.values_list("name", "native_name") for n in pair if n]
        return rng.sample(values, min(k, len(values)))

    partners = Partner.objects.partners()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    return {
        "database": version,
        "counts": {
            "partners": partners.count(),
            "agreements": Agreement.objects.count(),
            "people": Person.objects.count(),
            "delegations": Delegation.objects.count(),
            "members": Member.objects.count(),
            "gifts": Gift.objects.count(),
        },
        "partner_ids": ids(partners),
        "agreement_ids": ids(Agreement.objects.all()),
        "person_ids": ids(Person.objects.all()),
        "delegation_ids": ids(Delegation.objects.all()),
        "gift_ids": ids(Gift.objects.all()),
        "sector_ids": ids(Sector.objects.all()),
        "partner_names": names(partners),
        "person_names": names(Person.objects.all()),
        "countries": sorted(set(partners.values_list("country", flat=True))),
        "delegation_years": sorted(
            {d.year for d in Delegation.objects.dates("start", "year")}, reverse=True
        ),
        "gift_years": sorted({d.year for d in Gift.objects.dates("given_on", "year")}),
        "choices": {
            "partner_kind": Partner.Kind.values,
            "partner_level": Partner.Level.values,
            "partner_status": Partner.Status.values,
            "agreement_kind": Agreement.Kind.values,
            "agreement_status": Agreement.Status.values,
            "delegation_direction": Delegation.Direction.values,
            "delegation_status": Delegation.Status.values,
            "gift_direction": Gift.Direction.values,
            "gift_disposition": Gift.Disposition.values,
        },
    }


# ---- gunicorn --------------------------------------------------------------------------


class Server:
    def __init__(self, target: Target, workers: int, threads: int):
        self.target = target
        self.port = free_port()
        self.log_path = VAR / f"gunicorn-{target.kind}.log"
        command = [
            GUNICORN,
            "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--timeout", "120",
            "--graceful-timeout", "20",
        ]  # fmt: skip
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        self.log = self.log_path.open("w")
        # A session of its own, so that stopping it can reach every worker.
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=ROOT,
            env=target.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish requests
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # A worker orphaned by a crash would still hold the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- One officer's browser -------------------------------------------------------------


class Failure(Exception):
    pass


@dataclass
class Sample:
    kind: str
    ms: float
    url: str
    error: str = ""
    at: float = 0.0  # time.monotonic() when sent


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def between(self, start: float, end: float) -> list[Sample]:
        """The requests sent in this window (those still running at its end included)."""
        return [s for s in self.samples if start <= s.at < end]


class Browser:
    """One officer: a keep-alive connection, cookies, and timed page loads."""

    def __init__(self, port: int, recorder: Recorder):
        self.port = port
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, url: str, body: dict | list | None = None):
        headers = {"Accept-Language": "en", "User-Agent": "amity-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{url}"
        for attempt in (1, 2):
            try:
                self.conn.request(method, url, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a kept-alive connection between two requests.
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response, content

    def timed(self, kind: str, method: str, url: str, body=None, expect: int = 200) -> bytes:
        """One page load, recorded under ``kind``; raises Failure if it went wrong."""
        at, started = time.monotonic(), time.perf_counter()
        error = ""
        content = b""
        try:
            response, content = self.request(method, url, body)
            if response.status != expect:
                where = response.getheader("Location", "")
                error = f"HTTP {response.status}" + (f" -> {where}" if where else "")
            elif expect == 302 and "/accounts/login/" in response.getheader("Location", ""):
                error = "sent to the login page"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            self.conn.close()
        ms = (time.perf_counter() - started) * 1000
        self.recorder.add(Sample(kind, ms, url, error, at))
        if error:
            raise Failure(error)
        return content

    def close(self) -> None:
        self.conn.close()


class FormReader(HTMLParser):
    """The fields a browser would send for each <form method="post"> of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self.form: list[tuple[str, str]] | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = [] if (a.get("method") or "").lower() == "post" else None
            if self.form is not None:
                self.forms.append(self.form)
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.append((name, a.get("value") or "on"))
                return
            self.form.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self.select["options"].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self.select["multiple"] and options:
                chosen = options[:1]  # what a browser sends for a single select
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.form.append((self.select["name"], value))
            self.select = None
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            # Browsers drop the newline right after <textarea> (Django writes one there).
            text = text[1:] if text.startswith("\n") else text
            self.form.append((self.textarea["name"], text))
            self.textarea = None


def edit_form_fields(html: bytes) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(html.decode("utf-8", "replace"))
    for fields in reader.forms:
        names = {name for name, _ in fields}
        if "version" in names and "csrfmiddlewaretoken" in names:
            return fields
    raise Failure("no edit form with a version field on the page")


# ---- What officers do ------------------------------------------------------------------


class Officer:
    def __init__(self, number: int, port: int, data: dict, recorder: Recorder, args):
        self.username = USERNAME.format(number)
        self.browser = Browser(port, recorder)
        self.data = data
        self.args = args
        self.rng = random.Random(args.seed * 1000 + number)  # noqa: S311 - not secrets
        self.actions = [
            (8, self.dashboard),
            (12, self.partner_list),
            (10, self.partner_detail),
            (4, self.agreement_list),
            (4, self.agreement_detail),
            (5, self.person_list),
            (12, self.delegation_list),
            (10, self.delegation_detail),
            (8, self.search),
            (6, self.lookup),
            (4, self.gift_list),
            (3, self.reports),
            (2, self.edit_partner),
            (2, self.edit_delegation),
        ]

    def login(self) -> None:
        html = self.browser.timed("login_page", "GET", "/accounts/login/")
        token = csrf_token(html)
        self.browser.timed(
            "login",
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            expect=302,
        )

    def browse(self, stop_at: float) -> None:
        weights = [w for w, _ in self.actions]
        actions = [a for _, a in self.actions]
        while time.monotonic() < stop_at:
            action = self.rng.choices(actions, weights)[0]
            # A failure is recorded; the officer goes on with something else.
            with contextlib.suppress(Failure):
                action()
            self.think()

    def think(self) -> None:
        time.sleep(self.rng.uniform(*self.args.think))

    # Picking -------------------------------------------------------------------------

    def pick(self, key: str):
        values = self.data[key]
        return self.rng.choice(values) if values else None

    def maybe(self, probability: float) -> bool:
        return self.rng.random() < probability

    def get(self, kind: str, path: str, params: dict | None = None) -> bytes:
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return self.browser.timed(kind, "GET", path + (f"?{query}" if query else ""))

    def page_params(self, total: int) -> dict:
        """A page size and a page number within the unfiltered list (early pages most)."""
        per_page = self.rng.choice((25, 25, 25, 50, 100))
        pages = max(1, -(-total // per_page))
        page = min(pages, int(self.rng.paretovariate(1.2))) if self.maybe(0.5) else 1
        return {"per_page": per_page, "page": page if page > 1 else None}

    def one_of(self, key: str):
        return self.rng.choice(self.data["choices"][key])

    # Pages ---------------------------------------------------------------------------

    def dashboard(self) -> None:
        self.get("dashboard", "/")

    def partner_list(self) -> None:
        sort = self.rng.choice(("name", "-name", "country", "level", "-established_on", None))
        if self.maybe(0.4):
            params = self.page_params(self.data["counts"]["partners"])
        else:
            params = {
                "country": self.pick("countries") if self.maybe(0.5) else None,
                "level": self.one_of("partner_level") if self.maybe(0.3) else None,
                "status": self.one_of("partner_status") if self.maybe(0.3) else None,
                "kind": self.one_of("partner_kind") if self.maybe(0.2) else None,
                "q": self.name_part("partner_names") if self.maybe(0.3) else None,
                "sector": self.pick("sector_ids") if self.maybe(0.1) else None,
                "scope": self.rng.choice(("domestic", "foreign")) if self.maybe(0.1) else None,
                "quiet_since": self.rng.randint(2010, 2024) if self.maybe(0.1) else None,
            }
        self.get("partner_list", "/partners/", {**params, "sort": sort})

    def partner_detail(self) -> None:
        self.get("partner_dossier", f"/partners/{self.pick('partner_ids')}/")

    def agreement_list(self) -> None:
        sort = self.rng.choice(("title", "-signed_on", "partner", "valid_until", None))
        if self.maybe(0.5):
            params = self.page_params(self.data["counts"]["agreements"])
        else:
            params = {
                "partner": self.pick("partner_ids") if self.maybe(0.4) else None,
                "status": self.one_of("agreement_status") if self.maybe(0.4) else None,
                "kind": self.one_of("agreement_kind") if self.maybe(0.3) else None,
                "q": self.name_part("partner_names") if self.maybe(0.2) else None,
            }
        self.get("agreement_list", "/agreements/", {**params, "sort": sort})

    def agreement_detail(self) -> None:
        if self.data["agreement_ids"]:
            self.get("agreement_detail", f"/agreements/{self.pick('agreement_ids')}/")

    def person_list(self) -> None:
        sort = self.rng.choice(("name", "-name", "partner", None))
        if self.maybe(0.5):
            params = self.page_params(self.data["counts"]["people"])
        else:
            params = {
                "q": self.name_part("person_names") if self.maybe(0.6) else None,
                "partner": self.pick("partner_ids") if self.maybe(0.4) else None,
            }
        self.get("person_list", "/people/", {**params, "sort": sort})

    def delegation_list(self) -> None:
        sort = self.rng.choice(("-start", "start", "title", "partner", "status", None))
        if self.maybe(0.3):
            params = self.page_params(self.data["counts"]["delegations"])
        else:
            params = {
                "direction": self.one_of("delegation_direction") if self.maybe(0.4) else None,
                "status": self.one_of("delegation_status") if self.maybe(0.3) else None,
                "partner": self.pick("partner_ids") if self.maybe(0.3) else None,
                "country": self.pick("countries") if self.maybe(0.3) else None,
                "year": self.pick("delegation_years") if self.maybe(0.4) else None,
                "q": self.name_part("partner_names") if self.maybe(0.2) else None,
                "leader": self.name_part("person_names") if self.maybe(0.05) else None,
                "sector": self.pick("sector_ids") if self.maybe(0.1) else None,
            }
        self.get("delegation_list", "/delegations/", {**params, "sort": sort})

    def delegation_detail(self) -> None:
        self.get("delegation_detail", f"/delegations/{self.pick('delegation_ids')}/")

    def search(self) -> None:
        key = "partner_names" if self.maybe(0.6) else "person_names"
        self.get("search", "/search/", {"q": self.name_part(key)})

    def lookup(self) -> None:
        """A form's search box (widgets.SearchSelect) asking for matches as one types."""
        if self.maybe(0.6):
            name, typed = "partners", self.name_part("partner_names")
        else:
            name, typed = "people", self.name_part("person_names")
        typed = typed[: self.rng.randint(2, 5)] if len(typed) > 2 else typed
        self.get("lookup", f"/lookup/{name}/", {"q": typed})

    def gift_list(self) -> None:
        sort = self.rng.choice(("-date", "date", "value_krw", "-value_krw", "partner", None))
        if self.maybe(0.4):
            params = self.page_params(self.data["counts"]["gifts"])
        else:
            params = {
                "direction": self.one_of("gift_direction") if self.maybe(0.4) else None,
                "year": self.pick("gift_years") if self.maybe(0.4) else None,
                "partner": self.pick("partner_ids") if self.maybe(0.3) else None,
                "needs_registration": "true" if self.maybe(0.2) else None,
            }
        self.get("gift_list", "/delegations/gifts/", {**params, "sort": sort})

    def reports(self) -> None:
        self.get("reports", "/delegations/reports/")

    def edit_partner(self) -> None:
        self.edit("partner", f"/partners/{self.pick('partner_ids')}/edit/")

    def edit_delegation(self) -> None:
        self.edit("delegation", f"/delegations/{self.pick('delegation_ids')}/edit/")

    def edit(self, kind: str, url: str) -> None:
        """Opens the edit form, reads it, and saves it back unchanged."""
        html = self.browser.timed(f"{kind}_edit_form", "GET", url)
        fields = edit_form_fields(html)
        self.think()
        self.browser.timed(f"{kind}_save", "POST", url, fields, expect=302)

    def name_part(self, key: str) -> str:
        """A name as an officer types it: whole, or one of its words."""
        name = self.pick(key) or "a"
        words = name.split()
        return self.rng.choice(words) if len(words) > 1 and self.maybe(0.5) else name


def csrf_token(html: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise Failure("no CSRF token on the login page")
    return found.group(1).decode()


# ---- A run -----------------------------------------------------------------------------


def run_one(target: Target, args) -> bool:
    build(target, args)
    data = sample(target, args.users)
    server = Server(target, args.workers, args.threads)
    try:
        log(f"gunicorn on 127.0.0.1:{server.port}, log {server.log_path}")
        recorder = Recorder()
        officers = [Officer(n, server.port, data, recorder, args) for n in range(1, args.users + 1)]
        login_seconds = in_threads([o.login for o in officers])
        logins = list(recorder.samples)
        log(f"{len(officers)} officers logged in in {login_seconds:.1f} s; browsing")
        measure_from = time.monotonic() + args.warmup
        stop_at = measure_from + args.duration
        threads = [
            threading.Thread(target=o.browse, args=(stop_at,), daemon=True)
            for o in officers
            if o.browser.cookies.get("sessionid")
        ]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, measure_from - time.monotonic()))
        before = cpu_snapshot(server.process.pid)
        time.sleep(max(0.0, stop_at - time.monotonic()))
        cpu = cpu_usage(before, cpu_snapshot(server.process.pid))
        for thread in threads:
            thread.join()
        samples = recorder.between(measure_from, stop_at)
        for officer in officers:
            officer.browser.close()
    finally:
        server.stop()
    return print_report(target, args, data, logins, login_seconds, samples, args.duration, cpu)


def in_threads(calls) -> float:
    """Runs the calls all at once; returns the seconds until the last one ended."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        with contextlib.suppress(Failure):
            call()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def cpu_snapshot(group: int) -> dict:
    """CPU seconds so far: gunicorn's processes (its group), and the whole machine."""
    tick = os.sysconf("SC_CLK_TCK")
    server = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:  # pgrp
            server += int(fields[11]) + int(fields[12])  # utime + stime
    times = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = times[3] + times[4]  # idle + iowait
    own = os.times()
    return {
        "server": server / tick,
        "client": own.user + own.system,
        "busy": (sum(times) - idle) / tick,
        "total": sum(times) / tick,
        "at": time.monotonic(),
        "load": os.getloadavg()[0],
    }


def cpu_usage(before: dict, after: dict) -> dict:
    cores = os.cpu_count() or 1
    total = after["total"] - before["total"]
    return {
        "server_seconds": after["server"] - before["server"],
        "server_share": (after["server"] - before["server"]) / (total or 1) * 100,
        "client_share": (after["client"] - before["client"]) / (total or 1) * 100,
        "machine_busy": (after["busy"] - before["busy"]) / (total or 1) * 100,
        "cores": cores,
        "load": (before["load"], after["load"]),
    }


# ---- The report ------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def row(name: str, samples: list[Sample], seconds: float) -> tuple[str, bool]:
    ms = sorted(s.ms for s in samples)
    errors = sum(1 for s in samples if s.error)
    p95, p99 = percentile(ms, 95), percentile(ms, 99)
    ok = p95 <= TARGET_P95_MS and p99 <= TARGET_P99_MS and errors == 0
    text = (
        f"| {name} | {len(ms)} | {len(ms) / seconds:.2f} | {percentile(ms, 50):.0f} | "
        f"{p95:.0f} | {p99:.0f} | {ms[-1] if ms else float('nan'):.0f} | {errors} | "
        f"{'yes' if ok else '**no**'} |"
    )
    return text, ok


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def print_report(target, args, data, logins, login_seconds, samples, seconds, cpu) -> bool:
    counts = ", ".join(f"{n} {name}" for name, n in data["counts"].items())
    data_set = "demo data" if target.data == "demo" else f"scale {target.scale:g}"
    workers = f"{args.workers} {'gthread' if args.threads > 1 else 'sync'} workers"
    if args.threads > 1:
        workers += f" x {args.threads} threads"
    print()
    print(f"### Load test: {data['database']}, {data_set} ({counts})")
    print()
    print(
        f"{args.users} officers, {seconds:.0f} s measured after {args.warmup:g} s warm-up, "
        f"think time {args.think[0]:g}-{args.think[1]:g} s; gunicorn {workers}, DEBUG off; "
        f"{machine()}."
    )
    print()
    posts = [s for s in logins if s.kind == "login"]
    login_ms = sorted(s.ms for s in posts)
    login_errors = sum(1 for s in logins if s.error)
    print(
        f"Login burst: {len(posts)} officers at once in {login_seconds:.1f} s; login POST "
        f"p50 {percentile(login_ms, 50):.0f} ms, p95 {percentile(login_ms, 95):.0f} ms, "
        f"p99 {percentile(login_ms, 99):.0f} ms, max {max(login_ms, default=0):.0f} ms; "
        f"errors {login_errors}."
    )
    print()
    print("| page | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | on target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    by_kind = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    passed = login_errors == 0 and bool(samples)
    for kind in sorted(by_kind):
        text, ok = row(kind, by_kind[kind], seconds)
        passed &= ok
        print(text)
    print(row("**all pages**", samples, seconds)[0])
    print()
    # Other work on the machine slows the pages down as much as their own cost does.
    print(
        f"CPU during the measurement: gunicorn {cpu['server_share']:.0f}% of the machine "
        f"({cpu['server_seconds'] / max(1, len(samples)) * 1000:.0f} ms of CPU per request), "
        f"this load generator {cpu['client_share']:.0f}%, "
        f"the whole machine {cpu['machine_busy']:.0f}% busy ({cpu['cores']} cores); "
        f"load average {cpu['load'][0]:.1f} at the start, {cpu['load'][1]:.1f} at the end."
    )
    verdict = "PASS" if passed else "FAIL"
    print(
        f"RESULT {target.kind} {data_set}: {verdict} (target: p95 <= {TARGET_P95_MS} ms and "
        f"p99 <= {TARGET_P99_MS} ms on every page kind, no errors)"
    )
    slowest = sorted(samples, key=lambda s: s.ms, reverse=True)[:12]
    print("Slowest requests:")
    for s in slowest:
        print(f"  {s.ms:7.0f} ms  {s.kind:20} {s.url}")
    errors = [s for s in [*logins, *samples] if s.error]
    if errors:
        print(f"Errors ({len(errors)}; tracebacks in var/bench/gunicorn-{target.kind}.log):")
        for s in errors[:20]:
            print(f"  {s.kind:20} {s.url}  {s.error}")
    print(flush=True)
    return passed


def log(message: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {message}", flush=True)


if __name__ == "__main__":
    main()
