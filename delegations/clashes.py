"""Clash warnings: a person, venue or vehicle in two places at once, and visits that do not
add up. Computed from the records whenever they are shown, so they are never stale;
warnings never block saving.

Times are half-open: an item ending at 10:00 and one starting at 10:00 do not clash.
Cancelled visits and visits known only to the month or year are left out.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relations.dates import Precision, format_partial

from .models import Delegation, InterpreterAssignment, Member, ProgrammeItem, Transport


@dataclass(frozen=True)
class Booking:
    """One person, venue or vehicle taken for a stretch of time by one record."""

    resource: tuple  # ("person", pk) / ("venue", pk) / ("vehicle", plate)
    name: str
    role: str
    start: datetime.datetime
    end: datetime.datetime
    delegation: Delegation
    record: object
    label: str

    def overlaps(self, other: "Booking") -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def url(self) -> str:
        anchor = f"#{type(self.record).__name__.lower()}-{self.record.pk}"
        return self.delegation.get_absolute_url() + anchor


@dataclass(frozen=True)
class Clash:
    kind: str
    message: str
    delegations: tuple[Delegation, ...]
    links: tuple[tuple[str, str], ...] = field(default=())
    when: datetime.datetime | datetime.date | None = None

    def involves(self, delegation: Delegation) -> bool:
        return any(d.pk == delegation.pk for d in self.delegations)


def day(date: datetime.date) -> str:
    return format_partial(date, Precision.DAY)


def local(moment: datetime.datetime) -> str:
    moment = timezone.localtime(moment)
    return f"{day(moment.date())}, {moment:%H:%M}"


def span(booking: Booking) -> str:
    return f"{local(booking.start)}–{timezone.localtime(booking.end):%H:%M}"


def bookings_of(delegations: list[Delegation]) -> list[Booking]:
    by_pk = {d.pk: d for d in delegations}
    bookings = []
    items = ProgrammeItem.objects.filter(
        delegation__in=by_pk, date__isnull=False, start_time__isnull=False
    ).select_related("responsible", "interpreter", "venue")
    for item in items:
        delegation = by_pk[item.delegation_id]
        start, end = item.starts_at, item.ends_at
        label = _("“%(title)s”") % {"title": item.title}
        if item.responsible:
            bookings.append(
                Booking(
                    ("person", item.responsible_id),
                    str(item.responsible),
                    _("responsible officer"),
                    start,
                    end,
                    delegation,
                    item,
                    label,
                )
            )
        if item.interpreter:
            bookings.append(
                Booking(
                    ("person", item.interpreter_id),
                    str(item.interpreter),
                    _("interpreter"),
                    start,
                    end,
                    delegation,
                    item,
                    label,
                )
            )
        if item.venue:
            bookings.append(
                Booking(
                    ("venue", item.venue_id),
                    str(item.venue),
                    _("venue"),
                    start,
                    end,
                    delegation,
                    item,
                    label,
                )
            )
    assignments = InterpreterAssignment.objects.filter(delegation__in=by_pk).select_related(
        "interpreter"
    )
    for assignment in assignments:
        bookings.append(
            Booking(
                ("person", assignment.interpreter_id),
                str(assignment.interpreter),
                _("interpreter"),
                assignment.starts_at,
                assignment.ends_at,
                by_pk[assignment.delegation_id],
                assignment,
                _("an interpreting assignment"),
            )
        )
    for transport in Transport.objects.filter(delegation__in=by_pk).select_related("driver"):
        end = transport.arrives_at or transport.departs_at + datetime.timedelta(hours=1)
        delegation = by_pk[transport.delegation_id]
        label = (
            _("the %(kind)s %(reference)s")
            % {"kind": transport.get_kind_display().lower(), "reference": transport.reference}
        ).strip()
        if transport.vehicle:
            bookings.append(
                Booking(
                    ("vehicle", transport.vehicle.strip().upper()),
                    transport.vehicle,
                    _("vehicle"),
                    transport.departs_at,
                    end,
                    delegation,
                    transport,
                    label,
                )
            )
        if transport.driver:
            bookings.append(
                Booking(
                    ("person", transport.driver_id),
                    str(transport.driver),
                    _("driver"),
                    transport.departs_at,
                    end,
                    delegation,
                    transport,
                    label,
                )
            )
    return bookings


def is_clash(a: Booking, b: Booking) -> bool:
    if a.record == b.record or not a.overlaps(b):
        return False
    same_visit = a.delegation.pk == b.delegation.pk
    if a.resource[0] == "venue" and same_visit:
        return False  # one delegation may use a venue for two things at once
    # An interpreting assignment covers the items of its own visit that it interprets.
    covering = {type(a.record), type(b.record)} == {InterpreterAssignment, ProgrammeItem}
    return not (same_visit and covering)


def booking_clashes(bookings: Iterable[Booking]) -> list[Clash]:
    by_resource = defaultdict(list)
    for booking in bookings:
        by_resource[booking.resource].append(booking)
    clashes = []
    for group in by_resource.values():
        group.sort(key=lambda b: b.start)
        for a, b in combinations(group, 2):
            if not is_clash(a, b):
                continue
            what = a.name
            if a.resource[0] == "vehicle":
                what = _("Vehicle %(plate)s") % {"plate": a.name}
            clashes.append(
                Clash(
                    kind=f"{a.resource[0]}-double-booked",
                    message=_(
                        "%(what)s is booked twice: as %(role)s for %(label)s (%(visit)s, "
                        "%(span)s) and as %(other_role)s for %(other_label)s (%(other_visit)s, "
                        "%(other_span)s)."
                    )
                    % {
                        "what": what,
                        "role": a.role,
                        "label": a.label,
                        "visit": a.delegation.title,
                        "span": span(a),
                        "other_role": b.role,
                        "other_label": b.label,
                        "other_visit": b.delegation.title,
                        "other_span": span(b),
                    },
                    delegations=tuple(
                        {a.delegation.pk: a.delegation, b.delegation.pk: b.delegation}.values()
                    ),
                    links=((a.label, a.url), (b.label, b.url)),
                    when=max(a.start, b.start),
                )
            )
    return clashes


def membership_clashes(delegations: list[Delegation]) -> list[Clash]:
    """One person in two visits that share a day (as member or leader)."""
    by_pk = {d.pk: d for d in delegations}
    people = defaultdict(dict)  # person pk -> {delegation pk: name}
    # Plain rows: a few hundred visits ahead hold thousands of members.
    members = Member.objects.filter(delegation__in=by_pk).values_list(
        "person_id", "delegation_id", "person__name"
    )
    for person, delegation, name in members:
        people[person][delegation] = name
    for delegation in delegations:
        if delegation.leader_id:
            people[delegation.leader_id].setdefault(delegation.pk, str(delegation.leader))
    clashes = []
    for visits in people.values():
        for first_pk, second_pk in combinations(sorted(visits), 2):
            first, second = by_pk[first_pk], by_pk[second_pk]
            (a_start, a_end), (b_start, b_end) = first.period, second.period
            if a_start <= b_end and b_start <= a_end:
                clashes.append(
                    Clash(
                        kind="person-in-two-visits",
                        message=_(
                            "%(person)s is on two visits at once: %(first)s (%(first_dates)s) "
                            "and %(second)s (%(second_dates)s)."
                        )
                        % {
                            "person": visits[first_pk],
                            "first": first.title,
                            "first_dates": first.dates_display,
                            "second": second.title,
                            "second_dates": second.dates_display,
                        },
                        delegations=(first, second),
                        links=(
                            (first.title, first.get_absolute_url()),
                            (second.title, second.get_absolute_url()),
                        ),
                        when=max(a_start, b_start),
                    )
                )
    return clashes


def own_clashes(delegations: list[Delegation]) -> list[Clash]:
    """What does not add up within a visit: items outside its dates, too many members."""
    by_pk = {d.pk: d for d in delegations}
    member_counts = dict(
        Member.objects.filter(delegation__in=by_pk)
        .values("delegation")
        .annotate(n=Count("pk"))
        .values_list("delegation", "n")
    )
    dated_items = ProgrammeItem.objects.filter(delegation__in=by_pk, date__isnull=False)
    clashes = []
    for item in dated_items:
        delegation = by_pk[item.delegation_id]
        first, last = delegation.period
        if first <= item.date <= last:
            continue
        clashes.append(
            Clash(
                kind="item-outside-dates",
                message=_("“%(title)s” is on %(date)s, outside the visit's dates (%(dates)s).")
                % {"title": item.title, "date": day(item.date), "dates": delegation.dates_display},
                delegations=(delegation,),
                links=((item.title, f"{delegation.get_absolute_url()}#programmeitem-{item.pk}"),),
                when=item.date,
            )
        )
    for delegation in delegations:
        member_count = member_counts.get(delegation.pk, 0)
        if delegation.declared_size is None or member_count <= delegation.declared_size:
            continue
        clashes.append(
            Clash(
                kind="more-members-than-declared",
                message=ngettext(
                    "%(count)d member is listed but the head-count declared is %(declared)d.",
                    "%(count)d members are listed but the head-count declared is %(declared)d.",
                    member_count,
                )
                % {"count": member_count, "declared": delegation.declared_size},
                delegations=(delegation,),
                links=((_("Members"), f"{delegation.get_absolute_url()}#members"),),
                when=delegation.start,
            )
        )
    return clashes


def checked(queryset):
    """Visits that can clash: not cancelled, dates known to the day."""
    return (
        queryset.exclude(status=Delegation.Status.CANCELLED)
        .filter(start_precision="day")
        .exclude(end_precision__in=["month", "year"], end__isnull=False)
        .select_related("leader")
    )


def overlapping(first: datetime.date, last: datetime.date):
    return checked(Delegation.objects.filter(start__lte=last)).filter(
        Q(end__gte=first) | Q(end__isnull=True, start__gte=first)
    )


def clashes_for(delegation: Delegation) -> list[Clash]:
    """Every warning about one visit, with what it clashes with."""
    if delegation.status == Delegation.Status.CANCELLED:
        return []
    if not delegation.has_exact_dates:
        return own_clashes([delegation])
    first, last = delegation.period
    around = [d for d in overlapping(first, last) if d.pk != delegation.pk] + [delegation]
    found = booking_clashes(bookings_of(around)) + membership_clashes(around)
    return [c for c in found if c.involves(delegation)] + own_clashes([delegation])


def clashes_to_come(today: datetime.date) -> tuple[list[Clash], int]:
    """Open clashes of the visits not over yet, and how many open visits are over.

    A visit left "planned" years ago would stretch the window to every visit since (152 s
    on a crafted data set): its clashes are history, and its status is what needs fixing,
    so it is counted, not checked.
    """
    stale = Delegation.objects.filter(status__in=Delegation.OPEN_STATUSES).ended(today)
    return open_clashes(overlapping(today, datetime.date.max)), stale.count()


def open_clashes(delegations=None) -> list[Clash]:
    """Every warning that touches a visit still planned, confirmed or under way: among
    ``delegations`` (a queryset, e.g. one partner's), else among all."""
    visits = Delegation.objects.all() if delegations is None else delegations
    open_visits = list(checked(visits.filter(status__in=Delegation.OPEN_STATUSES)))
    if not open_visits:
        return []
    first = min(d.period[0] for d in open_visits)
    last = max(d.period[1] for d in open_visits)
    around = {d.pk: d for d in overlapping(first, last)}
    around.update({d.pk: d for d in open_visits})
    visits = list(around.values())
    found = booking_clashes(bookings_of(visits)) + membership_clashes(visits)
    open_pks = {d.pk for d in open_visits}
    found += own_clashes(open_visits)
    relevant = [c for c in found if any(d.pk in open_pks for d in c.delegations)]
    return sorted(relevant, key=lambda c: str(c.when))
