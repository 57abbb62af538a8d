"""What delegations adds to the relations pages (registered in DelegationsConfig.ready)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from relations import extensions, lookups
from relations.extensions import Action, SearchGroup, SearchResult, Section, TimelineEvent
from relations.search import fold

from .briefing import BRIEFING_PERMISSIONS
from .models import Delegation, Member

GIFTS_SHOWN = 20  # the newest; the gift list holds them all

VISIT_KINDS = {
    Delegation.Direction.INBOUND: ("visit-in", gettext_lazy("Inbound visit")),
    Delegation.Direction.OUTBOUND: ("visit-out", gettext_lazy("Outbound visit")),
}


def visit_events(partner, limit: int) -> tuple[list[TimelineEvent], int]:
    visits = partner.delegations.exclude(status=Delegation.Status.CANCELLED)
    events = []
    for visit in visits.select_related("leader").order_by("-start")[:limit]:
        kind, label = VISIT_KINDS[visit.direction]
        size = ""
        if visit.declared_size:
            size = ngettext("%(count)d person", "%(count)d people", visit.declared_size) % {
                "count": visit.declared_size
            }
        leader = ""
        if visit.leader and visit.leader_title:
            leader = gettext("led by %(leader)s, %(title)s") % {
                "leader": visit.leader,
                "title": visit.leader_title,
            }
        elif visit.leader:
            leader = gettext("led by %(leader)s") % {"leader": visit.leader}
        events.append(
            TimelineEvent(
                visit.start,
                visit.start_precision,
                kind,
                label,
                visit.title,
                visit.get_absolute_url(),
                " · ".join(filter(None, [visit.dates_display if visit.end else "", size, leader])),
            )
        )
    return events, visits.count()


def partner_visits_and_gifts(partner) -> Section:
    counts = partner.delegations.exclude(status=Delegation.Status.CANCELLED).aggregate(
        inbound=Count("pk", filter=Q(direction=Delegation.Direction.INBOUND)),
        outbound=Count("pk", filter=Q(direction=Delegation.Direction.OUTBOUND)),
    )
    gifts = list(partner.gifts.select_related("delegation")[:GIFTS_SHOWN])
    sources = dict(partner.gifts.values_list("pk", "source"))
    return Section(
        title=gettext("Gifts exchanged"),
        template="delegations/includes/partner_gifts.html",
        context={
            "gifts": gifts,
            "more": len(sources) - len(gifts),
            "all_url": f"{reverse('delegations:gift-list')}?partner={partner.pk}",
            "source_ids": set(sources.values()),
        },
        figures={
            gettext("Visits received"): counts["inbound"],
            gettext("Visits made"): counts["outbound"],
        },
    )


def person_delegations(person) -> Section:
    memberships = Member.objects.filter(person=person).select_related("delegation__partner")
    led = Delegation.objects.filter(leader=person).exclude(members__person=person)
    return Section(
        title=gettext("Delegations taken part in"),
        template="delegations/includes/person_delegations.html",
        context={"memberships": list(memberships), "led": list(led.select_related("partner"))},
    )


def agreement_signing(agreement) -> Section | None:
    visit = Delegation.objects.filter(agreementsigning__agreement=agreement).first()
    if visit is None:
        return None
    return Section(
        title=gettext("Signed during the visit"),
        template="delegations/includes/agreement_signing.html",
        context={"visit": visit},
    )


def search_delegations(query: str, limit: int) -> SearchGroup:
    key = fold(query)
    matches = (
        Delegation.objects.filter(
            Q(partner__search_text__contains=key)
            | Q(leader__search_text__contains=key)
            | Q(title__icontains=query)
        )
        .select_related("partner")
        .order_by("-start")
    )
    found = list(matches[: limit + 1])
    results = [
        SearchResult(
            str(d), d.get_absolute_url(), f"{d.partner.name} · {d.get_direction_display()}"
        )
        for d in found[:limit]
    ]
    more = matches.count() - limit if len(found) > limit else 0
    return SearchGroup(gettext("Delegations"), results, more)


def partner_briefing_action(partner, user) -> Action | None:
    if partner.is_home or not user.has_perms(BRIEFING_PERMISSIONS):
        return None
    url = reverse("delegations:briefing-print", args=[partner.pk])
    return Action(gettext("Briefing book"), url, "book")


def delegation_titles(queryset, text: str):
    """The title, or the partner's names in any script: "Changning" finds its visits."""
    key = fold(text)
    return queryset.filter(
        Q(title__icontains=text.strip()) | Q(partner__search_text__contains=key)
    ).order_by("-start")


def venue_names(queryset, text: str):
    text = text.strip()
    return queryset.filter(Q(name__icontains=text) | Q(native_name__icontains=text))


def register() -> None:
    extensions.exchange_date_paths.append("delegations__start")
    extensions.sector_paths.append("delegations__sectors")
    extensions.timeline_sources.append(visit_events)
    extensions.partner_sections.append(partner_visits_and_gifts)
    extensions.partner_actions.append(partner_briefing_action)
    extensions.person_sections.append(person_delegations)
    extensions.agreement_sections.append(agreement_signing)
    extensions.search_sources.append(search_delegations)
    lookups.register(
        lookups.Lookup(
            "delegations",
            "delegations.Delegation",
            lookups.objects("delegations.Delegation", "partner"),
            delegation_titles,
            lambda delegation: f"{delegation} · {delegation.partner}",
        )
    )
    lookups.register(
        lookups.Lookup(
            "venues",
            "delegations.Venue",
            lookups.objects("delegations.Venue", "partner"),
            venue_names,
            lookups.where,
        )
    )
