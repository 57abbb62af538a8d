"""The yearly reports: exchanges by year, partner, country and sector, people exchanged,
the balance of visits per partner, and the annual statistics of one year.

Only visits that took place count: completed ones and those under way. Planned and
confirmed visits have not happened (yet) and cancelled ones never will; `not_counted`
says how many of those a period holds. A visit counts in the year it began. Each report
costs a few aggregate queries, however many visits there are.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    Q,
)
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from relations.dates import format_partial
from relations.models import Agreement, Partner, Sector

from .models import Delegation
from .summaries import shared

COUNTED = (Delegation.Status.COMPLETED, Delegation.Status.UNDER_WAY)
INBOUND, OUTBOUND = Delegation.Direction.INBOUND, Delegation.Direction.OUTBOUND

# Where a visit's head-count comes from (see `head_count`).
LISTED, DECLARED, UNKNOWN = "listed", "declared", "unknown"

COUNTING_RULE = gettext_lazy(
    "Counted: visits completed or under way, in the year they began. Not counted: visits "
    "planned, confirmed (not happened yet) or cancelled."
)


@dataclass(frozen=True)
class Period:
    """The days whose visits a report counts, both ends included."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def of_years(cls, first_year: int, last_year: int) -> "Period":
        return cls(datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31))

    @property
    def years(self) -> range:
        return range(self.first.year, self.last.year + 1)

    def __str__(self) -> str:
        first, last = self.first.year, self.last.year
        if (self.first, self.last) != (datetime.date(first, 1, 1), datetime.date(last, 12, 31)):
            return f"{self.first.isoformat()} – {self.last.isoformat()}"
        return str(first) if first == last else f"{first}–{last}"


@dataclass(frozen=True)
class Column:
    header: str
    numeric: bool = True
    group: str = ""  # a heading over several columns ("Inbound")


@dataclass
class Row:
    label: str | int  # a year stays a number in the spreadsheet
    values: list
    partner_id: int | None = None  # a partner's row links to its dossier

    @property
    def url(self) -> str:
        # Worked out for the rows a page shows, not for the 2,000 a report may hold.
        return (
            reverse("relations:partner-detail", args=[self.partner_id]) if self.partner_id else ""
        )


# A national office exchanges with two thousand partners: the page shows the first rows
# of a table (the totals count them all), the spreadsheet every row.
ROWS_SHOWN = 100


@dataclass
class Report:
    """A table (a label column, then `columns`), an optional totals row and chart."""

    key: str
    title: str
    label_header: str
    columns: list[Column]
    rows: list[Row]
    totals: list | None = None
    notes: list[str] = field(default_factory=list)
    chart: dict | None = None

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def header_rows(self) -> list[list[dict]]:
        """One header row, or two when columns sit under a group heading ("Inbound"):
        cells as {"text", "span" (columns), "rows", "numeric", "group"}."""
        grouped = any(column.group for column in self.columns)
        rows = 2 if grouped else 1
        top = [{"text": self.label_header, "span": 1, "rows": rows, "numeric": False}]
        below = []
        for column in self.columns:
            if not column.group:
                top.append(
                    {"text": column.header, "span": 1, "rows": rows, "numeric": column.numeric}
                )
                continue
            if top[-1].get("group") != column.group:
                top.append({"text": column.group, "span": 0, "rows": 1, "group": column.group})
            top[-1]["span"] += 1
            below.append({"text": column.header, "span": 1, "rows": 1, "numeric": column.numeric})
        return [top, below] if grouped else [top]

    @property
    def cells(self) -> list[tuple[Row, list[tuple]]]:
        """The first ROWS_SHOWN rows, each with its values paired with whether they are
        numbers (right-aligned)."""
        return [
            (row, [(v, c.numeric) for v, c in zip(row.values, self.columns, strict=True)])
            for row in self.rows[:ROWS_SHOWN]
        ]

    @property
    def rows_not_shown(self) -> int:
        return max(0, len(self.rows) - ROWS_SHOWN)


# ---- The visits counted ---------------------------------------------------------------


def counted(period: Period):
    """The visits that took place in ``period``."""
    return Delegation.objects.filter(
        status__in=COUNTED, start__gte=period.first, start__lte=period.last
    ).order_by()


def not_counted(period: Period) -> dict[str, int]:
    """How many visits of the period each status left out: {"planned": 2, ...}."""
    rows = (
        Delegation.objects.filter(start__gte=period.first, start__lte=period.last)
        .exclude(status__in=COUNTED)
        .order_by()
        .values("status")
        .annotate(visits=Count("pk"))
    )
    return {row["status"]: row["visits"] for row in rows}


def years_with_data() -> list[int]:
    """The years in which counted visits began, newest first."""
    years = (
        Delegation.objects.filter(status__in=COUNTED)
        .annotate(year=ExtractYear("start"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


def default_period(*, today: datetime.date, years: int = 10) -> Period:
    """From the ``years``-th latest year that has visits to the latest one: the last ten
    years of activity even when the office was quiet for a while. This year alone when
    nothing was recorded yet."""
    found = shared("report-years", years_with_data)
    if not found:
        return Period.of_years(today.year, today.year)
    return Period.of_years(found[:years][-1], found[0])


@dataclass(frozen=True, slots=True)
class CountedVisit:
    partner_id: int
    direction: str
    start: datetime.date
    head_count: int
    head_count_source: str  # LISTED, DECLARED or UNKNOWN


def head_count(listed: int, declared: int | None) -> tuple[int, str]:
    """A visit's head-count and where it comes from.

    The member list counts when it names everyone declared (or nobody declared a size);
    a shorter list is taken as partial, and the declared head-count counts instead (the
    2013 visit of 21 whose three leaders alone are listed). Visits with neither count as
    unknown, with a head-count of 0.
    """
    if listed > 0 and (declared is None or listed >= declared):
        return listed, LISTED
    if declared is not None:
        return declared, DECLARED
    return 0, UNKNOWN


def counted_visits(period: Period) -> list[CountedVisit]:
    """The visits of ``period`` with their head-counts, in one query the reports then
    group: the same rule in SQL counted each visit's members several times over (half a
    second at 50,000 visits on PostgreSQL)."""
    rows = (
        counted(period)
        .values_list("pk", "partner_id", "direction", "start", "declared_size")
        .annotate(listed=Count("members"))
    )
    return [
        CountedVisit(partner_id, direction, start, *head_count(listed, declared))
        for _pk, partner_id, direction, start, declared, listed in rows
    ]


def by_partner_and_direction(
    period: Period, visits: list[CountedVisit] | None = None
) -> tuple[dict, dict[int, Partner]]:
    """{(partner id, direction): {"visits", "people", "latest"}} and the partners."""
    cells: dict[tuple[int, str], dict] = {}
    for visit in counted_visits(period) if visits is None else visits:
        cell = cells.setdefault(
            (visit.partner_id, visit.direction), {"visits": 0, "people": 0, "latest": visit.start}
        )
        cell["visits"] += 1
        cell["people"] += visit.head_count
        cell["latest"] = max(cell["latest"], visit.start)
    partners = Partner.objects.only("name", "native_name", "country", "level", "is_home").in_bulk(
        {partner_id for partner_id, _direction in cells}
    )
    return cells, partners


def partner_labels(partners: dict[int, Partner]) -> tuple[dict[int, str], dict[str, str]]:
    """Each partner's country name and the relationship levels' labels, each translated
    once rather than once per row (2,000 rows)."""
    names: dict[str, str] = {}
    country = {}
    for pk, partner in partners.items():
        code = partner.country.code
        if code not in names:
            names[code] = str(partner.country.name)
        country[pk] = names[code]
    level = {value: str(label) for value, label in Partner._meta.get_field("level").flatchoices}
    return country, level


def direction_series(inbound: list[int], outbound: list[int]) -> list[dict]:
    return [
        {"key": INBOUND, "label": _("Inbound"), "data": inbound},
        {"key": OUTBOUND, "label": _("Outbound"), "data": outbound},
    ]


def direction_columns() -> list[Column]:
    return [Column(_("Inbound")), Column(_("Outbound")), Column(_("Total"))]


def column_sums(rows: list[Row], numeric: list[bool]) -> list:
    return [
        sum(row.values[i] or 0 for row in rows) if is_number else ""
        for i, is_number in enumerate(numeric)
    ]


# ---- The reports ----------------------------------------------------------------------


def exchanges_by_year(period: Period) -> Report:
    rows = (
        counted(period)
        .annotate(year=ExtractYear("start"))
        .values("year", "direction")
        .annotate(visits=Count("pk"))
    )
    visits = {(row["year"], row["direction"]): row["visits"] for row in rows}
    table = []
    for year in period.years:
        inbound, outbound = visits.get((year, INBOUND), 0), visits.get((year, OUTBOUND), 0)
        table.append(Row(year, [inbound, outbound, inbound + outbound]))
    labels = [str(row.label) for row in table]
    return Report(
        key="by-year",
        title=_("Exchanges per year"),
        label_header=_("Year"),
        columns=direction_columns(),
        rows=table,
        totals=column_sums(table, [True] * 3),
        chart={
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "datasets": direction_series(
                [r.values[0] for r in table], [r.values[1] for r in table]
            ),
        },
    )


def exchanges_by_partner(period: Period, grouped=None) -> Report:
    cells, partners = grouped or by_partner_and_direction(period)
    table = []
    country, level = partner_labels(partners)
    for partner in partners.values():
        mine = [cells.get((partner.pk, d)) for d in (INBOUND, OUTBOUND)]
        mine = [cell for cell in mine if cell]
        table.append(
            Row(
                str(partner),
                [
                    country[partner.pk],
                    level.get(partner.level, ""),  # blank: no level recorded
                    sum(cell["visits"] for cell in mine),
                    sum(cell["people"] or 0 for cell in mine),
                    max(cell["latest"] for cell in mine).year,
                ],
                partner_id=partner.pk,
            )
        )
    table.sort(key=lambda row: (-row.values[2], row.label))
    return Report(
        key="by-partner",
        title=_("Exchanges by partner"),
        label_header=_("Partner"),
        columns=[
            Column(_("Country"), numeric=False),
            Column(_("Relationship"), numeric=False),
            Column(_("Exchanges")),
            Column(_("People")),
            Column(_("Latest year"), numeric=False),
        ],
        rows=table,
        totals=column_sums(table, [False, False, True, True, False]),
        notes=[
            _("People: as in the people report; visits without a head-count add none."),
            *(
                [
                    _("The chart shows the %(count)d partners with the most exchanges.")
                    % {"count": TOP_IN_CHART}
                ]
                if len(table) > TOP_IN_CHART
                else []
            ),
        ],
        chart=top_bars(table, value_index=2, label=_("Exchanges")),
    )


def exchanges_by_country(period: Period, grouped=None) -> Report:
    cells, partners = grouped or by_partner_and_direction(period)
    countries_seen: dict[str, dict] = {}
    for (partner_id, direction), cell in cells.items():
        code = partners[partner_id].country.code
        entry = countries_seen.setdefault(
            code, {"partners": set(), INBOUND: 0, OUTBOUND: 0, "name": countries.name(code)}
        )
        entry["partners"].add(partner_id)
        entry[direction] += cell["visits"]
    table = [
        Row(
            entry["name"],
            [
                len(entry["partners"]),
                entry[INBOUND],
                entry[OUTBOUND],
                entry[INBOUND] + entry[OUTBOUND],
            ],
        )
        for entry in countries_seen.values()
    ]
    table.sort(key=lambda row: (-row.values[3], row.label))
    labels = [str(row.label) for row in table]
    return Report(
        key="by-country",
        title=_("Exchanges by country"),
        label_header=_("Country"),
        columns=[Column(_("Partners")), *direction_columns()],
        rows=table,
        totals=column_sums(table, [True] * 4),
        notes=[_("Partners: those with at least one exchange in the period.")],
        chart={
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": labels,
            "datasets": direction_series(
                [r.values[1] for r in table], [r.values[2] for r in table]
            ),
        },
    )


def exchanges_by_sector(period: Period) -> Report:
    # A LEFT JOIN through the sectors: a visit without any comes back with sector None.
    rows = counted(period).values("sectors", "direction").annotate(visits=Count("pk"))
    visits = {(row["sectors"], row["direction"]): row["visits"] for row in rows}
    named = [(sector.pk, sector.name) for sector in Sector.objects.order_by("name")]
    table = []
    for sector_id, name in [*named, (None, _("Unspecified"))]:
        inbound, outbound = (
            visits.get((sector_id, INBOUND), 0),
            visits.get((sector_id, OUTBOUND), 0),
        )
        table.append(Row(name, [inbound, outbound, inbound + outbound]))
    shown = [row for row in table if row.values[2]]
    labels = [row.label for row in shown]
    return Report(
        key="by-sector",
        title=_("Exchanges by sector"),
        label_header=_("Sector"),
        columns=direction_columns(),
        rows=table,
        notes=[
            _(
                "A visit in several sectors counts once in each, so the sectors add up to "
                "more than the visits; a visit without any counts as unspecified."
            )
        ],
        chart={
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": labels,
            "datasets": direction_series(
                [r.values[0] for r in shown], [r.values[1] for r in shown]
            ),
        },
    )


def people_exchanged(period: Period, visits: list[CountedVisit] | None = None) -> Report:
    found: dict[tuple[int, str, str], dict] = {}
    for visit in counted_visits(period) if visits is None else visits:
        key = (visit.start.year, visit.direction, visit.head_count_source)
        cell = found.setdefault(key, {"visits": 0, "people": 0})
        cell["visits"] += 1
        cell["people"] += visit.head_count

    def people(year, direction, source):
        return (found.get((year, direction, source)) or {}).get("people") or 0

    def visits(year, direction, source):
        return (found.get((year, direction, source)) or {}).get("visits") or 0

    table = []
    for year in period.years:
        values = []
        for direction in (INBOUND, OUTBOUND):
            listed, declared = people(year, direction, LISTED), people(year, direction, DECLARED)
            values += [listed, declared, listed + declared]
        values.append(sum(visits(year, d, UNKNOWN) for d in (INBOUND, OUTBOUND)))
        table.append(Row(year, values))
    inbound, outbound = _("Inbound"), _("Outbound")
    labels = [str(row.label) for row in table]
    return Report(
        key="people",
        title=_("People exchanged per year"),
        label_header=_("Year"),
        columns=[
            Column(_("From member lists"), group=inbound),
            Column(_("Declared head-counts"), group=inbound),
            Column(_("People"), group=inbound),
            Column(_("From member lists"), group=outbound),
            Column(_("Declared head-counts"), group=outbound),
            Column(_("People"), group=outbound),
            Column(_("Visits with no head-count")),
        ],
        rows=table,
        totals=column_sums(table, [True] * 7),
        notes=[
            _(
                "A visit counts the people on its member list when the list names at least "
                "as many as the head-count declared for it; otherwise (no list, or a partial "
                "one) it counts the declared head-count. Visits with neither are only "
                "counted in the last column."
            )
        ],
        chart={
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "datasets": [
                {
                    "key": f"{direction}-{source}",
                    "stack": direction,
                    "label": _("%(group)s: %(header)s") % {"group": name, "header": source_name},
                    "data": [row.values[offset + i] for row in table],
                }
                for offset, direction, name in ((0, INBOUND, inbound), (3, OUTBOUND, outbound))
                for i, (source, source_name) in enumerate(
                    ((LISTED, _("from member lists")), (DECLARED, _("declared head-counts")))
                )
            ],
        },
    )


def balance_by_partner(period: Period, grouped=None) -> Report:
    cells, partners = grouped or by_partner_and_direction(period)
    table = []
    country, _level = partner_labels(partners)
    for partner in partners.values():
        inbound = (cells.get((partner.pk, INBOUND)) or {}).get("visits", 0)
        outbound = (cells.get((partner.pk, OUTBOUND)) or {}).get("visits", 0)
        table.append(
            Row(
                str(partner),
                [country[partner.pk], inbound, outbound, inbound - outbound],
                partner_id=partner.pk,
            )
        )
    # The partners we exchange most with first: the page shows the first ROWS_SHOWN.
    table.sort(key=lambda row: (-(row.values[1] + row.values[2]), row.label.casefold()))
    labels = [str(row.label) for row in table[:TOP_IN_CHART]]
    return Report(
        key="balance",
        title=_("Balance of visits per partner"),
        label_header=_("Partner"),
        columns=[
            Column(_("Country"), numeric=False),
            Column(_("Inbound")),
            Column(_("Outbound")),
            Column(_("Difference")),
        ],
        rows=table,
        totals=column_sums(table, [False, True, True, True]),
        notes=[
            _(
                "Difference: visits received minus visits sent; below zero, we went to them "
                "more often than they came to us."
            )
        ],
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": labels,
            # Side by side, so each partner's two bars show the balance at a glance.
            "datasets": direction_series(
                [r.values[1] for r in table[:TOP_IN_CHART]],
                [r.values[2] for r in table[:TOP_IN_CHART]],
            ),
        },
    )


TOP_IN_CHART = 15


def top_bars(table: list[Row], *, value_index: int, label: str) -> dict:
    """A horizontal bar chart of the first rows; the table below holds them all."""
    shown = table[:TOP_IN_CHART]
    return {
        "type": "bar",
        "horizontal": True,
        "labels": [row.label for row in shown],
        "datasets": [
            {"key": "total", "label": label, "data": [r.values[value_index] for r in shown]}
        ],
    }


REPORTS = {
    "by-year": exchanges_by_year,
    "by-partner": exchanges_by_partner,
    "by-country": exchanges_by_country,
    "by-sector": exchanges_by_sector,
    "people": people_exchanged,
    "balance": balance_by_partner,
}


def all_reports(period: Period) -> list[Report]:
    # Four reports start from the visits with their head-counts, three of them grouped by
    # partner and direction: each is worked out once for all.
    visits = counted_visits(period)
    grouped = by_partner_and_direction(period, visits)
    given = {
        exchanges_by_partner: grouped,
        exchanges_by_country: grouped,
        balance_by_partner: grouped,
        people_exchanged: visits,
    }
    return [
        report(period, given[report]) if report in given else report(period)
        for report in REPORTS.values()
    ]


# ---- Annual statistics ----------------------------------------------------------------


@dataclass
class AnnualStatistics:
    """One year laid out as local governments report their international exchanges."""

    year: int
    home: str
    sectors: list[str]
    columns: list[str]
    rows: list[list]
    totals: list


def level_at(partner: Partner, ladder: list[Agreement], day: datetime.date) -> str:
    """The relationship level on ``day``: the latest step by then, whether an agreement
    that set a level or the partner's own level since its date. A level whose date is not
    recorded holds unless an agreement sets one later."""
    steps = [(a.signed_on, a.sets_level) for a in ladder if a.signed_on <= day]
    if partner.level and partner.level_since and partner.level_since <= day:
        steps.append((partner.level_since, partner.level))  # wins a tie: the newer record
    if steps:
        return Partner.Level(sorted(steps, key=lambda step: step[0])[-1][1]).label
    if partner.level and partner.level_since is None and not ladder:
        return partner.get_level_display()
    return ""


def annual_statistics(year: int) -> AnnualStatistics:
    """Per partner: country, relationship then, date established and the year's visits
    by sector, in all and each way. Lists the partners whose relationship had begun by
    the year's end (or whose start is not recorded) and any other with a visit that year."""
    period = Period.of_years(year, year)
    year_end = period.last
    visits = counted(period)
    by_sector = {
        (row["partner_id"], row["sectors"]): row["visits"]
        for row in visits.values("partner_id", "sectors").annotate(visits=Count("pk"))
    }
    by_direction = {
        (row["partner_id"], row["direction"]): row["visits"]
        for row in visits.values("partner_id", "direction").annotate(visits=Count("pk"))
    }
    visited = {partner_id for partner_id, _direction in by_direction}
    partners = (
        Partner.objects.partners()
        .filter(
            Q(established_on__isnull=True) | Q(established_on__lte=year_end) | Q(pk__in=visited)
        )
        .order_by(F("established_on").asc(nulls_last=True), "name")
    )
    ladders: dict[int, list[Agreement]] = {}
    for agreement in (
        Agreement.objects.exclude(sets_level="")
        .filter(signed_on__isnull=False)
        .order_by("signed_on", "pk")
        .only("partner_id", "sets_level", "signed_on")
    ):
        ladders.setdefault(agreement.partner_id, []).append(agreement)
    sectors = list(Sector.objects.order_by("name").values_list("pk", "name"))
    rows = []
    for number, partner in enumerate(partners, start=1):
        inbound = by_direction.get((partner.pk, INBOUND), 0)
        outbound = by_direction.get((partner.pk, OUTBOUND), 0)
        rows.append(
            [
                number,
                partner.name,
                partner.native_name,
                partner.country.name,
                level_at(partner, ladders.get(partner.pk, []), year_end),
                format_partial(partner.established_on, partner.established_on_precision),
                *(by_sector.get((partner.pk, sector_id), 0) for sector_id, _name in sectors),
                by_sector.get((partner.pk, None), 0),
                inbound + outbound,
                inbound,
                outbound,
            ]
        )
    fixed = 6
    totals = [_("Total"), *[""] * (fixed - 1)]
    totals += [sum(row[i] for row in rows) for i in range(fixed, fixed + len(sectors) + 4)]
    home = Partner.objects.home()
    return AnnualStatistics(
        year=year,
        home=str(home.name) if home else "",
        sectors=[name for _pk, name in sectors],
        columns=[
            _("No."),
            _("Partner"),
            _("Native name"),
            _("Country"),
            _("Type of relationship"),
            _("Established"),
            *(name for _pk, name in sectors),
            _("Unspecified"),
            _("Total"),
            _("Inbound"),
            _("Outbound"),
        ],
        rows=rows,
        totals=totals,
    )
