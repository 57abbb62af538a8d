"""Round trip: export every resource, empty the database of the office's records, import
the files back in order, and find the same records, field by field."""

import datetime

import pytest

from delegations.models import (
    AgreementSigning,
    Delegation,
    Gift,
    Member,
    ProgrammeItem,
    Venue,
)
from relations.exports import csv_lines, write_xlsx
from relations.importing import apply_import
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
    Source,
)
from relations.resources import RESOURCES
from tests.spreadsheet_files import plan_file

# Each model's records, matched by what identifies them (never by primary key).
KEYS = {
    Source: ("key",),
    Partner: ("name", "country"),
    PartnerAlias: ("partner", "name"),
    Agreement: ("partner", "title", "signed_on"),
    AgreementSignatory: ("agreement", "person"),
    Approval: ("agreement", "body"),
    Person: ("name", "partner"),
    Position: ("person", "title", "organisation"),
    Institution: ("name", "partner"),
    InstitutionLink: ("institution", "counterpart"),
    Delegation: ("partner", "direction", "start", "title"),
    AgreementSigning: ("agreement",),
    Member: ("delegation", "person"),
    Venue: ("name", "partner"),
    ProgrammeItem: ("delegation", "date", "start_time", "title"),
    Gift: ("partner", "direction", "description", "given_on"),
}
IGNORED = {"id", "created_at", "updated_at", "version", "search_text"}
MISSING, EXTRA = "<records missing>", "<records added>"

# What the import cannot bring back yet: each is a gap of the engine, reported on issue 8.
# The test fails when one is closed (strike it from this list) or a new one opens.
KNOWN_GAPS = {
    ("Partner", "profile"),  # no Profile column
    ("PartnerAlias", MISSING),  # no resource for aliases
    ("Agreement", "signed_time"),  # no Signed at (time) column
    ("AgreementSignatory", MISSING),  # no resource for signatories
    # The child parts (approvals, positions, links) have no provenance columns, and a
    # link no column for the agreement it was made under.
    ("Approval", "source"),
    ("Approval", "source_locator"),
    ("Position", "source"),
    ("Position", "source_locator"),
    ("InstitutionLink", "source"),
    ("InstitutionLink", "source_locator"),
    ("InstitutionLink", "agreement"),
    # No resource for the agreements signed during a visit.
    ("AgreementSigning", MISSING),
    ("Delegation", "agreements"),
    # No resource for venues: the programme rows that name one are errors, so the
    # programme file imports nothing.
    ("Venue", MISSING),
    ("ProgrammeItem", MISSING),
}


def comparable(obj, field):
    value = getattr(obj, field.attname)
    if field.is_relation and value is not None:
        return str(getattr(obj, field.name))  # the related record as people name it
    if hasattr(value, "code"):  # a country
        return value.code
    if hasattr(value, "name") and not isinstance(value, str):  # a file
        return value.name
    return value


def snapshot() -> dict[str, dict[tuple, dict]]:
    found = {}
    for model, key in KEYS.items():
        records = {}
        for obj in model._default_manager.all():
            values = {
                field.name: comparable(obj, field)
                for field in model._meta.concrete_fields
                if field.name not in IGNORED
            }
            for field in model._meta.many_to_many:
                values[field.name] = sorted(str(o) for o in getattr(obj, field.name).all())
            records[tuple(str(values[name]) for name in key)] = values
        found[model.__name__] = records
    return found


def differences(before, after) -> dict[tuple[str, str], list]:
    """(model, field) → the records where it differs, as (key, before, after)."""
    found = {}
    for model, records in before.items():
        for key, values in records.items():
            if key not in after[model]:
                found.setdefault((model, MISSING), []).append(key)
                continue
            for field, value in values.items():
                if after[model][key][field] != value:
                    found.setdefault((model, field), []).append(
                        (key, value, after[model][key][field])
                    )
        for key in after[model].keys() - records.keys():
            found.setdefault((model, EXTRA), []).append(key)
    return found


def export_all(directory, fmt: str) -> list[tuple[str, object]]:
    files = []
    for slug, resource in RESOURCES.items():
        path = directory / f"{slug}.{fmt}"
        table = resource().export_rows(sensitive=True)
        if fmt == "csv":
            path.write_text("".join(csv_lines(table)), encoding="utf-8")
        else:
            write_xlsx(table, path, slug)
        files.append((slug, path))
    return files


def delete_the_offices_records() -> None:
    """Everything but the home authority (with its aliases and the source it cites), the
    sectors and the users."""
    home = Partner.objects.home()
    for model in (
        Gift,
        ProgrammeItem,
        Member,
        AgreementSigning,
        Delegation,
        Venue,
        InstitutionLink,
        Institution,
        Position,
        AgreementSignatory,
        Person,
        Approval,
        Agreement,
    ):
        model.objects.all().delete()
    PartnerAlias.objects.exclude(partner=home).delete()
    Partner.objects.exclude(pk=home.pk).delete()
    Source.objects.exclude(pk=home.source_id).delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_everything_and_importing_it_back_gives_the_same_records(demo, tmp_path, fmt):
    before = snapshot()
    files = export_all(tmp_path, fmt)
    delete_the_offices_records()

    refused = {}
    for slug, path in files:
        plan = plan_file(slug, path)
        if plan.has_errors:
            refused[slug] = [*plan.problems, *map(str, plan.errors)]
        else:
            apply_import(plan, reason="round trip")

    # Only the programme file is refused, for the venues it names.
    assert list(refused) == ["programme"]
    assert all("column “Venue”: no venue named" in message for message in refused["programme"])
    assert len(refused["programme"]) == 7
    found = differences(before, snapshot())
    assert set(found) == KNOWN_GAPS, {k: v for k, v in found.items() if k not in KNOWN_GAPS}
    assert len(before["Partner"]) == 3 and len(before["Delegation"]) == 15


def test_a_programme_exported_and_imported_back_is_the_same(demo, tmp_path):
    # With its venues still recorded (there is no venue import yet), a programme comes back
    # item for item.
    before = snapshot()["ProgrammeItem"]
    path = tmp_path / "programme.csv"
    path.write_text("".join(csv_lines(RESOURCES["programme"]().export_rows())), encoding="utf-8")
    ProgrammeItem.objects.all().delete()

    plan = plan_file("programme", path)
    apply_import(plan)

    assert plan.totals["new"] == len(before) == 11
    assert snapshot()["ProgrammeItem"] == before


def test_a_record_exported_and_imported_again_is_unchanged(demo, tmp_path):
    # Nothing is lost or reinterpreted on the way: every exported row reads back as
    # "unchanged", in both formats.
    for slug, path in export_all(tmp_path, "csv") + export_all(tmp_path, "xlsx"):
        plan = plan_file(slug, path)
        assert plan.errors == [], slug
        assert {row.action for row in plan.rows} == {"unchanged"}, (
            slug,
            [(row.number, row.changes) for row in plan.rows if row.changes],
        )


def test_an_imported_date_keeps_its_precision_through_a_round_trip(demo, tmp_path):
    changning = Partner.objects.get(name="Changning District")
    changning.established_on = datetime.date(2007, 8, 1)
    changning.established_on_precision = "month"
    changning.save()
    path = tmp_path / "partners.csv"
    path.write_text("".join(csv_lines(RESOURCES["partners"]().export_rows())), encoding="utf-8")

    assert "2007-08," in path.read_text(encoding="utf-8-sig")
    assert plan_file("partners", path).totals["unchanged"] == 2


def test_a_phone_number_starting_with_plus_survives_a_round_trip(demo, tmp_path):
    Person.objects.filter(name="Jin Kyohun").update(phone="+82-2-2600-6114")
    path = tmp_path / "people.csv"
    path.write_text("".join(csv_lines(RESOURCES["people"]().export_rows())), encoding="utf-8")

    plan = plan_file("people", path)

    assert [row.changes for row in plan.rows if row.changes] == []
