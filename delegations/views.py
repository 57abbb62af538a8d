import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from relations.audit import StaleRecord
from relations.exports import Column, xlsx_response
from relations.files import PrivateFile
from relations.models import AccessRecord, Partner
from relations.pages import CreatePage, DeletePage, DetailPage, ListPage, UpdatePage
from relations.roles import EXPORT_DATA, EXPORT_SENSITIVE, VIEW_SENSITIVE
from relations.sensitive import ReasonForm, record_access

from .briefing import BRIEFING_PERMISSIONS, partner_briefing
from .calendar import delegations_ics, feed_delegations, month_grid, parse_month, shift_month
from .clashes import clashes_for, clashes_to_come
from .dashboard import dashboard_for
from .filters import DelegationFilter, GiftFilter
from .forms import (
    AccommodationFormSet,
    DelegationForm,
    DocumentFormSet,
    GiftForm,
    InterpreterFormSet,
    MemberFormSet,
    PassportMemberFormSet,
    ProgrammeFormSet,
    TransportFormSet,
)
from .gifts import gifts_given_before
from .models import (
    Accommodation,
    CalendarFeed,
    Delegation,
    Document,
    Gift,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
)
from .printouts import (
    MEMBER_COLUMNS,
    PASSPORT_COLUMN,
    ROOMING_COLUMNS,
    ascii_filename,
    printout_context,
    printout_filename,
    printout_queryset,
    rooming_rows,
    without_needs,
)

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

    def get_queryset(self):
        return Delegation.objects.select_related("partner", "leader").order_by("-start", "title")


class DelegationDetail(DetailPage):
    model = Delegation
    template_name = "delegations/delegation_detail.html"
    history_children = tuple(DELEGATION_FORMSETS)

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
        # Shown masked; users with VIEW_SENSITIVE may ask to see them (DelegationPassports).
        context["passport_count"] = sum(1 for m in delegation.members.all() if m.passport_number)
        return context


class DelegationFormPage:
    model = Delegation
    form_class = DelegationForm
    template_name = "delegations/delegation_form.html"

    @property
    def formset_classes(self):
        # Only users who may see passport numbers get the field (masked); without it, a
        # save leaves the stored numbers as they are.
        if self.request.user.has_perm(VIEW_SENSITIVE):
            return {**DELEGATION_FORMSETS, "members": PassportMemberFormSet}
        return DELEGATION_FORMSETS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clashes"] = clashes_for(self.object) if self.object else []
        return context

    def saved(self):
        for clash in clashes_for(self.object):
            messages.warning(self.request, _("Warning: %(clash)s") % {"clash": clash.message})


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
            with transaction.atomic():
                delegation.move_to(request.POST.get("status", ""))
        except StaleRecord:
            # Someone saved the delegation between our read and our UPDATE.
            messages.error(
                request,
                _(
                    "Someone else saved this delegation at the same moment: "
                    "nothing was changed. Look at its status and try again."
                ),
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("“%(title)s” is now %(status)s.")
                % {"title": delegation.title, "status": delegation.get_status_display().lower()},
            )
        return HttpResponseRedirect(delegation.get_absolute_url())


class Dashboard(PermissionRequiredMixin, TemplateView):
    """The home page: what is coming and what needs attention (see dashboard.py).

    Login leads here, so everyone who may log in opens it; each section shows only to
    those who may see its records, and a user with no role is told so.
    """

    permission_required = ()  # each section checks its own, in dashboard_for()
    template_name = "delegations/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, **dashboard_for(self.request.user, timezone.localdate())}


class ClashList(PermissionRequiredMixin, TemplateView):
    permission_required = "delegations.view_delegation"
    template_name = "delegations/clash_list.html"

    def get_context_data(self, **kwargs):
        clashes, stale = clashes_to_come(timezone.localdate())
        return super().get_context_data(clashes=clashes, stale=stale, **kwargs)


# ---- Gifts ----------------------------------------------------------------------------


class GiftList(ListPage):
    model = Gift
    filterset_class = GiftFilter
    template_name = "delegations/gift_list.html"

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
        feed, _created = CalendarFeed.objects.get_or_create(user=self.request.user)
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
            _(
                "Your calendar has a new address; the old one no longer works. "
                "Subscribe again with the new address."
            ),
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
        context = printout_context(self.object, show_needs=self.shows_needs())
        # Given to the page (not {% now %}) so that its format can follow the language.
        context["printed_at"] = timezone.localtime()
        return {**super().get_context_data(**kwargs), **context}

    def shows_needs(self) -> bool:
        # Like the delegation's page; files carry members' needs only for users with
        # VIEW_SENSITIVE (see DelegationPdf and DelegationSheet).
        return True


class PdfPage:
    """Mixed into a printable page: answers with the page as an A4 PDF made by WeasyPrint,
    or, when WeasyPrint cannot be loaded, with a page saying why and where to print from."""

    unavailable_template = ""

    def pdf_filename(self) -> str:
        raise NotImplementedError

    def pdf_recorded(self, context, filename: str) -> None:
        """Write the AccessRecord of the file handed out."""
        raise NotImplementedError

    def render_to_response(self, context, **response_kwargs):
        try:
            # Imported here: WeasyPrint loads Pango when imported, and a server without
            # it should still run everything else and say why there is no PDF.
            from weasyprint import HTML
        except (ImportError, OSError) as error:
            logger.warning("No PDF: WeasyPrint cannot be loaded (%s)", error)
            return render(self.request, self.unavailable_template, context, status=503)
        html = render_to_string(self.template_name, context, request=self.request)
        # The page is self-contained (inline styles, local fonts), so WeasyPrint fetches
        # nothing; base_url only makes its links absolute.
        pdf = HTML(string=html, base_url=self.request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = self.pdf_filename()
        self.pdf_recorded(context, filename)
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response


class DelegationPdf(PdfPage, DelegationPrint):
    """The printable page as an A4 PDF."""

    unavailable_template = "delegations/delegation_pdf_unavailable.html"

    def shows_needs(self) -> bool:
        return self.request.user.has_perm(VIEW_SENSITIVE)

    def pdf_filename(self) -> str:
        return printout_filename(self.object)

    def pdf_recorded(self, context, filename: str) -> None:
        record_access(
            self.request,
            kind=AccessRecord.Kind.EXPORT,
            what=f"{filename}.pdf",
            rows=context["listed_size"],
            sensitive=context["show_needs"],
        )


# ---- Partner briefing book ------------------------------------------------------------


class PartnerBriefing(DetailPage):
    """A partner's briefing book on a standalone A4 page to print (see briefing.py)."""

    model = Partner
    permission_required = BRIEFING_PERMISSIONS
    template_name = "delegations/partner_briefing.html"

    def get_queryset(self):
        return Partner.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["briefing"] = partner_briefing(self.object, today=timezone.localdate())
        context["printed_at"] = timezone.localtime()
        return context


class PartnerBriefingPdf(PdfPage, PartnerBriefing):
    """The briefing book as an A4 PDF."""

    unavailable_template = "delegations/partner_briefing_pdf_unavailable.html"

    def pdf_filename(self) -> str:
        return ascii_filename(self.object.name, f"partner-{self.object.pk}", "briefing")

    def pdf_recorded(self, context, filename: str) -> None:
        record_access(
            self.request, kind=AccessRecord.Kind.EXPORT, what=f"{filename}.pdf", rows=None
        )


class DelegationSheet(DetailPage):
    """One delegation's list as an XLSX file."""

    model = Delegation
    permission_required = ["delegations.view_delegation", EXPORT_DATA]
    columns: list[Column] = []
    suffix = ""

    def get_queryset(self):
        return printout_queryset()

    def get_rows(self, delegation):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.user.has_perm(VIEW_SENSITIVE):
            return self.export(self.columns, sensitive=True)
        return self.export(without_needs(self.columns), sensitive=False)

    def export(self, columns: list[Column], *, sensitive: bool, reason: str = ""):
        filename = printout_filename(self.object, self.suffix)
        rows = list(self.get_rows(self.object))
        record_access(
            self.request,
            kind=AccessRecord.Kind.EXPORT,
            what=f"{filename}.xlsx",
            rows=len(rows),
            sensitive=sensitive,
            reason=reason,
        )
        # Headers in the user's language, as text: openpyxl takes no lazy translation.
        columns = [(str(header), accessor) for header, accessor in columns]
        return xlsx_response(rows, columns, filename)


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


@method_decorator(never_cache, name="dispatch")
class DelegationMembersSensitiveXlsx(DelegationSheet):
    """The member list with passport numbers: for users with EXPORT_SENSITIVE, who say why
    first; the reason is kept with the record of the export."""

    permission_required = ["delegations.view_delegation", EXPORT_SENSITIVE]
    template_name = "delegations/delegation_members_sensitive.html"
    columns = [*MEMBER_COLUMNS, PASSPORT_COLUMN]
    suffix = "members-passports"

    def get_rows(self, delegation):
        return delegation.members.all()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=ReasonForm()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        return self.export(self.columns, sensitive=True, reason=form.cleaned_data["reason"])


# ---- Sensitive data and private files -------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class DelegationPassports(DetailPage):
    """Passport numbers in full, for users with VIEW_SENSITIVE: shown when asked for (a
    POST, so no link preview or reload of an old page shows them unasked), and every
    showing is recorded."""

    model = Delegation
    permission_required = ["delegations.view_delegation", VIEW_SENSITIVE]
    template_name = "delegations/delegation_passports.html"

    def get_queryset(self):
        return Delegation.objects.select_related("partner").prefetch_related(
            Prefetch("members", queryset=Member.objects.select_related("person"))
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        members = list(self.object.members.all())
        shown = sum(1 for member in members if member.passport_number)
        record_access(
            request,
            kind=AccessRecord.Kind.VIEW,
            what=f"Passport numbers of {self.object}",
            rows=shown,
            sensitive=True,
        )
        return self.render_to_response(self.get_context_data(members=members, revealed=True))


class GiftFile(PrivateFile):
    """A gift's photo, for those who may see the gift."""

    model = Gift
    field = "photo"


class DocumentFile(PrivateFile):
    """A delegation's document or photo, for those who may see the delegation."""

    model = Document
    field = "file"
    permission_required = ["delegations.view_delegation"]
