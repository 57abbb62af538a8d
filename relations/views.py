from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Case, Count, Prefetch, Value, When
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from . import extensions
from .dossier import partner_dossier
from .files import PrivateFile
from .filters import AgreementFilter, InstitutionFilter, PartnerFilter, PersonFilter
from .forms import (
    AgreementForm,
    ApprovalFormSet,
    InstitutionForm,
    InstitutionLinkFormSet,
    PartnerAliasFormSet,
    PartnerForm,
    PersonForm,
    PositionFormSet,
    SignatoryFormSet,
)
from .global_search import search_everything
from .history import deleted_records, domain_models
from .models import (
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    Person,
    Position,
)
from .pages import (
    CreatePage,
    DeletePage,
    DetailPage,
    ListPage,
    UpdatePage,
    model_permission,
    page_url,
)


class SearchPage(TemplateView):
    template_name = "relations/search.html"
    per_group = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # PostgreSQL refuses a NUL in any query text: a hostile one would be a 500.
        query = self.request.GET.get("q", "").replace("\x00", "").strip()[:200]
        context["q"] = query
        groups = search_everything(query, self.per_group) if query else []
        for source in extensions.search_sources if query else []:
            groups.append(source(query, self.per_group))
        context["groups"] = groups
        context["total"] = sum(len(g.results) + g.more for g in groups)
        return context


# ---- Partners -------------------------------------------------------------------------


class PartnerList(ListPage):
    model = Partner
    filterset_class = PartnerFilter
    template_name = "relations/partner_list.html"

    def get_queryset(self):
        return (
            Partner.objects.partners()
            .annotate(agreement_count=Count("agreements"))
            .order_by("name")
        )


class PartnerDetail(DetailPage):
    model = Partner
    template_name = "relations/partner_detail.html"
    history_children = ("aliases",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dossier"] = partner_dossier(self.object)
        actions = (make(self.object, self.request.user) for make in extensions.partner_actions)
        context["actions"] = [action for action in actions if action]
        return context


class PartnerCreate(CreatePage):
    model = Partner
    form_class = PartnerForm
    formset_classes = {"aliases": PartnerAliasFormSet}


class PartnerUpdate(UpdatePage):
    model = Partner
    form_class = PartnerForm
    formset_classes = {"aliases": PartnerAliasFormSet}


class PartnerDelete(DeletePage):
    model = Partner


# ---- Agreements -----------------------------------------------------------------------


class AgreementList(ListPage):
    model = Agreement
    filterset_class = AgreementFilter
    template_name = "relations/agreement_list.html"

    def get_queryset(self):
        return Agreement.objects.select_related("partner").prefetch_related("sectors")


class AgreementDetail(DetailPage):
    model = Agreement
    template_name = "relations/agreement_detail.html"
    history_children = ("signatories", "approvals")

    def get_queryset(self):
        return Agreement.objects.select_related("partner", "source").prefetch_related(
            "sectors",
            Prefetch("signatories", queryset=AgreementSignatory.objects.select_related("person")),
            Prefetch("approvals", queryset=Approval.objects.select_related("source")),
            Prefetch(
                "institution_links",
                queryset=InstitutionLink.objects.select_related("institution", "counterpart"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = (make(self.object) for make in extensions.agreement_sections)
        context["sections"] = [s for s in sections if s]
        return context


class AgreementCreate(CreatePage):
    model = Agreement
    form_class = AgreementForm
    formset_classes = {"signatories": SignatoryFormSet, "approvals": ApprovalFormSet}

    def get_initial(self):
        return {"partner": self.request.GET.get("partner")}


class AgreementUpdate(UpdatePage):
    model = Agreement
    form_class = AgreementForm
    formset_classes = {"signatories": SignatoryFormSet, "approvals": ApprovalFormSet}


class AgreementDelete(DeletePage):
    model = Agreement


class AgreementFile(PrivateFile):
    """The scan of the signed agreement, for those who may see the agreement."""

    model = Agreement
    field = "document"


# ---- People ---------------------------------------------------------------------------


# The list shows each person's first position: one held now (started, no end) if any,
# else the one last known to be held. NULLs last also on PostgreSQL, which sorts them
# first in a descending order.
CURRENT_POSITION_FIRST = [
    Case(When(start__isnull=False, end__isnull=True, then=Value(0)), default=Value(1)),
    Coalesce("end", "start", "attested_on").desc(nulls_last=True),
]


class PersonList(ListPage):
    model = Person
    filterset_class = PersonFilter
    template_name = "relations/person_list.html"

    def get_queryset(self):
        return Person.objects.select_related("partner").prefetch_related(
            Prefetch("positions", queryset=Position.objects.order_by(*CURRENT_POSITION_FIRST))
        )


class PersonDetail(DetailPage):
    model = Person
    template_name = "relations/person_detail.html"
    history_children = ("positions",)

    def get_queryset(self):
        return Person.objects.select_related("partner", "source").prefetch_related(
            Prefetch(
                "positions", queryset=Position.objects.select_related("partner", "institution")
            ),
            Prefetch(
                "signatures",
                queryset=AgreementSignatory.objects.select_related("agreement__partner"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = [s for make in extensions.person_sections if (s := make(self.object))]
        return context


class PersonCreate(CreatePage):
    model = Person
    form_class = PersonForm
    formset_classes = {"positions": PositionFormSet}


class PersonUpdate(UpdatePage):
    model = Person
    form_class = PersonForm
    formset_classes = {"positions": PositionFormSet}


class PersonDelete(DeletePage):
    model = Person


# ---- Institutions ---------------------------------------------------------------------


class InstitutionList(ListPage):
    model = Institution
    filterset_class = InstitutionFilter
    template_name = "relations/institution_list.html"

    def get_queryset(self):
        return Institution.objects.select_related("partner")


class InstitutionDetail(DetailPage):
    model = Institution
    template_name = "relations/institution_detail.html"
    history_children = ("links_made",)

    def get_queryset(self):
        links = InstitutionLink.objects.select_related(
            "institution__partner", "counterpart__partner", "agreement"
        )
        return Institution.objects.select_related("partner", "source").prefetch_related(
            Prefetch("links_made", queryset=links),
            Prefetch("links_received", queryset=links),
            Prefetch("positions", queryset=Position.objects.select_related("person")),
        )


class InstitutionCreate(CreatePage):
    model = Institution
    form_class = InstitutionForm
    formset_classes = {"links": InstitutionLinkFormSet}


class InstitutionUpdate(UpdatePage):
    model = Institution
    form_class = InstitutionForm
    formset_classes = {"links": InstitutionLinkFormSet}


class InstitutionDelete(DeletePage):
    model = Institution


# ---- Audit ----------------------------------------------------------------------------


class DeletedRecords(PermissionRequiredMixin, TemplateView):
    """The latest deletions of every kind of record, with their last values, read from
    the history (a delete loses nothing). Administrators (staff) only; each sees only the
    kinds of record they may view."""

    template_name = "relations/deleted_records.html"
    limit = 100

    def has_permission(self):
        return self.request.user.is_staff

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = [m for m in domain_models() if user.has_perm(model_permission(m, "view"))]
        changes = deleted_records(visible, limit=self.limit)
        context["deletions"] = [(change, history_link(change)) for change in changes]
        context["limit"] = self.limit
        return context


def history_link(change) -> str:
    """The officers' history page of the record, else its history in the admin."""
    if url := page_url(change.model, "history", change.object_id):
        return url
    opts = change.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[change.object_id])
    except NoReverseMatch:
        return ""
