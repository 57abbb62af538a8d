import datetime
import operator
from functools import reduce

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import extensions
from .models import Agreement, Institution, Partner, PartnerAlias, Person, Sector
from .search import fold
from .widgets import SearchSelect

PARTNER_LEVELS = Partner.Level.choices


def home_country() -> str:
    home = Partner.objects.filter(is_home=True).values_list("country", flat=True).first()
    return home or settings.AMITY_HOME_COUNTRY


def matches_text(queryset, value: str, *, alias_of: str | None = None):
    """Records whose folded names contain the folded ``value``."""
    key = fold(value)
    if not key:
        return queryset
    condition = Q(search_text__contains=key)
    if alias_of is not None:
        aliases = PartnerAlias.objects.filter(partner=OuterRef(alias_of), search_text__contains=key)
        condition |= Q(Exists(aliases))
    return queryset.filter(condition)


class YearFilter(django_filters.NumberFilter):
    """A year that dates can hold (1 to 9999): a bigger one ("99999", "1e400") is an error
    on the filter form, where the year lookup would fail building its dates (a 500)."""

    def __init__(self, *args, **kwargs):
        kwargs.update(min_value=1, max_value=9999, decimal_places=0)
        super().__init__(*args, **kwargs)


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name"),
        method="filter_text",
        widget=django_filters.widgets.forms.TextInput(
            attrs={"placeholder": _("English, native script or alias")}
        ),
    )
    country = django_filters.ChoiceFilter(choices=countries, label=_("Country"))
    kind = django_filters.ChoiceFilter(choices=Partner.Kind.choices, label=_("Kind"))
    level = django_filters.ChoiceFilter(choices=PARTNER_LEVELS, label=_("Relationship level"))
    status = django_filters.ChoiceFilter(choices=Partner.Status.choices, label=_("Status"))
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(), method="filter_sector", label=_("Sector of exchange")
    )
    scope = django_filters.ChoiceFilter(
        choices=[("domestic", _("Domestic")), ("foreign", _("Foreign"))],
        method="filter_scope",
        label=_("Domestic or foreign"),
    )
    established_from = YearFilter(
        field_name="established_on__year", lookup_expr="gte", label=_("Established from (year)")
    )
    established_to = YearFilter(
        field_name="established_on__year", lookup_expr="lte", label=_("Established to (year)")
    )
    quiet_since = YearFilter(method="filter_quiet_since", label=_("No exchange since (year)"))
    sort = django_filters.OrderingFilter(
        fields=[
            ("name", "name"),
            ("country", "country"),
            ("kind", "kind"),
            ("level", "level"),
            ("level_since", "level_since"),
            ("status", "status"),
            ("established_on", "established_on"),
        ],
    )

    class Meta:
        model = Partner
        fields = []

    def filter_text(self, queryset, name, value):
        return matches_text(queryset, value, alias_of="pk")

    def filter_sector(self, queryset, name, sector):
        # One subquery per path: an OR across two to-many joins makes SQLite walk every
        # delegation of every agreement (seconds at 50,000 delegations).
        exchanged = reduce(
            operator.or_,
            (
                Q(pk__in=Partner.objects.filter(**{path: sector}).values("pk"))
                for path in extensions.sector_paths
            ),
        )
        return queryset.filter(exchanged)

    def filter_scope(self, queryset, name, value):
        country = home_country()
        return (
            queryset.filter(country=country)
            if value == "domestic"
            else queryset.exclude(country=country)
        )

    def filter_quiet_since(self, queryset, name, year):
        try:
            since = datetime.date(int(year), 1, 1)
        except (ValueError, OverflowError):
            return queryset.none()
        for path in extensions.exchange_date_paths:
            queryset = queryset.exclude(**{f"{path}__gte": since})
        return queryset


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or party"), method="filter_text")
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.partners(), label=_("Partner"), widget=SearchSelect("partners")
    )
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices, label=_("Status"))
    sector = django_filters.ModelChoiceFilter(
        field_name="sectors", queryset=Sector.objects.all(), distinct=True, label=_("Sectors")
    )
    signed_from = YearFilter(
        field_name="signed_on__year", lookup_expr="gte", label=_("Signed from (year)")
    )
    signed_to = YearFilter(
        field_name="signed_on__year", lookup_expr="lte", label=_("Signed to (year)")
    )
    expires_before = django_filters.DateFilter(
        field_name="valid_until",
        lookup_expr="lte",
        label=_("Valid until before"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.OrderingFilter(
        fields=[
            ("title", "title"),
            ("partner__name", "partner"),
            ("kind", "kind"),
            ("status", "status"),
            ("signed_on", "signed_on"),
            ("valid_until", "valid_until"),
        ],
    )

    class Meta:
        model = Agreement
        fields = []

    def filter_text(self, queryset, name, value):
        return matches_text(queryset, value)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_text")
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), label=_("Side"), widget=SearchSelect("authorities")
    )
    title = django_filters.CharFilter(
        field_name="positions__title",
        lookup_expr="icontains",
        label=_("Title held"),
        distinct=True,
    )
    sort = django_filters.OrderingFilter(
        fields=[("name", "name"), ("native_name", "native_name"), ("partner__name", "partner")],
    )

    class Meta:
        model = Person
        fields = []

    def filter_text(self, queryset, name, value):
        return matches_text(queryset, value)


class InstitutionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_text")
    kind = django_filters.ChoiceFilter(choices=Institution.Kind.choices, label=_("Kind"))
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), label=_("Where"), widget=SearchSelect("authorities")
    )
    linked = django_filters.BooleanFilter(method="filter_linked", label=_("Has links"))
    sort = django_filters.OrderingFilter(
        fields=[("name", "name"), ("kind", "kind"), ("partner__name", "partner")],
    )

    class Meta:
        model = Institution
        fields = []

    def filter_text(self, queryset, name, value):
        return matches_text(queryset, value)

    def filter_linked(self, queryset, name, value):
        if value is None:
            return queryset
        linked = Q(links_made__isnull=False) | Q(links_received__isnull=False)
        ids = Institution.objects.filter(linked).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
