import django_filters

from relations.models import Partner

from .models import Delegation


class DelegationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Title", field_name="title", lookup_expr="icontains")
    direction = django_filters.ChoiceFilter(choices=Delegation.Direction.choices)
    partner = django_filters.ModelChoiceFilter(queryset=Partner.objects.partners())
    status = django_filters.ChoiceFilter(choices=Delegation.Status.choices)
    year = django_filters.NumberFilter(field_name="start__year", label="Year")
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
