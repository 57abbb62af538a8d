"""Importing a spreadsheet: plan every row first, then write all of it or nothing.

``plan_import`` reads the file, finds each column by its header, reads every cell, resolves
names of other records through indexes built once (a dict per model, not a query per row)
and matches each row to an existing record by the resource's natural key. Nothing is
written: the plan is what the preview shows. ``apply_import`` writes a plan without errors
in one transaction, with bulk inserts and updates that also write the audit trail.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .columns import Column, is_blank
from .languages import in_every_language
from .search import fold
from .spreadsheets import Table, header_key

logger = logging.getLogger(__name__)

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
ACTIONS = (NEW, UPDATE, UNCHANGED, ERROR)
BATCH = 500


class Index:
    """Names of one kind of record → primary keys, with a hint (a country, an
    organisation, a date) to tell apart records that share a name."""

    def __init__(self, entries: Iterable[tuple[str, int, Iterable[str]]], hint_label: str = ""):
        self.names: dict[str, dict[int, set[str]]] = {}
        for name, pk, hints in entries:
            if name:
                self.names.setdefault(fold(name), {}).setdefault(pk, set()).update(
                    fold(h) for h in hints if h
                )
        self.hint_label = hint_label

    def find(self, name: str, hint: str, noun) -> int:
        matches = self.names.get(fold(name), {})
        if not matches:
            raise ValueError(
                _("no %(noun)s named “%(name)s” is recorded (add it first, or correct the name).")
                % {"noun": noun, "name": name}
            )
        if len(matches) == 1:
            return next(iter(matches))
        if hint:
            hinted = [pk for pk, hints in matches.items() if fold(hint) in hints]
            if len(hinted) == 1:
                return hinted[0]
        raise ValueError(
            _("“%(name)s” names %(count)s %(noun)s records; give the %(hint)s to choose one.")
            % {"name": name, "count": len(matches), "noun": noun, "hint": self.hint_label}
        )


# Index builders by name, filled by each app's resources module.
INDEXES: dict[str, Callable[[], Index]] = {}


@dataclass
class CellError:
    row: int
    column: str
    message: str

    def __str__(self):
        where = _("Row %(row)s") % {"row": self.row}
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class Record:
    """One record the import creates, updates or leaves as it is."""

    instance: object
    action: str
    values: dict
    first_row: int
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    parent_key: tuple | None = None


@dataclass(frozen=True, eq=False)
class Pending:
    """A reference to a record this same import creates: its key is known once written."""

    record: Record

    @property
    def pk(self):
        return self.record.instance.pk


@dataclass
class RowOutcome:
    number: int
    action: str
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ImportPlan:
    resource: object
    rows: list[RowOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file
    records: dict = field(default_factory=dict)  # (part, key) -> Record
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[CellError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.problems) or any(row.action == ERROR for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in ACTIONS}

    def summary(self) -> str:
        totals = self.totals
        return _(
            "%(rows)s rows: %(new)s new, %(update)s updated, %(unchanged)s unchanged, "
            "%(error)s with errors."
        ) % {"rows": len(self.rows), **totals}


class ImportContext:
    """What reading one file needs: indexes built on first use, and the current row."""

    def __init__(self):
        self._indexes: dict[str, Index] = {}
        self.row: dict[str, object] = {}
        # Records this file creates or updates, by name, once every row has been read.
        self.planned: dict[str, Record] = {}

    def index(self, name: str) -> Index:
        if name not in self._indexes:
            self._indexes[name] = INDEXES[name]()
        return self._indexes[name]

    def forget(self, name: str) -> None:
        self._indexes.pop(name, None)


@dataclass(frozen=True)
class Part:
    """The columns of one model in a row: the resource's own, or its child's."""

    name: str  # "record" or the child's name
    resource: object
    columns: tuple[tuple[str, Column], ...]  # (column id, column)
    prefix: str = ""  # of the child's column ids

    def field_name(self, column_id: str) -> str:
        return column_id.removeprefix(self.prefix)


def column_keys(column_id: str, column: Column) -> set[str]:
    """The headers a file may give this column, compared as headers are: its header in
    every interface language (a file exported in Korean imports back), its id, its
    field's name and its aliases."""
    keys = {*in_every_language(column.declared_header), column_id, column.attribute}
    return {header_key(str(key)) for key in keys | set(column.aliases) if key}


def match_headers(resource, headers: list[str]) -> list[str | None]:
    """The column id each file column fills, found by header; None where none matches,
    "" for the read-only columns that exports add (left out without asking)."""
    known = {
        header_key(header): ""
        for column in resource.computed
        for header in in_every_language(column.declared_header)
    }
    for column_id, column in resource.import_columns():
        for key in column_keys(column_id, column):
            known.setdefault(key, column_id)
    mapping, taken = [], set()
    for header in headers:
        column_id = known.get(header_key(header)) if header else None
        if column_id in taken:
            column_id = None  # A second column with the same header is not read.
        taken.add(column_id)
        mapping.append(column_id)
    return mapping


def remap(resource, headers: list[str], choices: dict[str, str]) -> list[str | None]:
    """``match_headers`` with the administrator's choices: file header → field (a column
    id, header or alias), or "" to ignore the column. Raises ValueError on an unknown field."""
    mapping = match_headers(resource, headers)
    by_key = {}
    for column_id, column in resource.import_columns():
        for key in column_keys(column_id, column):
            by_key.setdefault(key, column_id)
    chosen = {header_key(h): f for h, f in choices.items()}
    for position, header in enumerate(headers):
        if header_key(header) not in chosen:
            continue
        target = chosen[header_key(header)]
        if not target:
            mapping[position] = None
            continue
        if header_key(target) not in by_key:
            raise ValueError(_("“%(field)s” is not a column of this import.") % {"field": target})
        column_id = by_key[header_key(target)]
        mapping = [None if m == column_id else m for m in mapping]
        mapping[position] = column_id
    return mapping


def missing_columns(resource, mapping: list[str | None]) -> list[str]:
    mapped = set(mapping)
    missing = []
    for part in resource.parts():
        # A child's columns are needed only in a file that gives children at all: a list
        # of agreements without approvals is complete.
        if part.name != "record" and not mapped & {column_id for column_id, _ in part.columns}:
            continue
        missing += [
            column.header
            for column_id, column in part.columns
            if column.required and column_id not in mapped
        ]
    return missing


def plan_import(
    resource,
    table: Table,
    mapping: list[str | None] | None = None,
    *,
    defaults: dict[str, object] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """What importing the table would do, row by row; writes nothing.

    ``defaults`` (column id → cell) fills the blank cells of a column, or the column
    itself when the file has none (e.g. the relationship level of a list of partners)."""
    plan = ImportPlan(resource=resource, notes=list(table.notes))
    if mapping is None:
        mapping = match_headers(resource, table.headers)
    defaults = {k: v for k, v in (defaults or {}).items() if not is_blank(v)}
    if missing := [
        header
        for header in missing_columns(resource, mapping)
        if resource.column_id_of(header) not in defaults
    ]:
        plan.problems.append(
            _("The file has no column for: %(columns)s. Map a column to each of these.")
            % {"columns": ", ".join(missing)}
        )
        return plan
    if not any(mapping):
        plan.problems.append(_("No column of the file matches a field."))
        return plan
    context = ImportContext()
    parts = resource.parts()
    existing = {part.name: part.resource.existing_records() for part in parts}
    positions = {column_id: i for i, column_id in enumerate(mapping) if column_id}
    with_children = []
    # First every row's record, then the children: a child may name a record of a later
    # row (an institution linked to one further down the file).
    for count, (number, cells) in enumerate(table.rows, start=1):
        context.row = {cid: cells[i] if i < len(cells) else None for cid, i in positions.items()}
        for column_id, value in defaults.items():
            if is_blank(context.row.get(column_id)):
                context.row[column_id] = value
        outcome, key = _plan_record_part(plan, parts[0], existing, context, number)
        plan.rows.append(outcome)
        if outcome.action != ERROR and len(parts) > 1:
            with_children.append((outcome, key, context.row))
        if progress and count % 1000 == 0:
            progress(count)
    context.planned = {
        fold(name): record
        for (part_name, _key), record in plan.records.items()
        for name in resource.names_of(record.instance)
    }
    for outcome, key, row in with_children:
        context.row = row
        for part in parts[1:]:
            _plan_child_part(plan, part, existing, context, outcome, key)
    if not plan.rows:
        plan.problems.append(_("The file has a header row but no data rows."))
    return plan


def _read_part(part: Part, context: ImportContext, number: int):
    values, errors = {}, []
    for column_id, column in part.columns:
        raw = context.row.get(column_id)
        try:
            values[part.field_name(column_id)] = column.read(raw, context)
        except ValueError as error:
            errors.append(CellError(number, column.header, str(error)))
    return values, errors


def _plan_record_part(plan: ImportPlan, part: Part, existing, context, number: int):
    values, errors = _read_part(part, context, number)
    outcome = RowOutcome(
        number=number, action=ERROR, label=part.resource.label(context.row), errors=errors
    )
    if errors:
        return outcome, None
    key = part.resource.key_of(values)
    record = _plan_record(plan, part, existing, key, values, number, outcome, given=context.row)
    if record is not None:
        # A later row about the same record adds a child to it, or repeats it.
        outcome.action = record.action if record.first_row == number else UNCHANGED
    return outcome, key


def _plan_child_part(plan: ImportPlan, part: Part, existing, context, outcome, key) -> None:
    if all(is_blank(context.row.get(column_id)) for column_id, _ in part.columns):
        return
    values, errors = _read_part(part, context, outcome.number)
    if not errors:
        child_key = (key, part.resource.key_of(values))
        child = _plan_record(
            plan,
            part,
            existing,
            child_key,
            values,
            outcome.number,
            outcome,
            parent_key=key,
            given=context.row,
        )
        if child is not None and child.first_row == outcome.number:
            if child.action == NEW and outcome.action != NEW:
                outcome.action = NEW if outcome.action == UNCHANGED else outcome.action
            elif child.action == UPDATE and outcome.action == UNCHANGED:
                outcome.action = UPDATE
            return
        if child is not None:
            return
    outcome.errors.extend(errors)
    outcome.action = ERROR


def _plan_record(plan, part, existing, key, values, number, outcome, parent_key=None, *, given):
    """The record a row describes: new, or an existing one with the row's changes.
    ``given``: the column ids the file (or a default) gives."""
    resource = part.resource
    seen = plan.records.get((part.name, key))
    if seen is not None:
        differing = [
            column.header
            for column_id, column in part.columns
            if values[part.field_name(column_id)] != seen.values[part.field_name(column_id)]
        ]
        if differing:
            outcome.errors.append(
                CellError(
                    number,
                    differing[0],
                    _("row %(row)s gives the same %(noun)s with a different %(fields)s.")
                    % {
                        "row": seen.first_row,
                        "noun": resource.noun(),
                        "fields": ", ".join(differing),
                    },
                )
            )
            return None
        return seen
    instance = existing[part.name].get(key)
    record = Record(
        instance=instance, action=UPDATE, values=values, first_row=number, parent_key=parent_key
    )
    if instance is None:
        record.instance = instance = resource.new_instance()
        record.action = NEW
    for column_id, column in part.columns:
        new = values[part.field_name(column_id)]
        if new == column.empty and (record.action == NEW or column_id not in given):
            # Nothing given: a new record keeps the model's default (a partner's status is
            # "active", not ""), and a column the file lacks leaves a record's value alone.
            continue
        before = column.current(instance) if record.action == UPDATE else None
        if record.action == UPDATE and before != new:
            record.changes.append((column.header, column.shown(before), column.shown(new)))
        column.assign(instance, new)
    if record.action == UPDATE and not record.changes:
        record.action = UNCHANGED
    try:
        resource.validate(instance)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            header = resource.header_of(name)
            for message in messages:
                outcome.errors.append(CellError(number, header, message))
        return None
    outcome.changes.extend(record.changes)
    plan.records[(part.name, key)] = record
    return record


def apply_import(
    plan: ImportPlan,
    *,
    user=None,
    reason: str = "",
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the plan, all or nothing. Returns the counts of records created and updated.
    ``progress`` is told the records written so far after each batch."""
    if plan.has_errors:
        raise ValueError("An import with errors writes nothing.")
    # History rows keep 100 characters of a reason; PostgreSQL refuses a longer one.
    reason = reason[:100]
    written = Counter()
    done = 0
    now = timezone.now()
    with transaction.atomic():
        for part in plan.resource.parts():
            records = [r for (name, _), r in plan.records.items() if name == part.name]
            if part.name != "record":  # parts() builds new Parts: compare names, not identity
                for record in records:  # Children get their parent's key now it has one.
                    parent = plan.records[("record", record.parent_key)].instance
                    setattr(record.instance, f"{part.resource.parent_field}_id", parent.pk)
            for record in records:
                _resolve_pending(record.instance)
            created = [r.instance for r in records if r.action == NEW]
            updated = [r for r in records if r.action == UPDATE]
            model = part.resource._meta.model
            for instance in created:
                part.resource.before_write(instance, now)
            # Batch by batch here rather than in bulk_create: progress after each one.
            for batch in _batches(created):
                bulk_create_with_history(
                    batch,
                    model,
                    batch_size=BATCH,
                    default_user=user,
                    default_change_reason=reason,
                )
                done += len(batch)
                if progress:
                    progress(done)
            if updated:
                fields = part.resource.fields_to_update(updated)
                for record in updated:
                    part.resource.before_write(record.instance, now)
                    if hasattr(record.instance, "version"):
                        record.instance.version += 1
                for batch in _batches([r.instance for r in updated]):
                    bulk_update_with_history(
                        batch,
                        model,
                        fields=fields,
                        batch_size=BATCH,
                        default_user=user,
                        default_change_reason=reason,
                    )
                    done += len(batch)
                    if progress:
                        progress(done)
            part.resource.write_many_to_many([r for r in records if r.action != UNCHANGED])
            written[f"{part.name} {NEW}"] += len(created)
            written[f"{part.name} {UPDATE}"] += len(updated)
    logger.info(
        "Imported %s by %s: %s",
        plan.resource.slug,
        getattr(user, "username", "command"),
        dict(written),
    )
    return dict(written)


def _batches(items: list) -> Iterable[list]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _resolve_pending(instance) -> None:
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname)
        if isinstance(value, Pending):
            setattr(instance, model_field.attname, value.pk)
