from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = _("Partner relations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from simple_history.signals import pre_create_historical_record

        from . import overflow
        from .audit import record_address
        from .middleware import start_session_clock

        overflow.register()

        pre_create_historical_record.connect(record_address, dispatch_uid="amity-record-address")
        user_logged_in.connect(start_session_clock, dispatch_uid="amity-session-clock")
