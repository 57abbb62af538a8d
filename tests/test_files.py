"""Uploaded files are private: served only through permission-checking views, checked by
content on upload, and never left half-saved when the disk refuses them."""

import datetime
import importlib
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from delegations.models import Delegation, Document, Gift, Member
from relations.files import NOT_STORED
from relations.models import Agreement, Partner, Person

# Enough of each format for a content check; a PDF reader would want more.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
TEXT = b"Minutes of the meeting: not really a PDF.\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), media)
        for folder, _, names in os.walk(media)
        for name in names
    )


def make_user(username: str, *perms: str):
    user = get_user_model().objects.create_user(username, password="a-long-password")
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(name="Miryang City", country="KR", level="friendship")


@pytest.fixture
def agreement(partner) -> Agreement:
    agreement = Agreement.objects.create(partner=partner, title="Friendship agreement", kind="mou")
    agreement.document.save("협정서 scan.pdf", ContentFile(PDF))
    return agreement


@pytest.fixture
def delegation(partner) -> Delegation:
    return Delegation.objects.create(
        title="Miryang culture delegation",
        direction="inbound",
        partner=partner,
        start=datetime.date(2027, 4, 1),
    )


@pytest.fixture
def gift(partner) -> Gift:
    gift = Gift.objects.create(
        direction="received",
        partner=partner,
        description="Straw craftwork",
        giver="Mayor of Miryang",
        recipient="Mayor of Gangseo",
    )
    gift.photo.save("straw.png", ContentFile(PNG))
    return gift


@pytest.fixture
def document(delegation) -> Document:
    document = Document(delegation=delegation, caption="Programme")
    document.file.save("programme.pdf", ContentFile(PDF))
    return document


def file_url(kind: str, record) -> str:
    app = "relations" if kind == "agreement" else "delegations"
    return reverse(f"{app}:{kind}-file", args=[record.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# ---- Serving ----------------------------------------------------------------------------

FILES = [
    ("agreement", "relations.view_agreement", PDF, "attachment"),
    ("gift", "delegations.view_gift", PNG, "inline"),
    ("document", "delegations.view_delegation", PDF, "attachment"),
]


@pytest.mark.parametrize(("kind", "perm", "content", "disposition"), FILES)
def test_a_private_file_is_sent_to_users_who_may_see_its_record(
    client, request, kind, perm, content, disposition
):
    record = request.getfixturevalue(kind)
    client.force_login(make_user("officer", perm))

    response = client.get(file_url(kind, record))

    assert response.status_code == 200
    assert body(response) == content
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == ("image/png" if content == PNG else "application/pdf")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("kind", "perm", "content", "disposition"), FILES)
def test_a_private_file_is_refused_to_users_without_the_permission(
    client, request, kind, perm, content, disposition
):
    record = request.getfixturevalue(kind)
    # Every right but the one that matters.
    others = [p for _, p, _, _ in FILES if p != perm]
    client.force_login(make_user("stranger", *others))

    assert client.get(file_url(kind, record)).status_code == 403


@pytest.mark.parametrize(("kind", "perm", "content", "disposition"), FILES)
def test_a_private_file_sends_anonymous_users_to_log_in(
    client, request, kind, perm, content, disposition
):
    record = request.getfixturevalue(kind)

    response = client.get(file_url(kind, record))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_non_ascii_file_name_is_kept_in_the_download(admin_client, agreement):
    response = admin_client.get(file_url("agreement", agreement))
    assert "filename*=utf-8''%ED%98%91%EC%A0%95%EC%84%9C" in response["Content-Disposition"]


def test_a_file_is_sent_as_what_it_holds_not_what_it_is_called(admin_client, gift):
    gift.photo.save("looks-like-a-photo.png", ContentFile(b"<script>alert(1)</script>"))

    response = admin_client.get(file_url("gift", gift))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_missing_file_or_record_is_not_found(admin_client, agreement, partner):
    os.remove(agreement.document.path)
    assert admin_client.get(file_url("agreement", agreement)).status_code == 404

    without = Agreement.objects.create(partner=partner, title="No scan", kind="mou")
    assert admin_client.get(file_url("agreement", without)).status_code == 404
    assert admin_client.get(reverse("relations:agreement-file", args=[9999])).status_code == 404


def test_with_x_accel_redirect_the_web_server_sends_the_file(admin_client, agreement, settings):
    settings.AMITY_SENDFILE_HEADER = "X-Accel-Redirect"
    settings.AMITY_SENDFILE_PREFIX = "/protected/"

    response = admin_client.get(file_url("agreement", agreement))

    assert response.status_code == 200
    assert response.content == b""
    folder, name = agreement.document.name.rsplit("/", 1)
    assert response["X-Accel-Redirect"] == (
        f"/protected/{folder}/%ED%98%91%EC%A0%95%EC%84%9C_scan.pdf"
    )
    assert name.startswith("협정서")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_with_x_sendfile_the_header_names_the_file_on_disk(admin_client, document, settings):
    settings.AMITY_SENDFILE_HEADER = "X-Sendfile"
    settings.AMITY_SENDFILE_PREFIX = ""

    response = admin_client.get(file_url("document", document))

    assert response.content == b""
    assert response["X-Sendfile"] == document.file.path


def test_media_url_serves_nothing_not_even_with_debug_on(admin_client, agreement, settings):
    address = f"/{settings.MEDIA_URL}{agreement.document.name}"
    assert admin_client.get(address).status_code == 404

    settings.DEBUG = True
    import config.urls

    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(address)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_pages_link_files_through_their_views(admin_client, agreement, gift, document):
    pages = [
        (agreement.get_absolute_url(), file_url("agreement", agreement)),
        (gift.get_absolute_url(), file_url("gift", gift)),
        (document.delegation.get_absolute_url(), file_url("document", document)),
        (
            reverse("relations:agreement-update", args=[agreement.pk]),
            file_url("agreement", agreement),
        ),
        (reverse("delegations:gift-update", args=[gift.pk]), file_url("gift", gift)),
        (
            reverse("delegations:delegation-update", args=[document.delegation.pk]),
            file_url("document", document),
        ),
    ]
    for page, link in pages:
        html = admin_client.get(page).content.decode()
        assert link in html, page
        assert "/media/" not in html, page


# ---- Uploading --------------------------------------------------------------------------


def agreement_post(partner, upload) -> dict:
    data = {"partner": partner.pk, "title": "Memorandum on youth exchange", "kind": "mou"}
    data["status"] = "proposed"
    for prefix in ("signatories", "approvals"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data["document"] = upload
    return data


ADD_AGREEMENT = reverse("relations:agreement-add")


def test_a_real_pdf_is_accepted_as_an_agreement_scan(admin_client, partner, media):
    upload = SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf")

    response = admin_client.post(ADD_AGREEMENT, agreement_post(partner, upload))

    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Memorandum on youth exchange")
    assert agreement.document.read() == PDF
    assert stored_files(media) == [agreement.document.name]


def test_a_text_file_called_pdf_is_refused_next_to_the_field(admin_client, partner, media):
    upload = SimpleUploadedFile("mou.pdf", TEXT, content_type="application/pdf")

    response = admin_client.post(ADD_AGREEMENT, agreement_post(partner, upload))

    assert response.status_code == 200
    errors = response.context["form"].errors["document"]
    assert errors == [
        "mou.pdf is not a document Amity accepts (its content is not recognised); "
        "use PDF, Word, HWP, JPEG or PNG."
    ]
    assert errors[0] in response.content.decode()
    assert not Agreement.objects.filter(title="Memorandum on youth exchange").exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_with_the_limit(admin_client, partner, media, settings):
    settings.AMITY_MAX_UPLOAD_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")

    response = admin_client.post(ADD_AGREEMENT, agreement_post(partner, upload))

    assert response.status_code == 200
    message = response.context["form"].errors["document"][0]
    assert message == "big.pdf is 2.1\xa0KB; document may be at most 1.0\xa0KB."
    assert not Agreement.objects.filter(title="Memorandum on youth exchange").exists()
    assert stored_files(media) == []


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


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [("painting.png", PNG, True), ("painting.png", TEXT, False), ("painting.jpg", PDF, False)],
)
def test_a_gift_photo_must_be_an_image(admin_client, partner, media, name, content, accepted):
    upload = SimpleUploadedFile(name, content, content_type="image/png")

    response = admin_client.post(reverse("delegations:gift-add"), gift_post(partner, upload))

    assert Gift.objects.filter(description="Joseon-era painting").exists() == accepted
    if accepted:
        assert response.status_code == 302
        assert len(stored_files(media)) == 1
    else:
        assert response.status_code == 200
        assert "is not a photo Amity accepts" in response.context["form"].errors["photo"][0]
        assert stored_files(media) == []


FORMSETS = ["members", "programme", "accommodations", "transports", "interpreters", "documents"]


def delegation_post(partner, *uploads, members=()) -> dict:
    data = {
        "title": "Miryang youth orchestra",
        "direction": "inbound",
        "partner": str(partner.pk),
        "start": "2027-03-10",
        "end": "2027-03-12",
        "status": "planned",
        "budget_currency": "KRW",
    }
    counts = {"members": len(members), "documents": len(uploads)}
    for prefix in FORMSETS:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(counts.get(prefix, 0)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    for n, person in enumerate(members):
        data.update({f"members-{n}-person": str(person.pk), f"members-{n}-role": "member"})
    for n, upload in enumerate(uploads):
        data.update({f"documents-{n}-kind": "document", f"documents-{n}-file": upload})
    return data


def test_delegation_documents_are_checked_by_content(admin_client, partner, media):
    good = SimpleUploadedFile("programme.pdf", PDF)
    bad = SimpleUploadedFile("photo.png", TEXT)

    response = admin_client.post(
        reverse("delegations:delegation-add"), delegation_post(partner, good, bad)
    )

    assert response.status_code == 200
    formset = response.context["formsets"]["documents"]
    assert "is not a document Amity accepts" in formset.forms[1].errors["file"][0]
    assert not Delegation.objects.filter(title="Miryang youth orchestra").exists()
    assert stored_files(media) == []


# ---- A disk that refuses ----------------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch):
    """The storage fails like a full disk, after letting ``allowed`` files through."""
    original = FileSystemStorage._save
    state = {"allowed": 0}

    def save(storage, name, content):
        if state["allowed"] > 0:
            state["allowed"] -= 1
            return original(storage, name, content)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return state


def test_a_full_disk_saves_nothing_and_says_so(
    admin_client, partner, media, full_disk, captured_errors
):
    upload = SimpleUploadedFile("mou.pdf", PDF)

    response = admin_client.post(ADD_AGREEMENT, agreement_post(partner, upload))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [NOT_STORED]
    assert NOT_STORED in response.content.decode()
    assert not Agreement.objects.filter(title="Memorandum on youth exchange").exists()
    assert stored_files(media) == []
    assert "No space left on device" in captured_errors.getvalue()
    assert "MEDIA_ROOT" in captured_errors.getvalue()


def test_a_disk_that_fills_up_midway_leaves_no_file_and_no_row(
    admin_client, partner, media, full_disk
):
    full_disk["allowed"] = 1  # the first document is written, the second is not
    guest = Person.objects.create(name="Son Mi-ra")
    uploads = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]

    response = admin_client.post(
        reverse("delegations:delegation-add"), delegation_post(partner, *uploads, members=[guest])
    )

    assert response.status_code == 200
    print(
        response.context["form"].errors,
        [f.errors for fs in response.context["formsets"].values() for f in fs.forms],
    )
    assert NOT_STORED in response.content.decode()
    assert response.context.get("object") is None  # still the "New delegation" page
    assert not Delegation.objects.exists()
    assert not Member.objects.exists()
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_a_full_disk_on_edit_keeps_the_record_as_it_was(admin_client, agreement, full_disk):
    data = agreement_post(agreement.partner, SimpleUploadedFile("new.pdf", PDF))
    data.update(title="Renamed", version=str(agreement.version))

    response = admin_client.post(reverse("relations:agreement-update", args=[agreement.pk]), data)

    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    assert response.context["object"].pk == agreement.pk
    unchanged = Agreement.objects.get(pk=agreement.pk)
    assert (unchanged.title, unchanged.document.name) == (
        "Friendship agreement",
        agreement.document.name,
    )


def test_an_agreement_whose_scan_went_missing_can_still_be_edited(admin_client, agreement):
    os.remove(agreement.document.path)
    data = agreement_post(agreement.partner, "")
    data.update(title="Renamed", version=str(agreement.version))

    response = admin_client.post(reverse("relations:agreement-update", args=[agreement.pk]), data)

    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).title == "Renamed"
