"""Where uploads are kept: Django's file system storage, minus the half-written files.

A write that fails part-way (the disk fills up, a quota is reached) makes Django's storage
raise, but it leaves the part already written on disk. The form then says nothing was
saved and no record refers to that file: it would stay there, unseen, holding personal
data. This storage removes it.
"""

import logging
import os
import threading

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


class MediaStorage(FileSystemStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The name this thread is writing: Django picks another one when a file of that
        # name appears meanwhile, and only the last one tried can be ours.
        self._writing = threading.local()

    def get_available_name(self, name, max_length=None):
        name = super().get_available_name(name, max_length=max_length)
        self._writing.name = name
        return name

    def _save(self, name, content):
        self._writing.name = name
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise  # Nothing written: the folder is a file, or the name is taken.
        except OSError:
            self._remove_partial(self._writing.name)
            raise

    def _remove_partial(self, name: str) -> None:
        path = self.path(name)
        try:
            os.remove(path)
        except FileNotFoundError:
            pass  # Failed before the file was created.
        except OSError:
            logger.exception("Could not remove the partly written %s", path)
        else:
            logger.warning("Removed %s: written only in part", path)
