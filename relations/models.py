"""Who the office is related to and on what terms.

Every historical record can cite where it came from (``Provenance``), and dates the
sources give only to the month or the year keep their precision (see ``dates.py``).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .audit import Versioned, audit_trail
from .dates import Precision, format_partial, last_day, truncate
from .languages import name_fields
from .search import search_text
from .uploads import validate_document


def precision_field(**kwargs) -> models.CharField:
    return models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY, **kwargs
    )


def normalise_partial_dates(instance: models.Model, *names: str) -> None:
    """Store a month- or year-precise date as the first day of its period."""
    for name in names:
        value = getattr(instance, name)
        if value is not None:
            setattr(instance, name, truncate(value, getattr(instance, f"{name}_precision")))


def ends_after_starts(
    model: str, start: str, end: str, *, partial_end: bool = False
) -> models.CheckConstraint:
    """End not before start. An end known only to the month or year is stored as the
    first day of its period and may fall before a precise start in the same period, so
    the database checks only precise ends; ``clean()`` compares the periods."""
    condition = (
        Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)})
    )
    if partial_end:
        condition |= ~Q(**{f"{end}_precision": Precision.DAY})
    return models.CheckConstraint(condition=condition, name=f"{model}_{end}_not_before_{start}")


def ends_before_start(start, end, end_precision: str) -> bool:
    """True when a (possibly partial) end lies wholly before the start."""
    return start is not None and end is not None and last_day(end, end_precision) < start


class Source(models.Model):
    """A document, web page or article that historical records cite."""

    class Kind(models.TextChoices):
        WEB_PAGE = "web_page", _("Web page")
        NEWS_ARTICLE = "news_article", _("News article")
        DOCUMENT = "document", _("Document")
        SPREADSHEET = "spreadsheet", _("Spreadsheet")
        OTHER = "other", _("Other")

    key = models.SlugField(
        max_length=80, unique=True, help_text=_("Short stable reference, e.g. the file name.")
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


name_fields(
    Source,
    _("source"),
    _("sources"),
    key=_("key"),
    title=_("title"),
    kind=_("kind"),
    publisher=_("publisher"),
    published_on=_("published on"),
    accessed_on=_("accessed on"),
    notes=_("notes"),
)


class Provenance(models.Model):
    """Where a historical fact comes from, and whether its date was inferred."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cited_by_%(app_label)s_%(class)s",
        help_text=_("The document this record was taken from."),
    )
    source_locator = models.CharField(
        _("where in the source"),
        max_length=200,
        blank=True,
        help_text=_("Section, page or paragraph, so the fact can be checked."),
    )
    date_inferred = models.BooleanField(
        _("date inferred"),
        default=False,
        help_text=_("The source does not give this date in full; it was inferred (see the note)."),
    )
    provenance_note = models.TextField(
        blank=True, help_text=_("How the date or a figure was inferred or corrected.")
    )

    class Meta:
        abstract = True


# Before the models that inherit these fields: each takes a copy of them.
name_fields(Provenance, source=_("source"), provenance_note=_("provenance note"))


class Searchable(models.Model):
    """Keeps ``search_text``, the folded names a search matches (see ``search.py``)."""

    searched_fields: tuple[str, ...] = ("name", "native_name")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A derived column: kept in step on every save so no search can miss a record.
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        """Call before bulk writes, which bypass save()."""
        self.search_text = search_text(*(getattr(self, f) for f in self.searched_fields))


class Sector(models.Model):
    """A field of exchange shared by agreements, delegations and reports."""

    name = models.CharField(max_length=80, unique=True)
    name_ko = models.CharField(_("name in Korean"), max_length=80, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=80, blank=True)
    slug = models.SlugField(max_length=80, unique=True)

    history = audit_trail()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


name_fields(Sector, _("sector"), _("sectors"), name=_("name"), slug=_("slug"))


class PartnerQuerySet(models.QuerySet):
    def partners(self):
        """Everyone but the office's own authority."""
        return self.filter(is_home=False)

    def home(self):
        return self.filter(is_home=True).first()


class Partner(Searchable, Provenance, Versioned):
    """A partner authority (or the office's own, marked home) and the state of the tie."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        COUNTY = "county", _("County")
        PROVINCE = "province", _("Province")
        STATE = "state", _("State")
        PREFECTURE = "prefecture", _("Prefecture")
        REGION = "region", _("Region")
        OTHER = "other", _("Other body")

    class Level(models.TextChoices):
        SISTER = "sister", _("Sister city")
        FRIENDSHIP = "friendship", _("Friendship city")
        FRIENDLY_EXCHANGE = "friendly_exchange", _("Friendly exchange")
        PROSPECTIVE = "prospective", _("Prospective")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    name = models.CharField(_("English name"), max_length=200)
    native_name = models.CharField(_("native-script name"), max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CITY)
    country = CountryField()
    region = models.CharField(
        max_length=200, blank=True, help_text=_("Province, state or municipality it belongs to.")
    )
    population = models.PositiveBigIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population as of (year)"), null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    website = models.URLField(max_length=300, blank=True)
    profile = models.TextField(blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_home = models.BooleanField(
        _("home authority"), default=False, help_text=_("The authority this office works for.")
    )
    level = models.CharField(
        _("relationship level"), max_length=20, choices=Level.choices, blank=True
    )
    level_since = models.DateField(null=True, blank=True)
    level_since_precision = precision_field()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField(null=True, blank=True)
    status_since_precision = precision_field()
    established_on = models.DateField(
        null=True, blank=True, help_text=_("When the first formal tie was made.")
    )
    established_on_precision = precision_field()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()

    history = audit_trail(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="partner_unique_name"),
            models.UniqueConstraint(
                fields=["is_home"], condition=Q(is_home=True), name="partner_one_home"
            ),
            models.CheckConstraint(
                condition=Q(is_home=False) | Q(level=""), name="partner_home_has_no_level"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="partner_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="partner_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gt=0),
                name="partner_area_positive",
            ),
        ]

    def __str__(self):
        if self.native_name and self.native_name != self.name:
            return f"{self.name} ({self.native_name})"
        return self.name

    def get_absolute_url(self):
        return reverse("relations:partner-detail", args=[self.pk])

    @property
    def level_since_display(self) -> str:
        return format_partial(self.level_since, self.level_since_precision)

    @property
    def status_since_display(self) -> str:
        return format_partial(self.status_since, self.status_since_precision)

    @property
    def established_on_display(self) -> str:
        return format_partial(self.established_on, self.established_on_precision)

    def clean(self):
        normalise_partial_dates(self, "level_since", "status_since", "established_on")
        if self.is_home and self.level:
            raise ValidationError({"level": _("The home authority has no relationship level.")})
        if not self.is_home and not self.level:
            raise ValidationError({"level": _("Choose the level of the relationship.")})
        if self.level_since and not self.level:
            raise ValidationError({"level_since": _("A level date needs a level.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))


name_fields(
    Partner,
    _("partner"),
    _("partners"),
    kind=_("kind"),
    country=_("country"),
    region=_("region"),
    population=_("population"),
    website=_("website"),
    profile=_("profile"),
    latitude=_("latitude"),
    longitude=_("longitude"),
    level_since=_("level since"),
    status=_("status"),
    status_since=_("status since"),
    established_on=_("established on"),
    notes=_("notes"),
    created_at=_("created at"),
    updated_at=_("updated at"),
    level_since_precision=_("level since precision"),
    status_since_precision=_("status since precision"),
    established_on_precision=_("established on precision"),
)


class PartnerAlias(Searchable):
    """Another spelling or script of a partner's name, searched and matched on import."""

    searched_fields = ("name",)

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    language = models.CharField(
        max_length=16, blank=True, help_text=_("Language code, e.g. ko, zh-Hans, ja, en.")
    )

    history = audit_trail(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("partner aliases")
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="partner_alias_unique")
        ]

    def __str__(self):
        return self.name


name_fields(
    PartnerAlias,
    _("partner alias"),
    partner=_("partner"),
    name=_("name"),
    language=_("language"),
)


class Institution(Searchable, Provenance, Versioned):
    """A school, hospital, association or company on either side."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        UNIVERSITY = "university", _("University")
        KINDERGARTEN = "kindergarten", _("Kindergarten")
        HOSPITAL = "hospital", _("Hospital")
        ASSOCIATION = "association", _("Association")
        COMPANY = "company", _("Company")
        GOVERNMENT = "government", _("Government body")
        WELFARE = "welfare", _("Welfare or community centre")
        CULTURAL = "cultural", _("Cultural body")
        OTHER = "other", _("Other")

    name = models.CharField(_("English name"), max_length=200)
    native_name = models.CharField(_("native-script name"), max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="institutions",
        help_text=_("The authority where it stands (the home authority for our own side)."),
    )
    address = models.CharField(max_length=300, blank=True)
    website = models.URLField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    history = audit_trail(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "partner"], name="institution_unique_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("relations:institution-detail", args=[self.pk])


name_fields(
    Institution,
    _("institution"),
    _("institutions"),
    kind=_("kind"),
    partner=_("partner"),
    address=_("address"),
    website=_("website"),
    notes=_("notes"),
)


class Person(Searchable, Provenance, Versioned):
    """An official or contact on either side."""

    name = models.CharField(_("romanised name"), max_length=200)
    native_name = models.CharField(_("native-script name"), max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text=_("The authority the person serves or belongs to."),
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)

    history = audit_trail(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["native_name"], name="person_native_name_idx"),
            models.Index(fields=["name"], name="person_name_idx"),  # the list's order
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("relations:person-detail", args=[self.pk])

    def positions_on(self, date: datetime.date) -> list["Position"]:
        """The positions the person is known to have held on ``date``."""
        return [p for p in self.positions.all() if p.covers(date)]

    def title_on(self, date: datetime.date) -> str:
        """ "Mayor of Gangseo District" as held on ``date``, or "" when unknown."""
        held = self.positions_on(date)
        return str(held[0]) if held else ""


name_fields(
    Person, _("person"), partner=_("partner"), email=_("email"), phone=_("phone"), notes=_("notes")
)


class Position(Provenance):
    """A title a person held, for as long as it is known."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="positions"
    )
    start = models.DateField(null=True, blank=True)
    start_precision = precision_field()
    end = models.DateField(null=True, blank=True)
    end_precision = precision_field()
    attested_on = models.DateField(
        null=True,
        blank=True,
        help_text=_(
            "A date a source shows the person in this position, when start and end are not known."
        ),
    )
    attested_on_precision = precision_field()

    history = audit_trail()

    class Meta:
        ordering = [F("start").desc(nulls_last=True), F("attested_on").desc(nulls_last=True)]
        constraints = [ends_after_starts("position", "start", "end", partial_end=True)]

    def __str__(self):
        return f"{self.title}, {self.organisation}" if self.organisation else self.title

    @property
    def period_display(self) -> str:
        start = format_partial(self.start, self.start_precision)
        end = format_partial(self.end, self.end_precision)
        if start or end:
            return f"{start or '?'} – {end}"
        attested = format_partial(self.attested_on, self.attested_on_precision)
        return _("in %(date)s") % {"date": attested} if attested else ""

    def covers(self, date: datetime.date) -> bool:
        """True when the position was held on ``date`` as far as the record tells."""
        if self.start is None and self.end is None:
            if self.attested_on is None:
                return False
            first = truncate(self.attested_on, self.attested_on_precision)
            return first <= date <= last_day(self.attested_on, self.attested_on_precision)
        if self.start is not None and date < truncate(self.start, self.start_precision):
            return False
        if self.end is not None:
            return date <= last_day(self.end, self.end_precision)
        return True

    def clean(self):
        normalise_partial_dates(self, "start", "end", "attested_on")
        if ends_before_start(self.start, self.end, self.end_precision):
            raise ValidationError({"end": _("A position cannot end before it starts.")})


name_fields(
    Position,
    _("position"),
    _("positions"),
    person=_("person"),
    title=_("title"),
    organisation=_("organisation"),
    partner=_("partner"),
    institution=_("institution"),
    start=_("start"),
    end=_("end"),
    attested_on=_("attested on"),
    start_precision=_("start precision"),
    end_precision=_("end precision"),
    attested_on_precision=_("attested on precision"),
)


class Agreement(Searchable, Provenance, Versioned):
    """A letter of intent, MOU or agreement with a partner, or between institutions."""

    class Kind(models.TextChoices):
        LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
        MOU = "mou", _("Memorandum of understanding")
        FRIENDSHIP = "friendship", _("Friendship agreement")
        SISTER_CITY = "sister_city", _("Sister-city agreement")
        SECTORAL = "sectoral", _("Sectoral agreement")
        INSTITUTIONAL = "institutional", _("Institutional agreement")
        RENEWAL = "renewal", _("Renewal")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        SUPERSEDED = "superseded", _("Superseded")

    searched_fields = ("title", "home_party", "partner_party")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SIGNED)
    signed_on = models.DateField(null=True, blank=True)
    signed_on_precision = precision_field()
    signed_time = models.TimeField(_("signed at (time)"), null=True, blank=True)
    signed_place = models.CharField(_("signed at (place)"), max_length=200, blank=True)
    home_party = models.CharField(
        max_length=300, blank=True, help_text=_("Our side as named in the agreement.")
    )
    partner_party = models.CharField(
        max_length=300, blank=True, help_text=_("The other side as named in the agreement.")
    )
    sets_level = models.CharField(
        _("sets relationship level"),
        max_length=20,
        choices=Partner.Level.choices,
        blank=True,
        help_text=_("The relationship level this agreement established, if any."),
    )
    sectors = models.ManyToManyField(Sector, blank=True, related_name="agreements")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    renews_automatically = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    document = models.FileField(
        upload_to="agreements/%Y/", blank=True, validators=[validate_document]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = audit_trail(excluded_fields=["search_text"])

    class Meta:
        ordering = [F("signed_on").desc(nulls_last=True), "title"]
        constraints = [
            ends_after_starts("agreement", "valid_from", "valid_until"),
            models.UniqueConstraint(
                fields=["partner", "title", "signed_on"], name="agreement_unique_title"
            ),
        ]

    def __str__(self):
        signed = self.signed_on_display
        return f"{self.title} ({signed})" if signed else self.title

    def get_absolute_url(self):
        return reverse("relations:agreement-detail", args=[self.pk])

    @property
    def signed_on_display(self) -> str:
        return format_partial(self.signed_on, self.signed_on_precision)

    def clean(self):
        normalise_partial_dates(self, "signed_on")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("Validity cannot end before it begins.")})
        if self.status in {self.Status.SIGNED, self.Status.IN_FORCE} and not self.signed_on:
            raise ValidationError({"signed_on": _("A signed agreement needs its signing date.")})
        if self.signed_time and self.signed_on_precision != Precision.DAY:
            raise ValidationError(
                {"signed_time": _("A time of signing needs the full date of signing.")}
            )


name_fields(
    Agreement,
    _("agreement"),
    _("agreements"),
    partner=_("partner"),
    title=_("title"),
    kind=_("kind"),
    status=_("status"),
    signed_on=_("signed on"),
    home_party=_("home party"),
    partner_party=_("partner party"),
    sectors=_("sectors"),
    valid_from=_("valid from"),
    valid_until=_("valid until"),
    renews_automatically=_("renews automatically"),
    summary=_("summary"),
    document=_("document"),
    created_at=_("created at"),
    updated_at=_("updated at"),
    signed_on_precision=_("signed on precision"),
)


class AgreementSignatory(models.Model):
    """A person who signed, with the title they held then."""

    class Side(models.TextChoices):
        HOME = "home", _("Our side")
        PARTNER = "partner", _("Partner side")
        WITNESS = "witness", _("Witness or third party")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signatures")
    side = models.CharField(max_length=10, choices=Side.choices)
    title = models.CharField(_("title held then"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = audit_trail()

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = _("agreement signatories")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "person"], name="agreement_signatory_unique"
            )
        ]

    def __str__(self):
        return f"{self.person}, {self.title}" if self.title else str(self.person)


name_fields(
    AgreementSignatory,
    _("agreement signatory"),
    agreement=_("agreement"),
    person=_("person"),
    side=_("side"),
    order=_("order"),
)


class Approval(Provenance):
    """An outside body's approval of an agreement or of the relationship it formalises."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="approvals")
    body = models.CharField(_("approving body"), max_length=300)
    approved_on = models.DateField(null=True, blank=True)
    approved_on_precision = precision_field()
    reference = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    history = audit_trail()

    class Meta:
        ordering = [F("approved_on").asc(nulls_last=True), "body"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "body"], name="approval_unique_body")
        ]

    def __str__(self):
        return _("%(body)s approval") % {"body": self.body}

    @property
    def approved_on_display(self) -> str:
        return format_partial(self.approved_on, self.approved_on_precision)

    def clean(self):
        normalise_partial_dates(self, "approved_on")


name_fields(
    Approval,
    _("approval"),
    _("approvals"),
    agreement=_("agreement"),
    approved_on=_("approved on"),
    approved_on_precision=_("approved on precision"),
    reference=_("reference"),
    note=_("note"),
)


class InstitutionLink(Provenance):
    """A tie between two institutions made under a partnership (e.g. hospital to hospital)."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Exchange agreement")
        TWINNING = "twinning", _("Twinning")
        EXCHANGE = "exchange", _("Regular exchange")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="links_made"
    )
    counterpart = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="links_received"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGREEMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    established_on = models.DateField(null=True, blank=True)
    established_on_precision = precision_field()
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="institution_links",
    )
    description = models.TextField(blank=True)

    history = audit_trail()

    class Meta:
        ordering = [F("established_on").desc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "counterpart"], name="institution_link_unique"
            ),
            models.CheckConstraint(
                condition=~Q(institution=F("counterpart")), name="institution_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.institution} – {self.counterpart}"

    @property
    def established_on_display(self) -> str:
        return format_partial(self.established_on, self.established_on_precision)

    def clean(self):
        normalise_partial_dates(self, "established_on")
        if self.institution_id and self.institution_id == self.counterpart_id:
            raise ValidationError({"counterpart": _("An institution cannot be linked to itself.")})
        reverse = InstitutionLink.objects.filter(
            institution_id=self.counterpart_id, counterpart_id=self.institution_id
        ).exclude(pk=self.pk)
        if self.institution_id and self.counterpart_id and reverse.exists():
            raise ValidationError(_("These two institutions are already linked."))


name_fields(
    InstitutionLink,
    _("institution link"),
    _("institution links"),
    institution=_("institution"),
    counterpart=_("counterpart"),
    kind=_("kind"),
    status=_("status"),
    established_on=_("established on"),
    established_on_precision=_("established on precision"),
    agreement=_("agreement"),
    description=_("description"),
)


class AccessRecord(models.Model):
    """A look at sensitive personal data, or an export: who, when, what, why."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Viewed sensitive data")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_records"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    what = models.CharField(max_length=300, help_text=_("The page, list or file concerned."))
    row_count = models.PositiveIntegerField(null=True, blank=True)
    sensitive = models.BooleanField(default=False, help_text=_("Included sensitive fields."))
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
        # Rights that belong to no single model; the groups of roles.py hand them out.
        permissions = [
            ("import_data", "Can import spreadsheets"),
            ("export_data", "Can export lists"),
            ("view_sensitive", "Can see sensitive personal data (passports, needs)"),
            ("export_sensitive", "Can export sensitive personal data, giving a reason"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display().lower()} {self.what}"


name_fields(
    AccessRecord,
    _("access record"),
    _("access records"),
    kind=_("kind"),
    user=_("user"),
    at=_("at"),
    what=_("what"),
    row_count=_("row count"),
    sensitive=_("sensitive"),
    reason=_("reason"),
)
