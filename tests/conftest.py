import io
import logging
import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation


@pytest.fixture(autouse=True)
def english_unless_asked():
    # A request in another language leaves that language active in the thread (the locale
    # middleware does not undo it): every test starts in English.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is slow on purpose (about a second here); tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def summaries_not_cached(settings):
    # Tests change the data between two loads of a page; summaries.py has its own tests.
    settings.AMITY_SUMMARY_CACHE_SECONDS = 0


@pytest.fixture
def captured_errors():
    """What reaches the log at ERROR, as the administrator would read it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.ERROR)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def demo(db):
    """The database as `manage.py load_demo` leaves it."""
    call_command("load_demo", verbosity=0)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """`generate_data --scale 0.01` once for the module, rolled back after it (each
    test's own transaction is a savepoint inside this one): the generator's output and
    how many queries it took."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            call_command("generate_data", scale=0.01, interactive=False, stdout=out)
        yield out.getvalue(), len(queries)
        transaction.set_rollback(True)


# ---- Browser tests: Debian's Chromium driven by Playwright (never `playwright install`) --

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_PASSWORD = "a-long-browser-password"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium): browser test skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that the
    # tests make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, django_user_model):
    """A logged-in officer's browser tab on the live server."""
    django_user_model.objects.create_superuser("officer", "officer@example.org", BROWSER_PASSWORD)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.fill("#id_username", "officer")
    tab.fill("#id_password", BROWSER_PASSWORD)
    tab.click("main button[type=submit]")  # not the language switcher's in the navbar
    tab.wait_for_url(f"{live_server.url}/")
    yield tab
    context.close()
