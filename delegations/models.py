"""The visits the office sends and receives, and their logistics."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from relations.audit import Versioned, audit_trail
from relations.dates import Precision, last_day
from relations.encryption import EncryptedTextField
from relations.languages import name_fields
from relations.models import (
    Agreement,
    Institution,
    Partner,
    Person,
    Provenance,
    Sector,
    ends_after_starts,
    ends_before_start,
    format_partial,
    normalise_partial_dates,
    precision_field,
)
from relations.uploads import validate_document, validate_image


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def either(choices: list[str]) -> str:
    """The choices as "a or b or c", in the language of the page."""
    if not choices:
        return ""
    text = choices[0]
    for choice in choices[1:]:
        text = gettext("%(first)s or %(second)s") % {"first": text, "second": choice}
    return text


class DelegationQuerySet(models.QuerySet):
    def inbound(self):
        return self.filter(direction=Delegation.Direction.INBOUND)

    def outbound(self):
        return self.filter(direction=Delegation.Direction.OUTBOUND)

    def upcoming(self, *, days: int = 60):
        """Not cancelled, starting within ``days``. A visit known only to be "this month"
        (or "this year") is not past until its month (or year) is."""
        today = timezone.localdate()
        not_past = (
            Q(start__gte=today)
            | Q(start_precision=Precision.MONTH, start__gte=today.replace(day=1))
            | Q(start_precision=Precision.YEAR, start__gte=today.replace(month=1, day=1))
        )
        return self.filter(not_past, start__lte=today + datetime.timedelta(days=days)).exclude(
            status=Delegation.Status.CANCELLED
        )

    def ended(self, today: datetime.date):
        """Over before ``today``, as far as the dates are known: "Oct 2010" ends with October."""

        def before_today(name: str) -> Q:
            return (
                Q(**{f"{name}_precision": Precision.DAY, f"{name}__lt": today})
                | Q(**{f"{name}_precision": Precision.MONTH, f"{name}__lt": today.replace(day=1)})
                | Q(
                    **{
                        f"{name}_precision": Precision.YEAR,
                        f"{name}__lt": today.replace(month=1, day=1),
                    }
                )
            )

        return self.filter(before_today("end") | Q(end__isnull=True) & before_today("start"))


class Delegation(Provenance, Versioned):
    """A visit: they come to us (inbound) or we go to them (outbound)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound (they visit us)")
        OUTBOUND = "outbound", _("Outbound (we visit them)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        UNDER_WAY = "under_way", _("Under way")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # The only moves a status may make once recorded.
    NEXT_STATUSES = {
        Status.PLANNED: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.UNDER_WAY, Status.CANCELLED},
        Status.UNDER_WAY: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }
    OPEN_STATUSES = (Status.PLANNED, Status.CONFIRMED, Status.UNDER_WAY)

    title = models.CharField(max_length=300)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="delegations")
    start = models.DateField()
    start_precision = precision_field()
    end = models.DateField(null=True, blank=True)
    end_precision = precision_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    purpose = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="delegations")
    leader = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegations_led",
    )
    leader_title = models.CharField(
        _("leader's title then"), max_length=200, blank=True, help_text=_("As held at the time.")
    )
    declared_size = models.PositiveIntegerField(
        _("declared head-count"),
        null=True,
        blank=True,
        help_text=_("The size the sources give, even when no member list exists."),
    )
    invited_by = models.CharField(max_length=300, blank=True)
    host = models.CharField(max_length=300, blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(max_length=3, default="KRW")
    notes = models.TextField(blank=True)
    agreements = models.ManyToManyField(
        Agreement,
        through="AgreementSigning",
        blank=True,
        related_name="delegations",
        help_text=_("Agreements signed during the visit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DelegationQuerySet.as_manager()

    history = audit_trail()

    class Meta:
        ordering = ["-start", "title"]
        constraints = [
            ends_after_starts("delegation", "start", "end", partial_end=True),
            models.UniqueConstraint(
                fields=["partner", "direction", "start", "title"], name="delegation_unique_visit"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="delegation_budget_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "-start"], name="delegation_partner_start"),
            # The list's order, and the date windows of the dashboard, reports and clashes.
            models.Index(fields=["-start", "title"], name="delegation_start_title"),
            models.Index(fields=["status", "start"], name="delegation_status_start"),
            # The visits under way, for the dashboard (see dashboard.upcoming_delegations).
            models.Index(fields=["end"], name="delegation_end"),
        ]

    def __str__(self):
        return f"{self.title} ({self.dates_display})"

    def get_absolute_url(self):
        return reverse("delegations:delegation-detail", args=[self.pk])

    @property
    def dates_display(self) -> str:
        start = format_partial(self.start, self.start_precision)
        end = format_partial(self.end, self.end_precision)
        return f"{start} – {end}" if end and end != start else start

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        """The first and last day the visit may cover, as far as its dates are known."""
        if self.end:
            return self.start, last_day(self.end, self.end_precision)
        return self.start, last_day(self.start, self.start_precision)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def has_exact_dates(self) -> bool:
        return self.start_precision == Precision.DAY and (
            self.end is None or self.end_precision == Precision.DAY
        )

    def programme_by_day(self) -> list[tuple[datetime.date | None, list["ProgrammeItem"]]]:
        """The programme day by day; items whose day is not known come last."""
        days: dict = {}
        for item in self.programme.all():
            days.setdefault(item.date, []).append(item)
        return sorted(days.items(), key=lambda day: (day[0] is None, day[0] or datetime.date.min))

    def allowed_statuses(self, recorded: str | None = None) -> list[str]:
        """The recorded status and the steps it may move to."""
        if recorded is None:
            return list(self.Status.values)
        return [recorded, *sorted(self.NEXT_STATUSES[recorded], key=self.Status.values.index)]

    def recorded_status(self) -> str | None:
        if self.pk is None:
            return None
        return Delegation.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def move_to(self, status: str) -> None:
        """Move along planned → confirmed → under way → completed, or to cancelled."""
        if status not in self.NEXT_STATUSES[self.status]:
            raise ValidationError(
                gettext("A %(status)s delegation cannot become %(next)s.")
                % {
                    "status": self.get_status_display().lower(),
                    "next": self.Status(status).label.lower(),
                }
            )
        self.status = status
        self.save(update_fields=["status", "updated_at"])

    def clean(self):
        normalise_partial_dates(self, "start", "end")
        if ends_before_start(self.start, self.end, self.end_precision):
            raise ValidationError({"end": gettext("A delegation cannot end before it starts.")})
        if self.partner_id and self.partner.is_home:
            raise ValidationError({"partner": gettext("Choose a partner, not the home authority.")})
        recorded = self.recorded_status()
        if recorded and self.status not in self.allowed_statuses(recorded):
            stay, *moves = [self.Status(s).label.lower() for s in self.allowed_statuses(recorded)]
            was = self.Status(recorded).label.lower()
            if moves:
                message = gettext("A %(was)s delegation can only stay %(stay)s or become %(next)s.")
            else:
                message = gettext("A %(was)s delegation can only stay %(stay)s.")
            raise ValidationError(
                {"status": message % {"was": was, "stay": stay, "next": either(moves)}}
            )


name_fields(
    Delegation,
    _("delegation"),
    _("delegations"),
    title=_("title"),
    direction=_("direction"),
    partner=_("partner"),
    start=_("start"),
    start_precision=_("start precision"),
    end=_("end"),
    end_precision=_("end precision"),
    status=_("status"),
    purpose=_("purpose"),
    outcome=_("outcome"),
    sectors=_("sectors"),
    leader=_("leader"),
    invited_by=_("invited by"),
    host=_("host"),
    budget=_("budget"),
    budget_currency=_("budget currency"),
    notes=_("notes"),
    agreements=_("agreements"),
    created_at=_("created at"),
    updated_at=_("updated at"),
)


class AgreementSigning(models.Model):
    """The delegation during which an agreement was signed."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE)
    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="signing")

    history = audit_trail()

    class Meta:
        verbose_name = _("agreement signed during the visit")

    def __str__(self):
        return gettext("%(agreement)s during %(delegation)s") % {
            "agreement": self.agreement,
            "delegation": self.delegation,
        }


name_fields(
    AgreementSigning,
    None,
    _("agreements signed during the visit"),
    delegation=_("delegation"),
    agreement=_("agreement"),
)


class MemberRole(models.TextChoices):
    # In the order a member list is read: leaders first.
    LEADER = "leader", _("Leader")
    CO_LEADER = "co_leader", _("Co-leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")
    INTERPRETER = "interpreter", _("Interpreter")
    STAFF = "staff", _("Staff")
    PRESS = "press", _("Press")


ROLE_RANK = Case(
    *(When(role=role, then=rank) for rank, role in enumerate(MemberRole.values)),
    default=len(MemberRole.values),
)


class Member(models.Model):
    """A person on a delegation, with what they were then and what they need."""

    Role = MemberRole

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(_("title then"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation then"), max_length=200, blank=True)
    dietary_needs = models.CharField(max_length=200, blank=True)
    accessibility_needs = models.CharField(max_length=200, blank=True)
    passport_number = EncryptedTextField(
        blank=True, help_text=_("Sensitive: encrypted, masked, never exported without a reason.")
    )
    arrival = models.CharField(
        max_length=200, blank=True, help_text=_("Flight or train, date and time.")
    )
    departure = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["delegation", ROLE_RANK, "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "person"], name="member_unique_person")
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


name_fields(
    Member,
    _("member"),
    _("members"),
    delegation=_("delegation"),
    person=_("person"),
    role=_("role"),
    dietary_needs=_("dietary needs"),
    accessibility_needs=_("accessibility needs"),
    passport_number=_("passport number"),
    arrival=_("arrival"),
    departure=_("departure"),
    notes=_("notes"),
)


class Venue(Versioned):
    """A reusable place: hotel, hall, school, site."""

    class Kind(models.TextChoices):
        HOTEL = "hotel", _("Hotel")
        HALL = "hall", _("Hall or office")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        SITE = "site", _("Site or landmark")
        RESTAURANT = "restaurant", _("Restaurant")
        SPORTS = "sports", _("Sports ground")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    native_name = models.CharField(_("native-script name"), max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        help_text=_("The authority where the venue is."),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="venues"
    )
    address = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "partner"], name="venue_unique_name")
        ]

    def __str__(self):
        return self.name


name_fields(
    Venue,
    _("venue"),
    _("venues"),
    name=_("name"),
    kind=_("kind"),
    partner=_("partner"),
    institution=_("institution"),
    address=_("address"),
    notes=_("notes"),
)


class ProgrammeItem(Provenance):
    """One entry of a visit's programme. Historical items may lack a day or a time."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        SITE_VISIT = "site_visit", _("Site visit")
        CEREMONY = "ceremony", _("Ceremony")
        SIGNING = "signing", _("Signing")
        MEAL = "meal", _("Meal")
        TRANSFER = "transfer", _("Transfer")
        SPORTS = "sports", _("Sports event")
        CULTURAL = "cultural", _("Cultural event")
        OTHER = "other", _("Other")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="programme")
    date = models.DateField(null=True, blank=True, help_text=_("Leave empty when not known."))
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(max_length=300)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="programme_items"
    )
    description = models.TextField(blank=True)
    responsible = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_items_responsible",
        verbose_name=_("responsible officer"),
    )
    interpreter = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_items_interpreted",
    )

    history = audit_trail()

    class Meta:
        ordering = [
            "delegation",
            F("date").asc(nulls_last=True),
            F("start_time").asc(nulls_last=True),
            "id",
        ]
        constraints = [
            ends_after_starts("programme_item", "start_time", "end_time"),
            models.UniqueConstraint(
                fields=["delegation", "date", "start_time", "title"],
                name="programme_item_unique",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def starts_at(self) -> datetime.datetime | None:
        if self.date is None or self.start_time is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime.datetime | None:
        """The end, or an hour after the start when no end is given."""
        if self.starts_at is None:
            return None
        if self.end_time is None:
            return self.starts_at + datetime.timedelta(hours=1)
        return timezone.make_aware(datetime.datetime.combine(self.date, self.end_time))

    def clean(self):
        if self.end_time and not self.start_time:
            raise ValidationError(
                {"start_time": gettext("Give the start time as well as the end.")}
            )
        if self.start_time and not self.date:
            raise ValidationError({"date": gettext("A time needs its day.")})
        if self.start_time and self.end_time and self.end_time < self.start_time:
            raise ValidationError({"end_time": gettext("An item cannot end before it starts.")})


name_fields(
    ProgrammeItem,
    _("programme item"),
    _("programme items"),
    delegation=_("delegation"),
    date=_("date"),
    start_time=_("start time"),
    end_time=_("end time"),
    kind=_("kind"),
    title=_("title"),
    venue=_("venue"),
    description=_("description"),
    interpreter=_("interpreter"),
)


class Accommodation(models.Model):
    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="accommodations"
    )
    hotel = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="accommodations")
    check_in = models.DateField()
    check_out = models.DateField()
    rooms = models.PositiveSmallIntegerField(default=1)
    room_notes = models.CharField(max_length=300, blank=True)
    booking_reference = models.CharField(max_length=100, blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["check_in"]
        constraints = [ends_after_starts("accommodation", "check_in", "check_out")]

    def __str__(self):
        return gettext("%(hotel)s, %(check_in)s – %(check_out)s") % {
            "hotel": self.hotel,
            "check_in": date_format(self.check_in, pgettext("day and month", "d M")),
            "check_out": date_format(self.check_out, pgettext("day, month and year", "d M Y")),
        }

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


name_fields(
    Accommodation,
    _("accommodation"),
    _("accommodations"),
    delegation=_("delegation"),
    hotel=_("hotel"),
    check_in=_("check in"),
    check_out=_("check out"),
    rooms=_("rooms"),
    room_notes=_("room notes"),
    booking_reference=_("booking reference"),
)


class Transport(models.Model):
    class Kind(models.TextChoices):
        FLIGHT = "flight", _("Flight")
        TRAIN = "train", _("Train")
        BUS = "bus", _("Bus")
        VAN = "van", _("Van")
        CAR = "car", _("Car")
        FERRY = "ferry", _("Ferry")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="transports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200, blank=True)
    reference = models.CharField(
        max_length=100, blank=True, help_text=_("Flight or train number, booking reference.")
    )
    vehicle = models.CharField(
        max_length=100, blank=True, help_text=_("Plate or fleet number of our own vehicle.")
    )
    driver = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="drives"
    )
    departs_at = models.DateTimeField()
    arrives_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=200, blank=True)
    destination = models.CharField(max_length=200, blank=True)
    seats = models.PositiveSmallIntegerField(null=True, blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["departs_at"]
        constraints = [ends_after_starts("transport", "departs_at", "arrives_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference or self.vehicle}".strip()


name_fields(
    Transport,
    _("transport"),
    _("transports"),
    delegation=_("delegation"),
    kind=_("kind"),
    description=_("description"),
    reference=_("reference"),
    vehicle=_("vehicle"),
    driver=_("driver"),
    departs_at=_("departs at"),
    arrives_at=_("arrives at"),
    origin=_("origin"),
    destination=_("destination"),
    seats=_("seats"),
)


class InterpreterAssignment(models.Model):
    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="interpreters"
    )
    interpreter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="interpreting")
    languages = models.CharField(max_length=100, blank=True, help_text=_("e.g. Korean–Chinese"))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    notes = models.CharField(max_length=300, blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["starts_at"]
        constraints = [ends_after_starts("interpreter_assignment", "starts_at", "ends_at")]

    def __str__(self):
        return f"{self.interpreter} ({self.languages})" if self.languages else str(self.interpreter)


name_fields(
    InterpreterAssignment,
    _("interpreter assignment"),
    _("interpreter assignments"),
    delegation=_("delegation"),
    interpreter=_("interpreter"),
    languages=_("languages"),
    starts_at=_("starts at"),
    ends_at=_("ends at"),
    notes=_("notes"),
)


class GiftQuerySet(models.QuerySet):
    def needs_registration(self):
        """Worth at least the threshold in settings and not registered yet."""
        threshold = settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW
        return self.filter(value_krw__gte=threshold, registration_reference="")


class Gift(Provenance, Versioned):
    """A gift given or received: public-ethics rules require registering valuable ones."""

    class Direction(models.TextChoices):
        GIVEN = "given", _("Given by us")
        RECEIVED = "received", _("Received by us")

    class Disposition(models.TextChoices):
        KEPT = "kept", _("Kept")
        DISPLAYED = "displayed", _("Displayed")
        TRANSFERRED = "transferred", _("Transferred")
        RETURNED = "returned", _("Returned")
        HANDED_OVER = "handed_over", _("Handed over (given)")

    direction = models.CharField(max_length=10, choices=Direction.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="gifts")
    delegation = models.ForeignKey(
        Delegation, on_delete=models.SET_NULL, null=True, blank=True, related_name="gifts"
    )
    description = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    giver = models.CharField(max_length=200, help_text=_("Person or body that gave it."))
    recipient = models.CharField(max_length=200, help_text=_("Person or body that received it."))
    given_on = models.DateField(null=True, blank=True)
    given_on_precision = precision_field()
    value = models.DecimalField(
        _("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3, default="KRW")
    value_krw = models.DecimalField(
        _("estimated value in KRW"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Needed for registration when the value is in another currency."),
    )
    disposition = models.CharField(max_length=12, choices=Disposition.choices, blank=True)
    disposition_note = models.CharField(max_length=300, blank=True)
    registration_reference = models.CharField(max_length=100, blank=True)
    photo = models.FileField(upload_to="gifts/%Y/", blank=True, validators=[validate_image])

    objects = GiftQuerySet.as_manager()

    history = audit_trail()

    class Meta:
        ordering = [F("given_on").desc(nulls_last=True), "description"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "direction", "description", "given_on"],
                name="gift_unique_description",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="gift_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(value_krw__isnull=True) | Q(value_krw__gte=0),
                name="gift_value_krw_not_negative",
            ),
        ]

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return reverse("delegations:gift-detail", args=[self.pk])

    @property
    def needs_registration(self) -> bool:
        threshold = settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW
        registered = bool(self.registration_reference)
        return self.value_krw is not None and self.value_krw >= threshold and not registered

    @property
    def given_on_display(self) -> str:
        return format_partial(self.given_on, self.given_on_precision)

    def clean(self):
        normalise_partial_dates(self, "given_on")
        if self.currency:
            self.currency = self.currency.upper()
        if self.value is not None and self.currency == "KRW" and self.value_krw is None:
            self.value_krw = self.value
        if self.value is not None and self.currency != "KRW" and self.value_krw is None:
            raise ValidationError(
                {
                    "value_krw": gettext("Give the KRW estimate of a gift valued in %(currency)s.")
                    % {"currency": self.currency}
                }
            )
        if self.delegation_id and self.partner_id and self.delegation.partner_id != self.partner_id:
            raise ValidationError(
                {"delegation": gettext("This delegation went to another partner.")}
            )


name_fields(
    Gift,
    _("gift"),
    _("gifts"),
    direction=_("direction"),
    partner=_("partner"),
    delegation=_("delegation"),
    description=_("description"),
    details=_("details"),
    giver=_("giver"),
    recipient=_("recipient"),
    given_on=_("given on"),
    given_on_precision=_("given on precision"),
    currency=_("currency"),
    disposition=_("disposition"),
    disposition_note=_("disposition note"),
    registration_reference=_("registration reference"),
    photo=_("photo"),
)


class Document(models.Model):
    """A file kept with a delegation: programme, letter, report or photo."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        PHOTO = "photo", _("Photo")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    file = models.FileField(upload_to="delegations/%Y/", validators=[validate_document])
    caption = models.CharField(max_length=300, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = audit_trail()

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self):
        return self.caption or self.file.name.rsplit("/", 1)[-1]


name_fields(
    Document,
    _("document"),
    _("documents"),
    delegation=_("delegation"),
    kind=_("kind"),
    file=_("file"),
    caption=_("caption"),
    uploaded_at=_("uploaded at"),
)


class CalendarFeed(models.Model):
    """A user's secret address for subscribing to the delegations calendar."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    # The secret address must not outlive a revocation in the audit trail.
    history = audit_trail(excluded_fields=["token"])

    def __str__(self):
        return gettext("Calendar feed of %(user)s") % {"user": self.user}

    def get_absolute_url(self):
        return reverse("delegations:calendar-feed", args=[self.token])

    def revoke(self) -> None:
        """Give the feed a new secret: the old address stops working at once."""
        self.token = new_feed_token()
        self.save(update_fields=["token"])


name_fields(
    CalendarFeed,
    _("calendar feed"),
    _("calendar feeds"),
    user=_("user"),
    token=_("token"),
    created_at=_("created at"),
)
