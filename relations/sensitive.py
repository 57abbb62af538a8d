"""Sensitive personal data: masked wherever it is shown, and every look or export recorded.

Passport numbers appear in full only on a page that a user with ``VIEW_SENSITIVE`` asks
for, and in a spreadsheet that a user with ``EXPORT_SENSITIVE`` asks for with a reason
(see ``roles.py``); both write an ``AccessRecord``. Every export of a list or file writes
one too. Nothing here logs a sensitive value: log lines name the list, never its contents.
"""

import logging

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import request_address
from .models import AccessRecord

logger = logging.getLogger(__name__)

MASK_CHAR = "•"
# Always this many: the masked text does not tell how long the value is.
MASK_RUN = MASK_CHAR * 6
# Parameters of a list address that change how it looks, not which rows it holds.
NOT_FILTERS = {"export", "page", "per_page", "sort"}


def mask(value) -> str:
    """``M12345678`` → ``M••••••78``: enough to tell two numbers apart, not to use one."""
    value = str(value or "").strip()
    if not value:
        return ""
    if len(value) <= 4:
        return MASK_RUN
    return f"{value[0]}{MASK_RUN}{value[-2:]}"


def record_access(
    request,
    *,
    kind: str,
    what: str,
    rows: int | None,
    sensitive: bool = False,
    reason: str = "",
) -> AccessRecord:
    """Note who looked at or exported what, from where, and why; one row per look."""
    record = AccessRecord.objects.create(
        kind=kind,
        user=request.user,
        ip_address=request_address(request),
        what=what[: AccessRecord._meta.get_field("what").max_length],
        row_count=rows,
        sensitive=sensitive,
        reason=reason,
    )
    logger.info(
        "%s: %s %s (%s rows%s)",
        request.user,
        record.get_kind_display().lower(),
        record.what,
        rows,
        ", sensitive" if sensitive else "",
    )
    return record


def described(name: str, params: QueryDict) -> str:
    """An export's file name with the filters that chose its rows: ``agreements.csv
    (status=signed; q=Miryang)``."""
    filters = [
        f"{key}={value}"
        for key, values in params.lists()
        if key not in NOT_FILTERS
        for value in values
        if value
    ]
    return f"{name} ({'; '.join(filters)})" if filters else name


class ReasonForm(forms.Form):
    """Asked before sensitive data leaves Amity; the reason is kept with the record."""

    reason = forms.CharField(
        label=gettext_lazy("Why do you need this?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "e.g. “Visa invitation letters for the embassy”. Kept with the record of this export."
        ),
        error_messages={"required": gettext_lazy("Give the reason for exporting sensitive data.")},
    )


class MaskedFieldsMixin:
    """Sensitive fields of a model form are shown masked, never in full.

    Left as shown, a field keeps the stored value; typed over, it takes the new one;
    emptied, it is cleared. A masked value changed only in part is refused.
    """

    masked_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.masked_fields:
            if name in self.fields:
                self.initial[name] = mask(getattr(self.instance, name, ""))
                self.fields[name].widget.attrs.update(autocomplete="off", spellcheck="false")

    def normalise_masked(self, name: str, value: str) -> str:
        return value

    def clean(self):
        cleaned = super().clean()
        for name in self.masked_fields:
            if name not in cleaned:
                continue
            value = (cleaned[name] or "").strip()
            # The instance still holds the stored value: the form copies onto it later.
            stored = getattr(self.instance, name, "") or ""
            if stored and value == mask(stored):
                cleaned[name] = stored
            elif MASK_CHAR in value:
                self.add_error(
                    name, _("Type the whole number, or leave the masked one as it is to keep it.")
                )
            else:
                cleaned[name] = self.normalise_masked(name, value)
        return cleaned
