"""The calendar of visits: a month grid for the page and an iCalendar feed for subscribers.

Only visits with day-precise dates have a place on a calendar: a visit known only as
"October 2010" would otherwise fill a whole month. Programme items with a known day are
shown on that day whatever their visit's precision, since the item's own date is exact.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field

import icalendar
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relations.dates import Precision

from .models import Delegation, ProgrammeItem

FEED_NAME = gettext_lazy("Amity delegations")
FEED_PRODID = "-//Amity//Delegations calendar//EN"
# Subscribers drop anything that leaves the feed, so history older than this disappears
# from their calendars; the feed would otherwise grow with every visit ever recorded.
FEED_HISTORY = datetime.timedelta(days=365)
# How often subscribing clients should fetch again (Outlook and Apple read these hints;
# Google Calendar refreshes on its own schedule, typically every few hours).
FEED_REFRESH = datetime.timedelta(hours=1)

ICS_STATUS = {
    Delegation.Status.PLANNED: "TENTATIVE",
    Delegation.Status.CONFIRMED: "CONFIRMED",
    Delegation.Status.UNDER_WAY: "CONFIRMED",
    Delegation.Status.COMPLETED: "CONFIRMED",
    Delegation.Status.CANCELLED: "CANCELLED",
}
# "← Changning District": they come to us from there; "→ Changning District": we go there.
ARROWS = {Delegation.Direction.INBOUND: "←", Delegation.Direction.OUTBOUND: "→"}


def with_exact_dates(queryset: QuerySet[Delegation]) -> QuerySet[Delegation]:
    """The visits whose first and last days are both known."""
    return queryset.filter(start_precision=Precision.DAY).filter(
        Q(end__isnull=True) | Q(end_precision=Precision.DAY)
    )


def overlapping(
    queryset: QuerySet[Delegation], first: datetime.date, last: datetime.date
) -> QuerySet[Delegation]:
    """Day-precise visits covering at least one day from ``first`` to ``last``."""
    return queryset.filter(
        Q(end__isnull=True, start__gte=first) | Q(end__gte=first), start__lte=last
    )


# ---- Month grid -----------------------------------------------------------------------

MONTH_FORMAT = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str) -> datetime.date | None:
    """The first day of the month written "2026-11", or None when it is not one.

    Years 1 and 9999 are refused too: their grids would run off the calendar.
    """
    match = MONTH_FORMAT.fullmatch(value.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (datetime.MINYEAR < year < datetime.MAXYEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def shift_month(first_day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (or before) ``first_day``'s."""
    index = first_day.year * 12 + first_day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    delegations: list[Delegation] = field(default_factory=list)
    items: list[ProgrammeItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.delegations and not self.items


def month_grid(year: int, month: int) -> list[list[CalendarDay]]:
    """The weeks (Monday first) showing ``month``, each day with the visits covering it and
    the programme items on it. Days of the neighbouring months that complete the first
    and last weeks are filled too, marked ``in_month=False``.

    Two queries whatever the number of visits; cancelled visits are left out.
    """
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    days = {day: CalendarDay(day, day.month == month) for week in weeks for day in week}

    delegations = overlapping(
        with_exact_dates(Delegation.objects.exclude(status=Delegation.Status.CANCELLED)),
        first,
        last,
    ).select_related("partner")
    for delegation in delegations.order_by("start", "title", "pk"):
        day = max(delegation.start, first)
        until = min(delegation.end or delegation.start, last)
        while day <= until:
            days[day].delegations.append(delegation)
            day += datetime.timedelta(days=1)

    items = (
        ProgrammeItem.objects.filter(date__range=(first, last))
        .exclude(delegation__status=Delegation.Status.CANCELLED)
        .select_related("delegation", "venue")
        # Items without a time first, like all-day events in calendar programs.
        .order_by("date", F("start_time").asc(nulls_first=True), "end_time", "title", "pk")
    )
    for item in items:
        days[item.date].items.append(item)

    return [[days[day] for day in week] for week in weeks]


# ---- iCalendar feed -------------------------------------------------------------------


def feed_delegations(*, today: datetime.date | None = None) -> QuerySet[Delegation]:
    """What a subscriber's calendar holds: day-precise visits that ended within the last
    year or have not ended yet, cancelled ones included so that clients mark them."""
    today = today or timezone.localdate()
    cutoff = today - FEED_HISTORY
    return (
        with_exact_dates(Delegation.objects.all())
        .filter(Q(end__isnull=True, start__gte=cutoff) | Q(end__gte=cutoff))
        .select_related("partner", "leader")
        .order_by("start", "pk")
    )


def delegation_summary(delegation: Delegation) -> str:
    summary = f"{ARROWS[delegation.direction]} {delegation.partner}: {delegation.title}"
    if delegation.status == Delegation.Status.CANCELLED:
        # Google Calendar shows cancelled events of a subscribed feed as if they were on.
        summary = _("Cancelled: %(visit)s") % {"visit": summary}
    return summary


def delegation_description(delegation: Delegation, url: str) -> str:
    lines = [f"{delegation.get_direction_display()} · {delegation.get_status_display()}"]
    if delegation.leader:
        leader = str(delegation.leader)
        if delegation.leader_title:
            leader += f", {delegation.leader_title}"
        lines.append(_("Leader: %(leader)s") % {"leader": leader})
    if delegation.purpose:
        lines.append(_("Purpose: %(purpose)s") % {"purpose": delegation.purpose})
    lines.append(url)
    return "\n".join(lines)


def delegation_event(
    delegation: Delegation, *, base_url: str, stamp: datetime.datetime
) -> icalendar.Event:
    url = base_url + delegation.get_absolute_url()
    event = icalendar.Event()
    event.add("uid", f"delegation-{delegation.pk}@amity")
    event.add("dtstamp", stamp)
    # All-day: DTEND is the day after the last day (RFC 5545 end dates are exclusive).
    event.add("dtstart", delegation.start)
    event.add("dtend", (delegation.end or delegation.start) + datetime.timedelta(days=1))
    event.add("summary", delegation_summary(delegation))
    event.add("description", delegation_description(delegation, url))
    event.add("url", url)
    event.add("status", ICS_STATUS[delegation.status])
    # An all-day visit should not make its subscribers look busy for the whole day.
    event.add("transp", "TRANSPARENT")
    event.add("last-modified", delegation.updated_at)
    return event


def programme_item_event(
    item: ProgrammeItem,
    delegation: Delegation,
    *,
    base_url: str,
    stamp: datetime.datetime,
    tz: datetime.tzinfo,
) -> icalendar.Event:
    url = f"{base_url}{delegation.get_absolute_url()}#programmeitem-{item.pk}"
    event = icalendar.Event()
    event.add("uid", f"programme-item-{item.pk}@amity")
    event.add("dtstamp", stamp)
    # In the project's time zone, so that the feed says TZID=Asia/Seoul (with its
    # VTIMEZONE) rather than leaving the zone to the subscriber's settings.
    event.add("dtstart", item.starts_at.astimezone(tz))
    event.add("dtend", item.ends_at.astimezone(tz))
    event.add("summary", f"{item.title} ({ARROWS[delegation.direction]} {delegation.partner})")
    lines = [
        _("%(kind)s during “%(visit)s”")
        % {"kind": item.get_kind_display(), "visit": delegation.title}
    ]
    if item.description:
        lines.append(item.description)
    lines.append(url)
    event.add("description", "\n".join(lines))
    if item.venue:
        location = item.venue.name
        if item.venue.address:
            location += f", {item.venue.address}"
        event.add("location", location)
    event.add("url", url)
    event.add("status", ICS_STATUS[delegation.status])
    return event


def delegations_ics(queryset: QuerySet[Delegation], *, base_url: str = "") -> bytes:
    """An iCalendar (RFC 5545) document: an all-day event per visit in ``queryset`` and a
    timed event per programme item of theirs with a day and a start time.

    ``base_url`` ("https://amity.example.org") makes the links in the events absolute.
    Two queries: the visits and their timed programme items.
    """
    stamp = timezone.now().replace(microsecond=0)
    tz = timezone.get_default_timezone()
    base_url = base_url.rstrip("/")

    cal = icalendar.Calendar()
    cal.add("prodid", FEED_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", str(FEED_NAME))
    cal.add("x-wr-timezone", str(tz))
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH))  # unknown to icalendar

    delegations = {d.pk: d for d in queryset.select_related("partner", "leader")}
    for delegation in delegations.values():
        cal.add_component(delegation_event(delegation, base_url=base_url, stamp=stamp))

    items = ProgrammeItem.objects.filter(
        delegation__in=queryset.values("pk"), date__isnull=False, start_time__isnull=False
    ).select_related("venue")
    for item in items.order_by("date", "start_time", "pk"):
        delegation = delegations.get(item.delegation_id)
        if delegation is None:  # The visit was added between the two queries.
            continue
        cal.add_component(
            programme_item_event(item, delegation, base_url=base_url, stamp=stamp, tz=tz)
        )

    cal.add_missing_timezones()
    return cal.to_ical()
