import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from relations.filters import YearFilter
from relations.models import Partner, Sector
from relations.search import fold
from relations.widgets import SearchSelect

from .models import Delegation, Gift


def date_input():
    return forms.DateInput(attrs={"type": "date"})


class DelegationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Delegation.Direction.choices
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"), queryset=Partner.objects.partners(), widget=SearchSelect("partners")
    )
    country = django_filters.ChoiceFilter(
        field_name="partner__country", label=_("Partner country"), choices=countries
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Delegation.Status.choices)
    year = YearFilter(field_name="start__year", label=_("Year"))
    start_from = django_filters.DateFilter(
        field_name="start", lookup_expr="gte", label=_("From"), widget=date_input()
    )
    start_to = django_filters.DateFilter(
        field_name="start", lookup_expr="lte", label=_("To"), widget=date_input()
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="sectors", label=_("Sectors"), queryset=Sector.objects.all(), distinct=True
    )
    leader = django_filters.CharFilter(label=_("Leader"), method="filter_leader")
    sort = django_filters.OrderingFilter(
        fields=[
            ("start", "start"),
            ("title", "title"),
            ("partner__name", "partner"),
            ("direction", "direction"),
            ("status", "status"),
        ]
    )

    class Meta:
        model = Delegation
        fields = []

    def filter_text(self, queryset, name, value):
        """Title, purpose, or the partner's names in any script."""
        key = fold(value)
        return queryset.filter(
            Q(title__icontains=value)
            | Q(purpose__icontains=value)
            | Q(partner__search_text__contains=key)
        )

    def filter_leader(self, queryset, name, value):
        return queryset.filter(leader__search_text__contains=fold(value))


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorts both ways with empty values (an undated gift, an unvalued one) last."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value.startswith("-"):
            return F(value[1:]).desc(nulls_last=True)
        return F(value).asc(nulls_last=True)


class GiftFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Gift.Direction.choices)
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"), queryset=Partner.objects.partners(), widget=SearchSelect("partners")
    )
    year = YearFilter(field_name="given_on__year", label=_("Year"))
    disposition = django_filters.ChoiceFilter(
        label=_("Disposition"), choices=Gift.Disposition.choices
    )
    needs_registration = django_filters.BooleanFilter(
        label=_("Needs registration"),
        method="filter_needs_registration",
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    sort = NullsLastOrderingFilter(
        fields=[
            ("given_on", "date"),
            ("description", "description"),
            ("partner__name", "partner"),
            ("value_krw", "value_krw"),
        ]
    )

    class Meta:
        model = Gift
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(description__icontains=value)
            | Q(giver__icontains=value)
            | Q(recipient__icontains=value)
        )

    def filter_needs_registration(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.needs_registration()
        # Excluding by key keeps the rule in one place, GiftQuerySet.needs_registration().
        return queryset.exclude(pk__in=Gift.objects.needs_registration().values("pk"))
