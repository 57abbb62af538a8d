"""The facts of the two seed documents, as `manage.py load_demo` loads them.

Every record cites its seed and where in it the fact stands. Loading twice changes
nothing: each record is found by its natural key and brought up to date.
"""

import datetime
from decimal import Decimal

from django.db import models, transaction

from relations.dates import Precision
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
    AgreementSigning,
    Delegation,
    Gift,
    Member,
    ProgrammeItem,
    Venue,
)

DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR
COMPLETED = Delegation.Status.COMPLETED
INBOUND, OUTBOUND = Delegation.Direction.INBOUND, Delegation.Direction.OUTBOUND

SECTORS = [
    # (English, Korean, Chinese)
    ("Administration", "행정", "行政"),
    ("Economy", "경제", "经济"),
    ("Education", "교육", "教育"),
    ("Culture and arts", "문화예술", "文化艺术"),
    ("Tourism", "관광", "旅游"),
    ("Health", "보건의료", "卫生健康"),
    ("Sports", "체육", "体育"),
    ("Community", "지역사회", "社区"),
    ("Social welfare", "사회복지", "社会福利"),
    ("Environment", "환경", "环境"),
    ("Youth", "청소년", "青少年"),
]

MIRYANG_YEAR_NOTE = (
    "The article gives 'August 22' without a year. Ahn Byunggu has been Mayor of Miryang "
    "since the by-election of April 2024, and the page was captured with links of February "
    "2026, so the latest 22 August in between, 2025, is assumed. Check and correct."
)
NATIVE_NAME_NOTE = (
    "Native-script name added by the office; the source gives only the romanised one."
)


def upsert(model: type[models.Model], lookup: dict, **fields) -> models.Model:
    """Find a record by its natural key, set its fields, validate it and save it."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    if obj.pk is not None and all(getattr(obj, name) == value for name, value in fields.items()):
        return obj  # unchanged: nothing to write, nothing for the audit trail
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def d(year: int, month: int = 1, day: int = 1) -> datetime.date:
    return datetime.date(year, month, day)


class DemoLoader:
    def __init__(self):
        self.sectors: dict[str, Sector] = {}

    def sectors_named(self, *names: str) -> list[Sector]:
        return [self.sectors[name] for name in names]

    def load(self) -> None:
        for name, name_ko, name_zh in SECTORS:
            self.sectors[name] = upsert(
                Sector,
                {"slug": name.lower().replace(" ", "-")},
                name=name,
                name_ko=name_ko,
                name_zh=name_zh,
            )
        self.load_changning_page()
        self.load_miryang_article()

    # ---- seeds/000_a4bba1dd869ef14b.txt: Changning District's page about Gangseo ----------

    def load_changning_page(self) -> None:
        src = upsert(
            Source,
            {"key": "000_a4bba1dd869ef14b"},
            title="Friendly Contacts with Foreign Countries – Gangseo District, Korea",
            kind=Source.Kind.WEB_PAGE,
            publisher="Changning District, Shanghai (About Changning > Sister Cities)",
            notes="Seed document seeds/000_a4bba1dd869ef14b.txt. Written by the partner, so "
            "'visited Changning' means Gangseo went out.",
        )
        cite = {"source": src}

        gangseo = upsert(
            Partner,
            {"name": "Gangseo District", "country": "KR"},
            native_name="강서구",
            kind=Partner.Kind.DISTRICT,
            region="Seoul",
            is_home=True,
            level="",
            population=580_000,
            area_km2=Decimal("41.4"),
            profile=(
                "One of Seoul's 25 autonomous districts: 6.8% of Seoul's area (second among "
                "the 25) and the third largest population. Administration: the Mayor, a "
                "Vice Mayor, 5 agencies, 1 health institution (Health and Hygiene Center), "
                "1 supervision department, 29 departments of the District Parliament "
                "Business Agency, 20 dongs (communities) and 1 utility management "
                "corporation.\n\n"
                "Gimpo Airport lies within the district: Korea's domestic airline hub, with "
                "flights to Shanghai Hongqiao, Tokyo Haneda, Osaka and Nagoya. Subway lines "
                "5, 2 and 9 serve it.\n\n"
                "Named a 'Lifetime Learning City' by the Ministry of Education, Science and "
                "Technology in July 2007 (Lifetime Learning Festival, eduvita.gangseo.seoul."
                "kr). Birthplace of Heo Jun, author of Dongui Bogam: Heo Jun Festival and "
                "Heo Jun Museum."
            ),
            source_locator="Gangseo District, Seoul, Korea (profile), ¶1–4",
            provenance_note=(
                "The source gives the area as '41.4 square meters': an error for square "
                "kilometres (6.8% of Seoul's 605 km²), stored as 41.4 km². It also places "
                "the district in the 'southeast' of Seoul; it lies in the west."
            ),
            **cite,
        )
        for alias, language in [("Gangseo-gu", "en"), ("江西区", "zh-Hans")]:
            upsert(PartnerAlias, {"partner": gangseo, "name": alias}, language=language)

        changning = upsert(
            Partner,
            {"name": "Changning District", "country": "CN"},
            native_name="长宁区",
            kind=Partner.Kind.DISTRICT,
            region="Shanghai",
            profile="A district of Shanghai; author of the seed page on its ties with Gangseo.",
            level=Partner.Level.FRIENDSHIP,
            level_since=d(2013, 8, 27),
            level_since_precision=DAY,
            status=Partner.Status.ACTIVE,
            established_on=d(2007, 8, 29),
            established_on_precision=DAY,
            source_locator="Relationship Establishment",
            **cite,
        )
        for alias, language in [
            ("Changning", "en"),
            ("Shanghai Changning District", "en"),
            ("長寧區", "zh-Hant"),
            ("창닝구", "ko"),
        ]:
            upsert(PartnerAlias, {"partner": changning, "name": alias}, language=language)

        # People, with the titles the page gives "at that time".
        kim = self.person(
            "Kim Jae-Hyeon",
            "김재현",
            gangseo,
            "Mayor",
            "Gangseo District",
            d(2008, 8, 23),
            "Communication Status ¶2",
            src,
        )
        ro = self.person(
            "Ro Hyun-Song",
            "노현송",
            gangseo,
            "Department Chief",
            "Gangseo District",
            d(2010, 8, 29),
            "Communication Status ¶6",
            src,
        )
        self.position(
            ro, "Mayor", "Gangseo District", d(2013, 8, 27), "Relationship Establishment ¶3", src
        )
        park_sg = self.person(
            "Park Sang Goo",
            "",
            gangseo,
            "President of the District Parliament",
            "Gangseo District Council",
            d(2013, 8, 27),
            "Relationship Establishment ¶3",
            src,
        )
        quan = self.person(
            "Quan Yongcan",
            "",
            None,
            "President",
            "China-Republic of Korea Friendship Association",
            d(2013, 8, 27),
            "Relationship Establishment ¶3",
            src,
        )
        park_yj = self.person(
            "Park Yeonji",
            "",
            gangseo,
            "President",
            "Evergreen Welfare Hall",
            d(2009, 2, 11),
            "Communication Status ¶4",
            src,
        )
        bian = self.person(
            "Bian Baiping",
            "卞百平",
            changning,
            "Party Secretary",
            "Changning District",
            d(2009, 9, 20),
            "Communication Status ¶5",
            src,
        )

        # Institutions on both sides.
        def inst(name, partner, kind, locator):
            return upsert(
                Institution,
                {"name": name, "partner": partner},
                kind=kind,
                source_locator=locator,
                **cite,
            )

        K = Institution.Kind
        vocational = inst(
            "Changning Contemporary Vocational School",
            changning,
            K.SCHOOL,
            "Communication Status ¶3",
        )
        xianxia = inst(
            "Changning Xianxia High School", changning, K.SCHOOL, "Communication Status ¶3, ¶5"
        )
        maternity = inst(
            "Shanghai Changning Maternity & Infant Health Hospital",
            changning,
            K.HOSPITAL,
            "Communication Status ¶5",
        )
        rehab = inst(
            "Disability Employment Service and Rehab Center",
            changning,
            K.WELFARE,
            "Communication Status ¶4",
        )
        sea_shell = inst(
            "Sea Shell Kindergarten", changning, K.KINDERGARTEN, "Communication Status ¶7"
        )
        new_exp = inst(
            "New Experimental Kindergarten", changning, K.KINDERGARTEN, "Communication Status ¶7"
        )
        youth_centre = inst(
            "Xinhua Sub-district Youth Activity Center",
            changning,
            K.WELFARE,
            "Communication Status ¶6",
        )
        people_congress = inst(
            "Standing Committee of the People's Congress of Changning District",
            changning,
            K.GOVERNMENT,
            "Communication Status ¶6",
        )
        mizmedi = inst("MizMedi Women's Hospital", gangseo, K.HOSPITAL, "Communication Status ¶5")
        semin = inst(
            "Semin Information Technology High School", gangseo, K.SCHOOL, "Communication Status ¶5"
        )
        girls_high = inst(
            "Gangseo Girls' High School", gangseo, K.SCHOOL, "Communication Status ¶5"
        )
        inst("Evergreen Welfare Hall", gangseo, K.WELFARE, "Communication Status ¶4")
        inst("Gangseo District Council", gangseo, K.GOVERNMENT, "Relationship Establishment ¶3")

        # Agreements that set the relationship, with the approvals the page mentions.
        loi = upsert(
            Agreement,
            {
                "partner": changning,
                "title": "Letter of Intent on Friendly Communication and Cooperation",
            },
            kind=Agreement.Kind.LETTER_OF_INTENT,
            status=Agreement.Status.SIGNED,
            signed_on=d(2007, 8, 29),
            signed_on_precision=DAY,
            home_party="Government of Gangseo District, Seoul",
            partner_party="People's Government of Changning District",
            sets_level=Partner.Level.FRIENDLY_EXCHANGE,
            summary="Concluded after friendly negotiation, after the advance team of July 2007.",
            source_locator="Relationship Establishment ¶1",
            **cite,
        )
        loi.sectors.set(self.sectors_named("Administration"))
        friendship = upsert(
            Agreement,
            {
                "partner": changning,
                "title": "Agreement of Friendly District Relationships between Changning "
                "District, Shanghai, the People's Republic of China and Gangseo District, "
                "Seoul, Republic of Korea",
            },
            kind=Agreement.Kind.FRIENDSHIP,
            status=Agreement.Status.IN_FORCE,
            signed_on=d(2013, 8, 27),
            signed_on_precision=DAY,
            signed_place="Changning District, Shanghai",
            home_party="Gangseo District, Seoul, Republic of Korea",
            partner_party="Government of Changning District",
            sets_level=Partner.Level.FRIENDSHIP,
            summary="Formally establishes the friendly district relationship.",
            source_locator="Relationship Establishment ¶2–3",
            **cite,
        )
        friendship.sectors.set(
            self.sectors_named(
                "Administration",
                "Education",
                "Culture and arts",
                "Health",
                "Sports",
                "Community",
                "Social welfare",
            )
        )
        for body in [
            "Shanghai Municipal Government",
            "Chinese People's Association for Friendship with Foreign Countries",
        ]:
            upsert(
                Approval,
                {"agreement": friendship, "body": body},
                note="Permission to establish friendly district relationships; the source "
                "gives no date, only that it came before the agreement of 27 Aug 2013.",
                source_locator="Relationship Establishment ¶2",
                **cite,
            )

        # Visits, each from Gangseo's point of view.
        def visit(title, direction, start, start_precision=DAY, end=None, **fields):
            sectors = fields.pop("sectors", ())
            delegation = upsert(
                Delegation,
                {"partner": changning, "direction": direction, "start": start, "title": title},
                start_precision=start_precision,
                end=end,
                end_precision=DAY,
                status=COMPLETED,
                **cite,
                **fields,
            )
            delegation.sectors.set(self.sectors_named(*sectors))
            return delegation

        visit(
            "Advance team to Changning District",
            OUTBOUND,
            d(2007, 7, 15),
            purpose="Investigation and negotiation on launching friendly communication.",
            outcome="Led to the Letter of Intent of 29 Aug 2007.",
            sectors=["Administration"],
            source_locator="Relationship Establishment ¶1",
        )
        official_2013 = visit(
            "Official delegation for the friendly-district agreement",
            OUTBOUND,
            d(2013, 8, 27),
            end=d(2013, 8, 29),
            leader=ro,
            leader_title="Mayor of Gangseo District",
            declared_size=21,
            purpose="Formally establish friendly district relationships.",
            outcome="Agreement of Friendly District Relationships signed on 27 Aug 2013.",
            sectors=["Administration"],
            source_locator="Relationship Establishment ¶3",
        )
        for person, role, title, organisation in [
            (ro, Member.Role.LEADER, "Mayor", "Gangseo District"),
            (
                park_sg,
                Member.Role.CO_LEADER,
                "President of the District Parliament",
                "Gangseo District Council",
            ),
            (
                quan,
                Member.Role.CO_LEADER,
                "President",
                "China-Republic of Korea Friendship Association",
            ),
        ]:
            upsert(
                Member,
                {"delegation": official_2013, "person": person},
                role=role,
                title=title,
                organisation=organisation,
            )
        self.programme(
            official_2013,
            "Signing of the Agreement of Friendly District Relationships",
            ProgrammeItem.Kind.SIGNING,
            date=d(2013, 8, 27),
            source_locator="Relationship Establishment ¶3",
            source=src,
        )
        upsert(AgreementSigning, {"agreement": friendship}, delegation=official_2013)

        visit(
            "Mayor's visit to schools and hospitals",
            OUTBOUND,
            d(2008, 8, 23),
            leader=kim,
            leader_title="Mayor of Gangseo District",
            purpose="Visit schools and hospitals in Changning District.",
            sectors=["Education", "Health"],
            source_locator="Communication Status ¶2",
        )
        students = visit(
            "Student football teams at the 'All People of One Mind' celebration",
            INBOUND,
            d(2008, 10, 9),
            declared_size=20,
            invited_by="Government of Gangseo District, Seoul",
            purpose="Take part in Gangseo's celebration 'All People of One Mind' and two "
            "friendly soccer matches against Korean students.",
            notes="20 students from the football teams of Changning Contemporary Vocational "
            "School and Xianxia High School.",
            sectors=["Sports", "Youth", "Education"],
            source_locator="Communication Status ¶3",
        )
        self.programme(
            students,
            "'All People of One Mind' celebration",
            ProgrammeItem.Kind.CULTURAL,
            source_locator="Communication Status ¶3",
            source=src,
        )
        for n in (1, 2):
            self.programme(
                students,
                f"Friendly soccer match {n} of 2",
                ProgrammeItem.Kind.SPORTS,
                source_locator="Communication Status ¶3",
                source=src,
            )
        welfare = visit(
            "Welfare delegation to the Disability Employment Service and Rehab Center",
            OUTBOUND,
            d(2009, 2, 11),
            declared_size=46,
            leader=park_yj,
            leader_title="President of Evergreen Welfare Hall",
            purpose="Exchange views on welfare for vulnerable groups with peers.",
            sectors=["Social welfare"],
            source_locator="Communication Status ¶4",
        )
        self.programme(
            welfare,
            "Visit to the Disability Employment Service and Rehab Center",
            ProgrammeItem.Kind.SITE_VISIT,
            date=d(2009, 2, 11),
            venue=self.venue(rehab.name, changning, Venue.Kind.SITE, rehab),
            source_locator="Communication Status ¶4",
            source=src,
        )
        bian_visit = visit(
            "Party Secretary Bian Baiping's delegation",
            INBOUND,
            d(2009, 9, 20),
            end=d(2009, 9, 23),
            leader=bian,
            leader_title="Party Secretary of Changning District",
            invited_by="Kim Jae-Hyeon, Mayor of Gangseo District at that time",
            purpose="Friendly exchange and cooperation between hospitals and schools.",
            outcome="Three institution-to-institution agreements signed. The two women's "
            "hospitals went on to exchange information on incurable diseases and medical "
            "staff for training; the schools began regular educational exchanges.",
            sectors=["Health", "Education"],
            source_locator="Communication Status ¶5",
        )
        upsert(
            Member,
            {"delegation": bian_visit, "person": bian},
            role=Member.Role.LEADER,
            title="Party Secretary",
            organisation="Changning District",
        )
        for home_side, partner_side, sector, description in [
            (
                mizmedi,
                maternity,
                "Health",
                "Information exchange on incurable diseases; medical staff exchanged for training.",
            ),
            (semin, vocational, "Education", "Regular educational exchanges between the schools."),
            (
                girls_high,
                xianxia,
                "Education",
                "Regular educational exchanges between the schools.",
            ),
        ]:
            agreement = upsert(
                Agreement,
                {
                    "partner": changning,
                    "title": "Friendly exchange and cooperation agreement: "
                    f"{home_side.name} – {partner_side.name}",
                },
                kind=Agreement.Kind.INSTITUTIONAL,
                status=Agreement.Status.SIGNED,
                signed_on=d(2009, 9, 1),
                signed_on_precision=MONTH,
                home_party=home_side.name,
                partner_party=partner_side.name,
                summary=description,
                provenance_note="Signed during the visit of 20–23 Sep 2009; the day is not given.",
                source_locator="Communication Status ¶5",
                **cite,
            )
            agreement.sectors.set(self.sectors_named(sector))
            upsert(AgreementSigning, {"agreement": agreement}, delegation=bian_visit)
            upsert(
                InstitutionLink,
                {"institution": home_side, "counterpart": partner_side},
                kind=InstitutionLink.Kind.AGREEMENT,
                established_on=d(2009, 9, 1),
                established_on_precision=MONTH,
                agreement=agreement,
                description=description,
                source_locator="Communication Status ¶5",
                **cite,
            )

        for year in range(2010, 2014):
            visit(
                f"Annual sports delegation {year}",
                OUTBOUND,
                d(year),
                YEAR,
                purpose="Sports communication.",
                sectors=["Sports"],
                source_locator="Communication Status ¶6 (first sentence)",
                date_inferred=year > 2010,
                provenance_note="The page says only: annual since 2010, 4 consecutive sessions; "
                "the sessions are taken to be 2010–2013.",
            )
        exchange_2010 = visit(
            "Four-day exchange visit",
            OUTBOUND,
            d(2010, 8, 29),
            end=d(2010, 9, 1),
            leader=ro,
            leader_title="Department Chief of Gangseo District",
            purpose="Exchange visit.",
            sectors=["Culture and arts", "Community", "Youth"],
            source_locator="Communication Status ¶6",
            provenance_note="The end date follows from 'a four-day exchange visit'.",
        )
        for place, kind, institution in [
            ("Soong Ching Ling Mausoleum", Venue.Kind.SITE, None),
            ("Shibo Renjia Community", Venue.Kind.SITE, None),
            (youth_centre.name, Venue.Kind.SITE, youth_centre),
        ]:
            self.programme(
                exchange_2010,
                f"Visit to {place}",
                ProgrammeItem.Kind.SITE_VISIT,
                venue=self.venue(place, changning, kind, institution),
                source_locator="Communication Status ¶6",
                source=src,
            )
        visit(
            "Gangseo parliamentary delegation",
            OUTBOUND,
            d(2010, 10, 29),
            host=people_congress.name,
            purpose="Exchange ideas on administrative and financial matters of parliaments.",
            sectors=["Administration"],
            source_locator="Communication Status ¶6",
            provenance_note="The page says 'On October 29' in its paragraph on 2010.",
        )
        visit(
            "Public delegation of six citizens",
            INBOUND,
            d(2010, 12, 12),
            declared_size=6,
            invited_by="Government of Gangseo District",
            purpose="Friendly visit: exchange experience on environmental quality and "
            "security measures at the community level.",
            sectors=["Environment", "Community"],
            source_locator="Communication Status ¶6",
            provenance_note="The page says 'On December 12' in its paragraph on 2010.",
        )
        teachers = visit(
            "Kindergarten teachers' delegation",
            OUTBOUND,
            d(2011, 9, 21),
            end=d(2011, 9, 22),
            declared_size=28,
            purpose="Exchange ideas with early-childhood educators and explore new "
            "developments in education on both sides.",
            sectors=["Education"],
            source_locator="Communication Status ¶7",
        )
        for kindergarten in (sea_shell, new_exp):
            self.programme(
                teachers,
                f"Visit to {kindergarten.name}",
                ProgrammeItem.Kind.SITE_VISIT,
                venue=self.venue(kindergarten.name, changning, Venue.Kind.SCHOOL, kindergarten),
                source_locator="Communication Status ¶7",
                source=src,
            )

    # ---- seeds/004_1386d32d026b67f5.txt: the Miryang agreement ---------------------------

    def load_miryang_article(self) -> None:
        src = upsert(
            Source,
            {"key": "004_1386d32d026b67f5"},
            title="Gangseo and Miryang sign friendship exchange agreement: comprehensive "
            "cooperation across economy, culture, tourism and administration",
            kind=Source.Kind.NEWS_ARTICLE,
            publisher="The Asia Business Daily (www.asiae.co.kr)",
            notes="Seed document seeds/004_1386d32d026b67f5.txt. The article gives no year.",
        )
        inferred = {
            "source": src,
            "date_inferred": True,
            "provenance_note": MIRYANG_YEAR_NOTE,
        }
        signing_day = d(2025, 8, 22)
        gangseo = Partner.objects.get(name="Gangseo District", country="KR")
        miryang = upsert(
            Partner,
            {"name": "Miryang City", "country": "KR"},
            native_name="밀양시",
            kind=Partner.Kind.CITY,
            region="Gyeongsangnam-do",
            profile=(
                "Advanced industrial infrastructure such as the Nano Convergence National "
                "Industrial Complex and the Smart Farm Innovation Valley; pristine natural "
                "environments and abundant cultural resources; strong in agriculture."
            ),
            level=Partner.Level.FRIENDLY_EXCHANGE,
            level_since=signing_day,
            level_since_precision=DAY,
            status=Partner.Status.ACTIVE,
            established_on=signing_day,
            established_on_precision=DAY,
            source_locator="¶1, ¶4",
            **inferred,
        )
        for alias, language in [("Miryang", "en"), ("密阳市", "zh-Hans")]:
            upsert(PartnerAlias, {"partner": miryang, "name": alias}, language=language)

        jin = self.person(
            "Jin Kyohun", "진교훈", gangseo, "Mayor", "Gangseo District", signing_day, "¶1", src
        )
        ahn = self.person(
            "Ahn Byunggu", "안병구", miryang, "Mayor", "Miryang City", signing_day, "¶1", src
        )

        agreement = upsert(
            Agreement,
            {
                "partner": miryang,
                "title": "Friendship exchange agreement between Gangseo District and Miryang City",
            },
            kind=Agreement.Kind.FRIENDSHIP,
            status=Agreement.Status.IN_FORCE,
            signed_on=signing_day,
            signed_on_precision=DAY,
            signed_time=datetime.time(17, 0),
            signed_place="Miryang City Hall",
            home_party="Gangseo District, Seoul",
            partner_party="Miryang City, Gyeongsangnam-do",
            sets_level=Partner.Level.FRIENDLY_EXCHANGE,
            summary="Identify and promote sustainable exchange projects in the economy, "
            "culture and arts, tourism and administration; share regional resources to "
            "improve residents' quality of life.",
            source_locator="¶1–2",
            **inferred,
        )
        agreement.sectors.set(
            self.sectors_named("Economy", "Culture and arts", "Tourism", "Administration")
        )
        for order, (person, side, title) in enumerate(
            [
                (jin, AgreementSignatory.Side.HOME, "Mayor of Gangseo District"),
                (ahn, AgreementSignatory.Side.PARTNER, "Mayor of Miryang City"),
            ]
        ):
            upsert(
                AgreementSignatory,
                {"agreement": agreement, "person": person},
                side=side,
                title=title,
                order=order,
            )

        visit = upsert(
            Delegation,
            {
                "partner": miryang,
                "direction": OUTBOUND,
                "start": signing_day,
                "title": "Signing of the friendship exchange agreement in Miryang",
            },
            start_precision=DAY,
            status=COMPLETED,
            leader=jin,
            leader_title="Mayor of Gangseo District",
            host="Miryang City",
            purpose="Sign the friendship exchange agreement with Miryang City.",
            outcome="Agreement signed; gifts exchanged.",
            source_locator="¶1–3, ¶5",
            **inferred,
        )
        visit.sectors.set(agreement.sectors.all())
        upsert(
            Member,
            {"delegation": visit, "person": jin},
            role=Member.Role.LEADER,
            title="Mayor",
            organisation="Gangseo District",
        )
        upsert(AgreementSigning, {"agreement": agreement}, delegation=visit)
        self.programme(
            visit,
            "Signing ceremony of the friendship exchange agreement",
            ProgrammeItem.Kind.SIGNING,
            date=signing_day,
            start_time=datetime.time(17, 0),
            venue=self.venue("Miryang City Hall", miryang, Venue.Kind.HALL),
            source_locator="¶2",
            **inferred,
        )
        for direction, description, details, giver, recipient, disposition in [
            (
                Gift.Direction.GIVEN,
                'Painting "Pigumjeongdo" by Jeong Seon',
                "A painting by Jeong Seon, a renowned artist of the Joseon Dynasty.",
                "Gangseo District",
                "Miryang City",
                Gift.Disposition.HANDED_OVER,
            ),
            (
                Gift.Direction.RECEIVED,
                "Straw craftwork of a traditional thatched house",
                "A straw craftwork that intricately recreates a traditional thatched house.",
                "Miryang City",
                "Gangseo District",
                "",
            ),
        ]:
            upsert(
                Gift,
                {"partner": miryang, "direction": direction, "description": description},
                delegation=visit,
                details=details,
                giver=giver,
                recipient=recipient,
                given_on=signing_day,
                given_on_precision=DAY,
                disposition=disposition,
                source_locator="¶5",
                **inferred,
            )

    # ---- helpers -----------------------------------------------------------------------

    def person(self, name, native_name, partner, title, organisation, attested_on, locator, source):
        person = upsert(
            Person,
            {"name": name},
            native_name=native_name,
            partner=partner,
            source=source,
            source_locator=locator,
            provenance_note=NATIVE_NAME_NOTE if native_name else "",
        )
        self.position(person, title, organisation, attested_on, locator, source)
        return person

    def position(self, person, title, organisation, attested_on, locator, source):
        return upsert(
            Position,
            {"person": person, "title": title, "organisation": organisation},
            attested_on=attested_on,
            attested_on_precision=DAY,
            source=source,
            source_locator=locator,
        )

    def venue(self, name, partner, kind, institution=None):
        return upsert(Venue, {"name": name, "partner": partner}, kind=kind, institution=institution)

    def programme(self, delegation, title, kind, **fields):
        return upsert(
            ProgrammeItem, {"delegation": delegation, "title": title}, kind=kind, **fields
        )


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load both seeds; return how many records of each kind the database now holds."""
    DemoLoader().load()
    counted = [
        Partner,
        Agreement,
        Approval,
        Person,
        Institution,
        InstitutionLink,
        Delegation,
        Member,
        ProgrammeItem,
        Gift,
        Source,
    ]
    return {model._meta.verbose_name_plural: model.objects.count() for model in counted}
