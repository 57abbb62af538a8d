"""Uploaded files are private: no address serves MEDIA_ROOT, not even with DEBUG on.

Each kind of file has a view that checks the permission to see the record it belongs to
and then sends the file (``file_response``), or, in production, lets the web server send
it: with ``AMITY_SENDFILE_HEADER`` set the response is only a header naming the file
(nginx ``X-Accel-Redirect`` to an ``internal`` location, Apache ``X-Sendfile``).
"""

import logging
import posixpath
from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.files.uploadedfile import UploadedFile
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from .uploads import sniffed_type

logger = logging.getLogger(__name__)

# Shown in the browser; anything else (PDF, Word, HWP) is downloaded. Never SVG or HTML:
# those could run script on our origin.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}

# Translated where it is shown: gettext(NOT_STORED).
NOT_STORED = gettext_noop(
    "The file could not be stored (disk full or not writable); nothing was saved."
)


def file_response(stored: FieldFile) -> HttpResponse:
    """Send a stored file, or hand it to the web server; 404 when it is not on disk."""
    if not stored:
        raise Http404(_("No file attached."))
    try:
        handle = stored.storage.open(stored.name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        logger.warning("A stored file is missing from MEDIA_ROOT: %s", stored.name)
        raise Http404(_("The file is missing.")) from None
    # By what the file holds, not what it is called: validated uploads match, and a
    # misnamed one is still never sent as something a browser would run.
    content_type = sniffed_type(handle) or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    filename = posixpath.basename(stored.name)
    header = settings.AMITY_SENDFILE_HEADER
    if header:
        handle.close()
        response = HttpResponse(b"", content_type=content_type)
        response[header] = sendfile_location(stored)
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Personal data: not kept by shared caches, nor by the browser of a shared office PC.
    response["Cache-Control"] = "private, no-store"
    return response


def sendfile_location(stored: FieldFile) -> str:
    prefix = settings.AMITY_SENDFILE_PREFIX
    if settings.AMITY_SENDFILE_HEADER == "X-Accel-Redirect":
        # A URI of nginx's internal location: nginx decodes it, so it is encoded here.
        return prefix.rstrip("/") + "/" + quote(stored.name)
    # X-Sendfile names a path on disk.
    return posixpath.join(prefix, stored.name) if prefix else stored.path


class PrivateFile(PermissionRequiredMixin, View):
    """The file of one record, for users who may view the record (or ``permission_required``)."""

    model = None
    field = ""

    def get_permission_required(self):
        opts = self.model._meta
        return self.permission_required or [f"{opts.app_label}.view_{opts.model_name}"]

    def get(self, request, pk):
        record = get_object_or_404(self.model, pk=pk)
        return file_response(getattr(record, self.field))


# ---- Forms ----------------------------------------------------------------------------


class LinkedFieldFile(FieldFile):
    """A stored file whose ``url`` is its download view rather than MEDIA_URL."""

    def __init__(self, stored: FieldFile, url: str):
        super().__init__(stored.instance, stored.field, stored.name)
        self._view_url = url

    @property
    def url(self) -> str:
        return self._view_url


class PrivateFileLinksMixin:
    """Edit forms link the current file through its view (``{field: url name}``): the
    file input's "Currently:" link would otherwise point at MEDIA_URL, which serves nothing."""

    file_views: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, url_name in self.file_views.items():
            stored = getattr(self.instance, name, None)
            if name in self.fields and stored and self.instance.pk:
                self.initial[name] = LinkedFieldFile(
                    stored, reverse(url_name, args=[self.instance.pk])
                )


def new_uploads(forms: Iterable) -> list[tuple[object, str]]:
    """(instance, field name) of each file uploaded in these forms, before saving."""
    uploads = []
    for form in forms:
        cleaned = getattr(form, "cleaned_data", None) or {}
        for field in form.instance._meta.concrete_fields:
            if isinstance(field, FileField) and isinstance(cleaned.get(field.name), UploadedFile):
                uploads.append((form.instance, field.name))
    return uploads


def discard_stored(uploads: list[tuple[object, str]]) -> None:
    """After a failed save: remove the files of ``uploads`` already written, so no file
    is left on disk that no record refers to."""
    for instance, name in uploads:
        stored = getattr(instance, name)
        if stored and stored._committed and isinstance(stored.name, str):
            try:
                stored.storage.delete(stored.name)
            except OSError:
                logger.exception("Could not remove %s after a failed save", stored.name)
