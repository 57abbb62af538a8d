"""Hostile input against a running Amity: sqlmap on the search and filter parameters of
the list pages, and wapiti crawling and attacking the officers' pages, both logged in.

Everything happens on a throwaway SQLite database under /tmp (wapiti submits forms, so
it writes records): migrate, load_demo, one superuser, collectstatic, then gunicorn on a
free loopback port with the production settings (DEBUG=0). Prints one line per tool and
a summary; exits 1 if sqlmap finds an injection, wapiti a vulnerability, or any answer
is a 500 (counted from gunicorn's access log; its error log is searched for tracebacks).

    .venv/bin/python bench/security.py          # sqlmap level 2 on every parameter and
                                                # wapiti up to 13 minutes: ~20-40 minutes
    QUICK=1 .venv/bin/python bench/security.py  # sqlmap --smart level 1: about 5 minutes

wapiti3 pins versions Django 5.2 cannot run with (asgiref 3.7), so it lives in its own
virtualenv: ``make security`` makes var/wapiti-venv; WAPITI=/path/to/wapiti overrides.
"""

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUICK = os.environ.get("QUICK", "") not in ("", "0")
SQLMAP = shutil.which("sqlmap") or "/usr/bin/sqlmap"
WAPITI = os.environ.get("WAPITI") or str(ROOT / "var" / "wapiti-venv" / "bin" / "wapiti")
USERNAME = "security-officer"
PASSWORD = secrets.token_urlsafe(18)

# Every filter of every list page with a value that matches something in the demo data,
# so that sqlmap sees the page change when its payload is read as SQL.
TARGETS = {
    "/search/": {"q": "Kyoto"},
    "/partners/": {
        "q": "a",
        "country": "JP",
        "kind": "city",
        "level": "sister",
        "status": "active",
        "sector": "1",
        "scope": "foreign",
        "established_from": "1980",
        "established_to": "2030",
        "quiet_since": "2000",
        "sort": "name",
        "page": "1",
        "per_page": "25",
    },
    "/agreements/": {
        "q": "a",
        "partner": "1",
        "kind": "sister_city",
        "status": "in_force",
        "sector": "1",
        "signed_from": "1980",
        "signed_to": "2030",
        "expires_before": "2040-01-01",
        "sort": "title",
        "page": "1",
    },
    "/people/": {"q": "a", "partner": "1", "title": "a", "sort": "name", "page": "1"},
    "/institutions/": {
        "q": "a",
        "kind": "school",
        "partner": "1",
        "linked": "true",
        "sort": "name",
        "page": "1",
    },
    "/delegations/": {
        "q": "a",
        "direction": "inbound",
        "partner": "1",
        "country": "JP",
        "status": "confirmed",
        "year": "2024",
        "start_from": "2000-01-01",
        "start_to": "2040-01-01",
        "sector": "1",
        "leader": "a",
        "sort": "start",
        "page": "1",
    },
    "/delegations/gifts/": {
        "q": "a",
        "direction": "given",
        "partner": "1",
        "year": "2024",
        "disposition": "kept",
        "needs_registration": "true",
        "sort": "date",
        "page": "1",
    },
}
QUICK_PARAMETERS = {"q", "country", "partner", "sort", "year", "page"}

# Attacks only: the header and cookie-flag checks would report what this plain-HTTP
# loopback run turns off on purpose (HSTS, Secure cookies); ssrf needs the internet.
WAPITI_MODULES = "exec,file,sql,timesql,xss,permanentxss,redirect,crlf,upload,xxe,csrf,csp"
WAPITI_QUICK_MODULES = "exec,file,sql,xss,redirect"
# Never followed or attacked by wapiti: they end the session, delete, or change the
# officer's password (which would end the session too).
WAPITI_EXCLUDES = [
    "/accounts/logout/*",
    "/accounts/password_change/*",
    "/*/delete/*",
    "/i18n/*",
    "/admin/*",
]


def main() -> int:
    # A kill ends the run through the finally clauses, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="amity-security-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(work)
    print(f"# work folder {work}; {base}; DEBUG=0; quick={QUICK}", flush=True)
    prepare(env)
    access_log, error_log = work / "access.log", work / "gunicorn.log"
    server = start_server(env, port, access_log, error_log)
    findings = []
    try:
        wait_until_up(base)
        cookies = log_in(base)
        cookie = "; ".join(f"{c.name}={c.value}" for c in cookies)
        before = count_lines(access_log)
        sql_started = time.monotonic()
        injections = run_sqlmap(base, cookie, work / "sqlmap")
        sql_seconds = time.monotonic() - sql_started
        sql_requests = count_lines(access_log) - before
        print(
            f"sqlmap: requests={sql_requests} injections={len(injections)} "
            f"seconds={sql_seconds:.0f}",
            flush=True,
        )
        findings += [f"sqlmap: injectable {i}" for i in injections]

        if not still_logged_in(base, cookie):
            findings.append("the session ended during the sqlmap run")
        before = count_lines(access_log)
        wapiti_started = time.monotonic()
        vulnerabilities, anomalies = run_wapiti(base, cookies, work / "wapiti")
        wapiti_seconds = time.monotonic() - wapiti_started
        wapiti_requests = count_lines(access_log) - before
        print(
            f"wapiti: requests={wapiti_requests} vulnerabilities={len(vulnerabilities)} "
            f"anomalies={len(anomalies)} seconds={wapiti_seconds:.0f}",
            flush=True,
        )
        findings += [f"wapiti: {v}" for v in vulnerabilities + anomalies]
        if not still_logged_in(base, cookie):
            findings.append("the session ended during the wapiti run (crawl was logged out)")
    finally:
        server.terminate()
        server.wait(timeout=30)

    statuses = status_counts(access_log)
    errors = sorted(line for line in access_lines(access_log) if status_of(line) >= 500)
    tracebacks = error_log.read_text(errors="replace").count("Traceback (most recent call last)")
    findings += [f"HTTP {status_of(line)}: {line}" for line in errors[:20]]
    if tracebacks:
        findings.append(f"{tracebacks} tracebacks in {error_log}")
    print(
        f"summary: requests={sum(statuses.values())} statuses={dict(sorted(statuses.items()))} "
        f"server_errors={len(errors)} tracebacks={tracebacks} "
        f"duration_s={time.monotonic() - started:.0f}"
    )
    for finding in findings:
        print(f"FINDING {finding}")
    if findings:
        print(f"# logs and reports kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("OK: no injection, no vulnerability, no 500")
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(work: Path) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not re.match(r"^(DEBUG|SECRET_KEY|ALLOWED_HOSTS|AMITY_|SECURE_|SESSION_|CSRF_)", k)
    }
    return {
        **keep,
        "DATABASE_URL": f"sqlite:///{work / 'amity.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "AMITY_FIELD_ENCRYPTION_KEYS": "3jBCaQZlUzeYAn3iGwnKFm0R4lwWgaeG1AF3rbkX6Ms=",
        # Plain HTTP on loopback: no TLS redirect and cookies that travel without it.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "AMITY_IMPORT_DIR": str(work / "imports"),
        # The scanners work for a long time in one session.
        "AMITY_SESSION_IDLE_MINUTES": "120",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(
        env,
        "createsuperuser",
        "--noinput",
        "--username",
        USERNAME,
        "--email",
        "security@example.org",
    )


def start_server(env: dict, port: int, access_log: Path, error_log: Path):
    gunicorn = Path(PYTHON).with_name("gunicorn")
    return subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--timeout",
            "60",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
            "--capture-output",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5)  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def log_in(base: str) -> http.cookiejar.CookieJar:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    body = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    answer = opener.open(request)
    if answer.url.rstrip("/") != base or not any(c.name == "sessionid" for c in jar):
        raise SystemExit(f"login failed: ended at {answer.url}")
    return jar


def still_logged_in(base: str, cookie: str) -> bool:
    request = urllib.request.Request(f"{base}/partners/", headers={"Cookie": cookie})  # noqa: S310
    answer = urllib.request.urlopen(request)  # noqa: S310
    return "/accounts/login/" not in answer.url


def run_sqlmap(base: str, cookie: str, output: Path) -> list[str]:
    """The injectable parameters sqlmap reports, as "path parameter"."""
    found = []
    for path, params in TARGETS.items():
        names = [n for n in params if not QUICK or n in QUICK_PARAMETERS]
        url = f"{base}{path}?{urllib.parse.urlencode(params)}"
        command = [
            SQLMAP,
            "-u",
            url,
            "-p",
            ",".join(names),
            "--cookie",
            cookie,
            "--batch",
            "--level",
            "1" if QUICK else "2",
            "--risk",
            "1",
            # The back end is known: SQLite payloads only (and the generic ones).
            "--dbms",
            "SQLite",
            "--threads",
            "4",
            "--timeout",
            "20",
            "--output-dir",
            str(output),
            "--disable-coloring",
            # A redirect to the login page would mean the session was lost: never follow.
            "--ignore-redirects",
        ]
        if QUICK:
            command.append("--smart")
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=900, check=False, cwd=output.parent
        )
        log = output.parent / f"sqlmap{path.replace('/', '_')}.log"
        log.write_text(result.stdout + result.stderr)
        if "identified the following injection point" in result.stdout:
            found += [
                f"{path} {name}"
                for name in re.findall(r"^Parameter: (\S+)", result.stdout, re.MULTILINE)
            ]
        tested = "do not appear to be injectable" in result.stdout
        print(f"  sqlmap {path}: {len(names)} parameters, clean={tested}", flush=True)
        if not tested and not found:
            found.append(f"{path}: sqlmap did not finish (see {log})")
    return found


def run_wapiti(base: str, jar, output: Path) -> tuple[list[str], list[str]]:
    if not Path(WAPITI).exists():
        raise SystemExit(f"wapiti not found at {WAPITI}: run `make security` or set WAPITI")
    output.mkdir(parents=True, exist_ok=True)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    report = output / "report.json"
    command = [
        WAPITI,
        "-u",
        f"{base}/",
        "--cookie-value",
        cookie,
        "--module",
        WAPITI_QUICK_MODULES if QUICK else WAPITI_MODULES,
        "--scope",
        "folder",
        "--flush-session",
        "--max-scan-time",
        "150" if QUICK else "780",
        "--max-attack-time",
        "20" if QUICK else "90",
        "--depth",
        "3" if QUICK else "5",
        "--max-links-per-page",
        "40",
        "--tasks",
        "4",
        "--format",
        "json",
        "--output",
        str(report),
        "--verbose",
        "1",
        "--store-session",
        str(output / "session"),
        "--store-config",
        str(output / "config"),
    ]
    for pattern in WAPITI_EXCLUDES:
        command += ["--exclude", f"{base}{pattern}"]
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=1200, check=False, cwd=output
    )
    (output / "wapiti.log").write_text(result.stdout + result.stderr)
    if not report.exists():
        raise SystemExit(f"wapiti wrote no report (exit {result.returncode}); see {output}")
    data = json.loads(report.read_text())
    crawled = data.get("infos", {}).get("crawled_pages_nbr")
    print(f"  wapiti: crawled pages={crawled}", flush=True)
    vulnerabilities = [
        f"{kind}: {item.get('method')} {item.get('path')} {item.get('parameter')}"
        for kind, items in data.get("vulnerabilities", {}).items()
        for item in items
    ]
    anomalies = [
        f"{kind}: {item.get('method')} {item.get('path')} {item.get('parameter')}"
        for kind, items in data.get("anomalies", {}).items()
        for item in items
    ]
    return vulnerabilities, anomalies


def access_lines(log: Path) -> list[str]:
    return log.read_text(errors="replace").splitlines() if log.exists() else []


def count_lines(log: Path) -> int:
    return len(access_lines(log))


def status_of(line: str) -> int:
    # gunicorn's default format: ... "GET /path HTTP/1.1" 200 1234 "referer" "agent"
    match = re.search(r'" (\d{3}) ', line)
    return int(match[1]) if match else 0


def status_counts(log: Path) -> dict[int, int]:
    counts: dict[int, int] = {}
    for line in access_lines(log):
        counts[status_of(line)] = counts.get(status_of(line), 0) + 1
    return counts


if __name__ == "__main__":
    sys.exit(main())
