"""A text field stored encrypted (Fernet): readable only with keys from the environment.

``AMITY_FIELD_ENCRYPTION_KEYS`` lists keys newest first; values are written with the
first and read with any, so a key can be rotated without downtime.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("AMITY_FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.AMITY_FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with AMITY_FIELD_ENCRYPTION_KEYS: was a key "
            "removed before its values were rewritten?"
        ) from None


class EncryptedTextField(models.TextField):
    """Encrypted at rest; cannot be searched or sorted in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
