from django.contrib import admin
from django_countries.filters import CountryFilter

from .models import (
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

# The citation of a historical record (see ``Provenance``): checked now and then, so it
# comes last and collapsed. Admins of Provenance models end their fieldsets with it and
# list "source" in autocomplete_fields.
SOURCE_FIELDSET = (
    "Source",
    {
        "classes": ["collapse"],
        "fields": ["source", "source_locator", "date_inferred", "provenance_note"],
    },
)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "kind", "publisher", "published_on"]
    list_filter = ["kind"]
    search_fields = ["title", "key", "publisher", "url"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
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
class PartnerAdmin(admin.ModelAdmin):
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
            "Relationship",
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
            "Profile",
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
        ("Record", {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="established", ordering="established_on")
    def established(self, partner):
        return partner.established_on_display


@admin.register(PartnerAlias)
class PartnerAliasAdmin(admin.ModelAdmin):
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
    verbose_name_plural = "links made"


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "kind", "partner"]
    list_filter = ["kind", ("partner", admin.RelatedOnlyFieldListFilter), "source"]
    search_fields = ["name", "native_name", "partner__name", "partner__native_name"]
    autocomplete_fields = ["partner", "source"]
    list_select_related = ["partner"]
    inlines = [InstitutionLinkMadeInline]
    fieldsets = [
        (None, {"fields": ["name", "native_name", "kind", "partner", "address", "website"]}),
        ("Notes", {"fields": ["notes"]}),
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
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "partner", "email", "phone"]
    list_filter = [("partner", admin.RelatedOnlyFieldListFilter), "source"]
    search_fields = ["name", "native_name", "email", "positions__title"]
    autocomplete_fields = ["partner", "source"]
    list_select_related = ["partner"]
    inlines = [PositionInline]
    fieldsets = [
        (None, {"fields": ["name", "native_name", "partner"]}),
        ("Contact", {"fields": ["email", "phone", "notes"]}),
        SOURCE_FIELDSET,
    ]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "organisation", "period"]
    list_filter = [("partner", admin.RelatedOnlyFieldListFilter), "source"]
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
            "Held",
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

    @admin.display(description="period", ordering="start")
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
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "kind", "status", "signed", "valid_until"]
    list_filter = [
        "kind",
        "status",
        "sets_level",
        "sectors",
        ("partner", admin.RelatedOnlyFieldListFilter),
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
            "Signing",
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
            "Validity",
            {"fields": [("valid_from", "valid_until"), "renews_automatically"]},
        ),
        ("Content", {"fields": ["summary", "document"]}),
        SOURCE_FIELDSET,
        ("Record", {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="signed", ordering="signed_on")
    def signed(self, agreement):
        return agreement.signed_on_display


@admin.register(AgreementSignatory)
class AgreementSignatoryAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "side", "agreement"]
    list_filter = ["side"]
    search_fields = ["person__name", "person__native_name", "title", "agreement__title"]
    autocomplete_fields = ["agreement", "person"]
    list_select_related = ["person", "agreement"]


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
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

    @admin.display(description="approved", ordering="approved_on")
    def approved(self, approval):
        return approval.approved_on_display


@admin.register(InstitutionLink)
class InstitutionLinkAdmin(admin.ModelAdmin):
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

    @admin.display(description="established", ordering="established_on")
    def established(self, link):
        return link.established_on_display
