import dataclasses

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .audit import StaleRecord
from .exports import EXPORTERS
from .forms import VersionCheckMixin
from .history import HIDDEN, is_sensitive, stale_message
from .languages import untranslated
from .models import (
    AccessRecord,
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    PartnerAlias,
    Person,
    Position,
    Sector,
    Source,
)
from .resources import resource_for_model
from .roles import EXPORT_DATA, IMPORT_DATA
from .sensitive import record_access

# The citation of a historical record (see ``Provenance``): checked now and then, so it
# comes last and collapsed. Admins of Provenance models end their fieldsets with it and
# list "source" in autocomplete_fields.
SOURCE_FIELDSET = (
    gettext_lazy("Source"),
    {
        "classes": ["collapse"],
        "fields": ["source", "source_locator", "date_inferred", "provenance_note"],
    },
)


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The admin's history pages never show sensitive values, only that they changed."""

    def format_delta_change(self, change):
        if is_sensitive(self.model, change.field):
            change = dataclasses.replace(change, old=HIDDEN, new=HIDDEN)
        return super().format_delta_change(change)


class DateHierarchyChangeList(ChangeList):
    """Django reads a date_hierarchy year such as 99999999999999999999 or 9999 (whose next
    year is past the calendar) into a date without catching the overflow: a 500. They are
    refused as any unknown filter is, with the changelist's "?e=1" redirect."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class DateHierarchyMixin:
    def get_changelist(self, request, **kwargs):
        return DateHierarchyChangeList


class HistoryAdmin(DateHierarchyMixin, SimpleHistoryAdmin):
    """simple-history's history pages (``<id>/history/``), read-only for everyone: with
    SIMPLE_HISTORY_REVERT_DISABLED the revert button is hidden, and a post to an old
    version's page (which simple-history would still save) is refused here.

    No list filters on a partner or a person: a filter lists every value there is (two
    thousand partners at a national office); the search box finds them instead. And no
    second COUNT of the whole table beside the filtered one."""

    show_full_result_count = False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(_("The history is read-only."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record)


def export_selected(modeladmin, request, queryset, fmt: str):
    resource = resource_for_model(modeladmin.model)
    if resource is None or not request.user.has_perm(EXPORT_DATA):
        raise PermissionDenied(_("Exporting needs the right to export."))
    name = untranslated(modeladmin.model._meta.verbose_name_plural).replace(" ", "-")
    record_access(
        request,
        kind=AccessRecord.Kind.EXPORT,
        what=f"{name}.{fmt} (admin: {queryset.count()} selected)",
        rows=queryset.count(),
    )
    return EXPORTERS[fmt](resource().export_rows(queryset.order_by("pk")), name)


@admin.action(description=gettext_lazy("Export selected to Excel (.xlsx)"))
def export_selected_xlsx(modeladmin, request, queryset):
    return export_selected(modeladmin, request, queryset, "xlsx")


@admin.action(description=gettext_lazy("Export selected to CSV"))
def export_selected_csv(modeladmin, request, queryset):
    return export_selected(modeladmin, request, queryset, "csv")


class SpreadsheetAdmin(HistoryAdmin):
    """Exports the selected records with the columns of the import (streamed, formulas
    neutralised, logged), and links to the import page, which imports for the admin too:
    one set of rules for every import."""

    change_list_template = "admin/amity_change_list.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        if resource_for_model(self.model) and request.user.has_perm(EXPORT_DATA):
            for action in (export_selected_xlsx, export_selected_csv):
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions

    def changelist_view(self, request, extra_context=None):
        resource = resource_for_model(self.model)
        if resource and request.user.has_perm(IMPORT_DATA):
            extra_context = {
                **(extra_context or {}),
                "import_url": f"{reverse('relations:import-start')}?resource={resource.slug}",
            }
        return super().changelist_view(request, extra_context)


class VersionedAdminForm(VersionCheckMixin, forms.ModelForm):
    pass


class VersionCheckAdminMixin:
    """For admins of ``Versioned`` models: a save made on a stale copy is refused with the
    officers' pages' message, and nothing is saved."""

    form = VersionedAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        # The hidden field must be in a fieldset, or the admin does not render it.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # "version" is a field of the form, not an editable field of the model.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name != "version"]
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleRecord as stale:
            # Someone saved between the form's check and our UPDATE; the view's
            # transaction wrote nothing. Shown again, the form finds the newer version
            # and says who changed what.
            record = stale.instance
            if isinstance(record, self.model) and str(record.pk) == str(object_id):
                return super().changeform_view(request, object_id, form_url, extra_context)
            messages.error(request, stale_message(type(record), record.pk, record.version))
            return HttpResponseRedirect(request.path)


@admin.register(Source)
class SourceAdmin(SpreadsheetAdmin):
    list_display = ["title", "key", "kind", "publisher", "published_on"]
    list_filter = ["kind"]
    search_fields = ["title", "key", "publisher", "url"]


@admin.register(Sector)
class SectorAdmin(HistoryAdmin):
    list_display = ["name", "name_ko", "name_zh", "slug"]
    search_fields = ["name", "name_ko", "name_zh"]
    prepopulated_fields = {"slug": ["name"]}


class PartnerAliasInline(admin.TabularInline):
    model = PartnerAlias
    extra = 0


class PartnerAgreementInline(admin.TabularInline):
    model = Agreement
    fields = ["title", "kind", "status", "signed_on", "signed_on_precision"]
    extra = 0
    show_change_link = True


class PartnerPersonInline(admin.TabularInline):
    model = Person
    fields = ["name", "native_name", "email", "phone"]
    extra = 0
    show_change_link = True


@admin.register(Partner)
class PartnerAdmin(VersionCheckAdminMixin, SpreadsheetAdmin):
    list_display = [
        "name",
        "native_name",
        "kind",
        "country",
        "level",
        "status",
        "established",
        "is_home",
    ]
    list_filter = ["level", "status", "kind", ("country", CountryFilter), "is_home", "source"]
    search_fields = ["name", "native_name", "aliases__name", "region"]
    autocomplete_fields = ["source"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PartnerAliasInline, PartnerAgreementInline, PartnerPersonInline]
    fieldsets = [
        (None, {"fields": ["name", "native_name", "kind", "is_home"]}),
        (
            gettext_lazy("Relationship"),
            {
                "fields": [
                    "level",
                    ("level_since", "level_since_precision"),
                    "status",
                    ("status_since", "status_since_precision"),
                    ("established_on", "established_on_precision"),
                ]
            },
        ),
        (
            gettext_lazy("Profile"),
            {
                "fields": [
                    "country",
                    "region",
                    ("population", "population_year"),
                    "area_km2",
                    ("latitude", "longitude"),
                    "website",
                    "profile",
                    "notes",
                ]
            },
        ),
        SOURCE_FIELDSET,
        (gettext_lazy("Record"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=gettext_lazy("established"), ordering="established_on")
    def established(self, partner):
        return partner.established_on_display


@admin.register(PartnerAlias)
class PartnerAliasAdmin(HistoryAdmin):
    list_display = ["name", "language", "partner"]
    list_filter = ["language"]
    search_fields = ["name", "partner__name", "partner__native_name"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner"]


class InstitutionLinkMadeInline(admin.TabularInline):
    model = InstitutionLink
    fk_name = "institution"
    fields = [
        "counterpart",
        "kind",
        "status",
        "established_on",
        "established_on_precision",
        "agreement",
    ]
    autocomplete_fields = ["counterpart", "agreement"]
    extra = 0
    show_change_link = True
    verbose_name_plural = gettext_lazy("links made")


@admin.register(Institution)
class InstitutionAdmin(VersionCheckAdminMixin, SpreadsheetAdmin):
    list_display = ["name", "native_name", "kind", "partner"]
    list_filter = ["kind", "source"]
    search_fields = ["name", "native_name", "partner__name", "partner__native_name"]
    autocomplete_fields = ["partner", "source"]
    list_select_related = ["partner"]
    inlines = [InstitutionLinkMadeInline]
    fieldsets = [
        (None, {"fields": ["name", "native_name", "kind", "partner", "address", "website"]}),
        (gettext_lazy("Notes"), {"fields": ["notes"]}),
        SOURCE_FIELDSET,
    ]


class PositionInline(admin.TabularInline):
    model = Position
    fields = [
        "title",
        "organisation",
        "partner",
        "institution",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "attested_on",
        "attested_on_precision",
    ]
    autocomplete_fields = ["partner", "institution"]
    extra = 0
    show_change_link = True


@admin.register(Person)
class PersonAdmin(VersionCheckAdminMixin, SpreadsheetAdmin):
    list_display = ["name", "native_name", "partner", "email", "phone"]
    list_filter = ["source"]
    search_fields = ["name", "native_name", "email", "positions__title"]
    autocomplete_fields = ["partner", "source"]
    list_select_related = ["partner"]
    inlines = [PositionInline]
    fieldsets = [
        (None, {"fields": ["name", "native_name", "partner"]}),
        (gettext_lazy("Contact"), {"fields": ["email", "phone", "notes"]}),
        SOURCE_FIELDSET,
    ]


@admin.register(Position)
class PositionAdmin(HistoryAdmin):
    list_display = ["person", "title", "organisation", "period"]
    list_filter = ["source"]
    search_fields = [
        "title",
        "organisation",
        "person__name",
        "person__native_name",
        "institution__name",
        "institution__native_name",
    ]
    autocomplete_fields = ["person", "partner", "institution", "source"]
    list_select_related = ["person"]
    fieldsets = [
        (None, {"fields": ["person", "title", "organisation", "partner", "institution"]}),
        (
            gettext_lazy("Held"),
            {
                "fields": [
                    ("start", "start_precision"),
                    ("end", "end_precision"),
                    ("attested_on", "attested_on_precision"),
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=gettext_lazy("period"), ordering="start")
    def period(self, position):
        return position.period_display


class AgreementSignatoryInline(admin.TabularInline):
    model = AgreementSignatory
    autocomplete_fields = ["person"]
    extra = 0


class ApprovalInline(admin.TabularInline):
    model = Approval
    fields = ["body", "approved_on", "approved_on_precision", "reference", "note"]
    extra = 0
    show_change_link = True


class AgreementInstitutionLinkInline(admin.TabularInline):
    model = InstitutionLink
    fk_name = "agreement"
    fields = ["institution", "counterpart", "kind", "status"]
    autocomplete_fields = ["institution", "counterpart"]
    extra = 0
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(VersionCheckAdminMixin, SpreadsheetAdmin):
    list_display = ["title", "partner", "kind", "status", "signed", "valid_until"]
    list_filter = [
        "kind",
        "status",
        "sets_level",
        "sectors",
        "source",
    ]
    search_fields = [
        "title",
        "partner__name",
        "partner__native_name",
        "home_party",
        "partner_party",
        "signed_place",
    ]
    autocomplete_fields = ["partner", "sectors", "source"]
    list_select_related = ["partner"]
    date_hierarchy = "signed_on"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AgreementSignatoryInline, ApprovalInline, AgreementInstitutionLinkInline]
    fieldsets = [
        (None, {"fields": ["partner", "title", "kind", "status", "sets_level", "sectors"]}),
        (
            gettext_lazy("Signing"),
            {
                "fields": [
                    ("signed_on", "signed_on_precision"),
                    ("signed_time", "signed_place"),
                    "home_party",
                    "partner_party",
                ]
            },
        ),
        (
            gettext_lazy("Validity"),
            {"fields": [("valid_from", "valid_until"), "renews_automatically"]},
        ),
        (gettext_lazy("Content"), {"fields": ["summary", "document"]}),
        SOURCE_FIELDSET,
        (gettext_lazy("Record"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=gettext_lazy("signed"), ordering="signed_on")
    def signed(self, agreement):
        return agreement.signed_on_display


@admin.register(AgreementSignatory)
class AgreementSignatoryAdmin(HistoryAdmin):
    list_display = ["person", "title", "side", "agreement"]
    list_filter = ["side"]
    search_fields = ["person__name", "person__native_name", "title", "agreement__title"]
    autocomplete_fields = ["agreement", "person"]
    list_select_related = ["person", "agreement"]


@admin.register(Approval)
class ApprovalAdmin(HistoryAdmin):
    list_display = ["body", "agreement", "approved", "reference"]
    list_filter = ["source"]
    search_fields = ["body", "reference", "agreement__title"]
    autocomplete_fields = ["agreement", "source"]
    list_select_related = ["agreement"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "agreement",
                    "body",
                    ("approved_on", "approved_on_precision"),
                    "reference",
                    "note",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=gettext_lazy("approved"), ordering="approved_on")
    def approved(self, approval):
        return approval.approved_on_display


@admin.register(InstitutionLink)
class InstitutionLinkAdmin(HistoryAdmin):
    list_display = ["institution", "counterpart", "kind", "status", "established"]
    list_filter = ["kind", "status", "source"]
    search_fields = [
        "institution__name",
        "institution__native_name",
        "counterpart__name",
        "counterpart__native_name",
    ]
    autocomplete_fields = ["institution", "counterpart", "agreement", "source"]
    list_select_related = ["institution", "counterpart"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "institution",
                    "counterpart",
                    "kind",
                    "status",
                    ("established_on", "established_on_precision"),
                    "agreement",
                    "description",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=gettext_lazy("established"), ordering="established_on")
    def established(self, link):
        return link.established_on_display


@admin.register(AccessRecord)
class AccessRecordAdmin(DateHierarchyMixin, admin.ModelAdmin):
    """The record of looks at sensitive data and of exports: read, never written here."""

    list_display = ["at", "user", "kind", "what", "row_count", "sensitive", "ip_address"]
    list_filter = ["kind", "sensitive", "user"]
    show_full_result_count = False  # a row for every look: the table only grows
    search_fields = ["what", "reason"]
    list_select_related = ["user"]
    date_hierarchy = "at"
    fields = ["at", "user", "ip_address", "kind", "what", "row_count", "sensitive", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
