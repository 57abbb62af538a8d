"""Everything the office has done with one partner, gathered for its dossier page."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import extensions
from .extensions import Section, TimelineEvent
from .models import Agreement, Approval, Institution, InstitutionLink, Partner, Person, Source


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


def agreement_events(agreements: list[Agreement], links: list[InstitutionLink]):
    """Agreements and their approvals; an institution link made by an agreement is told
    with it, the others (links with no agreement recorded) on their own."""
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
        if link.agreement_id not in {a.pk for a in agreements}
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


def partner_dossier(partner: Partner) -> Dossier:
    agreements = list(
        partner.agreements.prefetch_related(
            "sectors",
            Prefetch("approvals", queryset=Approval.objects.order_by("approved_on", "body")),
            "signatories__person",
        ).select_related("source")
    )
    ladder = relationship_ladder(partner, agreements)

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
    people = list(
        Person.objects.filter(Q(partner=partner) | Q(signatures__agreement__partner=partner))
        .distinct()
        .prefetch_related("positions")
    )

    events = agreement_events(agreements, links)
    for source in extensions.timeline_sources:
        events.extend(source(partner))
    timeline = newest_first(events)

    sections = [s for make in extensions.partner_sections if (s := make(partner))]

    cited = {partner.source_id}
    cited |= {a.source_id for a in agreements}
    cited |= {ap.source_id for a in agreements for ap in a.approvals.all()}
    cited |= {link.source_id for link in links}
    cited |= {i.source_id for i in institutions} | {p.source_id for p in people}
    for section in sections:
        cited |= section.context.get("source_ids", set())
    sources = list(Source.objects.filter(pk__in=cited - {None}))

    # The timeline is newest first, so the first dated exchange is the last one made.
    last = next((e for e in timeline if e.date and e.kind != "approval"), None)
    figures: dict[str, object] = {_("Agreements"): len(agreements)}
    for section in sections:
        figures.update(section.figures)
    figures[_("Last exchange")] = last.date_display if last else _("none yet")
    figures[_("Years since")] = years_between(last.date, timezone.localdate()) if last else "–"

    return Dossier(
        partner, agreements, ladder, timeline, people, institutions, sections, sources, figures
    )


def years_between(earlier: datetime.date, later: datetime.date) -> int:
    years = later.year - earlier.year
    return years - ((later.month, later.day) < (earlier.month, earlier.day))
