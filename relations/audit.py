"""Who changed what, when and from where; and refusing a save made on stale data.

Every domain model keeps its history with django-simple-history (``audit_trail()``):
one row per change, with the user, the time and the address of the request. Records
edited in forms carry a ``version`` that the UPDATE checks, so a second officer saving
an old copy is refused instead of silently wiping the first one's change.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ChangeContext(models.Model):
    """Added to every history row: where the change came from."""

    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        abstract = True


def audit_trail(**options) -> HistoricalRecords:
    options.setdefault("excluded_fields", [])
    return HistoricalRecords(bases=[ChangeContext], cascade_delete_history=False, **options)


def request_address(request) -> str | None:
    """The browser's address (also what django-axes locks logins by).

    Behind our TLS proxy REMOTE_ADDR is the proxy, which appends the address it saw to
    X-Forwarded-For: the last entry is the one it vouches for (earlier ones are whatever
    the browser sent). The header is believed only when settings say there is such a
    proxy (AMITY_BEHIND_TLS_PROXY, see README).
    """
    if settings.AMITY_BEHIND_TLS_PROXY:
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


def record_address(sender, history_instance, **kwargs) -> None:
    """Signal receiver (pre_create_historical_record): note the request's address."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None:
        history_instance.ip_address = request_address(request)


class StaleRecord(Exception):
    """Someone saved the record after this copy of it was loaded."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(f"{instance._meta.verbose_name} {instance.pk} was changed meanwhile")


class Versioned(models.Model):
    """A counter raised by every save; an UPDATE only applies to the version it read."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        loaded = self.version
        field = self._meta.get_field("version")
        values = [(f, model, loaded + 1 if f is field else value) for f, model, value in values]
        updated = super()._do_update(
            base_qs.filter(version=loaded), using, pk_val, values, update_fields, forced_update
        )
        if updated:
            self.version = loaded + 1
        elif base_qs.filter(pk=pk_val).exists():
            raise StaleRecord(self)
        return updated
