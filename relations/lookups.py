"""Pick-one-of-thousands: the records a form's search box may offer, and the JSON it asks.

A national office keeps thousands of partners and tens of thousands of people and visits;
a drop-down of all of them would weigh megabytes. Forms and filters show a search box
instead (``widgets.SearchSelect``), which asks ``/lookup/<name>/?q=`` for the first
matches as the officer types, searching the same folded names as the list pages do.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, JsonResponse

from .search import fold

RESULTS = 20


@dataclass(frozen=True)
class Lookup:
    name: str
    model_label: str  # "relations.Partner": resolved late, so delegations can add theirs
    queryset: Callable[[], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    # What the officer reads among the matches: enough to tell two "Kim Min-jun"s apart.
    describe: Callable[[object], str] = str
    default: bool = True  # the lookup of every field of this model, unless a form says

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def matches(self, text: str) -> QuerySet:
        return self.search(self.queryset(), text)[:RESULTS]


LOOKUPS: dict[str, Lookup] = {}


def register(lookup: Lookup) -> Lookup:
    LOOKUPS[lookup.name] = lookup
    return lookup


def by_names(queryset: QuerySet, text: str) -> QuerySet:
    """A ``Searchable`` model's folded names (English, native script, ...)."""
    return queryset.filter(search_text__contains=fold(text))


def native(record) -> str:
    """ "Changning District (长宁区)": the English and the native-script name."""
    return f"{record.name} ({record.native_name})" if record.native_name else record.name


def where(record) -> str:
    """ "Kim Min-jun (김민준) · Gangseo District": a name and the authority it belongs to."""
    return f"{native(record)} · {record.partner}" if record.partner_id else native(record)


def lookup_json(request, name: str) -> JsonResponse:
    """The first matches for ``q``, for officers who may see the records."""
    lookup = LOOKUPS.get(name)
    if lookup is None:
        raise Http404
    opts = lookup.model._meta
    if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        raise PermissionDenied
    # PostgreSQL refuses a NUL in any query text: a hostile one would be a 500.
    text = request.GET.get("q", "").replace("\x00", "")[:100]
    records = lookup.matches(text) if fold(text) else []
    return JsonResponse(
        {"results": [{"id": record.pk, "text": lookup.describe(record)} for record in records]}
    )


def objects(label: str, *related: str, **filters) -> Callable[[], QuerySet]:
    def queryset():
        return apps.get_model(label).objects.filter(**filters).select_related(*related)

    return queryset


def partner_names(queryset: QuerySet, text: str) -> QuerySet:
    """A partner's folded names or one of its aliases."""
    from .models import PartnerAlias

    key = fold(text)
    aliases = PartnerAlias.objects.filter(search_text__contains=key).values("partner")
    return queryset.filter(Q(search_text__contains=key) | Q(pk__in=aliases))


def titles(queryset: QuerySet, text: str) -> QuerySet:
    return queryset.filter(title__icontains=text.strip())


def partner_and_country(partner) -> str:
    return f"{native(partner)} · {partner.country.name}"


register(
    Lookup(
        "partners",
        "relations.Partner",
        objects("relations.Partner", is_home=False),
        partner_names,
        partner_and_country,
        default=False,
    )
)
# People, institutions and venues may belong to the office's own authority too.
register(
    Lookup(
        "authorities",
        "relations.Partner",
        objects("relations.Partner"),
        partner_names,
        partner_and_country,
    )
)
register(
    Lookup("people", "relations.Person", objects("relations.Person", "partner"), by_names, where)
)
register(
    Lookup(
        "institutions",
        "relations.Institution",
        objects("relations.Institution", "partner"),
        by_names,
        where,
    )
)
register(
    Lookup(
        "agreements",
        "relations.Agreement",
        objects("relations.Agreement", "partner"),
        by_names,
        lambda agreement: f"{agreement} · {agreement.partner}",
    )
)
