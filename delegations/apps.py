from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations")

    def ready(self):
        from relations import history

        from . import contributions, resources  # noqa: F401  (registers the resources)

        contributions.register()
        # Its rows hold each user's secret feed address, not the office's records.
        history.not_listed.add("delegations.calendarfeed")
        history.sensitive_fields["delegations.member"] |= {"dietary_needs", "accessibility_needs"}
