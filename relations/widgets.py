"""A search box in place of a drop-down of thousands of records (see ``lookups.py``)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .lookups import LOOKUPS


class SearchSelect(forms.Select):
    """A <select> that holds only the chosen record; amity.js puts a search box before it
    that asks ``/lookup/<name>/`` for others as the officer types. The form field keeps its
    whole queryset, so what is submitted is checked as before."""

    def __init__(self, lookup: str, attrs=None):
        super().__init__(attrs)
        self.lookup = lookup
        self.known = None  # the record already chosen, when the form's instance holds it

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-lookup": reverse("relations:lookup", args=[self.lookup]),
                "data-placeholder": _("Type a name to search"),
                "data-no-match": _("Choose one of the matches offered, or clear the box."),
            }
        )
        return context

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)
        if field is None:  # plain choices: nothing to look up
            return super().optgroups(name, value, attrs)
        chosen = {str(v) for v in value if v not in (None, "")}
        options = [("", field.empty_label)] if field.empty_label is not None else []
        # Only ids that can be keys: hostile input is the field's to refuse, not a query's.
        keys = [key for key in chosen if key.isdigit()]
        if self.known is not None and keys == [str(self.known.pk)]:
            # A row of a formset loaded with its records: no query per search box.
            options.append(self.choices.choice(self.known))
        elif keys:
            records = field.queryset.filter(pk__in=keys)
            options += [self.choices.choice(record) for record in records]
        return [
            (None, [self.create_option(name, key, label, str(key) in chosen, index)], index)
            for index, (key, label) in enumerate(options)
        ]


def default_lookups() -> dict[str, str]:
    """Model label → the lookup its fields use unless a form says otherwise."""
    return {lookup.model_label: lookup.name for lookup in LOOKUPS.values() if lookup.default}


class SearchSelectsMixin:
    """Every single choice of a record a lookup knows becomes a search box. ``lookups``
    names another lookup for a field (e.g. "partners", which leaves out our own authority)."""

    lookups: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = default_lookups()
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or isinstance(
                field, forms.ModelMultipleChoiceField
            ):
                continue
            lookup = self.lookups.get(name) or defaults.get(field.queryset.model._meta.label)
            if lookup:
                field.widget = search_select(lookup, field)
                field.widget.known = loaded_record(getattr(self, "instance", None), name)


def loaded_record(instance, name: str):
    """The record ``instance.<name>`` points to, if it was loaded with the instance."""
    try:
        relation = instance._meta.get_field(name)
    except (AttributeError, LookupError):
        return None
    if relation.many_to_one and relation.is_cached(instance):
        return getattr(instance, name)
    return None


def search_select(lookup: str, field: forms.ModelChoiceField) -> SearchSelect:
    widget = SearchSelect(lookup, attrs=field.widget.attrs)
    widget.choices = field.choices
    widget.is_required = field.required
    return widget
