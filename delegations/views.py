from django.db.models import Prefetch

from relations.exports import Column
from relations.pages import DetailPage, ListPage

from .filters import DelegationFilter
from .models import Delegation, Member, ProgrammeItem

DELEGATION_COLUMNS: list[Column] = [
    ("Title", "title"),
    ("Direction", "get_direction_display"),
    ("Partner", "partner.name"),
    ("Dates", "dates_display"),
    ("Status", "get_status_display"),
    ("Leader", "leader.name"),
    ("Leader's title then", "leader_title"),
    ("Declared head-count", "declared_size"),
    ("Purpose", "purpose"),
]


class DelegationList(ListPage):
    model = Delegation
    filterset_class = DelegationFilter
    template_name = "delegations/delegation_list.html"
    export_columns = DELEGATION_COLUMNS

    def get_queryset(self):
        return Delegation.objects.select_related("partner", "leader")


class DelegationDetail(DetailPage):
    model = Delegation
    template_name = "delegations/delegation_detail.html"

    def get_queryset(self):
        return Delegation.objects.select_related("partner", "leader", "source").prefetch_related(
            "sectors",
            "agreements",
            "gifts",
            Prefetch("members", queryset=Member.objects.select_related("person")),
            Prefetch("programme", queryset=ProgrammeItem.objects.select_related("venue")),
        )
