"""The dashboard: what is coming and what needs attention, as of ``today``.

One function per section of the home page. Each takes the day explicitly (tests pass any
day they like) and returns plain data: the first few items and how many there are in all.
Each costs a fixed number of queries, however many visits and changes the years bring:
those lists are sliced in the database. Anniversaries and quiet partners are read whole,
as there are at most as many as the office has partners and agreements.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import ExtractYear, Mod
from django.urls import NoReverseMatch, reverse

from relations.dates import Precision, format_partial
from relations.history import (
    Change,
    Related,
    as_change,
    domain_models,
    history_model,
    newest_first,
    rows_with_previous,
)
from relations.models import Agreement, Partner
from relations.pages import model_permission, page_url

from .clashes import Clash, open_clashes, overlapping
from .models import Delegation, Gift
from .summaries import shared

UPCOMING_DAYS = 60
AGREEMENT_DAYS = 90
CLASH_DAYS = 90  # clashes matter while they can still be fixed: the visits ahead
ANNIVERSARY_EVERY = 5

# How many items each section lists before "see all".
VISITS_SHOWN = 10
AGREEMENTS_SHOWN = 8
ANNIVERSARIES_SHOWN = 8
QUIET_SHOWN = 8
GIFTS_SHOWN = 5
CLASHES_SHOWN = 5
CHANGES_SHOWN = 10

# Agreements that bind: a proposal has not been signed, the others have ended.
BINDING = (Agreement.Status.SIGNED, Agreement.Status.IN_FORCE)
# Agreements whose signing is still worth marking (a superseded letter of intent is not:
# the relationship's own anniversary stands for it).
CELEBRATED = (Agreement.Status.SIGNED, Agreement.Status.IN_FORCE, Agreement.Status.EXPIRED)


@dataclass
class Shortlist:
    """The first items of a section and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def in_year(day: datetime.date, year: int) -> datetime.date:
    """The same day in ``year``; 29 February falls back to the 28th."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return in_year(day, day.year - years)


def whole_years(since: datetime.date, day: datetime.date) -> int:
    return day.year - since.year - ((day.month, day.day) < (since.month, since.day))


def not_over(today: datetime.date, name: str) -> Q:
    """``name`` (a partial date) is today or later, as far as its precision tells: a
    date known only as "this month" or "this year" is not past until the period is."""
    return (
        Q(**{f"{name}__gte": today})
        | Q(**{f"{name}_precision": Precision.MONTH, f"{name}__gte": today.replace(day=1)})
        | Q(**{f"{name}_precision": Precision.YEAR, f"{name}__gte": today.replace(month=1, day=1)})
    )


# ---- Delegations in the next days -----------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    delegation: Delegation
    days_away: int | None  # None: the start is known only to the month or year
    under_way: bool  # started before today and not over


def upcoming_delegations(
    today: datetime.date, *, days: int = UPCOMING_DAYS, limit: int = VISITS_SHOWN
) -> Shortlist:
    """Visits both ways starting within ``days`` (and those under way), soonest first.
    Cancelled visits are left out."""
    horizon = today + datetime.timedelta(days=days)
    # Whatever is not over began or ends this year: two index ranges the database can
    # search, where the OR of partial dates below would make it read every visit.
    this_year = today.replace(month=1, day=1)
    near = Delegation.objects.filter(start__lte=horizon).values("pk")
    visits = (
        Delegation.objects.filter(
            Q(pk__in=near.filter(start__gte=this_year)) | Q(pk__in=near.filter(end__gte=this_year))
        )
        .filter(not_over(today, "start") | not_over(today, "end"))
        .filter(start__lte=horizon)
        .exclude(status=Delegation.Status.CANCELLED)
    )
    shown = visits.select_related("partner").order_by("start", "title", "pk")[:limit]
    items = []
    for visit in shown:
        exact = visit.start_precision == Precision.DAY
        items.append(
            Upcoming(
                visit,
                days_away=(visit.start - today).days if exact else None,
                under_way=exact and visit.start < today,
            )
        )
    return Shortlist(items, visits.count())


# ---- Agreements that expire or renew --------------------------------------------------


@dataclass(frozen=True)
class Due:
    agreement: Agreement
    days_left: int
    renews: bool  # renews automatically on that day, rather than expiring


def agreements_due(
    today: datetime.date, *, days: int = AGREEMENT_DAYS, limit: int = AGREEMENTS_SHOWN
) -> Shortlist:
    """Agreements in force whose validity ends within ``days``: those that renew
    automatically come up for renewal then, the others expire."""
    due = Agreement.objects.filter(
        status__in=BINDING,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=days),
    )
    shown = due.select_related("partner").order_by("valid_until", "title", "pk")[:limit]
    items = [
        Due(agreement, (agreement.valid_until - today).days, agreement.renews_automatically)
        for agreement in shown
    ]
    return Shortlist(items, due.count())


# ---- Anniversaries --------------------------------------------------------------------


@dataclass(frozen=True)
class Anniversary:
    kind: str  # "relationship" or "agreement"
    years: int
    date: datetime.date  # this year's day, or the first day of its month or of the year
    precision: str
    title: str
    partner: str
    url: str  # the view's name until the anniversary is shown
    pk: int
    passed: bool = False

    @property
    def date_display(self) -> str:
        return format_partial(self.date, self.precision)

    @property
    def sort_key(self) -> tuple:
        # Known only to the year: some time this year, so after the dated ones.
        return (self.precision == Precision.YEAR, self.date, self.title)


def has_passed(day: datetime.date, precision: str, today: datetime.date) -> bool:
    if precision == Precision.YEAR:
        return False
    if precision == Precision.MONTH:
        return day.month < today.month
    return day < today


def round_years(queryset, date_field: str, year: int, every: int):
    """Records whose ``date_field`` fell a whole multiple of ``every`` years before ``year``."""
    return (
        queryset.filter(**{f"{date_field}__year__lt": year})
        .annotate(years=Value(year) - ExtractYear(date_field))
        .annotate(years_mod=Mod(F("years"), Value(every)))
        .filter(years_mod=0)
    )


def anniversaries(
    today: datetime.date, *, every: int = ANNIVERSARY_EVERY, limit: int = ANNIVERSARIES_SHOWN
) -> Shortlist:
    """Every ``every``-th year this year of a relationship (its partner's
    ``established_on``) or of an agreement's signing, in the order of the year.
    Ended relationships and agreements never signed, terminated or superseded are left
    out. A date known only to the year still has its anniversary year."""
    year = today.year
    partners = round_years(
        Partner.objects.partners().exclude(status=Partner.Status.ENDED),
        "established_on",
        year,
        every,
    )
    agreements = round_years(
        Agreement.objects.filter(status__in=CELEBRATED), "signed_on", year, every
    )
    # Thousands of agreements have a round year at a national office: sort plain rows and
    # make links only for the anniversaries shown.
    rows = [
        ("relationship", "relations:partner-detail", *row)
        for row in partners.values_list(
            "pk", "years", "established_on", "established_on_precision", "name", "name"
        )
    ] + [
        ("agreement", "relations:agreement-detail", *row)
        for row in agreements.values_list(
            "pk", "years", "signed_on", "signed_on_precision", "title", "partner__name"
        )
    ]
    found = []
    for kind, view, pk, years, date, precision, title, partner in rows:
        day = in_year(date, year)
        found.append(Anniversary(kind, int(years), day, precision, title, partner, view, pk))
    found.sort(key=lambda a: a.sort_key)
    shown = [
        replace(a, url=reverse(a.url, args=[a.pk]), passed=has_passed(a.date, a.precision, today))
        for a in found[:limit]
    ]
    return Shortlist(shown, len(found))


# ---- Partners gone quiet --------------------------------------------------------------


@dataclass(frozen=True)
class Quiet:
    partner: Partner
    last_start: datetime.date | None
    last_precision: str
    last_visit_id: int | None
    years: int | None  # whole years since the last exchange

    @property
    def last_display(self) -> str:
        return format_partial(self.last_start, self.last_precision)

    @property
    def last_visit_url(self) -> str:
        if self.last_visit_id is None:
            return ""
        return reverse("delegations:delegation-detail", args=[self.last_visit_id])


def quiet_partners(
    today: datetime.date, *, years: int | None = None, limit: int = QUIET_SHOWN
) -> Shortlist:
    """Active partners with no visit either way (cancelled ones do not count) for
    ``years`` (default: the AMITY_QUIET_AFTER_YEARS setting), longest quiet first; those
    with none at all come first. A relationship younger than that is new, not quiet.

    One query: each partner's latest visit is read with correlated subqueries, which the
    (partner, -start) index answers.
    """
    if years is None:
        years = settings.AMITY_QUIET_AFTER_YEARS
    cutoff = years_before(today, years)
    latest = (
        Delegation.objects.filter(partner=OuterRef("pk"))
        .exclude(status=Delegation.Status.CANCELLED)
        .order_by("-start", "-pk")
    )
    partners = (
        Partner.objects.partners()
        .filter(status=Partner.Status.ACTIVE)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=cutoff))
        .annotate(
            last_start=Subquery(latest.values("start")[:1]),
            last_precision=Subquery(latest.values("start_precision")[:1]),
            last_visit_id=Subquery(latest.values("pk")[:1]),
        )
        .filter(Q(last_start__isnull=True) | Q(last_start__lte=cutoff))
        .order_by(F("last_start").asc(nulls_first=True), "name", "pk")
    )
    found = [
        Quiet(
            partner,
            partner.last_start,
            partner.last_precision or Precision.DAY,
            partner.last_visit_id,
            whole_years(partner.last_start, today) if partner.last_start else None,
        )
        for partner in partners
    ]
    return Shortlist(found[:limit], len(found))


# ---- Gifts and clashes ----------------------------------------------------------------


def gifts_to_register(*, limit: int = GIFTS_SHOWN) -> Shortlist:
    """Gifts at or above the registration threshold not registered yet, longest waiting
    first (undated ones last)."""
    waiting = Gift.objects.needs_registration()
    shown = waiting.select_related("partner").order_by(
        F("given_on").asc(nulls_last=True), "description", "pk"
    )[:limit]
    return Shortlist(list(shown), waiting.count())


def clashes_ahead(
    today: datetime.date, *, days: int = CLASH_DAYS, limit: int = CLASHES_SHOWN
) -> Shortlist:
    """Open clashes of the visits under way or starting within ``days``.

    ``open_clashes()`` over every open visit would also weigh visits left "planned" years
    ago, and with them every visit between: its work grows with the database. Looking
    only ahead keeps it to the visits of a few months.
    """
    horizon = today + datetime.timedelta(days=days)
    found: list[Clash] = open_clashes(overlapping(today, horizon))
    return Shortlist(found[:limit], len(found))


# ---- The latest changes ---------------------------------------------------------------


@dataclass
class RecentChange:
    change: Change
    url: str = ""
    # The record a child row belongs to (a member's delegation): (verbose name, label).
    parent: tuple[str, str] | None = None
    fields: list[str] = field(default_factory=list)  # names of the fields changed


@cache
def history_of(model: type[models.Model]) -> type[models.Model]:
    # simple-history builds a new manager class each time it is asked for one.
    return history_model(model)


@cache
def has_page(model: type[models.Model]) -> bool:
    return bool(page_url(model, "detail", 0))


@cache
def owner_field(model: type[models.Model]) -> models.ForeignKey | None:
    """The foreign key to the record a row is edited with (deleted with it, shown in its
    history): a member's delegation, a position's person. None for a record of its own."""
    for model_field in model._meta.concrete_fields:
        if (
            model_field.many_to_one
            and model_field.remote_field.on_delete is models.CASCADE
            and has_page(model_field.related_model)
        ):
            return model_field
    return None


def record_url(related: Related, model, pk, *, admin_links: bool) -> str:
    """The record's page; its history page once deleted; for a record with no officers'
    page, its page in the admin when ``admin_links``."""
    exists = related.get(model, pk) is not None and (model, pk) not in related.deleted
    if has_page(model):
        return page_url(model, "detail" if exists else "history", pk)
    if admin_links and exists:
        opts = model._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
        except NoReverseMatch:
            return ""
    return ""


def latest_changes(
    audited: Iterable[type[models.Model]],
    *,
    limit: int = CHANGES_SHOWN,
    admin_links: bool = False,
) -> list[RecentChange]:
    """The last ``limit`` changes to records of the ``audited`` models, newest first.

    One query picks them from every history table at once (each table's newest rows by
    its history_date index); then a few per kind of record found, as for a history page.
    """
    audited = list(audited)
    if not audited:
        return []
    branches = []
    for index, model in enumerate(audited):
        history = history_of(model).objects
        newest = history.order_by("-history_date", "-history_id").values("history_id")[:limit]
        branches.append(
            history.filter(history_id__in=newest)
            .order_by()  # the union is ordered, not its parts
            .annotate(dashboard_source=Value(index))
            .values_list("history_date", "history_id", "dashboard_source")
        )
    picked = branches[0].union(*branches[1:], all=True) if branches[1:] else branches[0]
    picked = picked.order_by("-history_date", "-history_id")[:limit]
    wanted = defaultdict(list)
    for _when, history_id, source in picked:
        wanted[audited[source]].append(history_id)

    related = Related()
    fetched = []
    for model, ids in wanted.items():
        rows = list(newest_first(history_of(model).objects.filter(history_id__in=ids)))
        previous = rows_with_previous(model, rows)
        related.want(model, [*rows, *previous.values()])
        # The records themselves, to tell whether they still exist.
        related.wanted[model].update(getattr(row, model._meta.pk.attname) for row in rows)
        fetched.append((model, rows, previous))
    related.fetch()

    recent = []
    for model, rows, previous in fetched:
        owner = owner_field(model)
        for row in rows:
            change = as_change(model, row, previous, related, subject=False)
            entry = RecentChange(change)
            if change.kind == "changed":
                entry.fields = [f.field for f in change.fields]
            if owner is not None and (owner_pk := getattr(row, owner.attname)) is not None:
                parent_model = owner.related_model
                parent = related.get(parent_model, owner_pk)
                label = str(parent) if parent is not None else f"#{owner_pk}"
                entry.parent = (parent_model._meta.verbose_name, label)
                entry.url = record_url(related, parent_model, owner_pk, admin_links=False)
            else:
                entry.url = record_url(related, model, change.object_id, admin_links=admin_links)
            recent.append(entry)
    recent.sort(key=lambda entry: entry.change.when, reverse=True)
    return recent[:limit]


# ---- The page -------------------------------------------------------------------------


def list_url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def dashboard_for(user, today: datetime.date) -> dict:
    """Every section ``user`` may see, as of ``today``, with the addresses of the lists
    that show each in full (where the officers' lists can filter that way)."""
    may = user.has_perm
    sees_visits = may("delegations.view_delegation")
    sees_partners = may("relations.view_partner")
    sees_agreements = may("relations.view_agreement")
    context: dict = {"today": today}
    if sees_visits:
        horizon = today + datetime.timedelta(days=UPCOMING_DAYS)
        context["visits"] = upcoming_delegations(today)
        context["visits_url"] = list_url(
            "delegations:delegation-list",
            start_from=today.isoformat(),
            start_to=horizon.isoformat(),
            sort="start",
        )
        context["clashes"] = shared(f"clashes:{today}", lambda: clashes_ahead(today))
        context["clashes_url"] = reverse("delegations:clash-list")
    if sees_agreements:
        horizon = today + datetime.timedelta(days=AGREEMENT_DAYS)
        context["agreements"] = agreements_due(today)
        context["agreements_url"] = list_url(
            "relations:agreement-list", expires_before=horizon.isoformat(), sort="-valid_until"
        )
    if sees_partners and sees_agreements:
        context["anniversaries"] = shared(f"anniversaries:{today}", lambda: anniversaries(today))
    if sees_partners and sees_visits:
        years = settings.AMITY_QUIET_AFTER_YEARS
        context["quiet"] = quiet_partners(today, years=years)
        context["quiet_years"] = years
        # The partner list's nearest filter: no visit or agreement since a year began.
        since = years_before(today, years).year + 1
        context["quiet_since"] = since
        context["quiet_url"] = list_url(
            "relations:partner-list", status=Partner.Status.ACTIVE, quiet_since=since
        )
    if may("delegations.view_gift"):
        context["gifts"] = gifts_to_register()
        context["gifts_url"] = list_url("delegations:gift-list", needs_registration="true")
    visible = [m for m in domain_models() if may(model_permission(m, "view"))]
    context["changes"] = latest_changes(visible, admin_links=user.is_staff)
    context["sees_changes"] = bool(visible)
    sections = ("visits", "agreements", "anniversaries", "quiet", "gifts", "clashes")
    context["sees_anything"] = bool(visible) or any(name in context for name in sections)
    context.update(
        upcoming_days=UPCOMING_DAYS,
        agreement_days=AGREEMENT_DAYS,
        clash_days=CLASH_DAYS,
        threshold=settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW,
    )
    return context
