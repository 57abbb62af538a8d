"""Fault runs that fit in seconds (issue 7, part 4); the longer ones are bench/faults.py
(`make faults`).

An import killed while it writes leaves nothing and a re-run writes each record once; a
database that goes away gives a 503 page and the next request works; a disk that refuses
an upload leaves no half record; two officers saving the same record at the same instant
on PostgreSQL lose nothing.
"""

import os
import resource
import signal
import socket
import sqlite3
import threading
from contextlib import contextmanager
from http.cookies import SimpleCookie
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from delegations.models import Document, Gift
from relations.files import NOT_STORED
from relations.models import Partner
from relations.roles import user_assign_role
from tests.fault_runs import import_partners, write_partners
from tests.form_data import form_data
from tests.test_files import delegation_post

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
UNAVAILABLE = "Amity cannot reach its database just now. Please try again in a moment."
REFUSAL = "Your changes were not saved. Reload the page to see the current version"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: needs a second server connection (set DATABASE_URL=postgres://…)",
)


# ---- An import killed while it writes ---------------------------------------------------

ROWS = 3000


def database_url_for_a_child(tmp_path) -> str:
    """The test database, as a child process reaches it. SQLite's lives in memory: a copy
    in a file (migrated, empty) stands in for it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "child.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def partner_rows(url: str) -> tuple[int, int]:
    """Partners and their history rows, as another connection sees them (committed)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            found = tuple(
                db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("relations_partner", "relations_historicalpartner")
            )
        db.close()
        return found
    return Partner.objects.count(), Partner.history.count()


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_while_writing_leaves_nothing_and_a_rerun_writes_each_record_once(
    tmp_path,
):
    url = database_url_for_a_child(tmp_path)
    csv_file = write_partners(tmp_path / "partners.csv", ROWS)

    killed = import_partners(url, csv_file, kill_after=1000)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert 1000 <= killed.written_when_killed < ROWS
    assert partner_rows(url) == (0, 0)

    rerun = import_partners(url, csv_file)

    assert rerun.returncode == 0, rerun.stderr
    assert f"{ROWS:,} records written" in rerun.stderr
    assert partner_rows(url) == (ROWS, ROWS)

    again = import_partners(url, csv_file)

    assert again.returncode == 0, again.stderr
    assert "records written" not in again.stderr
    assert partner_rows(url) == (ROWS, ROWS)


# ---- The database away during a request -------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


@contextmanager
def unreachable_database(tmp_path):
    """The default connection points where no database answers: a closed port for
    PostgreSQL, a folder instead of a file for SQLite ("unable to open database file")."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path)
    else:
        settings.update(HOST="127.0.0.1", PORT=str(closed_port()))
    working = connections["default"]
    connections["default"] = type(working)(settings, "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = working


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "<title>Database unavailable · Amity</title>" in page
    assert UNAVAILABLE in page
    assert "Traceback" not in page and "{%" not in page


@pytest.mark.django_db
def test_an_unreachable_database_gives_the_unavailable_page_then_pages_work_again(
    admin_user, tmp_path, captured_errors
):
    browser = Client(raise_request_exception=False)
    browser.force_login(admin_user)

    with unreachable_database(tmp_path):
        response = browser.get(reverse("relations:partner-list"))

    assert_unavailable_page(response)
    logged = captured_errors.getvalue().strip().splitlines()
    assert len(logged) == 1, logged
    assert logged[0].startswith("Database unavailable while answering GET /partners/: ")
    assert browser.get(reverse("relations:partner-list")).status_code == 200


def test_the_unavailable_page_needs_nothing_from_the_database(rf):
    # Not even the session or the user: rendered with no request context at all.
    from django.db import OperationalError

    from relations.errors import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        with unreachable_database_everywhere():
            response = server_error(rf.get("/"))

    assert_unavailable_page(response)


@contextmanager
def unreachable_database_everywhere():
    """Any query made meanwhile fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the page queried the database")

    with connection.execute_wrapper(refuse):
        yield


def test_any_other_error_still_gets_the_server_error_page(rf):
    from relations.errors import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def wsgi_get(path: str, cookies: SimpleCookie):
    """A request through Django's WSGI handler, as gunicorn makes it: unlike the test
    client it checks (and closes) broken connections at the start and end of a request."""
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "HTTP_COOKIE": cookies.output(header="", sep=";").strip(),
    }
    setup_testing_defaults(environ)
    environ["SERVER_NAME"] = environ["HTTP_HOST"] = "127.0.0.1"
    status = []
    body = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(body)
    finally:
        body.close()  # request_finished: Django drops a connection that failed
    return int(status[0].split()[0]), content.decode()


def terminate_backend_of(alias_connection) -> None:
    """Ends the server process behind this connection, from a second connection, as a
    database restart or a network cut would."""
    import psycopg

    with alias_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = alias_connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks", [True, False])
def test_a_connection_cut_mid_session_costs_at_most_one_unavailable_page(
    admin_user, health_checks, captured_errors
):
    browser = Client()
    browser.force_login(admin_user)
    url = reverse("relations:partner-list")
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
    try:
        assert wsgi_get(url, browser.cookies)[0] == 200
        old = connection.connection
        assert old is not None  # kept open between requests (CONN_MAX_AGE)

        terminate_backend_of(connection)
        first = wsgi_get(url, browser.cookies)
        second = wsgi_get(url, browser.cookies)
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()

    if health_checks:
        # As settings has it: the dead connection is noticed before the page uses it.
        assert first[0] == 200
    else:
        # Without the check the page meets the dead connection: the 503 page, one log
        # line, and Django drops the connection at the end of the request.
        assert first[0] == 503 and UNAVAILABLE in first[1]
        assert captured_errors.getvalue().count("Database unavailable while answering") == 1
    assert second[0] == 200


# ---- A disk that refuses an upload -------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def files_under(folder) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder)
        for name in names
    )


@contextmanager
def disk_full_after(size: int):
    """Files may not grow past ``size`` bytes: writes fail part-way as on a full disk,
    from the kernel (EFBIG), through the real storage code. Tests run as root here, where
    a read-only folder would not refuse anything."""
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, old_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)


def gift_post(partner, upload) -> dict:
    return {
        "direction": "received",
        "partner": partner.pk,
        "description": "Joseon-era painting",
        "giver": "Mayor of Miryang",
        "recipient": "Mayor of Gangseo",
        "currency": "KRW",
        "photo": upload,
    }


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(name="Miryang", country="KR", level="sister")


def test_a_gift_photo_on_a_disk_that_fills_up_part_way_leaves_no_gift_and_no_file(
    admin_client, partner, media, captured_errors
):
    upload = SimpleUploadedFile("painting.png", PNG * 4, content_type="image/png")

    with disk_full_after(len(PNG)):
        response = admin_client.post(reverse("delegations:gift-add"), gift_post(partner, upload))

    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    assert not Gift.objects.exists()
    assert files_under(media) == []  # not even the part written before the disk was full
    assert "MEDIA_ROOT" in captured_errors.getvalue()


def test_a_gift_photo_whose_folder_cannot_be_made_leaves_no_gift(admin_client, partner, media):
    (media / "gifts").write_text("a file where the photos' folder should be")
    upload = SimpleUploadedFile("painting.png", PNG, content_type="image/png")

    response = admin_client.post(reverse("delegations:gift-add"), gift_post(partner, upload))

    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    assert not Gift.objects.exists()
    assert files_under(media) == ["gifts"]


def test_delegation_documents_on_a_full_disk_leave_no_delegation_and_no_file(
    admin_client, partner, media
):
    add = reverse("delegations:delegation-add")
    data = delegation_post(partner, SimpleUploadedFile("programme.pdf", PDF * 4))

    with disk_full_after(len(PDF)):
        response = admin_client.post(add, data)

    assert response.status_code == 200, response
    assert NOT_STORED in response.content.decode()
    assert not Document.objects.exists()
    assert not partner.delegations.exists()
    assert files_under(media) == []


@pytest.fixture
def importer(client, django_user_model, tmp_path, settings):
    settings.AMITY_IMPORT_DIR = tmp_path / "imports"
    user = django_user_model.objects.create_user("imports-admin", password="x")
    user_assign_role(user=user, role="Administrator")
    client.force_login(user)
    return client


def upload_partners(client):
    data = SimpleUploadedFile("partners.csv", b"English name,Country\nTestville,Japan\n")
    return client.post("/imports/", {"resource": "partners", "file": data, "encoding": ""})


def test_an_import_upload_on_a_full_disk_says_so_and_keeps_nothing(
    importer, settings, captured_errors
):
    with disk_full_after(8):
        response = upload_partners(importer)

    assert response.status_code == 200
    assert "The file could not be stored (disk full or not writable)." in (
        response.content.decode()
    )
    assert files_under(settings.AMITY_IMPORT_DIR) == []
    assert "Could not store an import upload" in captured_errors.getvalue()


def test_an_import_upload_into_an_unusable_folder_says_so(importer, settings):
    settings.AMITY_IMPORT_DIR.parent.mkdir(exist_ok=True)
    settings.AMITY_IMPORT_DIR.write_text("a file where the uploads' folder should be")

    response = upload_partners(importer)

    assert response.status_code == 200
    assert "The file could not be stored (disk full or not writable)." in (
        response.content.decode()
    )


# ---- Two officers saving the same record at the same instant ----------------------------


def officer(django_user_model, name: str) -> Client:
    user = django_user_model.objects.create_superuser(name, f"{name}@example.org", "x" * 12)
    browser = Client()
    browser.force_login(user)
    return browser


def save_at_once(posts) -> list:
    """Each (browser, url, data) posted from its own thread and database connection,
    released together by a barrier."""
    barrier = threading.Barrier(len(posts))
    responses = [None] * len(posts)

    def post(n, browser, url, data):
        try:
            barrier.wait(timeout=30)
            responses[n] = browser.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n, *p)) for n, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["partner", "delegation"])
def test_two_officers_saving_the_same_record_at_once_lose_nothing(django_user_model, kind):
    from delegations.models import Delegation

    kim, lee = officer(django_user_model, "kim"), officer(django_user_model, "lee")
    partner = Partner.objects.create(name="Changning District", country="CN", level="sister")
    record = partner
    if kind == "delegation":
        record = Delegation.objects.create(
            title="Changning youth choir", direction="inbound", partner=partner, start="2027-04-01"
        )
    model = type(record)
    url = reverse(
        f"{'delegations' if kind == 'delegation' else 'relations'}:{kind}-update", args=[record.pk]
    )
    for round_ in range(1, 4):  # each round on the version the last one left
        kims, lees = form_data(kim.get(url)), form_data(lee.get(url))
        kims["notes"] = f"Kim's notes, round {round_}"
        lees["notes"] = f"Lee's notes, round {round_}"

        responses = save_at_once([(kim, url, kims), (lee, url, lees)])

        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 302], codes
        winner = "Kim" if responses[0].status_code == 302 else "Lee"
        refused = next(r for r in responses if r.status_code == 200)
        page = refused.content.decode()
        assert REFUSAL in page
        # The refused officer's typing is still in the form, to redo after a reload.
        loser = "Lee" if winner == "Kim" else "Kim"
        assert f"{loser}&#x27;s notes, round {round_}" in page
        saved = model.objects.get(pk=record.pk)
        assert saved.notes == f"{winner}'s notes, round {round_}"
        assert saved.version == 1 + round_
        history = list(model.history.filter(id=record.pk).order_by("history_date"))
        assert len(history) == 1 + round_
        assert history[-1].notes == saved.notes
        assert history[-1].history_user.username == winner.lower()


def test_column_choices_on_a_full_disk_say_so_and_keep_the_upload(importer, settings):
    data = SimpleUploadedFile("partners.csv", b"city1,country1\nTestville,Japan\n")
    review = importer.post("/imports/", {"resource": "partners", "file": data, "encoding": ""})
    review = review["Location"]
    choices = {"action": "map", "column_0": "name", "column_1": "country"}
    choices["default_level"] = "Sister city"

    with disk_full_after(8):
        refused = importer.post(review, choices)

    assert refused.status_code == 200
    assert "The column choices could not be stored (disk full or not writable)" in (
        refused.content.decode()
    )
    assert [name.split("/")[-1] for name in files_under(settings.AMITY_IMPORT_DIR)] == [
        "upload.csv",
        "upload.json",
    ]
    # The upload is still there, as it was: the choices can be made again.
    assert importer.get(review).templates[0].name == "relations/import_mapping.html"
    assert importer.post(review, choices).status_code == 302
    assert importer.get(review).context["plan"].totals["new"] == 1
