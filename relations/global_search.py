"""The one search box: partners, people, institutions and agreements in any script."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from .extensions import SearchGroup, SearchResult
from .models import Agreement, Institution, Partner, PartnerAlias, Person
from .search import fold


def group(label: str, queryset, limit: int, describe) -> SearchGroup:
    found = list(queryset[: limit + 1])
    results = [
        SearchResult(title=str(obj), url=obj.get_absolute_url(), detail=describe(obj))
        for obj in found[:limit]
    ]
    more = queryset.count() - limit if len(found) > limit else 0
    return SearchGroup(label, results, more)


def search_everything(query: str, limit: int) -> list[SearchGroup]:
    key = fold(query)
    if not key:
        return []
    alias = PartnerAlias.objects.filter(partner=OuterRef("pk"), search_text__contains=key)
    partners = (
        Partner.objects.filter(search_text__contains=key) | Partner.objects.filter(Exists(alias))
    ).prefetch_related("aliases")
    people = Person.objects.filter(search_text__contains=key).select_related("partner")
    institutions = Institution.objects.filter(search_text__contains=key).select_related("partner")
    agreements = Agreement.objects.filter(search_text__contains=key).select_related("partner")
    return [
        group(
            _("Partners"),
            partners,
            limit,
            lambda p: " · ".join(
                [p.country.name, p.get_level_display() or _("home")]
                + [a.name for a in p.aliases.all() if key in a.search_text]
            ),
        ),
        group(_("People"), people, limit, lambda p: str(p.partner or "")),
        group(_("Institutions"), institutions, limit, lambda i: str(i.partner)),
        group(
            _("Agreements"),
            agreements,
            limit,
            lambda a: f"{a.partner.name} · {a.signed_on_display}",
        ),
    ]
