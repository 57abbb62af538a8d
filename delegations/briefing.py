"""A partner's briefing book: what an officer hands the mayor before a meeting with the
counterpart. Profile, relationship ladder, counterparts then and now, the last visits both
ways, agreements and their state, gifts (so none is given twice), what is pending, and
the exchange history told in dated paragraphs as the partners' own pages tell it.

Plain functions over one partner, each in a fixed number of queries whatever the
partner's history. Sensitive personal data is never read: member rows are loaded with
only the fields a briefing shows (no passport numbers, no dietary or accessibility needs).
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relations.dates import Precision, format_partial
from relations.dossier import LadderStep, relationship_ladder
from relations.models import Agreement, AgreementSignatory, Approval, Partner, Person, Position

from .clashes import Clash, open_clashes
from .models import Delegation, Gift, Member, ProgrammeItem

# What the briefing shows needs all three.
BRIEFING_PERMISSIONS = (
    "relations.view_partner",
    "delegations.view_delegation",
    "delegations.view_gift",
)
# The last visits shown in each direction.
RECENT_VISITS = 5
# A partner of thirty years at a national office has a thousand visits: the book tells
# the years of the newest this many in full and counts the earlier ones (the dossier and
# the lists hold them all).
HISTORY_VISITS = 100
COUNTERPARTS_SHOWN = 40
# An agreement whose validity ends within this many days is flagged as expiring.
EXPIRING_WITHIN_DAYS = 90


@dataclass(frozen=True)
class Meeting:
    """The last time a counterpart met us: on a visit, or at the signing of an agreement."""

    date: datetime.date
    when: str  # as precisely as the record knows it
    title: str  # the title they held then
    occasion: str
    url: str


@dataclass
class Counterpart:
    person: Person
    current: list[Position]  # the positions covering today
    last_known: Position | None  # the latest one, when none covers today
    last_met: Meeting | None

    @property
    def current_title(self) -> str:
        return "; ".join(str(position) for position in self.current)


@dataclass(frozen=True)
class AgreementState:
    agreement: Agreement
    state: str  # proposed, signed, in-force, expiring, expired, ended
    label: str


@dataclass(frozen=True)
class Paragraph:
    """One dated paragraph of the exchange history."""

    date: datetime.date
    when: str
    text: str
    inferred: bool = False

    def __str__(self) -> str:
        when = _("%(when)s (date inferred)") % {"when": self.when} if self.inferred else self.when
        return _("%(when)s: %(text)s") % {"when": when, "text": self.text}


@dataclass
class Briefing:
    partner: Partner
    home: Partner | None
    today: datetime.date
    ladder: list[LadderStep]
    counterparts: list[Counterpart]
    inbound: list[Delegation]  # the last few, newest first
    outbound: list[Delegation]
    agreements: list[AgreementState]
    gifts: list[Gift]
    planned: list[Delegation]
    clashes: list[Clash]
    narrative: list[Paragraph]
    since: datetime.date | None = None  # the history before it is counted, not told
    earlier: dict[str, int] = field(default_factory=dict)  # "visits": 12, ...

    @property
    def earlier_text(self) -> str:
        """ "1,203 visits, 12 agreements": what came before ``since``."""
        words = {
            "visits": lambda n: ngettext("%(count)d visit", "%(count)d visits", n),
            "agreements": lambda n: ngettext("%(count)d agreement", "%(count)d agreements", n),
            "gifts": lambda n: ngettext("%(count)d gift", "%(count)d gifts", n),
        }
        return ", ".join(words[kind](n) % {"count": n} for kind, n in self.earlier.items() if n)

    @property
    def gifts_given(self) -> list[Gift]:
        return [gift for gift in self.gifts if gift.direction == Gift.Direction.GIVEN]

    @property
    def gifts_received(self) -> list[Gift]:
        return [gift for gift in self.gifts if gift.direction == Gift.Direction.RECEIVED]

    @property
    def gifts_to_register(self) -> list[Gift]:
        return [gift for gift in self.gifts if gift.needs_registration]

    @property
    def expiring(self) -> list[AgreementState]:
        return [a for a in self.agreements if a.state == "expiring"]

    @property
    def has_pending(self) -> bool:
        return bool(self.clashes or self.gifts_to_register or self.planned or self.expiring)


def partner_briefing(partner: Partner, *, today: datetime.date) -> Briefing:
    """Everything the briefing shows, as of ``today``: for a partner of very many visits,
    the years of the last HISTORY_VISITS in full, the agreements still standing whenever
    signed, and how many exchanges came before."""
    since = history_start(partner, today)
    agreements = partner.agreements.all()
    gifts = partner.gifts.all()
    earlier = {}
    if since is not None:  # only a partner of very many visits pays for these
        standing = ~Q(status__in=[Agreement.Status.TERMINATED, Agreement.Status.SUPERSEDED])
        agreements = agreements.filter(
            Q(signed_on__gte=since)
            | Q(signed_on__isnull=True)
            | standing & ~Q(valid_until__lt=since)
        )
        gifts = gifts.filter(Q(given_on__gte=since) | Q(given_on__isnull=True))
        earlier = {
            "visits": partner.delegations.exclude(status=Delegation.Status.CANCELLED)
            .filter(start__lt=since)
            .count(),
            "agreements": partner.agreements.filter(signed_on__lt=since).count(),
            "gifts": partner.gifts.filter(given_on__lt=since).count(),
        }
    agreements = list(
        agreements.select_related("signing").prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.order_by("approved_on", "body")),
            Prefetch("signatories", queryset=AgreementSignatory.objects.select_related("person")),
        )
    )
    visits = past_visits(partner, today, since=since)
    gifts = list(gifts.select_related("delegation"))
    home = Partner.objects.home()
    newest_first = visits[::-1]
    return Briefing(
        partner=partner,
        home=home,
        today=today,
        since=since if any(earlier.values()) else None,
        earlier=earlier,
        # Every step, however old: the ladder is the relationship's whole story.
        ladder=relationship_ladder(
            partner,
            agreements
            if since is None
            else list(partner.agreements.filter(signed_on__isnull=False).exclude(sets_level="")),
        ),
        counterparts=counterparts(partner, today, since=since),
        inbound=[v for v in newest_first if v.direction == Delegation.Direction.INBOUND][
            :RECENT_VISITS
        ],
        outbound=[v for v in newest_first if v.direction == Delegation.Direction.OUTBOUND][
            :RECENT_VISITS
        ],
        agreements=[agreement_state(a, today) for a in agreements],
        gifts=gifts,
        planned=list(
            partner.delegations.filter(status__in=Delegation.OPEN_STATUSES)
            .select_related("leader")
            .order_by("start", "title")
        ),
        clashes=open_clashes(Delegation.objects.filter(partner=partner)),
        narrative=exchange_history(
            partner=partner,
            home=home,
            visits=visits,
            agreements=agreements,
            gifts=gifts,
            today=today,
        ),
    )


def history_start(partner: Partner, today: datetime.date) -> datetime.date | None:
    """The first day of the year of the HISTORY_VISITS-th newest visit, if there are more."""
    starts = (
        partner.delegations.exclude(status=Delegation.Status.CANCELLED)
        .filter(start__lte=today)
        .order_by("-start")
        .values_list("start", flat=True)[HISTORY_VISITS - 1 : HISTORY_VISITS + 1]
    )
    starts = list(starts)
    return datetime.date(starts[0].year, 1, 1) if len(starts) > 1 else None


def past_visits(partner: Partner, today: datetime.date, *, since=None) -> list[Delegation]:
    """The visits that have begun (``since`` a day, if given), oldest first, with the
    places they went to."""
    visits = partner.delegations.exclude(status=Delegation.Status.CANCELLED)
    if since is not None:
        visits = visits.filter(start__gte=since)
    return list(
        visits.filter(start__lte=today)
        .select_related("leader")
        .prefetch_related(
            Prefetch(
                "programme",
                queryset=ProgrammeItem.objects.filter(
                    kind=ProgrammeItem.Kind.SITE_VISIT, venue__isnull=False
                ).select_related("venue"),
                to_attr="site_visits",
            )
        )
        .order_by("start", "title")
    )


# ---- Counterparts ---------------------------------------------------------------------


def counterparts(partner: Partner, today: datetime.date, *, since=None) -> list[Counterpart]:
    """The partner's people and its signatories (of agreements signed ``since`` a day, if
    given): who they are today and what they were when they last met us; the most
    recently met first, COUNTERPARTS_SHOWN of them."""
    signatories = AgreementSignatory.objects.filter(
        agreement__partner=partner, side=AgreementSignatory.Side.PARTNER
    )
    if since is not None:
        signatories = signatories.filter(agreement__signed_on__gte=since)
    # A subquery, not a join: an OR across the join makes the database read every person.
    people = list(
        Person.objects.filter(
            Q(partner=partner) | Q(pk__in=signatories.values("person"))
        ).prefetch_related("positions")
    )
    met = last_meetings({person.pk: person for person in people}, today)
    found = []
    for person in people:
        current = person.positions_on(today)
        known = [p for p in person.positions.all() if p.start or p.attested_on]
        last_known = None if current else max(known, key=position_date, default=None)
        found.append(Counterpart(person, current, last_known, met.get(person.pk)))
    return sorted(
        found,
        key=lambda c: (c.last_met is None, -(c.last_met.date.toordinal() if c.last_met else 0)),
    )[:COUNTERPARTS_SHOWN]


def position_date(position: Position) -> datetime.date:
    return position.end or position.start or position.attested_on


def last_meetings(people: dict[int, Person], today: datetime.date) -> dict[int, Meeting]:
    """Each person's last meeting with us up to ``today``: a visit they took part in or
    led, or an agreement they signed; in three queries for any number of people."""
    met: dict[int, Meeting] = {}

    def consider(person_id: int, meeting: Meeting) -> None:
        # On the same day a visit wins over a signing: it is the occasion of the signing.
        if person_id not in met or meeting.date > met[person_id].date:
            met[person_id] = meeting

    def title_then(person_id: int, title: str, date: datetime.date) -> str:
        return title or people[person_id].title_on(date)

    not_cancelled = ~Q(delegation__status=Delegation.Status.CANCELLED)
    members = (
        Member.objects.filter(not_cancelled, person__in=list(people), delegation__start__lte=today)
        .select_related("delegation")
        .order_by()
        .only(
            "person",
            "delegation",
            "title",
            "organisation",
            "delegation__title",
            "delegation__start",
            "delegation__start_precision",
            "delegation__end",
            "delegation__end_precision",
        )
    )
    for member in members:
        visit = member.delegation
        title = ", ".join(filter(None, [member.title, member.organisation]))
        consider(
            member.person_id, visit_meeting(visit, title_then(member.person_id, title, visit.start))
        )
    led = Delegation.objects.filter(leader__in=list(people), start__lte=today).exclude(
        status=Delegation.Status.CANCELLED
    )
    for visit in led:
        title = title_then(visit.leader_id, visit.leader_title, visit.start)
        consider(visit.leader_id, visit_meeting(visit, title))
    signatures = AgreementSignatory.objects.filter(
        person__in=list(people), agreement__signed_on__lte=today
    ).select_related("agreement")
    for signature in signatures:
        agreement = signature.agreement
        consider(
            signature.person_id,
            Meeting(
                agreement.signed_on,
                agreement.signed_on_display,
                title_then(signature.person_id, signature.title, agreement.signed_on),
                agreement.title,
                agreement.get_absolute_url(),
            ),
        )
    return met


def visit_meeting(visit: Delegation, title: str) -> Meeting:
    return Meeting(visit.start, visit.dates_display, title, visit.title, visit.get_absolute_url())


# ---- Agreements -----------------------------------------------------------------------


def agreement_state(
    agreement: Agreement, today: datetime.date, *, within_days: int = EXPIRING_WITHIN_DAYS
) -> AgreementState:
    """Where an agreement stands on ``today``: its validity dates speak before its
    recorded status, which nobody may have updated when the validity ran out."""
    status = Agreement.Status
    until = agreement.valid_until
    until_display = format_partial(until, Precision.DAY)
    if agreement.status == status.PROPOSED:
        return AgreementState(agreement, "proposed", _("Proposed, not signed yet"))
    if agreement.status in (status.TERMINATED, status.SUPERSEDED):
        return AgreementState(agreement, "ended", agreement.get_status_display())
    renews = agreement.renews_automatically
    if until and until < today and not renews:
        return AgreementState(
            agreement, "expired", _("Expired on %(date)s") % {"date": until_display}
        )
    if agreement.status == status.EXPIRED:
        return AgreementState(agreement, "expired", _("Expired"))
    if until and today <= until <= today + datetime.timedelta(days=within_days):
        label = _("Renews automatically on %(date)s") if renews else _("Expires on %(date)s")
        return AgreementState(agreement, "expiring", label % {"date": until_display})
    if agreement.status == status.IN_FORCE or until:
        if until and until >= today:
            label = _("In force until %(date)s") % {"date": until_display}
        elif renews:
            label = _("In force, renewing automatically")
        else:
            label = _("In force")
        return AgreementState(agreement, "in-force", label)
    return AgreementState(agreement, "signed", _("Signed"))


# ---- Exchange history -----------------------------------------------------------------

VISIT, AGREEMENT, GIFT = 0, 1, 2  # the order of paragraphs that share a date


def exchange_history(
    *,
    partner: Partner,
    home: Partner | None,
    visits: list[Delegation],
    agreements: list[Agreement],
    gifts: list[Gift],
    today: datetime.date,
) -> list[Paragraph]:
    """The history of exchanges up to ``today``, oldest first: one dated paragraph per
    visit (``visits``: those begun, with the agreements signed and the gifts exchanged
    during it), per agreement signed outside a visit and per gift given outside one.
    Dates are as precise as recorded: "2010", "Sep 2009", never an invented day; records
    without a date are left out."""
    visit_pks = {visit.pk for visit in visits}
    signed_during = defaultdict(list)
    entries = []
    for agreement in agreements:
        signing = getattr(agreement, "signing", None)
        if signing is not None and signing.delegation_id in visit_pks:
            signed_during[signing.delegation_id].append(agreement)
        elif (
            agreement.signed_on
            and agreement.signed_on <= today
            and agreement.status != Agreement.Status.PROPOSED
        ):
            entries.append(((agreement.signed_on, AGREEMENT, agreement.title), agreement))
    gifts_during = defaultdict(list)
    for gift in gifts:
        if gift.delegation_id in visit_pks:
            gifts_during[gift.delegation_id].append(gift)
        elif gift.delegation_id is None and gift.given_on and gift.given_on <= today:
            # A gift kept for a visit still to come (or called off) is not history yet.
            entries.append(((gift.given_on, GIFT, gift.description), gift))
    entries += [((visit.start, VISIT, visit.title), visit) for visit in visits]

    home_name = home.name if home else ""
    paragraphs = []
    for _key, record in sorted(entries, key=lambda entry: entry[0]):
        if isinstance(record, Delegation):
            paragraphs.append(
                visit_paragraph(
                    record,
                    home_name=home_name,
                    partner_name=partner.name,
                    agreements=signed_during[record.pk],
                    gifts=gifts_during[record.pk],
                )
            )
        elif isinstance(record, Agreement):
            paragraphs.append(agreement_paragraph(record))
        else:
            paragraphs.append(gift_paragraph(record))
    return paragraphs


def visit_paragraph(
    visit: Delegation,
    *,
    home_name: str,
    partner_name: str,
    agreements: list[Agreement],
    gifts: list[Gift],
) -> Paragraph:
    inbound = visit.direction == Delegation.Direction.INBOUND
    origin, destination = (partner_name, home_name) if inbound else (home_name, partner_name)
    size = visit.declared_size
    if size:
        who = ngettext(
            "a delegation of %(count)d person", "a delegation of %(count)d people", size
        ) % {"count": size}
    else:
        who = _("a delegation")
    if origin:
        who = _("%(who)s from %(origin)s") % {"who": who, "origin": origin}
    if visit.leader and visit.leader_title:
        who = _("%(who)s, led by %(leader)s, %(title)s,") % {
            "who": who,
            "leader": visit.leader.name,
            "title": visit.leader_title,
        }
    elif visit.leader:
        who = _("%(who)s, led by %(leader)s,") % {"who": who, "leader": visit.leader.name}
    sentences = [
        _("%(who)s visited %(destination)s (%(title)s).")
        % {"who": who, "destination": destination or _("us"), "title": visit.title}
    ]
    if visit.invited_by:
        sentences.append(_("Invited by %(inviter)s.") % {"inviter": visit.invited_by})
    if visit.host:
        sentences.append(_("Hosted by %(host)s.") % {"host": visit.host})
    if visit.purpose:
        sentences.append(_("Purpose: %(purpose)s") % {"purpose": as_sentence(visit.purpose)})
    places = list(dict.fromkeys(item.venue.name for item in site_visits(visit)))
    if places:
        sentences.append(_("Places visited: %(places)s.") % {"places": ", ".join(places)})
    if visit.outcome:
        sentences.append(_("Outcome: %(outcome)s") % {"outcome": as_sentence(visit.outcome)})
    if agreements:
        titles = "; ".join(agreement.title for agreement in agreements)
        sentences.append(
            ngettext(
                "Signed during the visit: %(titles)s.",
                "Signed during the visit (%(count)d agreements): %(titles)s.",
                len(agreements),
            )
            % {"titles": titles, "count": len(agreements)}
        )
    given = [gift.description for gift in gifts if gift.direction == Gift.Direction.GIVEN]
    if given:
        sentences.append(
            ngettext("Gift given: %(gifts)s.", "Gifts given: %(gifts)s.", len(given))
            % {"gifts": "; ".join(given)}
        )
    received = [gift.description for gift in gifts if gift.direction == Gift.Direction.RECEIVED]
    if received:
        sentences.append(
            ngettext("Gift received: %(gifts)s.", "Gifts received: %(gifts)s.", len(received))
            % {"gifts": "; ".join(received)}
        )
    return Paragraph(visit.start, visit.dates_display, " ".join(sentences), visit.date_inferred)


def site_visits(visit: Delegation) -> list[ProgrammeItem]:
    if hasattr(visit, "site_visits"):  # prefetched by past_visits()
        return visit.site_visits
    items = visit.programme.filter(kind=ProgrammeItem.Kind.SITE_VISIT, venue__isnull=False)
    return list(items.select_related("venue"))


def agreement_paragraph(agreement: Agreement) -> Paragraph:
    # Whole sentences, so that each language can order the place and the parties.
    between = agreement.home_party and agreement.partner_party
    if agreement.signed_place and between:
        text = _(
            "the %(kind)s “%(title)s” was signed at %(place)s between %(home)s and %(partner)s."
        )
    elif agreement.signed_place:
        text = _("the %(kind)s “%(title)s” was signed at %(place)s.")
    elif between:
        text = _("the %(kind)s “%(title)s” was signed between %(home)s and %(partner)s.")
    else:
        text = _("the %(kind)s “%(title)s” was signed.")
    text %= {
        "kind": agreement.get_kind_display().lower(),
        "title": agreement.title,
        "place": agreement.signed_place,
        "home": agreement.home_party,
        "partner": agreement.partner_party,
    }
    if agreement.sets_level:
        text += " " + _("It set the relationship level to %(level)s.") % {
            "level": agreement.get_sets_level_display().lower()
        }
    return Paragraph(
        agreement.signed_on, agreement.signed_on_display, text, agreement.date_inferred
    )


def gift_paragraph(gift: Gift) -> Paragraph:
    text = _("%(giver)s gave %(recipient)s a gift: %(description)s.") % {
        "giver": gift.giver,
        "recipient": gift.recipient,
        "description": gift.description,
    }
    return Paragraph(gift.given_on, gift.given_on_display, text, gift.date_inferred)


def as_sentence(text: str) -> str:
    """One line, ending as a sentence ends."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if text.endswith((".", "!", "?", "。", "．")) else f"{text}."
