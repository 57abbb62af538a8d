from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from relations.admin import (
    SOURCE_FIELDSET,
    HistoryAdmin,
    SpreadsheetAdmin,
    VersionCheckAdminMixin,
)
from relations.roles import VIEW_SENSITIVE
from relations.sensitive import mask

from .forms import PassportMixin
from .models import (
    Accommodation,
    AgreementSigning,
    CalendarFeed,
    Delegation,
    Document,
    Gift,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
    Venue,
)


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["person", "role", "title", "organisation", "dietary_needs", "accessibility_needs"]
    autocomplete_fields = ["person"]
    extra = 0
    show_change_link = True


class ProgrammeItemInline(admin.TabularInline):
    model = ProgrammeItem
    fields = ["date", "start_time", "end_time", "kind", "title", "venue", "responsible"]
    autocomplete_fields = ["venue", "responsible"]
    extra = 0
    show_change_link = True


class GiftInline(admin.TabularInline):
    model = Gift
    fields = [
        "direction",
        "description",
        "partner",
        "giver",
        "recipient",
        "given_on",
        "given_on_precision",
        "value",
        "currency",
        "disposition",
    ]
    autocomplete_fields = ["partner"]
    extra = 0
    show_change_link = True


class AccommodationInline(admin.TabularInline):
    model = Accommodation
    autocomplete_fields = ["hotel"]
    extra = 0


class TransportInline(admin.TabularInline):
    model = Transport
    fields = [
        "kind",
        "reference",
        "vehicle",
        "driver",
        "departs_at",
        "arrives_at",
        "origin",
        "destination",
        "seats",
    ]
    autocomplete_fields = ["driver"]
    extra = 0
    show_change_link = True


class InterpreterAssignmentInline(admin.TabularInline):
    model = InterpreterAssignment
    autocomplete_fields = ["interpreter"]
    extra = 0


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ["kind", "file", "caption"]
    extra = 0


class AgreementSigningInline(admin.TabularInline):
    model = AgreementSigning
    autocomplete_fields = ["agreement"]
    extra = 0
    verbose_name_plural = _("agreements signed during the visit")


@admin.register(Delegation)
class DelegationAdmin(VersionCheckAdminMixin, SpreadsheetAdmin):
    list_display = ["title", "partner", "direction", "dates", "status", "leader", "declared_size"]
    list_filter = [
        "direction",
        "status",
        "sectors",
        "source",
    ]
    search_fields = [
        "title",
        "partner__name",
        "partner__native_name",
        "leader__name",
        "leader__native_name",
        "purpose",
    ]
    autocomplete_fields = ["partner", "leader", "sectors", "source"]
    list_select_related = ["partner", "leader"]
    date_hierarchy = "start"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [
        MemberInline,
        ProgrammeItemInline,
        AgreementSigningInline,
        GiftInline,
        AccommodationInline,
        TransportInline,
        InterpreterAssignmentInline,
        DocumentInline,
    ]
    fieldsets = [
        (None, {"fields": ["title", "direction", "partner", "status"]}),
        (_("Dates"), {"fields": [("start", "start_precision"), ("end", "end_precision")]}),
        (
            _("People"),
            {"fields": [("leader", "leader_title"), "declared_size", "invited_by", "host"]},
        ),
        (_("Purpose and outcome"), {"fields": ["purpose", "sectors", "outcome"]}),
        (_("Budget and notes"), {"fields": [("budget", "budget_currency"), "notes"]}),
        SOURCE_FIELDSET,
        (_("Record"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("dates"), ordering="start")
    def dates(self, delegation):
        return delegation.dates_display


@admin.register(AgreementSigning)
class AgreementSigningAdmin(HistoryAdmin):
    list_display = ["agreement", "delegation"]
    search_fields = ["agreement__title", "delegation__title"]
    autocomplete_fields = ["agreement", "delegation"]
    list_select_related = ["agreement", "delegation"]


MEMBER_ADMIN_FIELDS = [
    "delegation",
    "person",
    "role",
    "title",
    "organisation",
    "dietary_needs",
    "accessibility_needs",
    "arrival",
    "departure",
    "notes",
]


class MemberAdminForm(PassportMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [*MEMBER_ADMIN_FIELDS, "passport_number"]
        widgets = {"passport_number": forms.TextInput(attrs={"size": 14})}


@admin.register(Member)
class MemberAdmin(SpreadsheetAdmin):
    form = MemberAdminForm
    list_display = ["person", "role", "title", "organisation", "delegation"]
    list_filter = ["role"]
    search_fields = [
        "person__name",
        "person__native_name",
        "title",
        "organisation",
        "delegation__title",
    ]
    autocomplete_fields = ["delegation", "person"]
    list_select_related = ["person", "delegation"]
    # Newest first: the model's order (by visit, rank, name) sorts every member ever listed.
    ordering = ["-pk"]

    def get_fields(self, request, obj=None):
        # Always masked (see PassportMixin); only users with VIEW_SENSITIVE may type a
        # new number, the others see the masked one, read-only.
        sensitive = request.user.has_perm(VIEW_SENSITIVE)
        return [*MEMBER_ADMIN_FIELDS, "passport_number" if sensitive else "passport"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.has_perm(VIEW_SENSITIVE) else [*readonly, "passport"]

    @admin.display(description=_("passport number"))
    def passport(self, member):
        return mask(member.passport_number) or "—"


@admin.register(Venue)
class VenueAdmin(VersionCheckAdminMixin, HistoryAdmin):
    list_display = ["name", "native_name", "kind", "partner"]
    list_filter = ["kind"]
    search_fields = ["name", "native_name", "address", "partner__name", "partner__native_name"]
    autocomplete_fields = ["partner", "institution"]
    list_select_related = ["partner"]


@admin.register(ProgrammeItem)
class ProgrammeItemAdmin(SpreadsheetAdmin):
    list_display = ["title", "kind", "date", "start_time", "end_time", "venue", "delegation"]
    list_filter = ["kind", "source"]
    search_fields = [
        "title",
        "description",
        "delegation__title",
        "venue__name",
        "venue__native_name",
    ]
    autocomplete_fields = ["delegation", "venue", "responsible", "source"]
    list_select_related = ["delegation", "venue"]
    ordering = ["-pk"]  # as for members: the model's order sorts the whole table
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "delegation",
                    "title",
                    "kind",
                    ("date", "start_time", "end_time"),
                    "venue",
                    "responsible",
                    "description",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]


@admin.register(Accommodation)
class AccommodationAdmin(HistoryAdmin):
    list_display = ["hotel", "check_in", "check_out", "nights", "rooms", "delegation"]
    search_fields = ["hotel__name", "hotel__native_name", "booking_reference", "delegation__title"]
    autocomplete_fields = ["delegation", "hotel"]
    list_select_related = ["hotel", "delegation"]

    @admin.display(description=_("nights"))
    def nights(self, accommodation):
        return accommodation.nights


@admin.register(Transport)
class TransportAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "kind",
        "departs_at",
        "origin",
        "destination",
        "driver",
        "delegation",
    ]
    list_filter = ["kind"]
    search_fields = [
        "reference",
        "vehicle",
        "description",
        "driver__name",
        "driver__native_name",
        "delegation__title",
    ]
    autocomplete_fields = ["delegation", "driver"]
    list_select_related = ["driver", "delegation"]


@admin.register(InterpreterAssignment)
class InterpreterAssignmentAdmin(HistoryAdmin):
    list_display = ["interpreter", "languages", "starts_at", "ends_at", "delegation"]
    search_fields = [
        "interpreter__name",
        "interpreter__native_name",
        "languages",
        "delegation__title",
    ]
    autocomplete_fields = ["delegation", "interpreter"]
    list_select_related = ["interpreter", "delegation"]


@admin.register(Gift)
class GiftAdmin(VersionCheckAdminMixin, SpreadsheetAdmin):
    list_display = [
        "description",
        "direction",
        "partner",
        "given",
        "value",
        "currency",
        "disposition",
        "delegation",
    ]
    list_filter = [
        "direction",
        "disposition",
        "source",
    ]
    search_fields = [
        "description",
        "details",
        "giver",
        "recipient",
        "partner__name",
        "partner__native_name",
        "registration_reference",
    ]
    autocomplete_fields = ["partner", "delegation", "source"]
    list_select_related = ["partner", "delegation"]
    date_hierarchy = "given_on"
    fieldsets = [
        (
            None,
            {"fields": ["direction", "description", "details", "partner", "delegation", "photo"]},
        ),
        (
            _("Giving"),
            {"fields": ["giver", "recipient", ("given_on", "given_on_precision")]},
        ),
        (
            _("Value and registration"),
            {
                "fields": [
                    ("value", "currency"),
                    "value_krw",
                    ("disposition", "disposition_note"),
                    "registration_reference",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=_("given"), ordering="given_on")
    def given(self, gift):
        return gift.given_on_display


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke: give the selected feeds a new secret address"))
    def revoke(self, request, queryset):
        for feed in queryset:
            feed.revoke()
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d calendar feed revoked.", "%(count)d calendar feeds revoked.", count)
            % {"count": count},
        )
