"""The audit trail read back for people: who changed what, when and from where.

``audit_trail()`` (see ``audit.py``) writes one history row per saved or deleted row. Here
those rows become ``Change``s: consecutive rows of one record are compared with
simple-history's ``diff_against`` and every value is shown as an officer would write it
(choice labels, names of related records, "yes"/"no"). The related records a page needs
are fetched once per model, so a history costs the same few queries for 5 or 500 rows.

Sensitive values (encrypted passport numbers, members' needs) never appear: the trail
says that they changed, not what they were.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import PurePosixPath

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .dates import Precision, format_partial
from .encryption import EncryptedTextField

HISTORY_LIMIT = 50
KINDS = {"+": "created", "~": "changed", "-": "deleted"}
KIND_LABELS = {
    "created": pgettext_lazy("a record", "created"),
    "changed": pgettext_lazy("a record", "changed"),
    "deleted": pgettext_lazy("a record", "deleted"),
}
HIDDEN = gettext_lazy("(not shown: sensitive)")
EMPTY = "—"
LONGEST_VALUE = 200

# Filled by other apps in their AppConfig.ready(), so that relations names none of them:
# models ("app_label.modelname") whose rows are not the office's records (a calendar
# feed's history holds its secret address), and fields holding personal data besides the
# encrypted ones, which are always hidden.
not_listed: set[str] = set()
sensitive_fields: dict[str, set[str]] = defaultdict(set)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class Change:
    """One history row as people read it."""

    when: datetime.datetime
    who: str
    address: str
    kind: str  # "created", "changed" or "deleted"
    model: type[models.Model]
    object_id: int
    label: str  # the record as it was then, e.g. "Kim Min-su (Leader)"
    subject: str = ""  # "" for the record the page is about, else e.g. "Member “…”"
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def verbose_name(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def kind_display(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


# ---- Which models, which fields --------------------------------------------------------


def is_audited(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def history_model(model: type[models.Model]) -> type[models.Model]:
    return getattr(model, model._meta.simple_history_manager_attribute).model


def domain_models() -> list[type[models.Model]]:
    """Every model of the office's records that keeps a history."""
    return [
        model
        for model in apps.get_models()
        if is_audited(model) and model._meta.label_lower not in not_listed
    ]


def is_sensitive(model: type[models.Model], name: str) -> bool:
    model_field = model._meta.get_field(name)
    return isinstance(model_field, EncryptedTextField) or name in sensitive_fields.get(
        model._meta.label_lower, ()
    )


@cache
def tracked_names(model: type[models.Model]) -> tuple[str, ...]:
    """The fields a person edits (no counters or timestamps), in the model's order but
    with those it inherits (the citation of ``Provenance``) last, as the forms show them."""
    tracked = {f.name for f in history_model(model).tracked_fields if f.editable}
    inherited = {
        f.name
        for base in model.__mro__[1:]
        if issubclass(base, models.Model) and base is not models.Model and base._meta.abstract
        for f in base._meta.fields
    }
    names = [f.name for f in model._meta.concrete_fields if f.name in tracked and not f.primary_key]
    return tuple(sorted(names, key=lambda name: name in inherited))


# ---- Values ----------------------------------------------------------------------------


class Related:
    """The records that foreign keys of history rows point to, fetched once per model.

    A record deleted since is stood in for by its last history row, so the trail can
    still name it.
    """

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}
        self.deleted: set[tuple[type[models.Model], object]] = set()

    def want(self, model: type[models.Model], rows: Iterable[models.Model]) -> None:
        for row in rows:
            for f in model._meta.concrete_fields:
                if f.many_to_one and (value := getattr(row, f.attname, None)) is not None:
                    self.wanted[f.related_model].add(value)

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            found = self.found.setdefault(model, {})
            ids = ids - found.keys()
            if not ids:
                continue
            found.update(model._default_manager.in_bulk(ids))
            gone = ids - found.keys()
            if gone and is_audited(model):
                pk = model._meta.pk.attname
                last_rows = newest_first(history_model(model).objects.filter(**{f"{pk}__in": gone}))
                for row in last_rows:
                    if getattr(row, pk) not in found:
                        found[getattr(row, pk)] = row.history_object
                        self.deleted.add((model, getattr(row, pk)))

    def get(self, model: type[models.Model], pk):
        return self.found.get(model, {}).get(pk)

    def describe(self, model_field: models.ForeignKey, pk) -> str:
        model = model_field.related_model
        obj = self.get(model, pk)
        if obj is None:
            return _("%(name)s #%(pk)s (deleted)") % {"name": model._meta.verbose_name, "pk": pk}
        if (model, pk) in self.deleted:
            return _("%(record)s (deleted)") % {"record": obj}
        return str(obj)


@cache
def precision_field(model: type[models.Model], name: str) -> str | None:
    """``<name>_precision`` when ``name`` is a partial date (see ``dates.py``)."""
    sibling = f"{name}_precision"
    names = {f.name for f in model._meta.concrete_fields}
    return sibling if name in names and sibling in names else None


def is_precision(model: type[models.Model], name: str) -> bool:
    base = name.removesuffix("_precision")
    return base != name and precision_field(model, base) is not None


def display(model: type[models.Model], name: str, value, related: Related, row=None) -> str:
    """A value as an officer would write it; ``row`` gives a partial date its precision."""
    model_field = model._meta.get_field(name)
    if value is None or value == "":
        return EMPTY
    if is_sensitive(model, name):
        return HIDDEN
    if model_field.many_to_one:
        return related.describe(model_field, value)
    if model_field.choices:
        labels = {str(key): label for key, label in model_field.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        precision = precision_field(model, name)
        return format_partial(
            value, getattr(row, precision) if row and precision else Precision.DAY
        )
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(model_field, models.FileField):
        return PurePosixPath(str(value)).name
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def verbose(model: type[models.Model], name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def value_of(model: type[models.Model], row, name: str, related: Related) -> str:
    return display(model, name, getattr(row, model._meta.get_field(name).attname), related, row)


def values_of(model: type[models.Model], row, related: Related, omit=()) -> list[FieldChange]:
    """The values a history row holds, as (field, "", value); empty ones and unticked
    boxes say nothing about a record and are left out."""
    values = []
    for name in tracked_names(model):
        raw = getattr(row, model._meta.get_field(name).attname)
        if name in omit or is_precision(model, name) or raw is None or raw is False or raw == "":
            continue
        values.append(FieldChange(verbose(model, name), "", value_of(model, row, name, related)))
    return values


def field_changes(
    model: type[models.Model], new, old, related: Related, omit=()
) -> list[FieldChange]:
    """What changed between two history rows of one record, in the model's field order.
    A partial date and its precision read as one value ("Aug 2013 → 27 Aug 2013")."""
    names = [name for name in tracked_names(model) if name not in omit]
    changed = set(new.diff_against(old, included_fields=names).changed_fields)
    changes = []
    for name in names:
        precision = precision_field(model, name)
        if is_precision(model, name) or not ({name, precision} & changed):
            continue
        before, after = value_of(model, old, name, related), value_of(model, new, name, related)
        if before != after:
            changes.append(FieldChange(verbose(model, name), before, after))
    return changes


def label_of(model: type[models.Model], row, related: Related) -> str:
    """``str()`` of the record as the row saw it, with its related records filled in."""
    obj = row.history_object
    for f in model._meta.concrete_fields:
        if f.many_to_one and getattr(obj, f.attname) is not None:
            target = related.get(f.related_model, getattr(obj, f.attname))
            # Never unknown in practice (``related`` fetched it); a bare stand-in keeps
            # str() from querying for it.
            f.set_cached_value(obj, target or f.related_model(pk=getattr(obj, f.attname)))
    return str(obj)


def who(row) -> str:
    return row.history_user.get_username() if row.history_user else _("system")


# ---- Reading history rows --------------------------------------------------------------


def newest_first(queryset):
    return queryset.select_related("history_user").order_by("-history_date", "-history_id")


def rows_with_previous(model: type[models.Model], rows: Sequence) -> dict[int, object]:
    """For each changed row, the row of the same record just before it (by history id).

    Rows are newest first. Predecessors missing from ``rows`` are fetched in one query.
    """
    pk = model._meta.pk.attname
    by_record = defaultdict(list)
    for row in rows:
        by_record[getattr(row, pk)].append(row)
    previous = {}
    missing = []
    for record_rows in by_record.values():
        for newer, older in pairwise(record_rows):
            previous[newer.history_id] = older
        if record_rows[-1].history_type == "~":
            missing.append(record_rows[-1])
    if missing:
        history = history_model(model)
        before = history.objects.filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
            **{pk: OuterRef(pk)},
        ).order_by("-history_date", "-history_id")
        wanted = history.objects.filter(history_id__in=[row.history_id for row in missing])
        wanted = wanted.annotate(before=Subquery(before.values("history_id")[:1]))
        found = {
            getattr(r, pk): r
            for r in history.objects.filter(history_id__in=wanted.values("before"))
        }
        for row in missing:
            if getattr(row, pk) in found:
                previous[row.history_id] = found[getattr(row, pk)]
    return previous


def child_relations(model: type[models.Model], names: Iterable[str]):
    """(child model, its foreign key to ``model``) for each reverse relation name."""
    for name in names:
        relation = model._meta.get_field(name)
        yield relation.related_model, relation.field


def change_log(
    instance: models.Model, *, children: Iterable[str] = (), limit: int | None = HISTORY_LIMIT
) -> list[Change]:
    """The history of ``instance`` and of its child rows (reverse relation names, e.g.
    ``("members", "programme")``), newest first, at most ``limit`` entries.

    Works for a deleted record too: pass ``history_object`` of its last history row.
    Costs a few queries per model involved, however long the history.
    """
    model = type(instance)
    pk = model._meta.pk.attname
    sources = [(model, None, history_model(model).objects.filter(**{pk: instance.pk}))]
    for child, fk in child_relations(model, children):
        rows = history_model(child).objects.filter(**{fk.attname: instance.pk})
        sources.append((child, fk.name, rows))
    related = Related()
    if instance._state.db is not None:
        related.found[model] = {instance.pk: instance}  # child rows point to it
    fetched = []
    for source_model, fk, queryset in sources:
        queryset = newest_first(queryset)
        rows = list(queryset[:limit] if limit else queryset)
        previous = rows_with_previous(source_model, rows)
        related.want(source_model, [*rows, *previous.values()])
        fetched.append((source_model, fk, rows, previous))
    related.fetch()
    changes = [
        # A child row's link to the record is the page itself: not repeated.
        as_change(source_model, row, previous, related, subject=bool(fk), omit={fk})
        for source_model, fk, rows, previous in fetched
        for row in rows
    ]
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit] if limit else changes


def as_change(model, row, previous: dict, related: Related, *, subject: bool, omit=()) -> Change:
    """One history row as a Change; ``previous`` maps history ids to the row before."""
    change = Change(
        when=row.history_date,
        who=who(row),
        address=row.ip_address or "",
        kind=KINDS.get(row.history_type, row.history_type),
        model=model,
        object_id=getattr(row, model._meta.pk.attname),
        label=label_of(model, row, related),
    )
    if subject:
        change.subject = _("%(name)s “%(label)s”") % {
            "name": change.verbose_name,
            "label": change.label,
        }
    if row.history_type == "~" and row.history_id in previous:
        change.fields = field_changes(model, row, previous[row.history_id], related, omit)
    elif row.history_type in "+-":
        # What the record held when it was made, or when it went.
        change.fields = values_of(model, row, related, omit)
    return change


def deleted_records(
    audited: Iterable[type[models.Model]], *, limit: int = HISTORY_LIMIT
) -> list[Change]:
    """The latest deletions among ``audited`` models, newest first, with their last values."""
    related = Related()
    fetched = []
    for model in audited:
        rows = list(newest_first(history_model(model).objects.filter(history_type="-"))[:limit])
        related.want(model, rows)
        fetched.append((model, rows))
    related.fetch()
    changes = [
        as_change(model, row, {}, related, subject=True) for model, rows in fetched for row in rows
    ]
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


# ---- A save refused because someone else saved first -----------------------------------


def stale_message(model: type[models.Model], pk, loaded_version: int) -> str:
    """Why a save on a copy loaded at ``loaded_version`` was refused, naming who saved
    since and what they changed (from the history rows newer than that version)."""
    name = model._meta.verbose_name
    pk_name = model._meta.pk.attname
    rows = history_model(model).objects.filter(**{pk_name: pk})
    # A deletion keeps the version it deleted: it is newer whatever its number.
    newer = list(newest_first(rows.filter(Q(version__gt=loaded_version) | Q(history_type="-"))))
    seen = newest_first(rows.filter(version__lte=loaded_version)).first()
    deleted = bool(newer) and newer[0].history_type == "-"
    if deleted:
        message = _("Someone else deleted this %(name)s after you opened it") % {"name": name}
    else:
        message = _("Someone else saved this %(name)s after you opened it") % {"name": name}
    if newer:
        by = dict.fromkeys(
            _("%(user)s at %(when)s")
            % {"user": who(row), "when": f"{timezone.localtime(row.history_date):%Y-%m-%d %H:%M}"}
            for row in reversed(newer)
        )
        message += _(" (by %(users)s)") % {"users": ", ".join(by)}
    changes = []
    if newer and seen and not deleted:
        related = Related()
        related.want(model, [newer[0], seen])
        related.fetch()
        changes = field_changes(model, newer[0], seen, related)
    if changes:
        message += ": " + "; ".join(f"{c.field}: {c.old} → {c.new}" for c in changes)
    return _(
        "%(message)s. Your changes were not saved. Reload the page to see the current version "
        "and make your change again."
    ) % {"message": message}
