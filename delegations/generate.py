"""A large, plausible data set for load tests and benchmarks (``manage.py generate_data``).

At scale 1 it is what a provincial office or a national association keeps: about 2,000
partners, 50,000 delegations with 500,000 members and 200,000 programme items, 20,000
agreements and 10,000 gifts, with names in the partners' own scripts and dates known only
to the month or the year where old records would be. Everything is written with bulk
inserts in batches, so memory stays flat; ``save()`` is bypassed, so what it would derive
(search text, dates truncated to their precision) is derived here.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from relations.dates import Precision, truncate
from relations.models import (
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    PartnerAlias,
    Person,
    Position,
    Sector,
    Source,
)

from .models import (
    Accommodation,
    AgreementSigning,
    Delegation,
    Gift,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
    Venue,
)

SOURCE_KEY = "generated-data"
BATCH = 2_000

# Records per unit of scale. The issue fixes the first six; the rest keep the proportions
# of the seed documents (a few dozen contacts per partner, a hotel and a few halls each).
PER_SCALE = {
    "partners": 2_000,
    "delegations": 50_000,
    "members": 500_000,
    "programme items": 200_000,
    "agreements": 20_000,
    "gifts": 10_000,
    "people": 60_000,
    "institutions": 6_000,
    "venues": 4_000,
}
SECTORS = [
    "Administration",
    "Culture and arts",
    "Economy and trade",
    "Education",
    "Health",
    "Sports",
    "Tourism",
    "Youth",
    "Environment",
    "Agriculture",
]

# Syllables per script: (romanised, native). A name is two or three of them.
HAN = [
    ("Chang", "长"),
    ("Ning", "宁"),
    ("Su", "苏"),
    ("Zhou", "州"),
    ("Hang", "杭"),
    ("Qing", "青"),
    ("Dao", "岛"),
    ("Wu", "武"),
    ("Han", "汉"),
    ("Xi", "西"),
    ("An", "安"),
    ("Nan", "南"),
    ("Jing", "京"),
    ("Tian", "天"),
    ("Jin", "津"),
    ("Da", "大"),
    ("Lian", "连"),
    ("Shen", "沈"),
    ("Yang", "阳"),
    ("Fu", "福"),
    ("Hai", "海"),
    ("Kou", "口"),
    ("Dong", "东"),
    ("Guang", "广"),
    ("Shan", "山"),
]
KANA = [
    ("Yoko", "横"),
    ("Hama", "浜"),
    ("Kita", "北"),
    ("Kyu", "九"),
    ("Shu", "州"),
    ("Fuku", "福"),
    ("Oka", "岡"),
    ("Naga", "長"),
    ("Saki", "崎"),
    ("Kago", "鹿"),
    ("Shima", "島"),
    ("Matsu", "松"),
    ("Yama", "山"),
    ("Kawa", "川"),
    ("Ta", "田"),
]
HANGUL = [
    ("Gang", "강"),
    ("Seo", "서"),
    ("Mi", "밀"),
    ("Ryang", "양"),
    ("Bu", "부"),
    ("San", "산"),
    ("Dae", "대"),
    ("Gu", "구"),
    ("Jeon", "전"),
    ("Ju", "주"),
    ("Cheon", "천"),
    ("Won", "원"),
    ("Pyeong", "평"),
    ("Chang", "창"),
    ("Su", "수"),
]
CYRILLIC = [
    ("Vla", "Вла"),
    ("di", "ди"),
    ("vos", "вос"),
    ("tok", "ток"),
    ("Kha", "Ха"),
    ("ba", "ба"),
    ("rovsk", "ровск"),
    ("No", "Но"),
    ("vo", "во"),
    ("sibirsk", "сибирск"),
    ("Ir", "Ир"),
    ("kutsk", "кутск"),
    ("Ulan", "Улан"),
    ("Ude", "Удэ"),
    ("Tom", "Том"),
]
THAI = [
    ("Chiang", "เชียง"),
    ("Mai", "ใหม่"),
    ("Khon", "ขอน"),
    ("Kaen", "แก่น"),
    ("Udon", "อุดร"),
    ("Thani", "ธานี"),
    ("Nakhon", "นคร"),
    ("Phanom", "พนม"),
]
LATIN = [
    "Ber",
    "lin",
    "Lyon",
    "Porto",
    "Ham",
    "burg",
    "Mar",
    "seille",
    "Val",
    "encia",
    "Spring",
    "field",
    "Port",
    "land",
    "Ash",
    "ford",
    "Bris",
    "bane",
    "Da",
    "Nang",
    "Hue",
    "Can",
    "Tho",
    "Ha",
    "Long",
    "Ulaan",
    "Darkhan",
    "Er",
    "denet",
    "Mü",
    "ns",
    "ter",
    "Göt",
    "tingen",
    "Lü",
    "beck",
    "São",
    "José",
]
SCRIPTS = {
    "CN": HAN,
    "TW": HAN,
    "JP": KANA,
    "KR": HANGUL,
    "RU": CYRILLIC,
    "MN": CYRILLIC,
    "TH": THAI,
}
# Countries in the proportions a Korean office's ties have: China and Japan first.
COUNTRIES = (
    ["CN"] * 30
    + ["JP"] * 20
    + ["US"] * 10
    + ["VN"] * 6
    + ["RU"] * 5
    + ["MN"] * 3
    + ["TH"] * 3
    + ["DE"] * 4
    + ["FR"] * 3
    + ["AU"] * 3
    + ["CA"] * 3
    + ["TW"] * 3
    + ["PH"] * 2
    + ["ID"] * 2
    + ["BR"] * 1
    + ["KR"] * 0
)
KINDS_BY_COUNTRY = {"CN": Partner.Kind.DISTRICT, "JP": Partner.Kind.CITY, "US": Partner.Kind.COUNTY}

SURNAMES = {
    "KR": [
        ("Kim", "김"),
        ("Lee", "이"),
        ("Park", "박"),
        ("Choi", "최"),
        ("Jung", "정"),
        ("Noh", "노"),
    ],
    "CN": [
        ("Wang", "王"),
        ("Li", "李"),
        ("Zhang", "张"),
        ("Liu", "刘"),
        ("Chen", "陈"),
        ("Bian", "卞"),
    ],
    "JP": [("Sato", "佐藤"), ("Suzuki", "鈴木"), ("Takahashi", "高橋"), ("Tanaka", "田中")],
    "RU": [("Ivanov", "Иванов"), ("Petrov", "Петров"), ("Smirnov", "Смирнов")],
}
GIVEN = {
    "KR": [("Min-jun", "민준"), ("Seo-yeon", "서연"), ("Hyun-song", "현송"), ("Ji-ho", "지호")],
    "CN": [("Wei", "伟"), ("Fang", "芳"), ("Baiping", "百平"), ("Jing", "静"), ("Lei", "磊")],
    "JP": [("Hiroshi", "博"), ("Yuki", "由紀"), ("Kenji", "健二"), ("Aiko", "愛子")],
    "RU": [("Ivan", "Иван"), ("Olga", "Ольга"), ("Sergei", "Сергей"), ("Anna", "Анна")],
}
LATIN_SURNAMES = ["Smith", "Nguyen", "Müller", "Martin", "Brown", "Tran", "Dubois", "Batbayar"]
LATIN_GIVEN = ["Anne", "John", "Lan", "Hans", "Claire", "Minh", "Peter", "Saraa", "José"]

TITLES = [
    "Mayor",
    "Deputy Mayor",
    "Director of International Relations",
    "Council Chair",
    "Head of Foreign Affairs",
    "Protocol Officer",
    "Councillor",
    "Secretary General",
]
PURPOSES = [
    "Friendship visit",
    "Youth exchange",
    "Trade mission",
    "Cultural festival",
    "Sports exchange",
    "Study tour",
    "Anniversary ceremony",
    "Civil servant training",
    "Medical cooperation",
    "Tourism promotion",
]
PROGRAMME = [
    "Courtesy call on the Mayor",
    "Welcome dinner",
    "Tour of the district office",
    "Visit to a school",
    "Signing ceremony",
    "City tour",
    "Cultural performance",
    "Farewell lunch",
    "Meeting with the council",
    "Visit to a hospital",
]
GIFTS = [
    "Celadon vase",
    "Silk painting",
    "Calligraphy scroll",
    "Commemorative plaque",
    "Tea set",
    "Lacquer box",
    "Book of photographs",
    "Embroidered fan",
]


@dataclass
class Made:
    """What was written, by model, to print at the end."""

    counts: Counter = field(default_factory=Counter)

    def add(self, model: type[Model], objects: list) -> list:
        self.counts[model._meta.verbose_name_plural] += len(objects)
        return objects


def targets(scale: float) -> dict[str, int]:
    return {name: max(1, round(n * scale)) for name, n in PER_SCALE.items()}


class Generator:
    def __init__(self, scale: float, seed: int = 7, progress=None):
        self.n = targets(scale)
        self.rng = random.Random(seed)  # noqa: S311 - invented data, not secrets
        self.today = timezone.localdate()
        self.made = Made()
        self.progress = progress or (lambda text: None)

    # ---- helpers ------------------------------------------------------------------------

    def write(self, model: type[Model], objects: list, *, history: bool = False) -> list:
        """Bulk insert in batches; the audited top-level records get their first history row
        ("Generated data") as an import would give them."""
        created = model.objects.bulk_create(objects, batch_size=BATCH)
        if history:
            model.history.bulk_history_create(
                created, batch_size=BATCH, default_change_reason="Generated data"
            )
        return self.made.add(model, created)

    def date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def partial(self, date: datetime.date) -> tuple[datetime.date, str]:
        """Old records are often known only to the month or the year."""
        roll = self.rng.random()
        old = date.year < 2005
        if roll < (0.12 if old else 0.03):
            precision = Precision.YEAR
        elif roll < (0.40 if old else 0.12):
            precision = Precision.MONTH
        else:
            precision = Precision.DAY
        return truncate(date, precision), precision

    def place_name(self, country: str) -> tuple[str, str]:
        syllables = SCRIPTS.get(country)
        count = self.rng.choice((2, 2, 3))
        if syllables is None:
            parts = self.rng.sample(LATIN, count)
            return "".join(parts).capitalize(), ""
        parts = self.rng.sample(syllables, count)
        return "".join(p[0].lower() for p in parts).capitalize(), "".join(p[1] for p in parts)

    def person_name(self, country: str) -> tuple[str, str]:
        if country in SURNAMES:
            (sur, native_sur), (given, native_given) = (
                self.rng.choice(SURNAMES[country]),
                self.rng.choice(GIVEN[country]),
            )
            if country == "RU":
                return f"{given} {sur}", f"{native_given} {native_sur}"
            return f"{sur} {given}", f"{native_sur}{native_given}"
        return f"{self.rng.choice(LATIN_GIVEN)} {self.rng.choice(LATIN_SURNAMES)}", ""

    # ---- the data set -------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> Counter:
        self.source = Source.objects.create(
            key=SOURCE_KEY,
            title="Generated data set (manage.py generate_data)",
            kind=Source.Kind.SPREADSHEET,
            notes="Made up for load tests; every name and figure is invented.",
        )
        self.sectors = [
            Sector.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
            for name in SECTORS
        ]
        self.home = Partner.objects.home() or Partner.objects.create(
            name="Gangseo District",
            native_name="강서구",
            country="KR",
            is_home=True,
            kind=Partner.Kind.DISTRICT,
            region="Seoul",
        )
        self.partners()
        self.people()
        self.institutions_and_venues()
        self.agreements()
        self.delegations()
        self.gifts()
        return self.made.counts

    def partners(self) -> None:
        taken = set(Partner.objects.values_list("name", "country"))
        partners, aliases = [], []
        while len(partners) < self.n["partners"]:
            country = self.rng.choice(COUNTRIES)
            name, native = self.place_name(country)
            kind = KINDS_BY_COUNTRY.get(country, Partner.Kind.CITY)
            name = f"{name} {kind.label}"
            if (name, country) in taken:
                continue
            taken.add((name, country))
            established, precision = self.partial(
                self.date_between(datetime.date(1985, 1, 1), self.today)
            )
            level = self.rng.choices(list(Partner.Level), weights=(35, 45, 15, 5))[0]
            partner = Partner(
                name=name,
                native_name=native,
                kind=kind,
                country=country,
                region=self.place_name(country)[0] + " Province",
                population=self.rng.randint(20_000, 9_000_000),
                population_year=self.rng.randint(2010, self.today.year),
                level=level,
                level_since=established,
                level_since_precision=precision,
                established_on=established,
                established_on_precision=precision,
                status=self.rng.choices(list(Partner.Status), weights=(80, 12, 3, 5))[0],
                source=self.source,
            )
            partner.refresh_search_text()
            partners.append(partner)
        self.partner_list = self.write(Partner, partners, history=True)
        for partner in self.partner_list:
            # The short name officers type: "Changning" for "Changning District".
            alias = PartnerAlias(
                partner=partner, name=partner.name.rsplit(" ", 1)[0], language="en"
            )
            alias.refresh_search_text()
            aliases.append(alias)
        self.write(PartnerAlias, aliases)
        # A few partners get most of the traffic, as in any office.
        self.weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.partner_list))]
        self.rng.shuffle(self.weights)
        self.progress(f"{len(self.partner_list)} partners")

    def people(self) -> None:
        total = self.n["people"]
        home_share = max(20, total // 10)
        per_partner = max(20, (total - home_share) // len(self.partner_list))
        owners = [self.home] * home_share + [
            p for p in self.partner_list for _ in range(per_partner)
        ]
        self.people_of: dict[int, list[int]] = {}
        for start in range(0, len(owners), BATCH * 5):
            batch, positions = [], []
            for owner in owners[start : start + BATCH * 5]:
                name, native = self.person_name(owner.country)
                person = Person(
                    name=name,
                    native_name=native,
                    partner=owner,
                    source=self.source,
                    email=f"{slugify(name).replace('-', '.')}@example.org",
                )
                person.refresh_search_text()
                batch.append(person)
            for person in self.write(Person, batch, history=True):
                self.people_of.setdefault(person.partner_id, []).append(person.pk)
                begun, precision = self.partial(
                    self.date_between(datetime.date(1995, 1, 1), self.today)
                )
                positions.append(
                    Position(
                        person=person,
                        title=self.rng.choice(TITLES),
                        partner_id=person.partner_id,
                        organisation=f"{person.partner.name} Government" if person.partner else "",
                        start=begun,
                        start_precision=precision,
                        source=self.source,
                    )
                )
            self.write(Position, positions)
        self.progress(f"{sum(map(len, self.people_of.values()))} people")

    def institutions_and_venues(self) -> None:
        kinds = list(Institution.Kind)
        institutions = []
        for i in range(self.n["institutions"]):
            partner = self.rng.choice(
                self.partner_list + [self.home] * (len(self.partner_list) // 10 + 1)
            )
            kind = self.rng.choice(kinds)
            institution = Institution(
                name=f"{self.place_name(partner.country)[0]} {kind.label} No. {i + 1}",
                kind=kind,
                partner=partner,
                source=self.source,
            )
            institution.refresh_search_text()
            institutions.append(institution)
        institutions = self.write(Institution, institutions, history=True)
        by_partner = {}
        for institution in institutions:
            by_partner.setdefault(institution.partner_id, []).append(institution)
        links = []
        for institution in institutions:
            if institution.partner_id == self.home.pk:
                continue
            if self.rng.random() < 0.3 and by_partner.get(self.home.pk):
                begun, precision = self.partial(
                    self.date_between(datetime.date(1995, 1, 1), self.today)
                )
                links.append(
                    InstitutionLink(
                        institution=self.rng.choice(by_partner[self.home.pk]),
                        counterpart=institution,
                        kind=self.rng.choice(list(InstitutionLink.Kind)),
                        established_on=begun,
                        established_on_precision=precision,
                        source=self.source,
                    )
                )
        self.write(InstitutionLink, links)

        venues = []
        for i in range(self.n["venues"]):
            partner = self.rng.choice(
                self.partner_list + [self.home] * (len(self.partner_list) // 4 + 1)
            )
            kind = self.rng.choice(list(Venue.Kind))
            venues.append(
                Venue(
                    name=f"{self.place_name(partner.country)[0]} {kind.label} {i + 1}",
                    kind=kind,
                    partner=partner,
                )
            )
        venues = self.write(Venue, venues, history=True)
        self.venues_of: dict[int, list[Venue]] = {}
        for venue in venues:
            self.venues_of.setdefault(venue.partner_id, []).append(venue)
        self.hotels_of = {
            pk: [v for v in vs if v.kind == Venue.Kind.HOTEL] or vs
            for pk, vs in self.venues_of.items()
        }

    def agreements(self) -> None:
        kinds = list(Agreement.Kind)
        taken, agreements = set(), []
        partners = self.rng.choices(self.partner_list, self.weights, k=self.n["agreements"])
        for partner in partners:
            kind = self.rng.choice(kinds)
            sector = self.rng.choice(self.sectors)
            title = f"{kind.label} on {sector.name.lower()} with {partner.name}"
            signed, precision = self.partial(
                self.date_between(datetime.date(1990, 1, 1), self.today)
            )
            while (partner.pk, title, signed) in taken:
                signed += datetime.timedelta(days=1)
            taken.add((partner.pk, title, signed))
            valid_until = (
                signed.replace(year=signed.year + 5)
                if self.rng.random() < 0.5 and signed.month != 2
                else None
            )
            status = (
                Agreement.Status.IN_FORCE
                if valid_until and valid_until > self.today
                else (self.rng.choices(list(Agreement.Status), weights=(3, 40, 20, 20, 7, 10))[0])
            )
            agreement = Agreement(
                partner=partner,
                title=title,
                kind=kind,
                status=status,
                signed_on=signed,
                signed_on_precision=precision,
                home_party=self.home.name,
                partner_party=partner.name,
                valid_from=signed if valid_until else None,
                valid_until=valid_until,
                renews_automatically=bool(valid_until) and self.rng.random() < 0.3,
                source=self.source,
            )
            agreement.refresh_search_text()
            agreements.append(agreement)
        self.agreement_list = self.write(Agreement, agreements, history=True)
        self.write(
            Agreement.sectors.through,
            [
                Agreement.sectors.through(agreement_id=a.pk, sector_id=s.pk)
                for a in self.agreement_list
                for s in self.rng.sample(self.sectors, self.rng.randint(1, 2))
            ],
        )
        signatories, approvals = [], []
        home_people = self.people_of[self.home.pk]
        for agreement in self.agreement_list:
            theirs = self.people_of.get(agreement.partner_id)
            signatories.append(
                AgreementSignatory(
                    agreement=agreement,
                    person_id=self.rng.choice(home_people),
                    side=AgreementSignatory.Side.HOME,
                    title="Mayor",
                    order=1,
                )
            )
            if theirs:
                signatories.append(
                    AgreementSignatory(
                        agreement=agreement,
                        person_id=self.rng.choice(theirs),
                        side=AgreementSignatory.Side.PARTNER,
                        title="Mayor",
                        order=2,
                    )
                )
            if self.rng.random() < 0.3:
                approvals.append(
                    Approval(
                        agreement=agreement,
                        body="Ministry of the Interior and Safety",
                        approved_on=agreement.signed_on,
                        approved_on_precision=agreement.signed_on_precision,
                    )
                )
        self.write(AgreementSignatory, signatories)
        self.write(Approval, approvals)
        self.progress(f"{len(self.agreement_list)} agreements")

    def delegations(self) -> None:
        """Delegations in batches, each batch with its members, programme and logistics, so
        that no more than a batch's worth of objects is ever held."""
        total = self.n["delegations"]
        members_each = self.n["members"] / total
        items_each = self.n["programme items"] / total
        partners = self.rng.choices(self.partner_list, self.weights, k=total)
        taken = set()
        self.delegation_list: list[
            tuple[int, int, datetime.date, str]
        ] = []  # pk, partner, start, precision
        first, last = datetime.date(1990, 1, 1), self.today + datetime.timedelta(days=400)
        agreements = iter(self.rng.sample(self.agreement_list, len(self.agreement_list) // 10))
        for start_at in range(0, total, BATCH):
            batch = []
            for partner in partners[start_at : start_at + BATCH]:
                # Recent years are busier than the 1990s.
                start = first + datetime.timedelta(
                    days=int((last - first).days * self.rng.random() ** 0.6)
                )
                direction = self.rng.choice(list(Delegation.Direction))
                purpose = self.rng.choice(PURPOSES)
                title = (
                    f"{purpose}: {partner.name}"
                    if direction == "inbound"
                    else f"{purpose} to {partner.name}"
                )
                start, precision = (
                    self.partial(start) if start < self.today else (start, Precision.DAY)
                )
                while (partner.pk, direction, start, title) in taken:
                    start += datetime.timedelta(days=1)
                taken.add((partner.pk, direction, start, title))
                end = (
                    start + datetime.timedelta(days=self.rng.randint(1, 6))
                    if precision == Precision.DAY
                    else None
                )
                if end and end < self.today - datetime.timedelta(days=3):
                    status = self.rng.choices(("completed", "cancelled"), weights=(93, 7))[0]
                elif start <= self.today:
                    status = "under_way" if end and end >= self.today else "completed"
                else:
                    status = self.rng.choices(
                        ("planned", "confirmed", "cancelled"), weights=(60, 35, 5)
                    )[0]
                if end is None and start < self.today:
                    status = "completed"
                batch.append(
                    Delegation(
                        title=title,
                        direction=direction,
                        partner=partner,
                        start=start,
                        start_precision=precision,
                        end=end,
                        end_precision=Precision.DAY,
                        status=status,
                        purpose=f"{purpose} between {self.home.name} and {partner.name}.",
                        declared_size=self.rng.randint(3, 25),
                        host=self.home.name if direction == "inbound" else partner.name,
                        budget=Decimal(self.rng.randrange(1_000_000, 80_000_000, 10_000)),
                        source=self.source,
                    )
                )
            batch = self.write(Delegation, batch, history=True)
            self.write(
                Delegation.sectors.through,
                [
                    Delegation.sectors.through(
                        delegation_id=d.pk, sector_id=self.rng.choice(self.sectors).pk
                    )
                    for d in batch
                ],
            )
            self.details(batch, members_each, items_each, agreements)
            self.delegation_list += [
                (d.pk, d.partner_id, d.start, d.start_precision) for d in batch
            ]
            self.progress(f"{len(self.delegation_list)} delegations")

    def details(
        self, batch: list[Delegation], members_each: float, items_each: float, agreements
    ) -> None:
        members, items, stays, transports, interpreters, signings = [], [], [], [], [], []
        home_people = self.people_of[self.home.pk]
        roles = [Member.Role.MEMBER] * 6 + [
            Member.Role.STAFF,
            Member.Role.INTERPRETER,
            Member.Role.PRESS,
        ]
        for delegation in batch:
            pool = (
                self.people_of.get(delegation.partner_id, [])
                if delegation.direction == "inbound"
                else home_people
            )
            count = min(len(pool), max(1, round(self.rng.uniform(0.2, 1.8) * members_each)))
            chosen = self.rng.sample(pool, count)
            for i, person_id in enumerate(chosen):
                members.append(
                    Member(
                        delegation=delegation,
                        person_id=person_id,
                        role=Member.Role.LEADER if i == 0 else self.rng.choice(roles),
                        title=self.rng.choice(TITLES),
                    )
                )
            days = ((delegation.end or delegation.start) - delegation.start).days + 1
            venues = self.venues_of.get(
                delegation.partner_id if delegation.direction == "outbound" else self.home.pk, []
            )
            for i in range(max(1, round(self.rng.uniform(0.3, 1.7) * items_each))):
                known = delegation.start_precision == Precision.DAY
                items.append(
                    ProgrammeItem(
                        delegation=delegation,
                        date=delegation.start + datetime.timedelta(days=i % days)
                        if known
                        else None,
                        start_time=datetime.time(8 + i % 12, 0) if known else None,
                        title=f"{self.rng.choice(PROGRAMME)} ({i + 1})",
                        kind=self.rng.choice(list(ProgrammeItem.Kind)),
                        venue=self.rng.choice(venues)
                        if venues and self.rng.random() < 0.6
                        else None,
                    )
                )
            if delegation.end and delegation.direction == "inbound" and self.rng.random() < 0.5:
                hotels = self.hotels_of.get(self.home.pk)
                if hotels and delegation.end > delegation.start:
                    stays.append(
                        Accommodation(
                            delegation=delegation,
                            hotel=self.rng.choice(hotels),
                            check_in=delegation.start,
                            check_out=delegation.end,
                            rooms=self.rng.randint(1, 12),
                        )
                    )
            if delegation.end and self.rng.random() < 0.5:
                departs = timezone.make_aware(
                    datetime.datetime.combine(delegation.start, datetime.time(9))
                )
                transports.append(
                    Transport(
                        delegation=delegation,
                        kind=self.rng.choice(list(Transport.Kind)),
                        departs_at=departs,
                        arrives_at=departs + datetime.timedelta(hours=3),
                        origin="Gimpo Airport",
                        destination=delegation.partner.name,
                    )
                )
            if delegation.end and self.rng.random() < 0.2:
                begins = timezone.make_aware(
                    datetime.datetime.combine(delegation.start, datetime.time(9))
                )
                interpreters.append(
                    InterpreterAssignment(
                        delegation=delegation,
                        interpreter_id=self.rng.choice(home_people),
                        starts_at=begins,
                        ends_at=begins + datetime.timedelta(hours=8),
                    )
                )
            if delegation.status == "completed" and self.rng.random() < 0.05:
                agreement = next(agreements, None)
                if agreement is not None:
                    signings.append(AgreementSigning(delegation=delegation, agreement=agreement))
        self.write(Member, members)
        self.write(ProgrammeItem, items)
        self.write(Accommodation, stays)
        self.write(Transport, transports)
        self.write(InterpreterAssignment, interpreters)
        self.write(AgreementSigning, signings)

    def gifts(self) -> None:
        gifts, taken = [], set()
        for delegation_id, partner_id, start, precision in self.rng.sample(
            self.delegation_list, min(self.n["gifts"], len(self.delegation_list))
        ):
            description = self.rng.choice(GIFTS)
            given = "given" if self.rng.random() < 0.5 else "received"
            if (partner_id, given, description, start) in taken:
                continue
            taken.add((partner_id, given, description, start))
            value = Decimal(self.rng.choice((30_000, 80_000, 150_000, 500_000, 1_200_000)))
            gifts.append(
                Gift(
                    direction=given,
                    partner_id=partner_id,
                    delegation_id=delegation_id,
                    description=description,
                    giver=self.home.name if given == "given" else "Mayor",
                    recipient="Mayor" if given == "given" else self.home.name,
                    given_on=start,
                    given_on_precision=precision,
                    value=value,
                    value_krw=value,
                    registration_reference=""
                    if self.rng.random() < 0.3
                    else f"REG-{delegation_id}",
                    source=self.source,
                )
            )
        self.write(Gift, gifts, history=True)
        self.progress(f"{len(gifts)} gifts")
