"""What one delegation's printouts show: the printable programme and member list (HTML
and PDF) and the member and rooming lists as spreadsheets.

Plain functions and column lists; the views in ``views.py`` only fetch and answer.
"""

import dataclasses
import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from relations.exports import Column

from .models import Accommodation, Delegation, Member, ProgrammeItem


def printout_queryset() -> QuerySet[Delegation]:
    """Delegations with everything a printout shows, in a fixed number of queries."""
    return Delegation.objects.select_related("partner", "leader").prefetch_related(
        Prefetch("members", queryset=Member.objects.select_related("person")),
        Prefetch(
            "programme",
            queryset=ProgrammeItem.objects.select_related("venue", "responsible", "interpreter"),
        ),
        Prefetch("accommodations", queryset=Accommodation.objects.select_related("hotel")),
    )


def printout_context(delegation: Delegation, *, show_needs: bool = True) -> dict:
    members = list(delegation.members.all())
    return {
        "delegation": delegation,
        "programme_days": delegation.programme_by_day(),
        "members": members,
        "accommodations": list(delegation.accommodations.all()),
        "listed_size": len(members),
        # Passport numbers are printed masked; the column only when some are recorded.
        "has_passports": any(member.passport_number for member in members),
        "show_needs": show_needs,
    }


def printout_filename(delegation: Delegation, suffix: str = "") -> str:
    return ascii_filename(delegation.title, f"delegation-{delegation.pk}", suffix)


def ascii_filename(title: str, fallback: str, suffix: str = "") -> str:
    """An ASCII file name from a title; a title in Hangul or Hanzi alone slugs to
    nothing, so ``fallback`` (the record's number) stands in for it."""
    slug = slugify(title)
    if len(slug) > 60:
        slug = slug[:61].rsplit("-", 1)[0]  # whole words only
    slug = slug or fallback
    return f"{slug}-{suffix}" if suffix else slug


# ---- Member list ----------------------------------------------------------------------

MEMBER_COLUMNS: list[Column] = [
    (_("Name"), "person.name"),
    (_("Native name"), "person.native_name"),
    (_("Role"), "get_role_display"),
    (_("Title then"), "title"),
    (_("Organisation then"), "organisation"),
    (_("Dietary needs"), "dietary_needs"),
    (_("Accessibility needs"), "accessibility_needs"),
    (_("Arrival"), "arrival"),
    (_("Departure"), "departure"),
]
# Only in the export a user with EXPORT_SENSITIVE asks for, giving a reason.
PASSPORT_COLUMN: Column = (_("Passport number"), "passport_number")

# Members' needs are sensitive personal data: files carry them only for users with
# VIEW_SENSITIVE (relations/roles.py). Known by what they read, as headers are translated.
NEEDS = {"dietary_needs", "accessibility_needs"}


def without_needs(columns: list[Column]) -> list[Column]:
    return [column for column in columns if column[1] not in NEEDS]


# ---- Rooming list ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RoomingRow:
    """One line of the rooming list: a stay, or a guest listed under it."""

    hotel: str = ""
    check_in: datetime.date | None = None
    check_out: datetime.date | None = None
    nights: int | None = None
    rooms: int | None = None
    room_notes: str = ""
    booking_reference: str = ""
    guest: str = ""
    native_name: str = ""
    role: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""


ROOMING_COLUMNS: list[Column] = [
    (_("Hotel"), "hotel"),
    (_("Check-in"), "check_in"),
    (_("Check-out"), "check_out"),
    (_("Nights"), "nights"),
    (_("Rooms"), "rooms"),
    (_("Room notes"), "room_notes"),
    (_("Booking reference"), "booking_reference"),
    (_("Guest"), "guest"),
    (_("Native name"), "native_name"),
    (_("Role"), "role"),
    (_("Dietary needs"), "dietary_needs"),
    (_("Accessibility needs"), "accessibility_needs"),
]


def rooming_rows(delegation: Delegation) -> list[RoomingRow]:
    """Each stay, then the members under it.

    Amity does not record who sleeps in which hotel, so every member is listed under every
    stay; without any stay recorded, the members alone make a list to send to a hotel.
    """
    guests = [
        RoomingRow(
            guest=member.person.name,
            native_name=member.person.native_name,
            role=member.get_role_display(),
            dietary_needs=member.dietary_needs,
            accessibility_needs=member.accessibility_needs,
        )
        for member in delegation.members.all()
    ]
    stays = list(delegation.accommodations.all())
    if not stays:
        return guests
    rows = []
    for stay in stays:
        rows.append(
            RoomingRow(
                hotel=stay.hotel.name,
                check_in=stay.check_in,
                check_out=stay.check_out,
                nights=stay.nights,
                rooms=stay.rooms,
                room_notes=stay.room_notes,
                booking_reference=stay.booking_reference,
            )
        )
        rows.extend(guests)
    return rows
