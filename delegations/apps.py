from django.apps import AppConfig


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = "Delegations"

    def ready(self):
        from . import contributions

        contributions.register()
