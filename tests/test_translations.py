"""Every interface string is translated into Korean and Simplified Chinese, and the
compiled catalogues Django loads hold exactly those translations."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ("ko", "zh_Hans")
BASE = Path(settings.BASE_DIR)

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)


def catalogue(language: str) -> Path:
    return BASE / "locale" / language / "LC_MESSAGES" / "django.po"


def statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_no_missing_or_fuzzy_translation(language):
    counts = statistics(catalogue(language))
    assert "fuzzy" not in counts, counts
    assert "untranslated" not in counts, counts


@needs_gettext
def test_every_string_in_the_code_and_templates_is_in_the_catalogues(tmp_path):
    # Extract again from a copy of the project: a string added since the catalogues were
    # made arrives untranslated, and fails here.
    for name in ("config", "relations", "delegations", "templates", "locale"):
        shutil.copytree(BASE / name, tmp_path / name)
    shutil.copy(BASE / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
        + [f"--locale={language}" for language in LANGUAGES],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        po = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        counts = statistics(po)
        assert "untranslated" not in counts and "fuzzy" not in counts, (language, counts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language, tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext is not installed")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", compiled, catalogue(language)], check=True)
    committed = catalogue(language).with_suffix(".mo")
    with compiled.open("rb") as fresh, committed.open("rb") as loaded:
        assert gettext.GNUTranslations(loaded)._catalog == gettext.GNUTranslations(fresh)._catalog


@pytest.mark.parametrize(("language", "log_in"), [("ko", "로그인"), ("zh-hans", "登录")])
def test_the_login_page_speaks_the_language_chosen(client, language, log_in):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/accounts/login/").content.decode()
    assert f'lang="{language}"' in html
    assert log_in in html


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_a_page_in_the_language_shows_the_catalogues_words(admin_client, language):
    with translation.override(language):
        dashboard = translation.gettext("Dashboard")
    assert dashboard != "Dashboard"
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert dashboard in admin_client.get("/").content.decode()
