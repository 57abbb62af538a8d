"""What production gets: the deployment checklist passes, browsers are told what to refuse,
error pages tell nothing, and logs hold no passwords or passport numbers."""

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.views.defaults import server_error

from relations.logging import MASK, MaskSecrets, mask
from relations.roles import VIEWER
from tests.test_admin import records  # noqa: F401  (a fixture of walk)
from tests.test_permissions import make_user, walk  # noqa: F401  (walk: a fixture)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
# Variables that would change what is being tested (the browser tests set the last one).
OURS = re.compile(
    r"^(DEBUG|SECRET_KEY|ALLOWED_HOSTS|AMITY_|SECURE_|SESSION_|CSRF_|DJANGO_ALLOW_ASYNC_UNSAFE)"
)


def production_env(**extra) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not OURS.match(k)}
    return {
        **clean,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "amity.example.org",
        "AMITY_FIELD_ENCRYPTION_KEYS": "3jBCaQZlUzeYAn3iGwnKFm0R4lwWgaeG1AF3rbkX6Ms=",
        **extra,
    }


def run(args: list[str], **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        check=False,
    )


def production_settings(**extra) -> dict:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_AGE",
    ]
    script = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = run(["-c", script], **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deployment_checklist_passes_with_the_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_is_https_only_by_default():
    values = production_settings()

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600
    # Nothing believes X-Forwarded-Proto unless told that a proxy sets it.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_behind_a_tls_proxy_its_header_says_the_request_was_https():
    values = production_settings(AMITY_BEHIND_TLS_PROXY="1", SECURE_HSTS_SECONDS="3600")

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 3600


# ---- Content-Security-Policy ------------------------------------------------------------


def test_pages_forbid_inline_scripts_and_other_origins(admin_client, db):
    policy = admin_client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())

    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_print_page_allows_its_own_style_by_nonce(admin_client, demo):
    from delegations.models import Delegation

    response = admin_client.get(f"/delegations/{Delegation.objects.first().pk}/print/")

    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


# Markup that the policy would block: inline scripts, handler attributes, style attributes
# and <style> elements without the nonce. JSON data in <script type="application/json"> is
# not run, so it may stay.
BLOCKED = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"
    r"|\son[a-z]+\s*=\s*[\"']"
    r"|\sstyle\s*=\s*(\"[^\"]*\"|'[^']*')"
    r"|<style(?![^>]*\bnonce=)[^>]*>",
    re.IGNORECASE,
)
# Blocked in third-party templates, but only for looks: the browser ignores the style.
COSMETIC = {
    # simple-history's admin list of past versions: its paginator shows a top border.
    'style="border-top: 0"',
}


def test_no_template_of_ours_holds_what_the_policy_blocks():
    found = [
        f"{path.relative_to(ROOT)}: {match[0]}"
        for path in TEMPLATES.rglob("*.html")
        # The 500 page carries no policy-relevant markup; PDF-only templates never reach
        # a browser (none yet).
        for match in BLOCKED.finditer(path.read_text())
    ]

    assert not found, "\n".join(found)


def test_no_page_holds_what_the_policy_blocks(client, walk):  # noqa: F811
    from relations.roles import ADMINISTRATOR

    client.force_login(make_user(ADMINISTRATOR.name, "csp-walker"))
    client.raise_request_exception = False
    found = []
    for route in walk:
        response = client.get(route.path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for match in BLOCKED.finditer(response.content.decode()):
            if match[0].strip() not in COSMETIC:
                found.append(f"{route}: {match[0]}")

    assert not found, "\n".join(found)


# ---- Error pages --------------------------------------------------------------------------


def test_a_missing_page_says_so_plainly(client, db):
    client.force_login(make_user(VIEWER.name))

    response = client.get("/partners/999999/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "Traceback" not in page


def test_a_refused_page_says_so_plainly(client, db):
    client.force_login(make_user(VIEWER.name))

    response = client.get("/partners/add/")

    assert response.status_code == 403
    assert "Your account has no access to this page" in response.content.decode()


def test_the_server_error_page_needs_nothing_from_the_request(rf):
    # Django renders it with an empty context: it must not need one.
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "{%" not in page and "Traceback" not in page
    assert render_to_string("500.html") == page


# ---- Logs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login failed: password=hunter2 user=bob", f"login failed: password={MASK} user=bob"),
        ('{"password": "two words", "next": "/"}', f'{{"password": "{MASK}", "next": "/"}}'),
        ("{'new_password1': 'x', 'old': 1}", f"{{'new_password1': '{MASK}', 'old': 1}}"),
        ("passport_number=M12345678&x=1", f"passport_number={MASK}&x=1"),
        ("Passport: E12345678, valid", f"Passport: {MASK}, valid"),
        ("member Kim, M123A4567 and G1234567", f"member Kim, {MASK} and {MASK}"),
        ("12 members, 3 rooms, visit KR2023", "12 members, 3 rooms, visit KR2023"),
    ],
)
def test_secrets_are_masked(text, expected):
    assert mask(text) == expected


def test_a_log_record_is_masked_in_its_message_arguments_and_traceback():
    try:
        raise ValueError("bad passport E12345678")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "saving %s failed",
            ("password=secret",),
            sys.exc_info(),
        )

    assert MaskSecrets().filter(record)

    assert record.getMessage() == f"saving password={MASK} failed"
    assert "E12345678" not in record.exc_text and MASK in record.exc_text


def test_every_logging_handler_masks_secrets(capsys):
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    handlers = {
        handler
        for logger in loggers
        for handler in logger.handlers
        # pytest's own capturing, and libraries' do-nothing handlers.
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    }

    assert handlers
    for handler in handlers:
        assert any(isinstance(f, MaskSecrets) for f in handler.filters), handler
    assert all(
        "mask_secrets" in h.get("filters", []) for h in settings.LOGGING["handlers"].values()
    )


def test_in_production_the_workers_of_a_server_share_one_cache():
    # Two processes, as two gunicorn workers: what one caches the other reads.
    key = f"amity-test-{secrets.token_hex(8)}"
    setup = "import django; django.setup(); from django.core.cache import cache; "
    env = {"DJANGO_SETTINGS_MODULE": "config.settings"}
    written = run(["-c", setup + f"cache.set({key!r}, 'worked out once', 60)"], **env)
    read = run(["-c", setup + f"print(cache.get({key!r})); cache.delete({key!r})"], **env)

    assert written.returncode == 0, written.stderr
    assert read.stdout.strip() == "worked out once", read.stderr
