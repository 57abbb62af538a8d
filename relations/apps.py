from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = "Partner relations"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from .audit import record_address

        pre_create_historical_record.connect(record_address, dispatch_uid="amity-record-address")
