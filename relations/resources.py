"""What the office imports and exports, one resource per kind of record.

Each resource is a django-import-export ``ModelResource`` whose fields are ``Column``s:
explicit, in the order of the template, with the Korean and Chinese headers accepted as
aliases. The import itself runs through ``importing.py`` (natural keys resolved once,
bulk writes with history, all or nothing); exports stream through ``export_rows``.

A resource with a ``child`` (an agreement's approvals, a person's positions, an
institution's links) reads one child per row: repeat the record's columns on the next
row for its next child, as spreadsheets do.
"""

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export import resources

from .columns import (
    BooleanColumn,
    ChoiceColumn,
    Column,
    Computed,
    CountryColumn,
    DateColumn,
    DecimalColumn,
    Hint,
    ManyReference,
    NumberColumn,
    PartialDateColumn,
    Reference,
    text_of,
)
from .exports import FORMULA_STARTS, cell
from .importing import INDEXES, Index, Part, Pending
from .models import (
    Agreement,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    Person,
    Position,
    Sector,
    Source,
)
from .search import fold
from .spreadsheets import header_key

EXPORT_CHUNK = 2000

# Every resource by its slug, in menu order; the delegations app adds its own.
RESOURCES: dict[str, type["Resource"]] = {}


def register(resource: type["Resource"]) -> type["Resource"]:
    RESOURCES[resource.slug] = resource
    return resource


def resource_for_model(model) -> type["Resource"] | None:
    for resource in RESOURCES.values():
        if resource._meta.model is model and resource.slug:
            return resource
    return None


class Resource(resources.ModelResource):
    slug = ""  # in URLs and on the command line
    # Columns whose values identify a record: re-importing a row updates that record.
    key: tuple[str, ...] = ()
    # For a child part: the foreign key to the record it belongs to, and the relation's
    # name seen from that record (for exports).
    parent_field = ""
    related_name = ""
    child: type["Resource"] | None = None
    child_prefix = ""
    # Read-only figures that exports add after the columns of the import.
    computed: tuple[Computed, ...] = ()

    # Declaration -------------------------------------------------------------------

    @classmethod
    def title(cls) -> str:
        return str(cls._meta.model._meta.verbose_name_plural).capitalize()

    @classmethod
    def noun(cls) -> str:
        return str(cls._meta.model._meta.verbose_name)

    def own_columns(self) -> list[tuple[str, Column]]:
        """The columns in the template's order: ``Meta.fields``."""
        return [(name, self.fields[name]) for name in self._meta.fields]

    def parts(self) -> list[Part]:
        parts = [Part("record", self, tuple(self.own_columns()))]
        if self.child:
            child = self.child()
            columns = tuple((f"{self.child_prefix}{n}", c) for n, c in child.own_columns())
            parts.append(Part(self.child_prefix.rstrip("_"), child, columns, self.child_prefix))
        return parts

    def import_columns(self) -> list[tuple[str, Column]]:
        return [column for part in self.parts() for column in part.columns]

    def header_of(self, name: str) -> str:
        for _id, column in self.import_columns():
            if column.attribute == name or column.attribute == name.removesuffix("_id"):
                return column.header
        return ""

    def column_id_of(self, header: str) -> str | None:
        """The id of the column with this header, id or alias (compared as headers are)."""
        from .importing import column_keys

        wanted = header_key(header)
        for column_id, column in self.import_columns():
            if wanted in column_keys(column_id, column):
                return column_id
        return None

    def names_of(self, instance) -> list[str]:
        """What other rows of the same file may call this record."""
        return [
            n for n in (getattr(instance, "name", ""), getattr(instance, "native_name", "")) if n
        ]

    def label(self, row: dict) -> str:
        return " · ".join(text_of(row[k]) for k in self.key if row.get(k) not in (None, ""))

    # Import -------------------------------------------------------------------------

    def key_of(self, values: dict) -> tuple:
        return tuple(_comparable(values[name]) for name in self.key)

    def instance_key(self, instance) -> tuple:
        return tuple(_comparable(self.fields[name].current(instance)) for name in self.key)

    def existing_queryset(self):
        return self._meta.model._default_manager.all()

    def existing_records(self) -> dict:
        """The records a row may update, by natural key (children: by their parent's)."""
        found = list(self.existing_queryset())
        self.load_many_to_many(found)
        if not self.parent_field:
            return {self.instance_key(instance): instance for instance in found}
        parents = self.parent_resource()
        parent_keys = {
            parent.pk: parents.instance_key(parent)
            for parent in parents._meta.model._default_manager.filter(
                pk__in={getattr(i, f"{self.parent_field}_id") for i in found}
            )
        }
        return {
            (parent_keys[getattr(i, f"{self.parent_field}_id")], self.instance_key(i)): i
            for i in found
        }

    def parent_resource(self) -> "Resource":
        for resource in RESOURCES.values():
            if resource.child is type(self):
                return resource()
        raise LookupError(f"{type(self).__name__} is nobody's child")

    def new_instance(self):
        return self._meta.model()

    def validate(self, instance) -> None:
        """The model's own rules (``clean``); the columns have checked each value."""
        instance.clean()

    def before_write(self, instance, now: datetime.datetime) -> None:
        if hasattr(instance, "refresh_search_text"):
            instance.refresh_search_text()
        if hasattr(instance, "updated_at"):
            instance.updated_at = now
            if instance.pk is None:
                instance.created_at = now

    def fields_to_update(self, records) -> list[str]:
        model = self._meta.model
        names = set()
        stored = {f.name for f in model._meta.concrete_fields}
        for _id, column in self.own_columns():
            if isinstance(column, ManyReference) or column.attribute not in stored:
                continue  # M2M are written apart; hint columns (Partner country) not at all
            names.add(column.attribute)
            if isinstance(column, PartialDateColumn):
                names.add(f"{column.attribute}_precision")
        for extra in ("search_text", "version", "updated_at"):
            if any(f.name == extra for f in model._meta.concrete_fields):
                names.add(extra)
        return sorted(names)

    def many_to_many(self) -> list[ManyReference]:
        return [c for _, c in self.own_columns() if isinstance(c, ManyReference)]

    def load_many_to_many(self, instances) -> None:
        for column in self.many_to_many():
            through = getattr(self._meta.model, column.attribute).through
            source, target = _through_names(through, self._meta.model)
            current = {}
            for owner, other in through.objects.values_list(source, target):
                current.setdefault(owner, set()).add(other)
            for instance in instances:
                instance.__dict__.setdefault("_current_m2m", {})[column.attribute] = frozenset(
                    current.get(instance.pk, ())
                )

    def write_many_to_many(self, records) -> None:
        for column in self.many_to_many():
            through = getattr(self._meta.model, column.attribute).through
            source, target = _through_names(through, self._meta.model)
            changed = [
                r.instance
                for r in records
                # Not imported: the file has no such column, or a new record has none.
                if column.attribute in r.instance.__dict__.get("_imported_m2m", {})
                and r.instance.__dict__["_imported_m2m"][column.attribute]
                != r.instance.__dict__.get("_current_m2m", {}).get(column.attribute)
            ]
            through.objects.filter(**{f"{source}__in": [i.pk for i in changed]}).delete()
            through.objects.bulk_create(
                [
                    through(**{source: instance.pk, target: other})
                    for instance in changed
                    for other in instance.__dict__["_imported_m2m"][column.attribute]
                ],
                batch_size=1000,
            )

    # Export -------------------------------------------------------------------------

    def export_queryset(self):
        return self._meta.model._default_manager.order_by("pk")

    def export_columns(self, *, sensitive: bool = False) -> list[tuple[str, Column]]:
        return [(i, c) for i, c in self.import_columns() if sensitive or not c.sensitive]

    def headers(self, *, sensitive: bool = False) -> list[str]:
        return [column.header for _, column in self.export_columns(sensitive=sensitive)]

    def export_rows(
        self, queryset=None, *, sensitive: bool = False, computed: bool = True
    ) -> Iterator[list]:
        """The header row, then one row per record (per child, for a resource with one),
        as spreadsheet cells: read with values_list in chunks, so memory stays flat."""
        queryset = self.export_queryset() if queryset is None else queryset
        columns = self.export_columns(sensitive=sensitive)
        if computed:
            columns += [("", column) for column in self.computed]
        paths = ["pk"]
        slices = []
        for column_id, column in columns:
            prefix = ""
            if self.child and column_id.startswith(self.child_prefix):
                prefix = f"{self.child.related_name}__"
            start = len(paths)
            paths.extend(prefix + path for path in column.paths)
            slices.append((column, start, len(paths)))
        many = {c.attribute: c for c in self.many_to_many()}
        yield [column.header for _, column in columns]
        chunk = []
        for values in queryset.values_list(*paths).iterator(chunk_size=EXPORT_CHUNK):
            chunk.append(values)
            if len(chunk) == EXPORT_CHUNK:
                yield from self._render(chunk, slices, many)
                chunk = []
        yield from self._render(chunk, slices, many)

    def _render(self, chunk, slices, many) -> Iterator[list]:
        pks = {values[0] for values in chunk}
        names = {attribute: self.many_names(attribute, pks) for attribute in many}
        looked_up = {
            column: column.lookup(pks) for column, _, _ in slices if getattr(column, "lookup", None)
        }
        renders = [
            (start, _cell_renderer(column, start, end, looked_up, names))
            for column, start, end in slices
        ]
        for values in chunk:
            row = []
            for start, render in renders:
                if render is not None:
                    row.append(render(values))
                    continue
                # A plain value is its own cell: cell() inlined for text and None.
                value = values[start]
                if type(value) is str:
                    row.append(f"'{value}" if value.startswith(FORMULA_STARTS) else value)
                elif value is None:
                    row.append("")
                else:
                    row.append(cell(value))
            yield row

    def many_names(self, attribute: str, pks: set) -> dict[int, list[str]]:
        through = getattr(self._meta.model, attribute).through
        source, target = _through_names(through, self._meta.model)
        names = {}
        for owner, name in through.objects.filter(among(source, pks)).values_list(
            source, f"{target.removesuffix('_id')}__name"
        ):
            if owner in pks:
                names.setdefault(owner, []).append(name)
        return names

    def template_rows(self) -> list[list]:
        return [
            self.headers(sensitive=True),
            [column.example for _, column in self.export_columns(sensitive=True)],
        ]


def _cell_renderer(column: Column, start: int, end: int, looked_up: dict, names: dict):
    """The function making one column's cell from a row of ``values_list`` values; None
    for a plain value, which ``_render`` makes its own cell without a call.

    Exports run this for every cell: a choice, country or yes/no is rendered once per
    value (translating a label is slow)."""
    if column in looked_up:
        found = looked_up[column]
        return lambda values: cell(found.get(values[0], column.missing))
    if column.attribute in names:
        named = names[column.attribute]
        return lambda values: ", ".join(sorted(named.get(values[0], ())))
    if column.few_values:
        rendered = {}

        def render_few(values):
            key = values[start:end]
            if key not in rendered:
                rendered[key] = cell(column.render_values(*key))
            return rendered[key]

        return render_few
    if end - start == 1 and type(column).render_values is Column.render_values:
        return None  # cell(render_values(value)) is cell(value): None gives "" either way
    return lambda values: cell(column.render_values(*values[start:end]))


def among(field: str, pks) -> models.Q:
    """``field`` is one of ``pks``, a chunk of an export. A chunk of a pk-ordered export is
    mostly a dense run of keys: a range then costs far less, in Django and in the database,
    than thousands of IN parameters. The range may take in other records' rows too: look
    the results up by key."""
    low, high = (min(pks), max(pks)) if pks else (None, None)
    if isinstance(low, int) and isinstance(high, int) and high - low < 2 * len(pks):
        return models.Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return models.Q(**{f"{field}__in": pks})


def _through_names(through, model) -> tuple[str, str]:
    """The two foreign keys of an M2M table: to ``model``, and to the other side."""
    source = target = None
    for field in through._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            if field.related_model is model and source is None:
                source = field.attname
            else:
                target = field.attname
    return source, target


def _comparable(value):
    return fold(value) if isinstance(value, str) else value


# Shared columns --------------------------------------------------------------------------


class PartnerReference(Reference):
    index_name = "partner"
    noun = _("partner")

    def __init__(self, attribute="partner", header=None, **kwargs):
        kwargs.setdefault(
            "aliases", ("partner", "교류도시", "자매도시", "도시", "상대도시", "友好城市")
        )
        kwargs.setdefault("label_path", f"{attribute}__name")
        super().__init__(attribute, header or _("Partner"), **kwargs)

    hint_column = "partner_country"


class PartnerCountry(Hint, CountryColumn):
    """Only to tell apart partners of the same name; not stored."""

    def __init__(self):
        super().__init__(
            "partner_country",
            _("Partner country"),
            aliases=("상대국가", "상대 국가", "伙伴国家"),
            example="China",
        )

    @property
    def paths(self):
        return ("partner__country",)


class SourceReference(Reference):
    index_name = "source"
    noun = _("source")

    def __init__(self):
        super().__init__(
            "source",
            _("Source"),
            aliases=("출처", "来源"),
            label_path="source__key",
            help_text=_("The key of a source recorded in the admin."),
        )


PROVENANCE = ("source", "source_locator", "date_inferred", "provenance_note")


class ProvenanceResource(Resource):
    """Where each record came from (see ``models.Provenance``); list PROVENANCE last in
    ``Meta.fields``."""

    source = SourceReference()
    source_locator = Column(
        "source_locator", _("Where in the source"), aliases=("출처 위치",), max_length=200
    )
    date_inferred = BooleanColumn("date_inferred", _("Date inferred"), aliases=("날짜 추정",))
    provenance_note = Column(
        "provenance_note", _("Provenance note"), aliases=("출처 메모", "비고(출처)")
    )


class SectorsReference(ManyReference):
    index_name = "sector"
    noun = _("sector")

    def __init__(self):
        super().__init__(
            "sectors",
            _("Sectors"),
            aliases=("분야", "교류분야", "领域"),
            label_path="",
            example="Culture, Health",
            help_text=_("Sector names separated by commas."),
        )


def _partner_index() -> Index:
    entries = []
    for pk, name, native, country in Partner.objects.values_list(
        "pk", "name", "native_name", "country"
    ):
        hints = {country, str(_country_name(country))}
        entries += [(name, pk, hints), (native, pk, hints)]
    for pk, alias in Partner.objects.values_list("pk", "aliases__name"):
        if alias:
            entries.append((alias, pk, ()))
    return Index(entries, hint_label=str(_("partner's country")))


def _country_name(code: str) -> str:
    from django_countries import countries

    return countries.name(code) if code else ""


def _person_index() -> Index:
    hints: dict[int, set[str]] = {}
    for pk, organisation, partner in Position.objects.values_list(
        "person_id", "organisation", "partner__name"
    ):
        hints.setdefault(pk, set()).update((organisation, partner))
    entries = []
    for pk, name, native, partner in Person.objects.values_list(
        "pk", "name", "native_name", "partner__name"
    ):
        person_hints = hints.get(pk, set()) | {partner}
        entries += [(name, pk, person_hints), (native, pk, person_hints)]
    return Index(entries, hint_label=str(_("organisation")))


def _institution_index() -> Index:
    entries = []
    for pk, name, native, partner in Institution.objects.values_list(
        "pk", "name", "native_name", "partner__name"
    ):
        entries += [(name, pk, {partner}), (native, pk, {partner})]
    return Index(entries, hint_label=str(_("partner")))


INDEXES.update(
    partner=_partner_index,
    person=_person_index,
    institution=_institution_index,
    source=lambda: Index((key, pk, ()) for pk, key in Source.objects.values_list("pk", "key")),
    sector=lambda: Index(
        (name, pk, ())
        for pk, *names in Sector.objects.values_list("pk", "name", "name_ko", "name_zh", "slug")
        for name in names
    ),
    agreement=lambda: Index(
        (title, pk, {partner, str(signed or "")})
        for pk, title, partner, signed in Agreement.objects.values_list(
            "pk", "title", "partner__name", "signed_on"
        )
    ),
)


# Relations' resources ----------------------------------------------------------------------


@register
class SourceResource(Resource):
    slug = "sources"
    key = ("key",)

    key_ = Column(
        "key",
        _("Key"),
        aliases=("source key", "출처 키"),
        required=True,
        max_length=80,
        example="changning-page",
        help_text=_("A short stable name the other files cite in their Source column."),
    )
    title = Column(
        "title",
        _("Title"),
        aliases=("제목", "标题"),
        required=True,
        max_length=300,
        example="Changning District, Shanghai (Gangseo District Office page)",
    )
    kind = ChoiceColumn("kind", _("Kind"), Source.Kind, aliases=("종류",), example="Web page")
    publisher = Column("publisher", _("Publisher"), aliases=("발행처",), max_length=200)
    url = Column("url", _("URL"), aliases=("주소", "링크"), max_length=500)
    published_on = DateColumn("published_on", _("Published on"), aliases=("발행일",))
    accessed_on = DateColumn("accessed_on", _("Accessed on"), aliases=("확인일",))
    notes = Column("notes", _("Notes"), aliases=("비고", "备注"))

    class Meta:
        model = Source
        fields = (
            "key_",
            "title",
            "kind",
            "publisher",
            "url",
            "published_on",
            "accessed_on",
            "notes",
        )

    def key_of(self, values: dict) -> tuple:
        return (fold(values["key_"]),)

    def instance_key(self, instance) -> tuple:
        return (fold(instance.key),)

    def validate(self, instance) -> None:
        if not instance.key.replace("-", "").replace("_", "").isalnum():
            raise ValidationError({"key": _("use letters, digits, hyphens and underscores only.")})


@register
class PartnerResource(ProvenanceResource):
    slug = "partners"
    key = ("name", "country")

    name = Column(
        "name",
        _("English name"),
        aliases=("name", "city", "영문명", "영문 도시명", "도시명(영문)", "英文名", "城市"),
        required=True,
        max_length=200,
        example="Changning District",
    )
    native_name = Column(
        "native_name",
        _("Native name"),
        aliases=(
            "native-script name",
            "현지어명",
            "원어명",
            "도시명(현지어)",
            "中文名",
            "当地名称",
        ),
        max_length=200,
        example="长宁区",
    )
    kind = ChoiceColumn(
        "kind",
        _("Kind"),
        Partner.Kind,
        aliases=("종류", "행정구역", "类型"),
        synonyms={
            "시": "city",
            "구": "district",
            "군": "county",
            "성": "province",
            "省": "province",
        },
        example="District",
    )
    country = CountryColumn(
        "country", _("Country"), aliases=("국가", "나라", "国家"), required=True, example="China"
    )
    region = Column(
        "region", _("Region"), aliases=("지역", "소속", "地区"), max_length=200, example="Shanghai"
    )
    population = NumberColumn(
        "population", _("Population"), aliases=("인구", "인구수", "人口"), example="580,000"
    )
    population_year = NumberColumn(
        "population_year", _("Population year"), aliases=("인구 기준연도", "人口年份"), example=2020
    )
    area_km2 = DecimalColumn(
        "area_km2", _("Area (km²)"), aliases=("면적", "面积"), example="41.4㎢"
    )
    website = Column("website", _("Website"), aliases=("홈페이지", "网站"), max_length=300)
    level = ChoiceColumn(
        "level",
        _("Relationship level"),
        Partner.Level,
        aliases=("level", "관계", "교류관계", "결연구분", "关系"),
        synonyms={
            "자매도시": "sister",
            "자매결연": "sister",
            "우호도시": "friendship",
            "우호협력도시": "friendship",
            "우호교류": "friendly_exchange",
            "友好城市": "sister",
            "友好交流城市": "friendship",
            "sister": "sister",
            "twin": "sister",
            "twin town": "sister",
        },
        example="Sister city",
    )
    level_since = PartialDateColumn(
        "level_since", _("Level since"), aliases=("관계 체결일", "관계수립일"), example="2013-08-27"
    )
    status = ChoiceColumn(
        "status",
        _("Status"),
        Partner.Status,
        aliases=("상태", "状态"),
        synonyms={"활발": "active", "교류중": "active", "휴면": "dormant", "중단": "suspended"},
        example="Active",
    )
    established_on = PartialDateColumn(
        "established_on",
        _("Established on"),
        aliases=("결연일", "결연일자", "체결일", "협정체결일", "缔结日期"),
        example="2013-08-27",
    )
    latitude = DecimalColumn("latitude", _("Latitude"), aliases=("위도",), places=6)
    longitude = DecimalColumn("longitude", _("Longitude"), aliases=("경도",), places=6)
    notes = Column("notes", _("Notes"), aliases=("비고", "메모", "备注"))

    class Meta:
        model = Partner
        fields = (
            "name",
            "native_name",
            "kind",
            "country",
            "region",
            "population",
            "population_year",
            "area_km2",
            "website",
            "level",
            "level_since",
            "status",
            "established_on",
            "latitude",
            "longitude",
            "notes",
            *PROVENANCE,
        )

    computed = (Computed(_("Country code"), paths=("country",)),)

    def existing_queryset(self):
        return Partner.objects.partners()

    def validate(self, instance) -> None:
        if instance.area_km2 is not None and instance.area_km2 <= 0:
            raise ValidationError({"area_km2": _("An area must be more than zero.")})
        instance.clean()

    def export_queryset(self):
        return Partner.objects.partners().order_by("pk")


class ApprovalPart(Resource):
    key = ("body",)
    parent_field = "agreement"
    related_name = "approvals"

    body = Column(
        "body",
        _("Approving body"),
        aliases=("승인기관", "의결기관", "批准机关"),
        max_length=300,
        required=True,
        example="Gangseo District Council",
    )
    approved_on = PartialDateColumn(
        "approved_on", _("Approved on"), aliases=("승인일", "의결일", "批准日期"), example="2013-07"
    )
    reference = Column("reference", _("Approval reference"), aliases=("의안번호",), max_length=200)
    note = Column("note", _("Approval note"), aliases=("승인 메모",))

    class Meta:
        model = Approval
        fields = (
            "body",
            "approved_on",
            "reference",
            "note",
        )


@register
class AgreementResource(ProvenanceResource):
    slug = "agreements"
    key = ("partner", "title", "signed_on")
    child = ApprovalPart
    child_prefix = "approval_"

    partner = PartnerReference(required=True, example="Changning District")
    partner_country = PartnerCountry()
    title = Column(
        "title",
        _("Title"),
        aliases=("협정명", "협약명", "제목", "协议名称"),
        required=True,
        max_length=300,
        example="Agreement on Friendly Exchange and Cooperation",
    )
    kind = ChoiceColumn(
        "kind",
        _("Kind"),
        Agreement.Kind,
        aliases=("종류", "협정종류", "类型"),
        synonyms={
            "의향서": "letter_of_intent",
            "양해각서": "mou",
            "mou": "mou",
            "우호교류협정": "friendship",
            "자매결연협정": "sister_city",
            "자매결연": "sister_city",
        },
        required=True,
        example="Friendship agreement",
    )
    status = ChoiceColumn(
        "status", _("Status"), Agreement.Status, aliases=("상태", "状态"), example="Signed"
    )
    signed_on = PartialDateColumn(
        "signed_on", _("Signed on"), aliases=("체결일", "서명일", "签署日期"), example="2013-08-27"
    )
    signed_place = Column(
        "signed_place", _("Signed at"), aliases=("체결장소", "签署地点"), max_length=200
    )
    home_party = Column("home_party", _("Our party"), aliases=("우리측",), max_length=200)
    partner_party = Column(
        "partner_party", _("Partner's party"), aliases=("상대측",), max_length=200
    )
    sets_level = ChoiceColumn(
        "sets_level",
        _("Sets level"),
        Partner.Level,
        aliases=("관계 수립",),
        synonyms={"자매도시": "sister", "우호도시": "friendship"},
    )
    sectors = SectorsReference()
    valid_from = DateColumn("valid_from", _("Valid from"), aliases=("발효일", "生效日期"))
    valid_until = DateColumn("valid_until", _("Valid until"), aliases=("만료일", "失效日期"))
    renews_automatically = BooleanColumn(
        "renews_automatically", _("Renews automatically"), aliases=("자동연장",)
    )
    summary = Column("summary", _("Summary"), aliases=("주요내용", "내용", "摘要"))

    class Meta:
        model = Agreement
        fields = (
            "partner",
            "partner_country",
            "title",
            "kind",
            "status",
            "signed_on",
            "signed_place",
            "home_party",
            "partner_party",
            "sets_level",
            "sectors",
            "valid_from",
            "valid_until",
            "renews_automatically",
            "summary",
            *PROVENANCE,
        )

    def validate(self, instance) -> None:
        instance.clean()


class PositionPart(Resource):
    key = ("title", "organisation")
    parent_field = "person"
    related_name = "positions"

    title = Column(
        "title",
        _("Position title"),
        aliases=("직위", "직책", "职务"),
        required=True,
        max_length=200,
        example="District Mayor",
    )
    organisation = Column(
        "organisation",
        _("Organisation"),
        aliases=("소속", "기관", "单位"),
        max_length=200,
        example="Changning District People's Government",
    )
    start = PartialDateColumn(
        "start", _("Position start"), aliases=("취임일", "재임 시작"), example="2021"
    )
    end = PartialDateColumn("end", _("Position end"), aliases=("퇴임일", "재임 종료"))
    attested_on = PartialDateColumn(
        "attested_on", _("Position seen on"), aliases=("확인일",), example="2025-09"
    )

    class Meta:
        model = Position
        fields = (
            "title",
            "organisation",
            "start",
            "end",
            "attested_on",
        )


@register
class PersonResource(ProvenanceResource):
    slug = "people"
    key = ("name", "partner")
    child = PositionPart
    child_prefix = "position_"

    name = Column(
        "name",
        _("Romanised name"),
        aliases=("name", "이름(영문)", "영문 성명", "英文姓名"),
        required=True,
        max_length=200,
        example="Wang Lan",
    )
    native_name = Column(
        "native_name",
        _("Native name"),
        aliases=("성명", "이름", "姓名"),
        max_length=200,
        example="王岚",
    )
    partner = PartnerReference(
        header=_("Partner"),
        example="Changning District",
        help_text=_("The partner the person belongs to; empty for people of our own city."),
    )
    partner_country = PartnerCountry()
    email = Column("email", _("Email"), aliases=("이메일", "电子邮件"), max_length=254)
    phone = Column("phone", _("Phone"), aliases=("전화", "연락처", "电话"), max_length=50)
    notes = Column("notes", _("Notes"), aliases=("비고", "备注"))

    class Meta:
        model = Person
        fields = (
            "name",
            "native_name",
            "partner",
            "partner_country",
            "email",
            "phone",
            "notes",
            *PROVENANCE,
        )


class InstitutionReference(Reference):
    """An institution recorded already, or one created by an earlier or later row."""

    index_name = "institution"
    noun = _("institution")

    def parse(self, value, context):
        try:
            return super().parse(value, context)
        except ValueError:
            record = context.planned.get(fold(text_of(value)))
            if record is None:
                raise
            return Pending(record) if record.instance.pk is None else record.instance.pk


class LinkPart(Resource):
    key = ("counterpart",)
    parent_field = "institution"
    related_name = "links_made"

    counterpart = InstitutionReference(
        "counterpart",
        _("Linked institution"),
        aliases=("교류기관", "상대기관", "合作机构"),
        label_path="counterpart__name",
        required=True,
        example="MizMedi Women's Hospital",
    )
    kind = ChoiceColumn("kind", _("Link kind"), InstitutionLink.Kind, aliases=("교류형태",))
    status = ChoiceColumn("status", _("Link status"), InstitutionLink.Status)
    established_on = PartialDateColumn(
        "established_on", _("Linked on"), aliases=("교류 시작일",), example="2009-09"
    )
    description = Column("description", _("Link description"), aliases=("교류내용",))

    class Meta:
        model = InstitutionLink
        fields = (
            "counterpart",
            "kind",
            "status",
            "established_on",
            "description",
        )

    def validate(self, instance) -> None:
        if instance.counterpart_id and instance.counterpart_id == instance.institution_id:
            raise ValidationError({"counterpart": _("An institution cannot be linked to itself.")})
        from .models import normalise_partial_dates

        normalise_partial_dates(instance, "established_on")


@register
class InstitutionResource(ProvenanceResource):
    slug = "institutions"
    key = ("name", "partner")
    child = LinkPart
    child_prefix = "link_"

    name = Column(
        "name",
        _("English name"),
        aliases=("name", "기관명(영문)", "英文名称"),
        required=True,
        max_length=200,
        example="Changning Maternity and Infant Health Hospital",
    )
    native_name = Column(
        "native_name", _("Native name"), aliases=("기관명", "机构名称"), max_length=200
    )
    kind = ChoiceColumn(
        "kind",
        _("Kind"),
        Institution.Kind,
        aliases=("종류", "기관종류", "类型"),
        synonyms={"학교": "school", "대학": "university", "병원": "hospital", "医院": "hospital"},
        example="Hospital",
    )
    partner = PartnerReference(
        example="Changning District", help_text=_("Empty for an institution of our own city.")
    )
    partner_country = PartnerCountry()
    address = Column("address", _("Address"), aliases=("주소", "地址"), max_length=300)
    website = Column("website", _("Website"), aliases=("홈페이지", "网站"), max_length=300)
    notes = Column("notes", _("Notes"), aliases=("비고", "备注"))

    class Meta:
        model = Institution
        fields = (
            "name",
            "native_name",
            "kind",
            "partner",
            "partner_country",
            "address",
            "website",
            "notes",
            *PROVENANCE,
        )
