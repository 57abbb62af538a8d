"""Uploaded spreadsheets between preview and confirmation.

Each upload gets a folder named by a random token under AMITY_IMPORT_DIR, holding the
file and a small JSON file of who uploaded it, for which import, and the column choices
made since. Confirm and cancel delete the folder; folders older than
AMITY_IMPORT_EXPIRY_HOURS are deleted whenever the import page is opened, so personal
data does not stay on disk.
"""

import json
import logging
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename

logger = logging.getLogger(__name__)

META = "upload.json"


@dataclass
class Upload:
    token: str
    resource: str
    name: str
    user_id: int
    encoding: str = ""
    uploaded_at: float = field(default_factory=time.time)
    # File column position → column id ("" ignores it), once the administrator chose.
    mapping: list[str | None] | None = None
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return Path(settings.AMITY_IMPORT_DIR) / self.token

    @property
    def path(self) -> Path:
        return self.folder / self.stored_name

    @property
    def stored_name(self) -> str:
        return "upload" + Path(self.name).suffix.lower()[:10]

    def save(self) -> None:
        # Written aside, then renamed over the old one: a disk that fills up meanwhile
        # leaves the previous choices, not half a file that loses the upload.
        aside = self.folder / f"{META}.new"
        try:
            aside.write_text(json.dumps(asdict(self)), encoding="utf-8")
            aside.replace(self.folder / META)
        except OSError:
            aside.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def store_upload(upload, *, resource: str, user, encoding: str = "") -> Upload:
    """Keep an uploaded file for the preview; raises OSError when it cannot be stored."""
    record = Upload(
        token=secrets.token_urlsafe(16),
        resource=resource,
        name=get_valid_filename(Path(upload.name).name) or "upload",
        user_id=user.pk,
        encoding=encoding,
    )
    record.folder.mkdir(parents=True, mode=0o700)
    try:
        with record.path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        record.save()
    except OSError:
        record.discard()
        raise
    return record


def find_upload(token: str, user) -> Upload | None:
    """The upload of this token, if it belongs to this user and has not expired."""
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = Path(settings.AMITY_IMPORT_DIR) / token
    try:
        data = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    record = Upload(**data)
    if record.user_id != user.pk or _expired(record.uploaded_at):
        return None
    return record


def purge_expired() -> int:
    """Delete uploads past their expiry; returns how many."""
    root = Path(settings.AMITY_IMPORT_DIR)
    if not root.is_dir():
        return 0
    purged = 0
    for folder in root.iterdir():
        if folder.is_dir() and _expired(folder.stat().st_mtime):
            shutil.rmtree(folder, ignore_errors=True)
            purged += 1
    if purged:
        logger.info("Deleted %s expired import uploads", purged)
    return purged


def _expired(timestamp: float) -> bool:
    return time.time() - timestamp > settings.AMITY_IMPORT_EXPIRY_HOURS * 3600
