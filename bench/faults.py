"""Fault runs too long for the test suite (issue 7, part 4; the short ones are in
tests/test_faults.py). Each prints ``fault=<name> ...`` lines with what it measured, and
the run exits non-zero when an expectation fails.

1. import_killed: `manage.py import_data` on a large partners file, killed (SIGKILL) at
   several points while it writes; then run twice to the end.
2. database_outage: gunicorn (DEBUG off) answers one officer's requests in a loop while
   the database goes away for a few seconds and comes back: on PostgreSQL a TCP proxy in
   front of the server drops every connection and refuses new ones (as a restart does);
   on SQLite the database file is replaced by a folder ("unable to open"), then put back.
3. concurrent_saves: several officers post an edit of the same partner at the same
   instant through gunicorn, round after round.

Everything runs on a throwaway database: a SQLite file under /tmp, or with
--database-url postgres://…/NAME a database test_NAME created there and dropped at the end.

    .venv/bin/python bench/faults.py [--rows 50000] [--database-url URL]
"""

import argparse
import contextlib
import http.cookiejar
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from tests.fault_runs import import_partners, write_partners  # noqa: E402

PASSWORD = "a-long-fault-run-password"  # noqa: S105 - a throwaway database's officers
REFUSAL = "Your changes were not saved. Reload the page to see the current version"
UNAVAILABLE = "Amity cannot reach its database just now."
failures: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="Partners in the import.")
    parser.add_argument("--database-url", default="", help="postgres://user@host:port/name")
    parser.add_argument("--officers", type=int, default=6, help="Officers saving at once.")
    parser.add_argument("--rounds", type=int, default=20, help="Rounds of concurrent saves.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="amity-faults-"))
    database = Database(args.database_url, workdir)
    try:
        print(f"# database: {database.vendor} {database.name}", flush=True)
        database.create()
        import_killed(database, workdir, args.rows)
        with Server(database, workdir) as server:
            database_outage(database, server)
            concurrent_saves(database, server, args.officers, args.rounds)
    finally:
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    for failure in failures:
        print(f"FAILED: {failure}", flush=True)
    sys.exit(1 if failures else 0)


def expect(condition: bool, what: str) -> None:
    if not condition:
        failures.append(what)
        print(f"# FAILED: {what}", flush=True)


# ---- The throwaway database ---------------------------------------------------------------


class Database:
    def __init__(self, url: str, workdir: Path):
        if not url:
            self.vendor, self.path = "sqlite", workdir / "faults.sqlite3"
            self.name = str(self.path)
            self.url = f"sqlite:///{self.path}"
            return
        parts = urllib.parse.urlsplit(url)
        self.vendor = "postgresql"
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5432
        self.user = parts.username or "postgres"
        self.name = "test_" + parts.path.lstrip("/")
        self.url = f"postgres://{self.user}@{self.host}:{self.port}/{self.name}"

    def env(self, url: str = "") -> dict:
        return {
            **os.environ,
            "DATABASE_URL": url or self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), check=True
        )

    def connect(self, name: str = ""):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.path)
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=name or self.name,
            autocommit=True,
        )

    def create(self) -> None:
        if self.vendor == "postgresql":
            with self.connect("postgres") as server:
                server.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                server.execute(f'CREATE DATABASE "{self.name}"')
        self.manage("migrate", "--noinput", "-v0")

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with self.connect("postgres") as server:
                server.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def one(self, sql: str, params=()):
        db = self.connect()
        try:
            return db.execute(sql, params).fetchone()
        finally:
            db.close()

    def partner_rows(self) -> tuple[int, int]:
        return (
            self.one("SELECT count(*) FROM relations_partner")[0],
            self.one("SELECT count(*) FROM relations_historicalpartner")[0],
        )


# ---- 1. An import killed while it writes ---------------------------------------------------


def import_killed(database: Database, workdir: Path, rows: int) -> None:
    path = write_partners(workdir / "partners.csv", rows)
    for share in (0.1, 0.5, 0.9):
        kill_after = max(500, int(rows * share) // 500 * 500)
        run = import_partners(database.url, path, kill_after=kill_after)
        found = database.partner_rows()
        print(
            f"fault=import_killed rows={rows} killed_after_written={run.written_when_killed} "
            f"seconds_to_kill={run.seconds:.1f} exit={run.returncode} "
            f"partners_after={found[0]} history_after={found[1]}",
            flush=True,
        )
        expect(run.returncode == -9, f"the import killed at {kill_after} was not killed")
        expect(found == (0, 0), f"killed at {kill_after}: {found} rows left")
    for case in ("import_rerun", "import_rerun_again"):
        run = import_partners(database.url, path)
        found = database.partner_rows()
        print(
            f"fault={case} rows={rows} seconds={run.seconds:.1f} exit={run.returncode} "
            f"partners_after={found[0]} history_after={found[1]}",
            flush=True,
        )
        expect(run.returncode == 0, f"{case} failed: {run.stderr[-500:]}")
        expect(found == (rows, rows), f"{case}: {found} rows, not {rows}")


# ---- A server, and officers' browsers ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn as in production (DEBUG off), on loopback; on PostgreSQL its database
    connections go through a proxy that can cut them."""

    def __init__(self, database: Database, workdir: Path):
        from cryptography.fernet import Fernet

        self.database = database
        self.proxy = TcpProxy(database.host, database.port) if database.vendor != "sqlite" else None
        url = database.url
        if self.proxy:
            url = url.replace(
                f"@{database.host}:{database.port}/", f"@127.0.0.1:{self.proxy.port}/"
            )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "gunicorn.log"
        self.env = {
            **database.env(url),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "AMITY_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "AMITY_IMPORT_DIR": str(workdir / "imports"),
            "LOG_LEVEL": "WARNING",
            "AXES_FAILURE_LIMIT": "1000",
        }

    def __enter__(self):
        run = {"cwd": ROOT, "env": self.env, "check": True, "stdout": subprocess.DEVNULL}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], **run)
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "2"),
                *("--worker-class", "gthread", "--threads", "4", "--timeout", "60"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=self.handle,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.handle.close()
        if self.proxy:
            self.proxy.close()

    def officers(self, count: int) -> list["Browser"]:
        names = [f"officer{n}" for n in range(count)]
        script = (
            "from django.contrib.auth.models import User\n"
            f"for name in {names!r}:\n"
            f"    User.objects.filter(username=name).exists() or "
            f"User.objects.create_superuser(name, name + '@example.org', {PASSWORD!r})\n"
        )
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=self.database.env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return [Browser(self.base, name) for name in names]

    def logged(self, text: str) -> int:
        return self.log.read_text(errors="replace").count(text)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, username: str):
        self.base = base
        self.username = username
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )
        status, page = self.request("/accounts/login/")
        form = form_fields(page, "csrfmiddlewaretoken")
        form.update(username=username, password=PASSWORD)
        status, _ = self.request("/accounts/login/", form)
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except OSError as error:  # no answer at all: the worst outcome
            return 0, str(error)


class FormParser(HTMLParser):
    """The fields of each form of a page, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        if not self.forms or ("name" not in attrs and tag != "option"):
            return
        fields = self.forms[-1]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("file", "submit", "button", "image"):
                fields.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self.select = attrs["name"]
            fields.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            fields[self.select].append(attrs.get("value") or "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            fields[self.textarea] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1][self.textarea][0] += data.removeprefix("\n")


def form_fields(page: str, marker: str) -> dict:
    """The fields of the page's form that has a field named ``marker``."""
    parser = FormParser()
    parser.feed(page)
    form = next(f for f in parser.forms if marker in f)
    return {
        name: values if len(values) > 1 else (values or [""])[0] for name, values in form.items()
    }


# ---- 2. The database away and back ---------------------------------------------------------


class TcpProxy:
    """Forwards connections to the database server; ``cut`` drops them all and refuses
    new ones, ``restore`` accepts again."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.port = free_port()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        # shutdown, not only close: a thread blocked in accept() would go on accepting.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def close(self) -> None:
        self.cut()


def database_outage(database: Database, server: Server, outage: float = 4.0) -> None:
    (browser,) = server.officers(1)
    results: list[tuple[float, int, float]] = []  # (started, status, seconds)
    stop = threading.Event()

    def browse():
        while not stop.is_set():
            started = time.monotonic()
            status, page = browser.request("/partners/?q=Fault+City+0001")
            if status == 503 and UNAVAILABLE not in page:
                status = -503  # a 503 that is not our page
            results.append((started, status, time.monotonic() - started))

    thread = threading.Thread(target=browse)
    thread.start()
    time.sleep(2)
    went = time.monotonic()
    if server.proxy:
        server.proxy.cut()
    else:
        aside = database.path.with_name("aside.sqlite3")
        database.path.rename(aside)
        database.path.mkdir()
    time.sleep(outage)
    back = time.monotonic()
    if server.proxy:
        server.proxy.restore()
    else:
        database.path.rmdir()
        aside.rename(database.path)
    time.sleep(3)
    stop.set()
    thread.join()
    # "during": the requests that were answered, or started, while the database was away
    # (one in flight when it went is one a restart would break).
    windows = {
        "before": [r for r in results if r[0] + r[2] < went],
        "during": [r for r in results if r[0] + r[2] >= went and r[0] < back],
        "after": [r for r in results if r[0] >= back],
    }
    first_ok = next((r[0] + r[2] - back for r in windows["after"] if r[1] == 200), None)
    statuses = {name: dict(Counter(r[1] for r in rows)) for name, rows in windows.items()}
    unavailable = sum(1 for r in results if r[1] == 503)
    slowest_503 = max((r[2] for r in results if r[1] == 503), default=0)
    print(
        f"fault=database_outage seconds={outage:.0f} statuses_before={statuses['before']} "
        f"statuses_during={statuses['during']} statuses_after={statuses['after']} "
        f"slowest_503_s={slowest_503:.2f} "
        f"first_200_after_return_s={first_ok if first_ok is None else round(first_ok, 2)} "
        f"log_lines={server.logged('Database unavailable while answering')} "
        f"tracebacks={server.logged('Traceback')}",
        flush=True,
    )
    expect(set(statuses["before"]) == {200}, f"before the outage: {statuses['before']}")
    expect(set(statuses["during"]) <= {200, 503}, f"during the outage: {statuses['during']}")
    expect(503 in statuses["during"], "no unavailable page during the outage")
    after = [r[1] for r in windows["after"]]
    expect(after and set(after[1:]) == {200}, f"after the outage: {after}")
    expect(server.logged("Traceback") == 0, "a traceback in the server log")
    expect(server.logged("Database unavailable while answering") == unavailable, "log lines")


# ---- 3. Officers saving the same record at once --------------------------------------------


def concurrent_saves(database: Database, server: Server, count: int, rounds: int) -> None:
    officers = server.officers(count)
    pk = database.one("SELECT id FROM relations_partner ORDER BY id LIMIT 1")[0]
    url = f"/partners/{pk}/edit/"
    refusals, winners, seconds = 0, Counter(), []
    for round_ in range(1, rounds + 1):
        forms = []
        for officer in officers:
            form = form_fields(officer.request(url)[1], "version")
            form["notes"] = f"{officer.username}, round {round_}"
            forms.append(form)
        barrier = threading.Barrier(count)
        answers = [None] * count

        def save(n, barrier, form, answers):
            barrier.wait()
            started = time.monotonic()
            answers[n] = (*officers[n].request(url, form), time.monotonic() - started)

        threads = [
            threading.Thread(target=save, args=(n, barrier, forms[n], answers))
            for n in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        won = [n for n, answer in enumerate(answers) if answer[0] == 302]
        refused = [
            n for n, answer in enumerate(answers) if answer[0] == 200 and REFUSAL in answer[1]
        ]
        seconds += [answer[2] for answer in answers]
        expect(len(won) == 1 and len(refused) == count - 1, f"round {round_}: {answers}")
        refusals += len(refused)
        if len(won) == 1:
            winner = officers[won[0]].username
            winners[winner] += 1
            notes, version = database.one(
                "SELECT notes, version FROM relations_partner WHERE id = %s"
                if database.vendor != "sqlite"
                else "SELECT notes, version FROM relations_partner WHERE id = ?",
                (pk,),
            )
            expect(notes == f"{winner}, round {round_}", f"round {round_}: notes {notes!r}")
            expect(version == 1 + round_, f"round {round_}: version {version}")
    history = database.one(
        "SELECT count(*) FROM relations_historicalpartner WHERE id = %s"
        if database.vendor != "sqlite"
        else "SELECT count(*) FROM relations_historicalpartner WHERE id = ?",
        (pk,),
    )[0]
    seconds.sort()
    print(
        f"fault=concurrent_saves officers={count} rounds={rounds} saved={sum(winners.values())} "
        f"refused={refusals} history_rows={history} wins={dict(winners)} "
        f"p50_s={seconds[len(seconds) // 2]:.2f} max_s={seconds[-1]:.2f}",
        flush=True,
    )
    expect(history == 1 + rounds, f"history rows {history}, not {1 + rounds}")


if __name__ == "__main__":
    main()
