"""The project starts safely: settings from the environment, migrations complete, first admin."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with the given environment."""
    own = {"DEBUG", "SECRET_KEY", "AMITY_FIELD_ENCRYPTION_KEYS"}
    clean = {k: v for k, v in os.environ.items() if k not in own}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG, s.SECRET_KEY[:16])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_uses_the_given_secret_key_in_production():
    result = run_settings(
        DEBUG="0",
        SECRET_KEY="a-long-production-secret-key-of-fifty-chars-xx",
        AMITY_FIELD_ENCRYPTION_KEYS="3jBCaQZlUzeYAn3iGwnKFm0R4lwWgaeG1AF3rbkX6Ms=",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "a-long-productio"]


def test_it_uses_a_development_key_only_while_debugging():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django-insecure-"]


def test_the_sqlite_default_uses_wal_and_a_busy_timeout(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = connection.settings_dict["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


def test_no_model_change_lacks_a_migration(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_relations_never_depends_on_delegations():
    # Imports in code, and app-label references in migrations and lazy foreign keys.
    dependency = re.compile(r"^\s*(from|import)\s+delegations|[\"']delegations[\".']", re.M)
    # The roles name both apps' permissions as data, and their migration has to run once
    # delegations' models exist: there the app label may appear, an import may not.
    roles = {ROOT / "relations/roles.py", ROOT / "relations/migrations/0003_roles.py"}
    imports = re.compile(r"^\s*(from|import)\s+delegations", re.M)
    for path in (ROOT / "relations").rglob("*.py"):
        pattern = imports if path in roles else dependency
        assert not pattern.search(path.read_text()), f"{path} depends on delegations"


def test_first_admin_gets_a_random_password_printed_once(db, settings):
    settings.DEBUG = True
    first, second = StringIO(), StringIO()
    call_command("create_first_admin", stdout=first)
    password = first.getvalue().split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert len(password) >= 12

    call_command("create_first_admin", stdout=second)
    assert password not in second.getvalue()
    assert get_user_model().objects.count() == 1


def test_first_admin_is_refused_outside_development(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_first_admin")
    assert not get_user_model().objects.exists()
