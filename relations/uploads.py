"""Checks on uploaded files, by what they contain rather than what they are called."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DOCUMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/x-hwp",
}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic"}


def sniffed_type(upload) -> str | None:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(position)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: old Word and Hangul (HWP) files
        return "application/msword"
    return None


def check_upload(upload, allowed: set[str], what: str) -> None:
    if isinstance(upload, FieldFile) and upload._committed:
        # Already stored, so checked when it was uploaded. Model validation runs on every
        # save: reading the stored file again would fail the edit of a record whose file
        # is missing from disk, and cost a read per save.
        return
    limit = settings.AMITY_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; %(what)s may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "what": what,
                "limit": filesizeformat(limit),
            }
        )
    kind = sniffed_type(upload)
    if kind not in allowed:
        raise ValidationError(
            _(
                "%(name)s is not a %(what)s Amity accepts (its content is %(kind)s); use PDF, "
                "Word, HWP, JPEG or PNG."
            )
            % {"name": upload.name, "what": what, "kind": kind or _("not recognised")}
        )


def validate_document(upload) -> None:
    check_upload(upload, DOCUMENT_TYPES, gettext_lazy("document"))


def validate_image(upload) -> None:
    check_upload(upload, IMAGE_TYPES, gettext_lazy("photo"))
