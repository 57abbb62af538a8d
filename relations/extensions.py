"""What other apps add to the relations pages, so that relations never imports them.

``delegations`` registers its part in its AppConfig.ready(): visits on a partner's
timeline, its sections and buttons on the dossier, its sections on a person's page, its
search results, and the ORM paths that make "last exchange" and the sector filter count visits too.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .dates import Precision, format_partial


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date | None
    precision: str
    kind: str  # "agreement", "approval", "visit-in", "visit-out", "institution-link"
    label: str  # shown as a badge: "Agreement", "Inbound visit", ...
    title: str
    url: str = ""
    detail: str = ""

    @property
    def date_display(self) -> str:
        return format_partial(self.date, self.precision) if self.date else _("date unknown")

    @property
    def sort_key(self) -> tuple:
        return (self.date or datetime.date.min, self.precision == Precision.DAY)


@dataclass
class Section:
    """A block of a detail page contributed by another app."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    """A button another app adds to a page's toolbar."""

    label: str
    url: str
    icon: str = ""  # a Bootstrap Icons name, e.g. "book"


@dataclass
class SearchGroup:
    label: str
    results: list  # of SearchResult
    more: int = 0


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    detail: str = ""


# ORM paths from Partner to the dates of exchanges with it and to their sectors.
exchange_date_paths: list[str] = ["agreements__signed_on"]
sector_paths: list[str] = ["agreements__sectors"]

# Given a partner and N: its newest N events, and how many it has in all.
timeline_sources: list[Callable[[object, int], tuple[list[TimelineEvent], int]]] = []
partner_sections: list[Callable[[object], Section | None]] = []
# Buttons on a partner's dossier, given the partner and the user (None: not for them).
partner_actions: list[Callable[[object, object], Action | None]] = []
person_sections: list[Callable[[object], Section | None]] = []
agreement_sections: list[Callable[[object], Section | None]] = []
search_sources: list[Callable[[str, int], SearchGroup]] = []
