"""Everything the office has done with one partner, gathered for its dossier page."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import extensions
from .extensions import Section, TimelineEvent
from .models import (
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    Person,
    Source,
)


@dataclass
class LadderStep:
    level: str
    since_display: str
    agreement: Agreement | None


@dataclass
class Dossier:
    partner: Partner
    agreements: list[Agreement]
    ladder: list[LadderStep]
    timeline: list[TimelineEvent]
    people: list[Person]
    institutions: list[Institution]
    sections: list[Section]
    sources: list[Source]
    figures: dict[str, object] = field(default_factory=dict)
    # How many there are in all, of what the lists above show the newest of.
    timeline_total: int = 0
    agreement_count: int = 0
    people_count: int = 0

    @property
    def timeline_more(self) -> int:
        return self.timeline_total - len(self.timeline)

    @property
    def agreements_more(self) -> int:
        return self.agreement_count - len(self.agreements)

    @property
    def people_more(self) -> int:
        return self.people_count - len(self.people)


def agreement_events(
    agreements: list[Agreement], links: list[InstitutionLink], agreement_ids: set[int]
):
    """Agreements and their approvals; an institution link made by one of the partner's
    agreements (``agreement_ids``) is told with it, the others on their own."""
    links_by_agreement = {link.agreement_id: link for link in links if link.agreement_id}
    events = [
        TimelineEvent(
            link.established_on,
            link.established_on_precision,
            "institution-link",
            _("Institution link"),
            f"{link.institution} – {link.counterpart}",
            link.institution.get_absolute_url(),
            link.get_kind_display(),
        )
        for link in links
        if link.agreement_id not in agreement_ids
    ]
    for agreement in agreements:
        link = links_by_agreement.get(agreement.pk)
        detail = (
            _("Institution link: %(institution)s ↔ %(counterpart)s")
            % {"institution": link.institution, "counterpart": link.counterpart}
            if link
            else ""
        )
        events.append(
            TimelineEvent(
                agreement.signed_on,
                agreement.signed_on_precision,
                "agreement",
                agreement.get_kind_display(),
                agreement.title,
                agreement.get_absolute_url(),
                " · ".join(filter(None, [agreement.signed_place, detail])),
            )
        )
        for approval in agreement.approvals.all():
            events.append(
                TimelineEvent(
                    approval.approved_on,
                    approval.approved_on_precision,
                    "approval",
                    _("Approval"),
                    _("Approved by %(body)s") % {"body": approval.body},
                    agreement.get_absolute_url(),
                    _("For: %(title)s") % {"title": agreement.title},
                )
            )
    return events


def newest_first(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Newest first; undated events (e.g. an approval "before 2013") go last."""
    dated = sorted((e for e in events if e.date), key=lambda e: e.sort_key, reverse=True)
    return dated + [e for e in events if not e.date]


def relationship_ladder(partner: Partner, agreements: list[Agreement]) -> list[LadderStep]:
    """The levels the relationship went through, oldest first, each with the agreement
    that set it; the current level closes the ladder when no agreement set it."""
    ladder = [
        LadderStep(a.get_sets_level_display(), a.signed_on_display, a)
        for a in sorted(
            (a for a in agreements if a.sets_level and a.signed_on),
            key=lambda a: a.signed_on,
        )
    ]
    if partner.level and not any(step.level == partner.get_level_display() for step in ladder):
        ladder.append(LadderStep(partner.get_level_display(), partner.level_since_display, None))
    return ladder


# A partner of thirty years at a national office has a thousand visits and hundreds of
# agreements: the dossier shows the newest and links to the lists that hold them all.
TIMELINE_SHOWN = 60
AGREEMENTS_SHOWN = 25
PEOPLE_SHOWN = 40


def partner_dossier(partner: Partner) -> Dossier:
    all_agreements = partner.agreements.all()
    # Newest first (the model's order): the section shows the first of the timeline's.
    newest = list(
        all_agreements.prefetch_related(
            "sectors",
            Prefetch("approvals", queryset=Approval.objects.order_by("approved_on", "body")),
            "signatories__person",
        ).select_related("source")[:TIMELINE_SHOWN]
    )
    agreement_sources = dict(all_agreements.values_list("pk", "source"))
    setting_levels = all_agreements.filter(signed_on__isnull=False).exclude(sets_level="")
    ladder = relationship_ladder(partner, list(setting_levels))

    institutions = list(
        partner.institutions.prefetch_related(
            Prefetch(
                "links_made",
                queryset=InstitutionLink.objects.select_related("counterpart__partner"),
            ),
            Prefetch(
                "links_received",
                queryset=InstitutionLink.objects.select_related("institution__partner"),
            ),
        )
    )
    links = list(
        InstitutionLink.objects.filter(
            Q(institution__partner=partner) | Q(counterpart__partner=partner)
        ).select_related("institution", "counterpart", "source")
    )
    # A subquery, not a join: an OR across the join makes the database read every person.
    signatories = AgreementSignatory.objects.filter(agreement__partner=partner).values("person")
    all_people = Person.objects.filter(Q(partner=partner) | Q(pk__in=signatories))
    people = list(all_people.prefetch_related("positions")[:PEOPLE_SHOWN])
    people_sources = dict(all_people.values_list("pk", "source"))
    approval_sources = list(
        Approval.objects.filter(agreement__partner=partner).values_list("source", flat=True)
    )

    # Each source gives its newest events and how many it has: the newest of all are
    # among them.
    events = agreement_events(newest, links, set(agreement_sources))
    timeline_total = (
        len(agreement_sources)
        + len(approval_sources)
        + sum(1 for link in links if link.agreement_id not in agreement_sources)
    )
    for source in extensions.timeline_sources:
        found, total = source(partner, TIMELINE_SHOWN)
        events.extend(found)
        timeline_total += total
    timeline = newest_first(events)[:TIMELINE_SHOWN]

    sections = [s for make in extensions.partner_sections if (s := make(partner))]

    cited = {partner.source_id, *agreement_sources.values(), *approval_sources}
    cited |= {link.source_id for link in links} | {i.source_id for i in institutions}
    cited |= set(people_sources.values())
    for section in sections:
        cited |= section.context.get("source_ids", set())
    sources = list(Source.objects.filter(pk__in=cited - {None}))

    # The timeline is newest first, so the first dated exchange is the last one made.
    last = next((e for e in timeline if e.date and e.kind != "approval"), None)
    figures: dict[str, object] = {_("Agreements"): len(agreement_sources)}
    for section in sections:
        figures.update(section.figures)
    figures[_("Last exchange")] = last.date_display if last else _("none yet")
    figures[_("Years since")] = years_between(last.date, timezone.localdate()) if last else "–"

    return Dossier(
        partner,
        newest[:AGREEMENTS_SHOWN],
        ladder,
        timeline,
        people,
        institutions,
        sections,
        sources,
        figures,
        timeline_total=timeline_total,
        agreement_count=len(agreement_sources),
        people_count=len(people_sources),
    )


def years_between(earlier: datetime.date, later: datetime.date) -> int:
    years = later.year - earlier.year
    return years - ((later.month, later.day) < (earlier.month, earlier.day))
