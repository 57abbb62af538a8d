"""Import and export of visits, their members and programmes, and gifts.

Built on ``relations.resources``; imported by the app's ``ready`` so the resources and
their indexes are registered before any import runs.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relations.cells import read_date_range, read_partial_date
from relations.columns import (
    ChoiceColumn,
    Column,
    Computed,
    DateColumn,
    DecimalColumn,
    Hint,
    NumberColumn,
    PartialDateColumn,
    Reference,
    TimeColumn,
    is_blank,
    text_of,
)
from relations.dates import last_day
from relations.importing import INDEXES, Index
from relations.models import Partner, normalise_partial_dates
from relations.resources import (
    PROVENANCE,
    PartnerCountry,
    PartnerReference,
    ProvenanceResource,
    Resource,
    SectorsReference,
    among,
    register,
)

from .models import Delegation, Gift, Member, ProgrammeItem, Venue


class PersonReference(Reference):
    index_name = "person"
    noun = _("person")


class DelegationReference(Reference):
    """A visit named by its title; its start date tells apart visits of the same title."""

    index_name = "delegation"
    noun = _("delegation")

    def __init__(self, **kwargs):
        kwargs.setdefault("aliases", ("방문단", "대표단", "代表团"))
        super().__init__("delegation", _("Delegation"), label_path="delegation__title", **kwargs)

    def parse(self, value, context):
        hint = context.row.get("delegation_start")
        try:
            start = "" if is_blank(hint) else read_partial_date(hint).date.isoformat()
        except ValueError:
            start = text_of(hint)
        return context.index(self.index_name).find(text_of(value), start, self.noun)


class DelegationStart(Hint, Column):
    """Only to tell apart visits of the same title; not stored."""

    def __init__(self):
        super().__init__(
            "delegation_start",
            _("Delegation start"),
            aliases=("방문 시작일", "방문일", "访问日期"),
            example="2009-09-20",
        )

    @property
    def paths(self):
        return ("delegation__start",)

    def render_values(self, start):
        return start.isoformat() if start else ""


def _delegation_index() -> Index:
    return Index(
        (
            (title, pk, {start.isoformat(), partner})
            for pk, title, start, partner in Delegation.objects.values_list(
                "pk", "title", "start", "partner__name"
            )
        ),
        hint_label=str(_("delegation start")),
    )


INDEXES["delegation"] = _delegation_index
INDEXES["venue"] = lambda: Index(
    (name, pk, {partner or ""})
    for pk, name, partner in Venue.objects.values_list("pk", "name", "partner__name")
)


class VenueReference(Reference):
    index_name = "venue"
    noun = _("venue")


class VisitStart(PartialDateColumn):
    """The start of a visit, or its whole span ("2009.09.20~23"): the end then fills
    the End column when that is empty."""

    def parse(self, value, context):
        start, end = read_date_range(value)
        if end is not None:
            context.row.setdefault("_range_end", end)
        return start


class VisitEnd(PartialDateColumn):
    def read(self, value, context):
        if is_blank(value) and "_range_end" in context.row:
            return context.row["_range_end"]
        return super().read(value, context)


@register
class DelegationResource(ProvenanceResource):
    slug = "delegations"
    key = ("partner", "direction", "start", "title")

    partner = PartnerReference(required=True, example="Changning District")
    partner_country = PartnerCountry()
    direction = ChoiceColumn(
        "direction",
        _("Direction"),
        Delegation.Direction,
        aliases=("방향", "구분", "방문구분", "方向"),
        synonyms={
            "in": "inbound",
            "inbound": "inbound",
            "초청": "inbound",
            "방한": "inbound",
            "내방": "inbound",
            "來訪": "inbound",
            "来访": "inbound",
            "out": "outbound",
            "outbound": "outbound",
            "방문": "outbound",
            "파견": "outbound",
            "出访": "outbound",
        },
        required=True,
        example="Inbound",
    )
    title = Column(
        "title",
        _("Title"),
        aliases=("방문단명", "제목", "행사명", "名称"),
        required=True,
        max_length=300,
        example="Changning District delegation",
    )
    start = VisitStart(
        "start",
        _("Start"),
        aliases=("시작일", "방문 시작일", "방문일", "기간", "开始日期"),
        required=True,
        example="2009-09-20",
        help_text=_("A date, or a range such as 2009.09.20~23 (the end then fills End)."),
    )
    end = VisitEnd("end", _("End"), aliases=("종료일", "结束日期"), example="2009-09-23")
    status = ChoiceColumn(
        "status",
        _("Status"),
        Delegation.Status,
        aliases=("상태", "状态"),
        synonyms={"완료": "completed", "예정": "planned", "취소": "cancelled", "확정": "confirmed"},
        example="Completed",
    )
    purpose = Column("purpose", _("Purpose"), aliases=("목적", "방문목적", "目的"))
    outcome = Column("outcome", _("Outcome"), aliases=("성과", "결과", "成果"))
    sectors = SectorsReference()
    leader = PersonReference(
        "leader", _("Leader"), aliases=("단장", "대표", "团长"), label_path="leader__name"
    )
    leader_title = Column(
        "leader_title", _("Leader's title then"), aliases=("단장 직위", "직위"), max_length=200
    )
    declared_size = NumberColumn(
        "declared_size",
        _("Declared head-count"),
        aliases=("인원", "방문인원", "人数"),
        example="21명",
    )
    invited_by = Column("invited_by", _("Invited by"), aliases=("초청기관",), max_length=300)
    host = Column("host", _("Host"), aliases=("접수기관", "주관", "接待单位"), max_length=300)
    budget = DecimalColumn("budget", _("Budget"), aliases=("예산", "预算"))
    budget_currency = Column("budget_currency", _("Budget currency"), max_length=3, example="KRW")
    notes = Column("notes", _("Notes"), aliases=("비고", "备注"))

    class Meta:
        model = Delegation
        fields = (
            "partner",
            "partner_country",
            "direction",
            "title",
            "start",
            "end",
            "status",
            "purpose",
            "outcome",
            "sectors",
            "leader",
            "leader_title",
            "declared_size",
            "invited_by",
            "host",
            "budget",
            "budget_currency",
            "notes",
            *PROVENANCE,
        )

    computed = (
        Computed(
            _("Members listed"),
            lookup=lambda pks: dict(
                Member.objects.filter(among("delegation", pks))
                .values("delegation")
                .annotate(listed=Count("pk"))
                .values_list("delegation", "listed")
            ),
            missing=0,
        ),
    )

    def validate(self, instance) -> None:
        # Delegation.clean() reads the partner and the recorded status from the database:
        # a query per row. History imports record what happened, in any status.
        normalise_partial_dates(instance, "start", "end")
        if instance.end and last_day(instance.end, instance.end_precision) < instance.start:
            raise ValidationError({"end": gettext("A delegation cannot end before it starts.")})
        if instance.partner_id == self.home_pk:
            raise ValidationError({"partner": gettext("Choose a partner, not the home authority.")})
        if not instance.budget_currency:
            instance.budget_currency = "KRW"
        instance.budget_currency = instance.budget_currency.upper()

    @cached_property
    def home_pk(self) -> int | None:
        return Partner.objects.filter(is_home=True).values_list("pk", flat=True).first()


@register
class MemberResource(Resource):
    slug = "members"
    key = ("delegation", "person")

    delegation = DelegationReference(required=True, example="Changning District delegation")
    delegation_start = DelegationStart()
    person = PersonReference(
        "person",
        _("Person"),
        aliases=("성명", "이름", "name", "姓名"),
        label_path="person__name",
        hint_column="organisation",
        required=True,
        example="Wang Lan",
    )
    role = ChoiceColumn(
        "role",
        _("Role"),
        Member.Role,
        aliases=("역할", "구분", "角色"),
        synonyms={"단장": "leader", "부단장": "deputy", "단원": "member", "통역": "interpreter"},
        example="Leader",
    )
    title = Column("title", _("Title then"), aliases=("직위", "职务"), max_length=200)
    organisation = Column(
        "organisation", _("Organisation then"), aliases=("소속", "单位"), max_length=200
    )
    dietary_needs = Column(
        "dietary_needs", _("Dietary needs"), aliases=("식이",), max_length=200, sensitive=True
    )
    accessibility_needs = Column(
        "accessibility_needs",
        _("Accessibility needs"),
        aliases=("편의 지원",),
        max_length=200,
        sensitive=True,
    )
    arrival = Column("arrival", _("Arrival"), aliases=("도착",), max_length=200)
    departure = Column("departure", _("Departure"), aliases=("출발",), max_length=200)
    notes = Column("notes", _("Notes"), aliases=("비고", "备注"))

    class Meta:
        model = Member
        fields = (
            "delegation",
            "delegation_start",
            "person",
            "role",
            "title",
            "organisation",
            "dietary_needs",
            "accessibility_needs",
            "arrival",
            "departure",
            "notes",
        )

    def validate(self, instance) -> None:
        pass  # Each column checked its value; a member has no rules across fields.


@register
class ProgrammeItemResource(ProvenanceResource):
    slug = "programme"
    key = ("delegation", "date", "start_time", "title")

    delegation = DelegationReference(required=True, example="Changning District delegation")
    delegation_start = DelegationStart()
    date = DateColumn("date", _("Date"), aliases=("일자", "날짜", "日期"), example="2009-09-21")
    start_time = TimeColumn(
        "start_time", _("From"), aliases=("시작", "시간", "开始"), example="10:00"
    )
    end_time = TimeColumn("end_time", _("To"), aliases=("종료", "结束"), example="11:30")
    kind = ChoiceColumn(
        "kind",
        _("Kind"),
        ProgrammeItem.Kind,
        aliases=("종류", "类型"),
        synonyms={"면담": "meeting", "시찰": "site_visit", "만찬": "meal", "오찬": "meal"},
        example="Meeting",
    )
    title = Column(
        "title",
        _("Title"),
        aliases=("일정", "내용", "日程"),
        required=True,
        max_length=300,
        example="Courtesy call on the Mayor",
    )
    venue = VenueReference("venue", _("Venue"), aliases=("장소", "地点"), label_path="venue__name")
    description = Column("description", _("Description"), aliases=("세부내용", "说明"))

    class Meta:
        model = ProgrammeItem
        fields = (
            "delegation",
            "delegation_start",
            "date",
            "start_time",
            "end_time",
            "kind",
            "title",
            "venue",
            "description",
            *PROVENANCE,
        )

    def validate(self, instance) -> None:
        instance.clean()


@register
class GiftResource(ProvenanceResource):
    slug = "gifts"
    key = ("partner", "direction", "description", "given_on")

    partner = PartnerReference(required=True, example="Changning District")
    partner_country = PartnerCountry()
    direction = ChoiceColumn(
        "direction",
        _("Direction"),
        Gift.Direction,
        aliases=("구분", "수수구분", "方向"),
        synonyms={"given": "given", "증정": "given", "received": "received", "접수": "received"},
        required=True,
        example="Received by us",
    )
    description = Column(
        "description",
        _("Description"),
        aliases=("선물", "품명", "礼品"),
        required=True,
        max_length=300,
        example="Porcelain vase",
    )
    delegation = DelegationReference()
    delegation_start = DelegationStart()
    giver = Column(
        "giver", _("Giver"), aliases=("증정자", "준 사람", "赠送人"), required=True, max_length=200
    )
    recipient = Column(
        "recipient",
        _("Recipient"),
        aliases=("수령자", "받은 사람", "接受人"),
        required=True,
        max_length=200,
    )
    given_on = PartialDateColumn("given_on", _("Given on"), aliases=("수수일", "日期"))
    value = DecimalColumn("value", _("Estimated value"), aliases=("가액", "금액", "价值"))
    currency = Column("currency", _("Currency"), aliases=("통화", "货币"), max_length=3)
    value_krw = DecimalColumn(
        "value_krw", _("Estimated value in KRW"), aliases=("원화 환산", "원화가액"), places=0
    )
    disposition = ChoiceColumn(
        "disposition",
        _("Disposition"),
        Gift.Disposition,
        aliases=("처리", "처리결과"),
        synonyms={"보관": "kept", "전시": "displayed", "이관": "transferred", "반환": "returned"},
    )
    disposition_note = Column("disposition_note", _("Disposition note"), max_length=300)
    registration_reference = Column(
        "registration_reference", _("Registration reference"), aliases=("등록번호",), max_length=100
    )
    details = Column("details", _("Details"), aliases=("세부내용", "说明"))

    class Meta:
        model = Gift
        fields = (
            "partner",
            "partner_country",
            "direction",
            "description",
            "delegation",
            "delegation_start",
            "giver",
            "recipient",
            "given_on",
            "value",
            "currency",
            "value_krw",
            "disposition",
            "disposition_note",
            "registration_reference",
            "details",
            *PROVENANCE,
        )

    computed = (
        Computed(
            _("Needs registration"),
            paths=("value_krw", "registration_reference"),
            render=lambda value_krw, reference: (
                "yes"
                if value_krw is not None
                and value_krw >= settings.AMITY_GIFT_REGISTRATION_THRESHOLD_KRW
                and not reference
                else "no"
            ),
        ),
    )

    def validate(self, instance) -> None:
        if not instance.currency:
            instance.currency = "KRW"
        # Gift.clean() would read the delegation to compare partners: a query per row.
        delegation_id, instance.delegation_id = instance.delegation_id, None
        try:
            instance.clean()
        finally:
            instance.delegation_id = delegation_id
        if delegation_id and self.partner_of_delegation[delegation_id] != instance.partner_id:
            raise ValidationError(
                {"delegation": gettext("This delegation went to another partner.")}
            )

    @cached_property
    def partner_of_delegation(self) -> dict[int, int]:
        return dict(Delegation.objects.values_list("pk", "partner_id"))
