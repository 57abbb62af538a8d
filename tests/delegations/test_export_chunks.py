"""Exports render a chunk of records at a time (see ``Resource._render``): the lookups
per chunk and the labels rendered once per value must still give each row its own."""

import datetime

import pytest

from delegations.models import Delegation, Member
from relations.models import Partner, Person, Sector
from relations.resources import RESOURCES, among


@pytest.fixture
def visits(db):
    tours = Partner.objects.create(name="Tours", country="FR", level="sister")
    osaka = Partner.objects.create(name="Osaka", country="JP", level="friendship")
    culture = Sector.objects.create(name="Culture", slug="culture")
    health = Sector.objects.create(name="Health", slug="health")
    made = []
    for number, (partner, direction, sectors) in enumerate(
        [
            (tours, Delegation.Direction.INBOUND, [culture]),
            (osaka, Delegation.Direction.OUTBOUND, [health, culture]),
            (tours, Delegation.Direction.OUTBOUND, []),
            (osaka, Delegation.Direction.INBOUND, [health]),
        ]
    ):
        visit = Delegation.objects.create(
            title=f"Visit {number}",
            partner=partner,
            direction=direction,
            start=datetime.date(2010, 1, 1 + number),
        )
        visit.sectors.set(sectors)
        made.append(visit)
    for name in ("Anne", "Bruno"):
        Member.objects.create(delegation=made[1], person=Person.objects.create(name=name))
    return made


def exported(queryset) -> list[dict]:
    headers, *rows = RESOURCES["delegations"]().export_rows(queryset)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def test_each_row_shows_its_own_labels_countries_sectors_and_members(visits):
    rows = exported(Delegation.objects.order_by("pk"))

    assert [(r["Title"], r["Direction"], r["Partner country"]) for r in rows] == [
        ("Visit 0", "Inbound (they visit us)", "France"),
        ("Visit 1", "Outbound (we visit them)", "Japan"),
        ("Visit 2", "Outbound (we visit them)", "France"),
        ("Visit 3", "Inbound (they visit us)", "Japan"),
    ]
    assert [r["Sectors"] for r in rows] == ["Culture", "Culture, Health", "", "Health"]
    assert [r["Members listed"] for r in rows] == [0, 2, 0, 0]


def test_a_filtered_export_shows_nothing_of_the_records_it_leaves_out(visits):
    # The chunk's keys are dense, so its lookups read a range that holds the left-out
    # visit (with sectors and members) too.
    rows = exported(Delegation.objects.exclude(pk=visits[1].pk).order_by("pk"))

    assert [(r["Title"], r["Sectors"], r["Members listed"]) for r in rows] == [
        ("Visit 0", "Culture", 0),
        ("Visit 2", "", 0),
        ("Visit 3", "Health", 0),
    ]


@pytest.mark.parametrize(
    ("pks", "lookups"),
    [
        ({10, 11, 13}, {"pk__gte": 10, "pk__lte": 13}),  # dense: a range
        ({10, 500}, {"pk__in": {10, 500}}),  # sparse: the keys themselves
        (set(), {"pk__in": set()}),
    ],
)
def test_a_chunk_is_looked_up_by_range_only_when_its_keys_are_dense(pks, lookups):
    assert dict(among("pk", pks).children) == lookups
