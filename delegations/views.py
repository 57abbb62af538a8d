import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from relations.exports import Column, xlsx_response
from relations.pages import CreatePage, DeletePage, DetailPage, ListPage, UpdatePage

from .calendar import delegations_ics, feed_delegations, month_grid, parse_month, shift_month
from .clashes import clashes_for, open_clashes
from .filters import DelegationFilter, GiftFilter
from .forms import (
    AccommodationFormSet,
    DelegationForm,
    DocumentFormSet,
    GiftForm,
    InterpreterFormSet,
    MemberFormSet,
    ProgrammeFormSet,
    TransportFormSet,
)
from .gifts import gifts_given_before
from .models import (
    Accommodation,
    CalendarFeed,
    Delegation,
    Gift,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
)
from .printouts import (
    MEMBER_COLUMNS,
    ROOMING_COLUMNS,
    printout_context,
    printout_filename,
    printout_queryset,
    rooming_rows,
)

DELEGATION_COLUMNS: list[Column] = [
    ("Title", "title"),
    ("Direction", "get_direction_display"),
    ("Partner", "partner.name"),
    ("Country", "partner.country.name"),
    ("Dates", "dates_display"),
    ("Start", "start"),
    ("End", "end"),
    ("Status", "get_status_display"),
    ("Leader", "leader.name"),
    ("Leader's title then", "leader_title"),
    ("Declared head-count", "declared_size"),
    ("Members listed", "member_count"),
    ("Invited by", "invited_by"),
    ("Host", "host"),
    ("Purpose", "purpose"),
    ("Outcome", "outcome"),
]

DELEGATION_FORMSETS = {
    "members": MemberFormSet,
    "programme": ProgrammeFormSet,
    "accommodations": AccommodationFormSet,
    "transports": TransportFormSet,
    "interpreters": InterpreterFormSet,
    "documents": DocumentFormSet,
}


class DelegationList(ListPage):
    model = Delegation
    filterset_class = DelegationFilter
    template_name = "delegations/delegation_list.html"
    export_columns = DELEGATION_COLUMNS

    def get_queryset(self):
        return (
            Delegation.objects.select_related("partner", "leader")
            .annotate(member_count=Count("members"))
            .order_by("-start", "title")
        )


class DelegationDetail(DetailPage):
    model = Delegation
    template_name = "delegations/delegation_detail.html"

    def get_queryset(self):
        return Delegation.objects.select_related("partner", "leader", "source").prefetch_related(
            "sectors",
            "agreements",
            "gifts",
            "documents",
            Prefetch("members", queryset=Member.objects.select_related("person")),
            Prefetch(
                "programme",
                queryset=ProgrammeItem.objects.select_related(
                    "venue", "responsible", "interpreter"
                ),
            ),
            Prefetch("accommodations", queryset=Accommodation.objects.select_related("hotel")),
            Prefetch("transports", queryset=Transport.objects.select_related("driver")),
            Prefetch(
                "interpreters", queryset=InterpreterAssignment.objects.select_related("interpreter")
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delegation = self.object
        context["clashes"] = clashes_for(delegation)
        context["gifts_given_before"] = gifts_given_before(delegation)
        context["programme_days"] = delegation.programme_by_day()
        context["next_statuses"] = [
            Delegation.Status(s) for s in delegation.allowed_statuses(delegation.status)[1:]
        ]
        return context


class DelegationFormPage:
    model = Delegation
    form_class = DelegationForm
    formset_classes = DELEGATION_FORMSETS
    template_name = "delegations/delegation_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clashes"] = clashes_for(self.object) if self.object else []
        return context

    def saved(self):
        for clash in clashes_for(self.object):
            messages.warning(self.request, f"Warning: {clash.message}")


class DelegationCreate(DelegationFormPage, CreatePage):
    def get_initial(self):
        return {key: self.request.GET.get(key) for key in ("partner", "direction")}


class DelegationUpdate(DelegationFormPage, UpdatePage):
    pass


class DelegationDelete(DeletePage):
    model = Delegation


class DelegationMove(PermissionRequiredMixin, View):
    """One click to move a delegation to its next status."""

    permission_required = "delegations.change_delegation"

    def post(self, request, pk):
        delegation = get_object_or_404(Delegation, pk=pk)
        try:
            delegation.move_to(request.POST.get("status", ""))
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, f"“{delegation.title}” is now {delegation.get_status_display().lower()}."
            )
        return HttpResponseRedirect(delegation.get_absolute_url())


class ClashList(PermissionRequiredMixin, TemplateView):
    permission_required = "delegations.view_delegation"
    template_name = "delegations/clash_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(clashes=open_clashes(), **kwargs)


# ---- Gifts ----------------------------------------------------------------------------

GIFT_COLUMNS: list[Column] = [
    ("Date", "given_on_display"),
    ("Direction", "get_direction_display"),
    ("Description", "description"),
    ("Partner", "partner.name"),
    ("Delegation", "delegation.title"),
    ("Giver", "giver"),
    ("Recipient", "recipient"),
    ("Estimated value", "value"),
    ("Currency", "currency"),
    ("Estimated value in KRW", "value_krw"),
    ("Needs registration", "needs_registration"),
    ("Registration reference", "registration_reference"),
    ("Disposition", "get_disposition_display"),
    ("Disposition note", "disposition_note"),
    ("Date inferred", "date_inferred"),
]


class GiftList(ListPage):
    model = Gift
    filterset_class = GiftFilter
    template_name = "delegations/gift_list.html"
    export_columns = GIFT_COLUMNS

    def get_queryset(self):
        return Gift.objects.select_related("partner", "delegation")


class GiftDetail(DetailPage):
    model = Gift
    template_name = "delegations/gift_detail.html"

    def get_queryset(self):
        return Gift.objects.select_related("partner", "delegation", "source")


class GiftCreate(CreatePage):
    """Opened from a visit or a partner, the form starts filled in with them."""

    model = Gift
    form_class = GiftForm

    @cached_property
    def from_delegation(self) -> Delegation | None:
        pk = self.request.GET.get("delegation", "")
        return Delegation.objects.filter(pk=pk).first() if pk.isdigit() else None

    def get_initial(self):
        params = self.request.GET
        initial = {name: params[name] for name in ("partner", "direction") if params.get(name)}
        delegation = self.from_delegation
        if delegation:
            initial["delegation"] = delegation.pk
            initial.setdefault("partner", delegation.partner_id)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delegation = self.from_delegation
        context["cancel_url"] = (
            delegation.get_absolute_url() if delegation else reverse_lazy("delegations:gift-list")
        )
        return context


class GiftUpdate(UpdatePage):
    model = Gift
    form_class = GiftForm


class GiftDelete(DeletePage):
    model = Gift


# ---- Calendar -------------------------------------------------------------------------

logger = logging.getLogger(__name__)


class DelegationCalendar(PermissionRequiredMixin, TemplateView):
    """A month of visits and programme items; ``?month=2026-11``, else this month."""

    permission_required = "delegations.view_delegation"
    template_name = "delegations/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        this_month = today.replace(day=1)
        month = parse_month(self.request.GET.get("month", "")) or this_month
        weeks = month_grid(month.year, month.month)
        context.update(
            month=month,
            weeks=weeks,
            today=today,
            previous_month=shift_month(month, -1),
            next_month=shift_month(month, 1),
            is_current_month=month == this_month,
            is_empty=all(day.is_empty for week in weeks for day in week if day.in_month),
        )
        return context


class CalendarSubscription(PermissionRequiredMixin, TemplateView):
    """The user's secret feed address, how to subscribe with it, and a way to replace it."""

    permission_required = "delegations.view_delegation"
    template_name = "delegations/calendar_feed.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feed, _ = CalendarFeed.objects.get_or_create(user=self.request.user)
        feed_url = self.request.build_absolute_uri(feed.get_absolute_url())
        context["feed"] = feed
        context["feed_url"] = feed_url
        context["webcal_url"] = "webcal://" + feed_url.split("://", 1)[1]
        return context

    def post(self, request, *args, **kwargs):
        feed, created = CalendarFeed.objects.get_or_create(user=request.user)
        if not created:
            feed.revoke()
        logger.info("%s made a new calendar feed address", request.user)
        messages.success(
            request,
            "Your calendar has a new address; the old one no longer works. "
            "Subscribe again with the new address.",
        )
        return HttpResponseRedirect(request.path)


@login_not_required  # The secret token in the address stands in for a login.
@require_safe
def calendar_feed(request, token):
    """The iCalendar feed that calendar programs fetch without a session.

    Unknown and revoked tokens, inactive users and users who may not see delegations all
    get the same 404, so the address reveals nothing; nothing is created here.
    """
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    user = feed.user
    if not (user.is_active and user.has_perm("delegations.view_delegation")):
        raise Http404("No such calendar.")
    body = delegations_ics(feed_delegations(), base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="amity-delegations.ics"'
    # Personal data behind a secret address: no shared caches, no search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---- Printouts ------------------------------------------------------------------------


class DelegationPrint(DetailPage):
    """The programme, members and accommodation on a standalone A4 page to print."""

    model = Delegation
    template_name = "delegations/delegation_print.html"

    def get_queryset(self):
        return printout_queryset()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **printout_context(self.object)}


class DelegationPdf(DelegationPrint):
    """The printable page as an A4 PDF, made by WeasyPrint."""

    def render_to_response(self, context, **response_kwargs):
        try:
            # Imported here: WeasyPrint loads Pango when imported, and a server without
            # it should still run everything else and say why there is no PDF.
            from weasyprint import HTML
        except (ImportError, OSError) as error:
            logger.warning("No PDF: WeasyPrint cannot be loaded (%s)", error)
            return render(
                self.request,
                "delegations/delegation_pdf_unavailable.html",
                {"delegation": self.object},
                status=503,
            )
        html = render_to_string(self.template_name, context, request=self.request)
        # The page is self-contained (inline styles, local fonts), so WeasyPrint fetches
        # nothing; base_url only makes its links absolute.
        pdf = HTML(string=html, base_url=self.request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = printout_filename(self.object)
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response


class DelegationSheet(DetailPage):
    """One delegation's list as an XLSX file."""

    model = Delegation
    columns: list[Column] = []
    suffix = ""

    def get_queryset(self):
        return printout_queryset()

    def get_rows(self, delegation):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        filename = printout_filename(self.object, self.suffix)
        logger.info("%s exported %s as xlsx", request.user, filename)
        return xlsx_response(self.get_rows(self.object), self.columns, filename)


class DelegationMembersXlsx(DelegationSheet):
    columns = MEMBER_COLUMNS
    suffix = "members"

    def get_rows(self, delegation):
        return delegation.members.all()


class DelegationRoomingXlsx(DelegationSheet):
    columns = ROOMING_COLUMNS
    suffix = "rooming"

    def get_rows(self, delegation):
        return rooming_rows(delegation)
